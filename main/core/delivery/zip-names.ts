import path from 'node:path';
import { numberedName, safeFileName } from '../naming.js';

/**
 * Extensions whose contents are already compressed: deflating them again costs CPU for a gain of a
 * percent or two, so they are stored. Camera raw formats are included: nearly all of them are
 * compressed inside, and a photo library is mostly raw files and JPEGs.
 */
const alreadyCompressed = new Set([
  // Photos and images
  'jpg', 'jpeg', 'jpe', 'jfif', 'heic', 'heif', 'avif', 'webp', 'png', 'gif', 'jxl', 'jp2',
  'dng', 'cr2', 'cr3', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'orf', 'rw2', 'raf', 'pef', 'srw', 'x3f', '3fr', 'iiq',
  // Video
  'mp4', 'm4v', 'mov', 'qt', 'mkv', 'webm', 'avi', 'wmv', '3gp', '3g2', 'mts', 'm2ts', 'mpg', 'mpeg', 'flv', 'ogv', 'insv', 'lrv',
  // Audio
  'mp3', 'aac', 'm4a', 'm4b', 'ogg', 'oga', 'opus', 'flac', 'wma', 'amr',
  // Archives and compressed streams
  'zip', '7z', 'rar', 'gz', 'tgz', 'bz2', 'tbz2', 'xz', 'txz', 'zst', 'lz4', 'lzma', 'br', 'cab', 'dmg', 'jar', 'apk', 'ipa', 'xpi',
  // Documents that are zips or compressed inside
  'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'pdf', 'woff', 'woff2',
]);

/** Whether an entry is stored as is or deflated, from its extension: media are already compressed. */
export function compressionFor(name: string): 'store' | 'deflate' {
  const ext = path.posix.extname(name).slice(1).toLowerCase();
  return alreadyCompressed.has(ext) ? 'store' : 'deflate';
}

/** The key under which a name is unique: zips are extracted on case-insensitive disks too. */
function key(name: string): string {
  return name.toLowerCase();
}

/**
 * A safe, unique entry name for a relative path such as `2024/2024-05/IMG_0001.JPG`: every
 * '/'-separated segment is made safe (no `..`, no backslash, no drive or absolute path), and a
 * name already in `taken` gets ` (1)` before its extension. `taken` holds lower-cased names; this
 * adds the new name, and each of its folders with a trailing '/', so that a file and a folder of
 * the same name (which no disk can hold side by side) are told apart as well.
 */
export function zipEntryName(relativePath: string, taken: Set<string>): string {
  const segments = relativePath
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '.' && s !== '..');
  const file = safeFileName(segments.pop() ?? '', 'file');
  let prefix = '';
  for (const raw of segments) {
    const folder = safeFileName(raw, 'folder');
    let candidate = folder;
    // A folder may be shared with other entries, but not named like a file already there.
    for (let n = 1; taken.has(key(prefix + candidate)); n += 1) candidate = numberedName(folder, n);
    prefix += `${candidate}/`;
  }
  let name = prefix + file;
  for (let n = 1; taken.has(key(name)) || taken.has(`${key(name)}/`); n += 1) name = prefix + numberedName(file, n);
  taken.add(key(name));
  for (let i = prefix.indexOf('/'); i !== -1; i = prefix.indexOf('/', i + 1)) taken.add(key(prefix.slice(0, i + 1)));
  return name;
}

/** Whether a name could only have come from `zipEntryName`: relative, '/'-separated, no `..`. */
export function isSafeEntryName(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.endsWith('/') || name.includes('\\') || /^[a-z]:/i.test(name)) return false;
  return name.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && safeFileName(s, '') === s);
}
