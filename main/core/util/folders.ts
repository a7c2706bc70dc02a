import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { CartageError } from '../errors.js';

/**
 * The folders from the nearest existing one down to `dir`, to be made in that order. Node's
 * `mkdir(..., { recursive: true })` loops for ever (at full CPU, deaf to signals) where mkdir says
 * ENOENT for a folder whose parent exists, as under /proc; making one level at a time cannot loop.
 */
function missingFolders(dir: string, exists: (p: string) => boolean): string[] {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !exists(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  return missing;
}

function existsSync(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    // Not ENOENT (a file in the way, no permission): mkdir below says which.
    return true;
  }
}

/** Makes `dir` and its missing parents, one level at a time; throws the file system's error. */
export function makeFolder(dir: string): void {
  for (const at of missingFolders(dir, existsSync)) {
    try {
      fs.mkdirSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
}

/** `makeFolder` without blocking: a task's folder, made when its download starts. */
export async function makeFolderAsync(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      await fsp.stat(at);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') break;
    }
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing) {
    try {
      await fsp.mkdir(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Proves a folder people chose can take files before anything is queued or saved: makes it if
 * need be, writes a probe file and removes it. A folder that cannot be made or written is refused
 * in one sentence (code cannot_write) that ends with `advice`.
 */
export function assertWritableFolder(dir: string, advice: string): void {
  const probe = path.join(dir, `.cartage-write-test-${process.pid}`);
  try {
    makeFolder(dir);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new CartageError('cannot_write', `Cannot write to ${dir} (${code}); ${advice}.`, { cause: err });
  }
}
