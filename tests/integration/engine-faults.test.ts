import fs from 'node:fs';
import type http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { bytes, listDir, progressReaches, settled, sha256, tempDir, testCores, waitForTask } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';

const body = bytes(200_000, 42);
let server: FaultServer;
const cores = testCores();
let n = 0;

beforeAll(async () => {
  server = await new FaultServer().start();
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await cores.closeAll();
});

const core = cores.make;

/** A fresh path on the fault server for each test, so attempts are counted per test. */
function route(handler: Parameters<FaultServer['route']>[1], ext = 'bin'): { url: string; path: string } {
  n += 1;
  const p = `/t${n}/file.${ext}`;
  return { url: server.route(p, handler), path: p };
}

/** Sends the first `cut` bytes with a full Content-Length, then drops the connection. */
function dropAfter(data: Buffer, cut: number, headers: http.OutgoingHttpHeaders = {}): (res: http.ServerResponse) => void {
  return (res) => {
    res.writeHead(200, { 'content-length': data.length, etag: '"v1"', 'content-type': 'application/octet-stream', ...headers });
    res.write(data.subarray(0, cut), () => res.socket?.destroy());
  };
}

async function download(c: Core, url: string, extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  const [id] = c.queue.enqueue([{ url, dir, ...extra }]);
  c.startEngine();
  return { id: id!, dir, task: await settled(c.engine, id!) };
}

