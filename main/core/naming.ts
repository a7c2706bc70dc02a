import fs from 'node:fs';
import path from 'node:path';
import { CartageError } from './errors.js';

/** Longest file name we write, in UTF-8 bytes: 255 is the common limit, less room for the part suffix. */
export const maxNameBytes = 200;

const reserved = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// Path separators, characters Windows forbids, and control characters.
// eslint-disable-next-line no-control-regex
const forbidden = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g;

/**
 * Makes a name from a server safe on Windows, macOS and Linux: no separators, no `..`, no reserved
 * device names, no control characters, no trailing dots or spaces, at most `maxNameBytes` bytes.
 */
export function safeFileName(raw: string, fallback = 'download'): string {
  let name = raw.normalize('NFC').replace(forbidden, '_').trim();
  name = name.replace(/[. ]+$/, '');
  if (name === '' || /^\.+$/.test(name)) name = fallback;
  if (reserved.test(name)) name = `_${name}`;
  return truncateName(name, maxNameBytes);
}

/** Shortens a name to a byte budget, keeping its extension and never cutting a character in half. */
export function truncateName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const ext = path.extname(name);
  const keepExt = ext.length > 1 && Buffer.byteLength(ext) <= 16 ? ext : '';
  const stem = keepExt ? name.slice(0, -keepExt.length) : name;
  const budget = maxBytes - Buffer.byteLength(keepExt);
  let out = '';
  let used = 0;
  for (const ch of stem) {
    const size = Buffer.byteLength(ch);
    if (used + size > budget) break;
    out += ch;
    used += size;
  }
  return out.replace(/[. ]+$/, '') + keepExt;
}

/** The last path segment of a URL, decoded, as a starting point for a file name. */
export function nameFromUrl(url: URL): string {
  const segments = url.pathname.split('/').filter(Boolean);
  const last = segments.at(-1) ?? '';
  let decoded = last;
  try {
    decoded = decodeURIComponent(last);
  } catch {
    // A malformed escape: keep the raw text, which safeFileName still cleans.
  }
  return safeFileName(decoded, url.hostname ? `${url.hostname}` : 'download');
}

/** Joins a folder and a safe name, and proves the result cannot leave the folder. */
export function pathInside(dir: string, name: string): string {
  const root = path.resolve(dir);
  // A single path segment that is neither "." nor "..", joined to the folder, stays in it.
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes(path.sep)) {
    throw new CartageError('bad_input', `The name "${name}" would leave the folder ${root}; it was refused.`);
  }
  return root.endsWith(path.sep) ? root + name : root + path.sep + name;
}

/** `name (1).ext`, `name (2).ext`, ... for the n-th alternative of a name. */
export function numberedName(name: string, n: number): string {
  const ext = path.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  // Shorten the stem, never the number: a long name must still get distinct alternatives.
  const suffix = ` (${n})${ext}`;
  return truncateName(stem, maxNameBytes - Buffer.byteLength(suffix)) + suffix;
}

/**
 * The first of `name`, `name (1).ext`, `name (2).ext`... that is free in `dir`, where `taken`
 * says whether a path is claimed by something not yet on disk (another queued download). `from`
 * skips numbers already known to be taken.
 */
export function freePath(
  dir: string,
  name: string,
  taken: (full: string) => boolean = () => false,
  from = 0,
  exists: (full: string) => boolean = fs.existsSync,
): string {
  for (let n = from; n < from + 100_000; n += 1) {
    const candidate = pathInside(dir, n === 0 ? name : numberedName(name, n));
    if (!taken(candidate) && !exists(candidate)) return candidate;
  }
  throw new CartageError('already_exists', `Could not find a free name for ${name} in ${dir}.`);
}

/**
 * Whether a path exists, answered from one listing per folder: checking 100,000 names one stat at
 * a time costs more than the rest of queueing them. Case-insensitive where the file system usually is.
 */
export function folderListing(): (full: string) => boolean {
  const fold = process.platform === 'win32' || process.platform === 'darwin' ? (n: string) => n.toLowerCase() : (n: string) => n;
  const listings = new Map<string, Set<string>>();
  return (full) => {
    const dir = path.dirname(full);
    let names = listings.get(dir);
    if (!names) {
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(dir);
      } catch {
        // No folder yet: nothing in it.
      }
      names = new Set(entries.map((e) => fold(e.normalize('NFC'))));
      listings.set(dir, names);
    }
    return names.has(fold(path.basename(full)));
  };
}
