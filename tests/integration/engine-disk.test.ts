import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytes, listDir, settled, tempDir, testCores, waitForTask } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';

const isRoot = process.getuid?.() === 0;
const big = bytes(3 * 1024 * 1024, 8);
let server: FaultServer;
const cores = testCores();
const mounts: string[] = [];

beforeAll(async () => {
  server = await new FaultServer().start();
  server.route('/big.bin', serveFile(big));
  server.route('/small.bin', serveFile(bytes(1000, 2)));
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await cores.closeAll();
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
});

const core = cores.make;

/** A small tmpfs of our own: a disk we can fill, or make read-only, without touching the machine's. */
function mountTmpfs(options: string): string {
  const dir = tempDir('cartage-mnt-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

describe('a folder where writing is slow (a network share, a USB stick)', () => {
  it('is written through the thread pool after one small file was slow to write there, and both files are whole', async () => {
    const dir = tempDir();
    const parts = { a: path.join(dir, 'a.bin.cartage-part'), b: path.join(dir, 'b.bin.cartage-part') };
    const realOpenSync = fs.openSync;
    // The blocking open of a small file takes 30 ms here, as on a share far away.
    const openSync = vi.spyOn(fs, 'openSync').mockImplementation(((...args: Parameters<typeof fs.openSync>) => {
      const until = performance.now() + 30;
      while (performance.now() < until);
      return realOpenSync(...args);
    }) as typeof fs.openSync);
    const open = vi.spyOn(fs, 'open');
    server.route('/a.bin', serveFile(bytes(2000, 3)));
    server.route('/b.bin', serveFile(bytes(3000, 4)));
    const c = core({ maxConcurrent: 1 });
    const [a, b] = c.queue.enqueue([
      { url: server.url('/a.bin'), dir },
      { url: server.url('/b.bin'), dir },
    ]);
    c.startEngine();
    expect((await settled(c.engine, a!)).state).toBe('completed');
    expect((await settled(c.engine, b!)).state).toBe('completed');
    const opened = (calls: unknown[][]): unknown[] => calls.map((args) => args[0]);
    expect(opened(openSync.mock.calls)).toContain(parts.a);
    expect(opened(openSync.mock.calls)).not.toContain(parts.b);
    expect(opened(open.mock.calls)).toContain(parts.b);
    expect(fs.readFileSync(path.join(dir, 'a.bin')).equals(bytes(2000, 3))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'b.bin')).equals(bytes(3000, 4))).toBe(true);
  });
});

describe.skipIf(!isRoot)('a full disk', () => {
  it('pauses the whole queue, says how much is needed, keeps what was downloaded, and finishes after resume', async () => {
    const dir = mountTmpfs('size=1m');
    const c = core();
    const [first, second] = c.queue.enqueue([
      { url: server.url('/big.bin'), dir },
      { url: server.url('/small.bin'), dir },
    ]);
    c.db.prepare('UPDATE tasks SET next_attempt_at = ? WHERE id = ?').run(Date.now() + 60_000, second);
    const paused = new Promise<{ message: string }>((resolve) => c.engine.once('queue-paused', resolve));
    c.startEngine();
    const error = await paused;
    expect(error.message).toMatch(/^The disk is full: big\.bin needs \d+(\.\d)? MB more in .+\. Free some space, then resume; what was downloaded is kept\.$/);
    const t = c.queue.get(first!)!;
    expect(t).toMatchObject({ state: 'paused', error: { code: 'disk_full' } });
    expect(c.queue.get(second!)!.state).toBe('paused');
    const kept = fs.statSync(t.tempPath).size;
    expect(kept).toBeGreaterThan(0);
    expect(t.bytesOnDisk).toBe(kept);

    execFileSync('mount', ['-o', 'remount,size=8m', dir]);
    const done = waitForTask(c.engine, first!, (x) => x.state === 'completed');
    expect(c.engine.resumeAll().sort()).toEqual([first, second].sort());
    const finished = await done;
    expect(fs.readFileSync(finished.finalPath).equals(big)).toBe(true);
    expect((await settled(c.engine, second!)).state).toBe('completed');
  });
});

