import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../main/core/core.js';
import { bytes, fileSha256, listDir, settled, settledAll, sha256, tempDir, testCores } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');
const big = bytes(3 * 1024 * 1024 + 17, 7);
const cores = testCores();

beforeAll(async () => {
  fs.writeFileSync(path.join(root, 'big.bin'), big);
  fs.writeFileSync(path.join(root, 'photo.jpg'), bytes(40_000, 3));
  fs.writeFileSync(path.join(root, 'Ünïcode name.txt'), 'hello');
  for (let i = 0; i < 20; i += 1) fs.writeFileSync(path.join(root, `f${i}.bin`), bytes(10_000 + i, i + 10));
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx.stop();
});
afterEach(async () => {
  await cores.closeAll();
});

const core = cores.make;

/** Makes the queue believe an earlier run stopped after `n` bytes of big.bin, with nginx's validator. */
async function partialDownload(c: Core, dir: string, n: number, etag?: string): Promise<number> {
  const logged = nginx.log().length;
  const head = await fetch(nginx.url('big.bin'), { method: 'HEAD' });
  // nginx writes a request's log line just after answering it: wait for the HEAD's, so that a test's `before` counts it.
  await vi.waitFor(() => expect(nginx.log().length).toBeGreaterThan(logged), { timeout: 10_000 });
  const [id] = c.queue.enqueue([{ url: nginx.url('big.bin'), dir }]);
  const t = c.queue.transition(id!, 'active');
  c.queue.record(t.id, { etag: etag ?? head.headers.get('etag'), lastModified: head.headers.get('last-modified'), totalBytes: big.length });
  c.queue.transition(t.id, 'paused');
  c.queue.transition(t.id, 'queued');
  fs.writeFileSync(t.tempPath, big.subarray(0, n));
  return t.id;
}