describe('the engine against a misbehaving server', () => {
  it('resumes with Range after the connection drops mid-body', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) => (attempt === 1 ? dropAfter(body, 120_000)(res) : full(req, res, attempt)));
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(sha256(fs.readFileSync(task.finalPath))).toBe(sha256(body));
    const [, second] = server.requestsFor(r.path);
    expect(second?.range).toMatch(/^bytes=\d+-$/);
    expect(Number(second!.range!.slice(6, -1))).toBeGreaterThan(0);
    expect(second?.ifRange).toBe('"v1"');
  });

  it('resumes after a body that ends short of its Content-Length', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) => {
      if (attempt > 1) return full(req, res, attempt);
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
      res.write(body.subarray(0, 50_000), () => res.socket?.end());
    });
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(sha256(fs.readFileSync(task.finalPath))).toBe(sha256(body));
    expect(server.requestsFor(r.path)[1]?.range).toMatch(/^bytes=\d+-$/);
  });

  it('restarts from zero when the server ignores Range and answers 200', async () => {
    const full = serveFile(body, { ignoreRange: true });
    const r = route((req, res, attempt) => (attempt === 1 ? dropAfter(body, 100_000)(res) : full(req, res, attempt)));
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
    expect(server.requestsFor(r.path)).toHaveLength(2);
  });

  it('restarts when the ETag changed between attempts, taking the new file whole', async () => {
    const v2 = bytes(150_000, 99);
    const full = serveFile(v2, { etag: '"v2"' });
    const r = route((req, res, attempt) => (attempt === 1 ? dropAfter(body, 100_000)(res) : full(req, res, attempt)));
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(v2)).toBe(true);
  });

  it('restarts when a server ignores If-Range and sends a 206 of a changed file', async () => {
    const v2 = bytes(body.length, 5);
    const r = route((req, res, attempt) => {
      if (attempt === 1) return dropAfter(body, 100_000)(res);
      const start = Number(req.headers.range?.match(/\d+/)?.[0] ?? 0);
      const headers = { etag: '"v2"', 'content-length': v2.length - start };
      if (start > 0) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${v2.length - 1}/${v2.length}` });
      else res.writeHead(200, headers);
      res.end(v2.subarray(start));
    });
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(v2)).toBe(true);
    const reqs = server.requestsFor(r.path);
    expect(reqs.at(-1)?.range).toBeUndefined();
  });

  it('never appends a 206 that starts at the wrong offset: it starts again from zero', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) => {
      if (attempt === 1) return dropAfter(body, 100_000)(res);
      if (attempt === 2) {
        const start = Number(req.headers.range?.match(/\d+/)?.[0]) - 100;
        res.writeHead(206, { etag: '"v1"', 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start });
        res.end(body.subarray(start));
        return;
      }
      full(req, res, attempt);
    });
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
    expect(server.requestsFor(r.path)[2]?.range).toBeUndefined();
  });

  it('starts again when a 416 says the bytes on disk are not the whole file', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) => {
      if (attempt === 1) return dropAfter(body, 100_000)(res);
      if (attempt === 2) return void res.writeHead(416, { 'content-range': `bytes */${body.length * 2}` }).end();
      full(req, res, attempt);
    });
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
  });

  it('waits as long as Retry-After says after a 429, then completes', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) =>
      attempt === 1 ? void res.writeHead(429, { 'retry-after': '1' }).end('slow down') : full(req, res, attempt),
    );
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: r.url, dir }]);
    const retrying = waitForTask(c.engine, id!, (t) => t.state === 'queued' && t.attempts === 1);
    c.startEngine();
    const waiting = await retrying;
    expect(waiting.nextAttemptAt - waiting.updatedAt).toBeGreaterThanOrEqual(1000);
    expect(waiting.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('429 Too Many Requests') });
    const done = await settled(c.engine, id!);
    expect(done.state).toBe('completed');
  });

  it('gives up on a 503 after three retries, with the reason', async () => {
    const r = route((_req, res) => void res.writeHead(503).end());
    const { task, dir } = await download(core(), r.url);
    expect(task.state).toBe('failed');
    expect(task.attempts).toBe(4);
    expect(task.error?.message).toMatch(/answered 503 Service Unavailable for file\.bin\. Gave up after 3 retries\./);
    expect(server.requestsFor(r.path)).toHaveLength(4);
    expect(listDir(dir)).toEqual([]);
  });

  it('retries 408 and 500 too', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) => (attempt <= 2 ? void res.writeHead(attempt === 1 ? 408 : 500).end() : full(req, res, attempt)));
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(server.requestsFor(r.path)).toHaveLength(3);
  });

  it('fails at once, without retrying, on 403, saying to sign in again', async () => {
    const r = route((_req, res) => void res.writeHead(403).end());
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('failed');
    expect(task.error).toMatchObject({ code: 'auth', message: expect.stringContaining('Sign in to the source again') });
    expect(server.requestsFor(r.path)).toHaveLength(1);
  });

  it('completes a slow drip, byte for byte', async () => {
    const r = route((_req, res) => {
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
      let i = 0;
      const step = body.length / 10;
      const next = (): void => {
        if (i === 10) return void res.end();
        res.write(body.subarray(i * step, (i + 1) * step));
        i += 1;
        setTimeout(next, 30);
      };
      next();
    });
    const { task } = await download(core(), r.url);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
  });

  it('treats a connection that stalls as lost, and resumes', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) => {
      if (attempt > 1) return full(req, res, attempt);
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
      res.write(body.subarray(0, 64_000)); // then nothing, ever
    });
    const { task } = await download(core({ stallTimeoutMs: 300 }), r.url);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
    expect(server.requestsFor(r.path)[1]?.range).toMatch(/^bytes=\d+-$/);
  });

  it('rejects an HTML error page sent with 200 where the first attempt got the file, and never saves it', async () => {
    const page = '<!DOCTYPE html><html><body>Proxy error</body></html>';
    const full = serveFile(body, { contentType: 'image/jpeg' });
    const r = route(
      (req, res, attempt) => {
        if (attempt === 1) return dropAfter(body, 100_000, { 'content-type': 'image/jpeg' })(res);
        if (attempt === 2) return void res.writeHead(200, { 'content-type': 'text/html', 'content-length': page.length }).end(page);
        full(req, res, attempt);
      },
      'jpg',
    );
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: r.url, dir }]);
    const rejected = waitForTask(c.engine, id!, (t) => t.error?.code === 'not_the_file');
    c.startEngine();
    expect((await rejected).error?.message).toMatch(/sent a web page instead of file\.jpg/);
    const task = await settled(c.engine, id!);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
  });

  it('fails with a clear reason when the server keeps sending a web page instead of the file', async () => {
    const page = '<html><body>Please sign in</body></html>';
    const r = route((_req, res, attempt) => {
      if (attempt === 1) return dropAfter(body, 100_000, { 'content-type': 'image/jpeg' })(res);
      // No Content-Length (chunked), as a proxy's error page often comes: only its first bytes give it away.
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(page);
    }, 'jpg');
    const { task, dir } = await download(core(), r.url);
    expect(task.state).toBe('failed');
    expect(task.error).toMatchObject({ code: 'not_the_file' });
    expect(listDir(dir).filter((f) => !f.endsWith('.cartage-part'))).toEqual([]);
  });

  it('never saves a body that ends short of the size learnt before, even when this answer gives no length', async () => {
    const full = serveFile(body);
    const r = route((req, res, attempt) => {
      if (attempt === 1) return dropAfter(body, 100_000)(res);
      // Same file (same ETag), no Content-Length, a clean end after 50,000 bytes.
      if (attempt === 2) return void res.writeHead(200, { etag: '"v1"' }).end(body.subarray(0, 50_000));
      full(req, res, attempt);
    });
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: r.url, dir }]);
    const rejected = waitForTask(c.engine, id!, (t) => t.error?.code === 'length_mismatch');
    c.startEngine();
    expect((await rejected).error?.message).toMatch(/sent 50 kB of file\.bin, which is 200 kB; the file was not saved\./);
    const task = await settled(c.engine, id!);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
  });

  it('rejects a length that contradicts the size the source listed', async () => {
    const r = route(serveFile(body));
    const { task, dir } = await download(core(), r.url, { expectedBytes: 1234 });
    expect(task.state).toBe('failed');
    expect(task.error).toMatchObject({ code: 'length_mismatch', message: expect.stringContaining('lists it at 1.2 kB') });
    expect(listDir(dir)).toEqual([]);
  });
});

describe('limits', () => {
  /** Holds every response until released, so the test can count transfers in flight. */
  function held(): { handler: Parameters<FaultServer['route']>[1]; release(): void } {
    const waiting: (() => void)[] = [];
    let open = false;
    return {
      handler: (req, res, attempt) => {
        const go = (): void => serveFile(body)(req, res, attempt);
        if (open) go();
        else waiting.push(go);
      },
      release: () => {
        open = true;
        for (const go of waiting.splice(0)) go();
      },
    };
  }

  it('runs at most 3 transfers of one group and 6 in all', async () => {
    const s = await new FaultServer().start();
    try {
      const h = held();
      const urls = [...['jpg', 'jpg', 'jpg', 'jpg', 'mp4', 'mp4', 'mp4', 'mp4', 'bin', 'bin']].map((ext, i) => s.route(`/g/${i}.${ext}`, h.handler));
      const c = core();
      const ids = c.queue.enqueue(urls.map((url) => ({ url, dir: tempDir() })));
      c.startEngine();
      await s.whenInFlight(6);
      expect(c.engine.activeIds().sort((a, b) => a - b)).toEqual([ids[0], ids[1], ids[2], ids[4], ids[5], ids[6]]);
      h.release();
      for (const id of ids) expect((await settled(c.engine, id)).state).toBe('completed');
      expect(s.maxInflight).toBe(6);
    } finally {
      await s.stop();
    }
  });

  it('runs at most the per-host limit against one host while another host gets its share', async () => {
    const a = await new FaultServer().start();
    const b = await new FaultServer().start();
    try {
      const ha = held();
      const hb = held();
      const urls = [
        ...Array.from({ length: 4 }, (_, i) => a.route(`/a/${i}.bin`, ha.handler)),
        ...Array.from({ length: 4 }, (_, i) => b.route(`/b/${i}.bin`, hb.handler)),
      ];
      const c = core({ maxPerHost: 2, maxPerGroup: 6 });
      const ids = c.queue.enqueue(urls.map((url) => ({ url, dir: tempDir() })));
      c.startEngine();
      await a.whenInFlight(2);
      await b.whenInFlight(2);
      expect(c.engine.activeIds()).toHaveLength(4);
      ha.release();
      hb.release();
      for (const id of ids) expect((await settled(c.engine, id)).state).toBe('completed');
      expect(a.maxInflight).toBe(2);
      expect(b.maxInflight).toBe(2);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('pause, resume, cancel', () => {
  /** A download that has 100,000 bytes on disk and then hangs: the moment to pause or cancel. */
  async function stuckHalfway(): Promise<{ c: Core; id: number; dir: string; path: string }> {
    const r = route((req, res, attempt) => {
      if (attempt > 1) return serveFile(body)(req, res, attempt);
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
      res.write(body.subarray(0, 100_000));
    });
    const c = core();
    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: r.url, dir }]);
    const halfway = progressReaches(c.engine, id!, 100_000);
    c.startEngine();
    await halfway;
    return { c, id: id!, dir, path: r.path };
  }

  /** Resolves when the task is in `state` and its transfer has let go. */
  function letGo(c: Core, id: number, state: string): Promise<unknown> {
    return waitForTask(c.engine, id, (t) => t.state === state && !c.engine.activeIds().includes(id));
  }

  it('pausing keeps the part file, and resuming goes on from it', async () => {
    const { c, id, path } = await stuckHalfway();
    const released = letGo(c, id, 'paused');
    const [paused] = c.engine.pause([id]);
    expect(paused?.state).toBe('paused');
    await released;
    const part = c.queue.get(id)!.tempPath;
    expect(fs.statSync(part).size).toBe(100_000);
    expect(c.queue.get(id)!.bytesOnDisk).toBe(100_000);
    c.engine.resume([id]);
    const task = await settled(c.engine, id);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
    expect(server.requestsFor(path)[1]?.range).toBe('bytes=100000-');
    expect(fs.existsSync(part)).toBe(false);
  });

  it('canceling removes the part file and saves nothing', async () => {
    const { c, id, dir } = await stuckHalfway();
    const released = letGo(c, id, 'canceled');
    const [canceled] = c.engine.cancel([id]);
    expect(canceled?.state).toBe('canceled');
    await released;
    expect(listDir(dir)).toEqual([]);
  });

  it('a pause and a resume that only change rows (as a mirror makes them) are carried out by the engine from the queue\'s stream', async () => {
    const { c, id, path } = await stuckHalfway();
    const released = letGo(c, id, 'paused');
    expect(c.queue.control([id], 'pause').map((t) => t.state)).toEqual(['paused']);
    await released;
    expect(fs.statSync(c.queue.get(id)!.tempPath).size).toBe(100_000);
    c.queue.control([id], 'resume');
    const task = await settled(c.engine, id);
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
    expect(server.requestsFor(path)[1]?.range).toBe('bytes=100000-');
  });

  it('a cancel that only changes rows (as a delivery makes it) removes the part file, of a running download and of a paused one', async () => {
    const running = await stuckHalfway();
    let released = letGo(running.c, running.id, 'canceled');
    expect(running.c.queue.control([running.id], 'cancel').map((t) => t.state)).toEqual(['canceled']);
    await released;
    expect(listDir(running.dir)).toEqual([]);

    const { c, id, dir } = await stuckHalfway();
    released = letGo(c, id, 'paused');
    c.queue.control([id], 'pause');
    await released;
    expect(listDir(dir)).toHaveLength(1);
    expect(c.queue.control([id], 'cancel').map((t) => t.state)).toEqual(['canceled']);
    expect(listDir(dir)).toEqual([]);
  });

  it('pause all and resume all move every waiting download', async () => {
    const c = core();
    const dir = tempDir();
    const ids = c.queue.enqueue([1, 2, 3].map((i) => ({ url: server.url(`/none/${i}`), dir })));
    expect(c.engine.pauseAll()).toEqual(ids);
    expect(c.queue.totals().counts.paused).toBe(3);
    expect(c.engine.resumeAll()).toEqual(ids);
    expect(c.engine.cancelAll()).toEqual(ids);
    expect(c.queue.totals().counts.canceled).toBe(3);
  });
});

describe('lost network', () => {
  it('fails after its retries, then goes on by itself when the host answers again', async () => {
    const s = await new FaultServer().start();
    const c = core();
    const dir = tempDir();
    const full = serveFile(body);
    const url = s.route('/lost.bin', (req, res, attempt) => {
      if (attempt > 1) return full(req, res, attempt);
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
      res.write(body.subarray(0, 80_000), () => void s.stop());
    });
    const [id] = c.queue.enqueue([{ url, dir }]);
    const failed = waitForTask(c.engine, id!, (t) => t.state === 'failed');
    c.startEngine();
    const lost = await failed;
    expect(lost.error).toMatchObject({ code: 'network', message: expect.stringContaining('it will go on by itself when 127.0.0.1') });
    expect(fs.statSync(lost.tempPath).size).toBeGreaterThan(0);
    const back = waitForTask(c.engine, id!, (t) => t.state === 'completed');
    await s.restart();
    const task = await back;
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
    expect(s.requestsFor('/lost.bin').at(-1)?.range).toMatch(/^bytes=\d+-$/);
    await s.stop();
  });
});

describe('credentials and redirects', () => {
  it('follows at most 5 redirects, then fails saying the address goes round in circles', async () => {
    const r = route((_req, res) => void res.writeHead(302, { location: r.url }).end());
    const { task, dir } = await download(core(), r.url);
    expect(task.state).toBe('failed');
    expect(task.error?.message).toContain('redirects more than 5 times');
    expect(server.requestsFor(r.path)).toHaveLength(6);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('follows a relative redirect on the same server with the same credentials', async () => {
    server.route('/moved/file.bin', serveFile(body));
    const r = route((_req, res) => void res.writeHead(301, { location: '/moved/file.bin' }).end());
    const c = new Core({ dataDir: tempDir(), engine: { headersFor: () => ({ authorization: 'Basic c2VjcmV0OnNlY3JldA==' }) } });
    try {
      const { task } = await download(c, r.url);
      expect(task.state).toBe('completed');
      expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
      expect(server.requestsFor('/moved/file.bin').at(-1)?.headers.authorization).toBe('Basic c2VjcmV0OnNlY3JldA==');
    } finally {
      await c.close();
    }
  });

  it('never sends a source credential to another host after a redirect', async () => {
    const other = await new FaultServer().start();
    try {
      other.route('/elsewhere.bin', serveFile(body));
      const r = route((_req, res) => void res.writeHead(302, { location: other.url('/elsewhere.bin') }).end());
      const dir = tempDir();
      const c = new Core({
        dataDir: tempDir(),
        engine: { headersFor: () => ({ authorization: 'Basic c2VjcmV0OnNlY3JldA==', 'x-api-key': 'immich-key' }) },
      });
      try {
        const [id] = c.queue.enqueue([{ url: r.url, dir }]);
        c.startEngine();
        const task = await settled(c.engine, id!);
        expect(task.state).toBe('completed');
        expect(server.requestsFor(r.path)[0]?.headers).toMatchObject({ authorization: 'Basic c2VjcmV0OnNlY3JldA==', 'x-api-key': 'immich-key' });
        const arrived = other.requestsFor('/elsewhere.bin')[0]?.headers ?? {};
        expect(arrived.authorization).toBeUndefined();
        expect(arrived['x-api-key']).toBeUndefined();
      } finally {
        await c.close();
      }
    } finally {
      await other.stop();
    }
  });
});
