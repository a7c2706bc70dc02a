// What the window may load and do, as plain data and functions: security.ts and window.ts apply
// them with Electron, and tests read them without it (ARCHITECTURE.md, invariant 5).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's policy, sent as a header (the page's own meta tag says the same; the stricter of the two holds). */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A file of the built renderer, or an in-memory resource (data:, blob:) or the developer tools' own. */
export function isOwnResource(url: string, rendererDir: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  switch (parsed.protocol) {
    case 'data:':
    case 'blob:':
    case 'devtools:':
      return true;
    case 'file:': {
      let file: string;
      try {
        file = fileURLToPath(parsed);
      } catch {
        return false;
      }
      const relative = path.relative(rendererDir, file);
      return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    }
    default:
      return false;
  }
}

/** The window's web preferences: sandboxed, isolated, no Node, no webviews, no navigation by a drop. */
export function windowWebPreferences(preload: string) {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}