describe('downloads from a real nginx', () => {
  it('downloads files into the folder, verified, with no part files left', async () => {
    const c = core();
    const dir = tempDir();
    const ids = c.queue.enqueue(['big.bin', 'photo.jpg', 'Ünïcode name.txt'].map((f) => ({ url: nginx.url(f), dir })));
    c.startEngine();
    const tasks = await settledAll(c.engine, ids);
    expect(tasks.map((t) => t.state)).toEqual(['completed', 'completed', 'completed']);
    expect(fileSha256(path.join(dir, 'big.bin'))).toBe(sha256(big));
    expect(fs.readFileSync(path.join(dir, 'Ünïcode name.txt'), 'utf8')).toBe('hello');
    expect(listDir(dir)).toEqual(['big.bin', 'photo.jpg', 'Ünïcode name.txt'].sort());
    expect(tasks[0]).toMatchObject({ bytesOnDisk: big.length, totalBytes: big.length, etag: expect.stringMatching(/^"/) });
  });

  it('resumes from the byte on disk with Range and If-Range after a 206', async () => {
    const c = core();
    const dir = tempDir();
    const id = await partialDownload(c, dir, 1_000_000);
    const before = nginx.log().length;
    c.startEngine();
    const t = await settled(c.engine, id);
    expect(t.state).toBe('completed');
    expect(fileSha256(t.finalPath)).toBe(sha256(big));
    // nginx writes the log line just after the response: it may come a moment after the download settles.
    const req = await vi.waitFor(
      () => {
        const [r] = nginx.log().slice(before);
        expect(r).toMatchObject({ status: 206, range: 'bytes=1000000-', bytesSent: big.length - 1_000_000 });
        return r!;
      },
      { timeout: 10_000 },
    );
    expect(req.ifRange).toMatch(/^"/);
  });

  it('restarts from zero when the validator no longer matches (nginx answers 200)', async () => {
    const c = core();
    const dir = tempDir();
    const id = await partialDownload(c, dir, 500_000, '"stale-etag"');
    // Poison the part: if it were appended to, the checksum below would fail.
    fs.writeFileSync(c.queue.get(id)!.tempPath, Buffer.alloc(500_000, 0xff));
    const before = nginx.log().length;
    c.startEngine();
    const t = await settled(c.engine, id);
    expect(t.state).toBe('completed');
    expect(fileSha256(t.finalPath)).toBe(sha256(big));
    await vi.waitFor(() => expect(nginx.log().slice(before)[0]).toMatchObject({ status: 200, bytesSent: big.length }), { timeout: 10_000 });
  });

  it('completes without asking the server again when the part already holds the whole file', async () => {
    const c = core();
    const dir = tempDir();
    const id = await partialDownload(c, dir, big.length);
    const before = nginx.log().length;
    c.startEngine();
    const t = await settled(c.engine, id);
    expect(t.state).toBe('completed');
    expect(fileSha256(t.finalPath)).toBe(sha256(big));
    // The size and ETag recorded say the part is whole: no range past its end is asked for.
    expect(nginx.log().slice(before)).toEqual([]);
  });

  it('verifies a SHA-256 the person gives', async () => {
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: nginx.url('big.bin'), dir, checksum: { algo: 'sha256-hex', value: sha256(big).toUpperCase() } }]);
    c.startEngine();
    expect((await settled(c.engine, id!)).state).toBe('completed');
  });

  it('verifies a checksum across a resume, hashing the bytes already on disk', async () => {
    const c = core();
    const dir = tempDir();
    const id = await partialDownload(c, dir, 2_000_000);
    c.db.prepare("UPDATE tasks SET checksum_algo = 'sha1-base64', checksum = ? WHERE id = ?").run(
      (await import('node:crypto')).createHash('sha1').update(big).digest('base64'),
      id,
    );
    c.startEngine();
    expect((await settled(c.engine, id)).state).toBe('completed');
  });

  it('on a checksum mismatch retries from zero once, then fails, and never renames the file into place', async () => {
    const c = core();
    const dir = tempDir();
    const before = nginx.log().length;
    const [id] = c.queue.enqueue([{ url: nginx.url('photo.jpg'), dir, checksum: { algo: 'sha256-hex', value: '0'.repeat(64) } }]);
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(t.state).toBe('failed');
    expect(t.error).toMatchObject({ code: 'checksum_mismatch', message: expect.stringContaining('checksum mismatch') });
    expect(t.checksumFailures).toBe(2);
    await vi.waitFor(() => expect(nginx.log().slice(before).filter((e) => e.uri === '/photo.jpg').map((e) => e.range)).toEqual(['', '']), { timeout: 10_000 });
    expect(listDir(dir)).toEqual([]);
  });

  it('marks a file missing on the server as skipped, "deleted on the server"', async () => {
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: nginx.url('gone.jpg'), dir }]);
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(t.state).toBe('skipped');
    expect(t.error?.message).toMatch(/deleted on the server \(404 Not Found\)/);
    expect(listDir(dir)).toEqual([]);
  });

  it('leaves a skipped file out of cancel and of retry-all, and fetches it again only when named', async () => {
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: nginx.url('back-later.jpg'), dir }]);
    c.startEngine();
    expect((await settled(c.engine, id!)).state).toBe('skipped');
    expect(c.engine.cancel([id!])).toEqual([]);
    expect(c.engine.cancelAll()).toEqual([]);
    expect(c.engine.retryAll()).toEqual([]);
    expect(c.queue.get(id!)?.state).toBe('skipped');
    fs.writeFileSync(path.join(root, 'back-later.jpg'), 'back');
    try {
      expect(c.engine.retry([id!]).map((t) => t.state)).toEqual(['queued']);
      const t = await settled(c.engine, id!);
      expect(t.state).toBe('completed');
      expect(fs.readFileSync(t.finalPath, 'utf8')).toBe('back');
    } finally {
      fs.rmSync(path.join(root, 'back-later.jpg'));
    }
  });

  it('never overwrites a file the person has: saves as name (1).ext', async () => {
    const c = core();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'photo.jpg'), 'mine');
    const [id] = c.queue.enqueue([{ url: nginx.url('photo.jpg'), dir }]);
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(path.basename(t.finalPath)).toBe('photo (1).jpg');
    expect(fs.readFileSync(path.join(dir, 'photo.jpg'), 'utf8')).toBe('mine');
  });

  it('keeps the new name when the conflicting file appears during the download', async () => {
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: nginx.url('photo.jpg'), dir }]);
    fs.writeFileSync(path.join(dir, 'photo.jpg'), 'appeared meanwhile');
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(t.state).toBe('completed');
    expect(path.basename(t.finalPath)).toBe('photo (1).jpg');
    expect(fs.readFileSync(path.join(dir, 'photo.jpg'), 'utf8')).toBe('appeared meanwhile');
  });

  it('overwrites or skips an existing file when the conflict setting says so', async () => {
    const over = core({ conflictPolicy: 'overwrite' });
    const dirA = tempDir();
    fs.writeFileSync(path.join(dirA, 'photo.jpg'), 'old');
    const [a] = over.queue.enqueue([{ url: nginx.url('photo.jpg'), dir: dirA }], 'overwrite');
    over.startEngine();
    expect((await settled(over.engine, a!)).finalPath).toBe(path.join(dirA, 'photo.jpg'));
    expect(fs.statSync(path.join(dirA, 'photo.jpg')).size).toBe(40_000);

    const skip = core({ conflictPolicy: 'skip' });
    const dirB = tempDir();
    fs.writeFileSync(path.join(dirB, 'photo.jpg'), 'keep me');
    const [b] = skip.queue.enqueue([{ url: nginx.url('photo.jpg'), dir: dirB }], 'skip');
    skip.startEngine();
    const t = await settled(skip.engine, b!);
    expect(t.state).toBe('skipped');
    expect(t.error?.code).toBe('already_exists');
    expect(fs.readFileSync(path.join(dirB, 'photo.jpg'), 'utf8')).toBe('keep me');
    expect(listDir(dirB)).toEqual(['photo.jpg']);
  });

  it('keeps a name from the server inside the target folder', async () => {
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: `http://127.0.0.1:${nginx.port}/..%2F..%2Fescape.bin`, dir }]);
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(path.dirname(t.finalPath)).toBe(dir);
    expect(fs.existsSync(path.join(path.dirname(dir), 'escape.bin'))).toBe(false);
  });

  it('downloads many files through the limits and reports progress at most five times a second', async () => {
    const c = core();
    const dir = tempDir();
    const stamps: number[] = [];
    c.engine.on('progress', () => stamps.push(performance.now()));
    const ids = c.queue.enqueue(Array.from({ length: 20 }, (_, i) => ({ url: nginx.url(`f${i}.bin`), dir })));
    c.startEngine();
    const tasks = await settledAll(c.engine, ids);
    expect(tasks.every((t) => t.state === 'completed')).toBe(true);
    expect(listDir(dir)).toHaveLength(20);
    for (let i = 1; i < stamps.length; i += 1) expect(stamps[i]! - stamps[i - 1]!).toBeGreaterThanOrEqual(195);
  });
});
