import fs from 'node:fs';
import path from 'node:path';

/**
 * Free bytes for an unprivileged user at `dir`, or at its nearest existing parent (a target folder
 * not made yet). Throws the file system's error when it cannot be told (a path through a file).
 */
export function freeBytes(dir: string): number {
  let at = path.resolve(dir);
  for (;;) {
    try {
      const s = fs.statfsSync(at);
      return Number(s.bavail) * Number(s.bsize);
    } catch (err) {
      const parent = path.dirname(at);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) throw err;
      at = parent;
    }
  }
}

/** `freeBytes`, or null where it cannot be told: for messages that only add it when known. */
export function freeBytesIfKnown(dir: string): number | null {
  try {
    return freeBytes(dir);
  } catch {
    return null;
  }
}
