import fs from 'node:fs';
import path from 'node:path';
import { freePath } from '../naming.js';
import type { ConflictPolicy } from '../settings.js';

/** Where a part file went: its final path, a name taken under `skip`, or a placement the caller refused. */
export type Placement = { kind: 'placed'; path: string } | { kind: 'taken' } | { kind: 'refused' };

/**
 * Records, before each link or rename, the path a part file is about to be placed at (a row the
 * crash recovery reads); false when the file may no longer be placed (the task was paused first).
 */
export type Intend = (candidate: string) => boolean;

/**
 * Moves a verified part file to its final name. With `rename`, an existing file is never replaced:
 * a hard link claims the name atomically and fails if it is taken, and we try `name (1).ext` next.
 * `intend` is told each candidate before it is claimed, so that after a crash at any instant the
 * record and the disk together say whether the file at that path is this one (see `placedAt`).
 * The calls are synchronous: a link and an unlink change only a folder's entries, which takes
 * microseconds on a local disk, less than the two trips through the thread pool they would take.
 */
export function placeFile(part: string, target: string, policy: ConflictPolicy, intend: Intend = () => true): Placement {
  if (policy === 'overwrite') {
    if (!intend(target)) return { kind: 'refused' };
    fs.renameSync(part, target);
    return { kind: 'placed', path: target };
  }
  let candidate = target;
  for (;;) {
    if (!intend(candidate)) return { kind: 'refused' };
    try {
      fs.linkSync(part, candidate);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST') {
        if (policy === 'skip') return { kind: 'taken' };
        candidate = freePath(path.dirname(target), path.basename(target));
        continue;
      }
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EMLINK') {
        // File systems without hard links (FAT, exFAT, some network shares): check, then rename.
        return renameIfFree(part, candidate, policy, intend);
      }
      throw err;
    }
    unlinkIfThere(part);
    return { kind: 'placed', path: candidate };
  }
}

function renameIfFree(part: string, target: string, policy: ConflictPolicy, intend: Intend): Placement {
  let candidate = target;
  if (lstat(candidate)) {
    if (policy === 'skip') return { kind: 'taken' };
    candidate = freePath(path.dirname(target), path.basename(target));
    if (!intend(candidate)) return { kind: 'refused' };
  }
  fs.renameSync(part, candidate);
  return { kind: 'placed', path: candidate };
}

/**
 * Whether a part file recorded as being placed at `target` is there now, told from the disk alone:
 * the part and the target are one file (linked, its own name not yet removed), or the part is gone
 * and the target has the size it had (linked or renamed, then the crash). `expectedBytes` guards the
 * second case against a file put there by someone else after the part went.
 */
export function placedAt(part: string, target: string, expectedBytes: number | null): { placed: boolean; partLinked: boolean; bytes: number } {
  const t = lstat(target);
  if (!t || !t.isFile()) return { placed: false, partLinked: false, bytes: 0 };
  const p = lstat(part);
  if (p) {
    const same = p.ino === t.ino && p.dev === t.dev;
    return { placed: same, partLinked: same, bytes: t.size };
  }
  return { placed: expectedBytes === null || t.size === expectedBytes, partLinked: false, bytes: t.size };
}

/**
 * A part file that another name shares (a crash between the link and the removal of its own name)
 * is a final file: its own name is removed, so that nothing opens it for writing. True if it was.
 */
export function unlinkIfLinked(part: string, stat: fs.Stats | null = lstat(part)): boolean {
  if (!stat || stat.nlink < 2) return false;
  fs.rmSync(part, { force: true });
  return true;
}

function unlinkIfThere(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
}

function lstat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
