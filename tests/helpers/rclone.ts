import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { freePort, waitForPort } from './ports.mjs';
import { stopChild } from './processes.js';

export interface Rclone {
  port: number;
  root: string;
  /** Base URL with a trailing slash. */
  base: string;
  /** The URL of a path under the root, each segment percent-encoded. */
  url: (file: string) => string;
  stop(): Promise<void>;
}

/**
 * Starts `rclone serve MODE DIR` on a free loopback port ('http' or 'webdav'); `args` are passed on
 * (e.g. ['--user', 'u', '--pass', 'p']).
 */
export async function startRclone(mode: 'http' | 'webdav', dir: string, args: string[] = []): Promise<Rclone> {
  const bin = ['/usr/bin/rclone', '/usr/local/bin/rclone'].find((b) => fs.existsSync(b));
  if (!bin) throw new Error('rclone is not installed: apt-get install rclone (.ci/run does this).');
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    // --config /dev/null: no user config is read or written.
    const child = spawn(bin, ['serve', mode, dir, '--addr', `127.0.0.1:${port}`, '--config', '/dev/null', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (!(await waitForPort(port, child))) {
      child.kill('SIGKILL');
      if (/address already in use/i.test(stderr)) continue;
      throw new Error(`rclone serve ${mode} did not start: ${stderr}`);
    }
    const base = `http://127.0.0.1:${port}/`;
    return {
      port,
      root: dir,
      base,
      url: (file) => base + file.split('/').map(encodeURIComponent).join('/'),
      stop: () => stopChild(child),
    };
  }
  throw new Error('rclone could not find a free port');
}
