// The renderer has no network of its own (ARCHITECTURE.md, invariant 5): it loads only the app's own
// files, never navigates, opens no window, and is granted no permission. Web links go to the
// person's browser.
import { app, type Session } from 'electron';
import { redactUrl, type Logger } from '../core/log.js';
import { openWebLink } from './links.js';
import { contentSecurityPolicy, isOwnResource } from './page-policy.js';

// Writing to the clipboard (a "copy" button) is the one thing the page may ask for.
const allowedPermissions = new Set(['clipboard-sanitized-write']);

/** Before the app is ready: every web contents, ours or any other, may not navigate, open windows or attach webviews. */
export function guardWebContents(log: Logger): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      // A link the page opens in a new window is an http(s) address for the browser, or nothing.
      if (!openWebLink(url)) log.warn(`Refused to open a window for ${redactUrl(url)}.`);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      log.warn(`Refused a navigation to ${redactUrl(url)}.`);
    });
    contents.on('will-redirect', (event, url) => {
      event.preventDefault();
      log.warn(`Refused a redirect to ${redactUrl(url)}.`);
    });
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
      log.warn('Refused to attach a webview.');
    });
  });
}

/** After ready: the session loads only files under `rendererDir`, with the policy header, and grants no permission. */
export function lockDownSession(session: Session, rendererDir: string, log: Logger): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(allowedPermissions.has(permission)));
  session.setPermissionCheckHandler((_contents, permission) => allowedPermissions.has(permission));
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isOwnResource(details.url, rendererDir);
    if (!allowed) log.warn(`Refused a request from the page to ${details.url.startsWith('file:') ? details.url : redactUrl(details.url)}.`);
    callback({ cancel: !allowed });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') {
      callback({});
      return;
    }
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [contentSecurityPolicy] } });
  });
}