describe('a folder that cannot be written', () => {
  it.skipIf(!isRoot)('fails the task with "cannot write to FOLDER" on a read-only disk, and writes nothing', async () => {
    const dir = mountTmpfs('ro,size=1m');
    const c = core();
    const [id] = c.queue.enqueue([{ url: server.url('/small.bin'), dir }]);
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(t.state).toBe('failed');
    expect(t.error).toMatchObject({ code: 'cannot_write', message: `cannot write to ${dir} (it is read-only): small.bin was not saved. Choose another folder or fix its permissions, then retry.` });
    expect(listDir(dir)).toEqual([]);
  });

  it('ends a task whose folder cannot be made (under /proc) instead of spinning for ever', async () => {
    // Node's recursive mkdir loops there at full CPU; the engine makes folders one level at a time.
    const c = core();
    const [id] = c.queue.enqueue([{ url: server.url('/small.bin'), dir: '/proc/forbidden/photos' }]);
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(t.state).toBe('failed');
    expect(t.error?.code).toBe('cannot_write');
    expect(fs.existsSync('/proc/forbidden')).toBe(false);
  });

  it('fails the task when the folder path runs through a file', async () => {
    const parent = tempDir();
    fs.writeFileSync(path.join(parent, 'file'), 'x');
    const dir = path.join(parent, 'file', 'sub');
    const c = core();
    const [id] = c.queue.enqueue([{ url: server.url('/small.bin'), dir }]);
    c.startEngine();
    const t = await settled(c.engine, id!);
    expect(t.state).toBe('failed');
    expect(t.error?.message).toMatch(/^cannot write to .*file\/sub \(part of the path is a file\)/);
  });

  it.skipIf(!isRoot)('fails the task on a folder the system forbids writing to (EPERM)', async () => {
    const dir = tempDir();
    execFileSync('chattr', ['+i', dir]);
    try {
      const c = core();
      const [id] = c.queue.enqueue([{ url: server.url('/small.bin'), dir }]);
      c.startEngine();
      const t = await settled(c.engine, id!);
      expect(t.state).toBe('failed');
      expect(t.error?.message).toMatch(/^cannot write to .* \(permission denied\)/);
    } finally {
      execFileSync('chattr', ['-i', dir]);
    }
  });
});

describe('proxies', () => {
  /** A forwarding HTTP proxy that counts what passes through it. */
  async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const { port } = proxy.address() as net.AddressInfo;
    return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => proxy.close(() => r())) };
  }

  it('goes through the proxy from settings, and around it for hosts in its bypass list', async () => {
    const p = await startProxy();
    try {
      const c = core({ proxy: p.url });
      const dir = tempDir();
      const [id] = c.queue.enqueue([{ url: server.url('/small.bin'), dir }]);
      c.startEngine();
      const t = await settled(c.engine, id!);
      expect(t.error?.message ?? null).toBeNull();
      expect(t.state).toBe('completed');
      expect(p.seen).toEqual([server.url('/small.bin')]);

      c.settings.update({ noProxy: '127.0.0.1' });
      const [id2] = c.engine.add([{ url: server.url('/small.bin'), dir }]);
      expect((await settled(c.engine, id2!)).state).toBe('completed');
      expect(p.seen).toHaveLength(1);
    } finally {
      await p.close();
    }
  });

  it('takes HTTP_PROXY and NO_PROXY from the environment when settings name no proxy', () => {
    const c = core();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    try {
      process.env.HTTP_PROXY = 'http://proxy.example:3128';
      process.env.NO_PROXY = 'intranet.example';
      expect(c.engine.http.proxyFor('http://files.example/a')).toBe('http://proxy.example:3128');
      expect(c.engine.http.proxyFor('http://intranet.example/a')).toBe('');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
