// The native host's names and limits, without zod: the extension bundles this file, and browser.ts
// (the schemas) re-exports it.

/** The name the extension asks the browser for (`runtime.sendNativeMessage`), and the host manifests carry. */
export const nativeHostName = 'app.cartage.native_host';

/** The extension's id in Chromium and Chrome (fixed by the public key in its manifest). */
export const chromiumExtensionId = 'cbgihljfnmdfccgpjlecjhdlaejfneap';
/** The extension's id in Firefox (browser_specific_settings.gecko.id). */
export const firefoxExtensionId = 'send-to@cartage.app';

/**
 * Bytes a message to the host may have. Browsers allow up to 4 GB towards the host (1 MB back), so
 * this is the host's own cap: 10,000 long links fit, a runaway page does not.
 */
export const maxMessageToHost = 4 * 1024 * 1024;
/** Bytes of a message from the host: Chromium's and Firefox's limit (1 MB). */
export const maxMessageFromHost = 1024 * 1024;

/** Links sent to the queue at once (the download list has its own limit, up to 10,000). */
export const maxDownloadsAtOnce = 1000;
export const maxLinksToList = 10_000;

/** A person's words for why a link cannot be taken, or null when it is an http(s) address. */
export function linkProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw.slice(0, 120)}" is not a full web address (it should start with http:// or https://)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${raw.slice(0, 120)}" is a ${url.protocol} link; Cartage downloads http and https links only`;
  }
  if (url.username || url.password) return `"${url.host}${url.pathname.slice(0, 80)}" carries a user name and password in the link, which Cartage does not take from the browser`;
  return null;
}

/** The browsers whose native messaging Cartage can set up. */
export const browserKinds = ['chromium', 'chrome', 'firefox'] as const;
export type BrowserKind = (typeof browserKinds)[number];
