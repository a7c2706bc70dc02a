import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Core } from '../../main/core/core.js';
import { cartage, whileRunning } from '../helpers/cli.js';
import { fileSha256, listDir, tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

const size = 256 * 1024 * 1024;
const root = tempDir('cartage-www-');
const file = path.join(root, 'large.bin');
let nginx: Nginx;
let expected: string;

beforeAll(async () => {
  const out = fs.openSync(file, 'w');
  for (let written = 0; written < size; written += 16 * 1024 * 1024) fs.writeSync(out, randomBytes(16 * 1024 * 1024));
  fs.closeSync(out);
  expected = fileSha256(file);
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Resolves once the file exists with at least `bytes`, watching the folder rather than the clock. */
function grows(dir: string, name: string, bytes: number): Promise<number> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      try {
        const s = fs.statSync(path.join(dir, name)).size;
        if (s >= bytes) {
          watcher.close();
          resolve(s);
          return true;
        }
      } catch {
        // not there yet
      }
      return false;
    };
    const watcher = fs.watch(dir, () => void check());
    check();
  });
}

describe('a crash in the middle of a download', () => {
  it('is finished by "cartage run", fetching only what was missing', async () => {
    const dir = tempDir();
    const data = tempDir();
    // Slow the first run down so it is surely killed mid-way; one connection (the part grows from its
    // first byte: crash-segments.test.ts has the same crash over several).
    const setup = new Core({ dataDir: data });
    setup.settings.update({ speedLimit: 64 * 1024 * 1024, connections: 1 });
    setup.db.close();

    const first = cartage(['get', nginx.url('large.bin'), '--dir', dir, '--data-dir', data]);
    await whileRunning(first, 'get', grows(dir, 'large.bin.cartage-part', 48 * 1024 * 1024));
    first.child.kill('SIGKILL');
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');
    const onDisk = fs.statSync(path.join(dir, 'large.bin.cartage-part')).size;
    expect(onDisk).toBeLessThan(size);
    expect(fs.existsSync(path.join(dir, 'large.bin'))).toBe(false);

    const after = new Core({ dataDir: data });
    after.settings.update({ speedLimit: 0 });
    expect(after.queue.get(1)?.state).toBe('active');
    after.db.close();

    // nginx logs the killed run's GET once it sees the connection gone: wait for it, so that `before` counts it.
    await vi.waitFor(() => expect(nginx.log()).toHaveLength(1), { timeout: 10_000 });
    const before = nginx.log().length;
    const second = await cartage(['run', '--data-dir', data]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^1 completed \(268 MB\), 0 failed, 0 skipped\.$/m);
    expect(fileSha256(path.join(dir, 'large.bin'))).toBe(expected);
    expect(listDir(dir)).toEqual(['large.bin']);

    // nginx writes the log line just after the response: it may come a moment after the run ends.
    const requests = await vi.waitFor(
      () => {
        const logged = nginx.log().slice(before);
        expect(logged).toHaveLength(1);
        expect(logged[0]).toMatchObject({ status: 206, range: `bytes=${onDisk}-` });
        return logged;
      },
      { timeout: 10_000 },
    );
    const fetched = requests[0]!.bytesSent;
    expect(fetched).toBe(size - onDisk);
  });
});
