import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CartageError } from './errors.js';
import { makeFolder } from './util/folders.js';

/**
 * One engine per data folder: two engines on one queue would run the same downloads twice. The
 * lock is a file holding the owner's pid; a lock whose process is gone (killed, crashed) is taken over.
 */
export class EngineLock {
  private holding = false;
  readonly file: string;

  /** Whether this process holds the queue (and so runs the engine). */
  held(): boolean {
    return this.holding;
  }

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'engine.lock');
  }

  /** Takes the lock, or returns the pid of the live process that holds it. */
  tryAcquire(): { ok: true } | { ok: false; pid: number } {
    makeFolder(path.dirname(this.file));
    for (let i = 0; i < 3; i += 1) {
      if (this.create()) {
        this.holding = true;
        return { ok: true };
      }
      const pid = Number(readOrEmpty(this.file));
      if (pid > 0 && pid !== process.pid && isAlive(pid)) return { ok: false, pid };
      // Its holder is gone. Move the lock aside under a name of this process's own, then check what
      // was moved: another window may have taken the lock over in between, and its lock goes back.
      const aside = `${this.file}.${process.pid}.stale`;
      try {
        fs.renameSync(this.file, aside);
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT') continue;
        throw err;
      }
      const moved = Number(readOrEmpty(aside));
      if (moved > 0 && moved !== process.pid && isAlive(moved)) {
        try {
          fs.linkSync(aside, this.file);
        } catch {
          // A third process holds it now; it is theirs.
        }
        fs.rmSync(aside, { force: true });
        return { ok: false, pid: moved };
      }
      fs.rmSync(aside, { force: true });
    }
    throw new CartageError('engine_busy', `Could not take the queue lock ${this.file}; remove it if no Cartage is running.`);
  }

  /**
   * Creates the lock with this pid already in it: a file written first, then linked to the lock's
   * name, so no other process ever reads it empty. False when the lock exists.
   */
  private create(): boolean {
    const mine = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(mine, String(process.pid));
    try {
      fs.linkSync(mine, this.file);
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST') return false;
      // A file system without hard links: create it exclusively, as before.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
      try {
        fs.writeFileSync(this.file, String(process.pid), { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === 'EEXIST') return false;
        throw e;
      }
    } finally {
      fs.rmSync(mine, { force: true });
    }
  }

  release(): void {
    if (!this.holding) return;
    this.holding = false;
    if (readOrEmpty(this.file) === String(process.pid)) fs.rmSync(this.file, { force: true });
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Whether a process with this pid is running (a lock holder that crashed is not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}
