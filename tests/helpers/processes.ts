import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A file's text, or '' when it cannot be read (a server's error log that was never written). */
export function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Opens a test folder (mkdtemp makes it 0700) and everything in it to other users, read-only: Apache serves as www-data. */
export function makeReadable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadable(full);
    else fs.chmodSync(full, 0o644);
  }
}

/** Stops a server the tests started (SIGTERM, then waits for it to exit) and removes its temp folder. */
export async function stopChild(child: ChildProcess, tempDir?: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}
