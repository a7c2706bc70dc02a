import fs from 'node:fs';
import path from 'node:path';
import { CartageError } from './errors.js';

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
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    for (let i = 0; i < 3; i += 1) {
      try {
        fs.writeFileSync(this.file, String(process.pid), { flag: 'wx' });
        this.holding = true;
        return { ok: true };
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
        const pid = Number(readOrEmpty(this.file));
        if (pid > 0 && pid !== process.pid && isAlive(pid)) return { ok: false, pid };
        fs.rmSync(this.file, { force: true });
      }
    }
    throw new CartageError('engine_busy', `Could not take the queue lock ${this.file}; remove it if no Cartage is running.`);
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
