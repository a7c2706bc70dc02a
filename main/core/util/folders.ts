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
 * need be, and writes a probe file that leaves nothing behind. A folder that cannot be made or
 * written is refused in one sentence (code cannot_write) that ends with `advice`.
 */
export function assertWritableFolder(dir: string, advice: string): void {
  try {
    makeFolder(dir);
    probeWrite(dir);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new CartageError('cannot_write', `Cannot write to ${dir} (${code}); ${advice}.`, { cause: err });
  }
}

/**
 * Linux's O_TMPFILE (which Node does not export): a file with no name, gone when it is closed or
 * the process is killed. __O_TMPFILE is the same on x64 and arm64; O_DIRECTORY is not, so it is
 * Node's. 0 elsewhere.
 */
const tmpfileFlag = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64') ? 0o20000000 | fs.constants.O_DIRECTORY : 0;
/** What open says where O_TMPFILE is not there: an old kernel (EISDIR) or a file system without it. */
const noTmpfile = new Set(['EISDIR', 'EOPNOTSUPP', 'ENOTSUP', 'EINVAL']);
const probePrefix = '.cartage-write-test-';

/** Opens a file for writing in `dir`: an unnamed one where the platform has it, else a named one, removed at once. */
function probeWrite(dir: string): void {
  if (tmpfileFlag) {
    try {
      fs.closeSync(fs.openSync(dir, tmpfileFlag | fs.constants.O_WRONLY, 0o600));
      return;
    } catch (err) {
      if (!noTmpfile.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  removeStaleProbes(dir);
  const probe = path.join(dir, `${probePrefix}${process.pid}`);
  fs.writeFileSync(probe, '');
  fs.rmSync(probe);
}

/** Removes the named probes that processes killed during their check left in `dir` (their pid is gone). */
export function removeStaleProbes(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const pid = name.startsWith(probePrefix) ? Number(name.slice(probePrefix.length)) : NaN;
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it lives, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
