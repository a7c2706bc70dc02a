import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../main/core/core.js';
import { bytes, fileSha256, listDir, progressReaches, settled, settledAll, sha256, tempDir, testCores } from '../helpers/core.js';
import { FaultServer, serveFile, type Handler } from '../helpers/fault-server.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

const MiB = 1024 * 1024;
const size = 32 * MiB;
const body = bytes(size, 11);
const root = tempDir('cartage-www-');
const cores = testCores();
let nginx: Nginx;
let faults: FaultServer;

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'slow'));
  fs.writeFileSync(path.join(root, 'slow', 'large.bin'), body);
  // Each connection is held to 8 MB/s: the segments run side by side to the end, none idle early.
  nginx = await startNginx(root, { serverConfig: 'location /slow/ { limit_rate 8m; }' });
  faults = await new FaultServer().start();
});
afterAll(async () => {
  await nginx.stop();
  await faults.stop();
});
afterEach(async () => {
  await cores.closeAll();
});

/** How a fault-server file answers a range: rightly, or with the whole file, from the wrong byte, or with a new ETag. */
type Answer = 'right' | 'whole' | 'shifted' | 'new-etag';

/**
 * Serves `data` with a strong ETag and byte ranges `bytes=A-` and `bytes=A-B`, each answer written
 * in 64 KiB pieces, `delayMs(start)` apart. `answer(start)` bends one answer for the fault tests.
 */
function rangedFile(data: Buffer, opts: { delayMs?: (start: number) => number; answer?: (start: number) => Answer } = {}): Handler {
  return (req, res) => {
    const m = req.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
    const headers: http.OutgoingHttpHeaders = { etag: '"v1"', 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (!m) {
      res.writeHead(200, { ...headers, 'content-length': data.length });
      drip(res, data, opts.delayMs?.(0) ?? 0);
      return;
    }
    let start = Number(m[1]);
    const end = m[2] ? Number(m[2]) : data.length - 1;
    const answer = opts.answer?.(start) ?? 'right';
    const delay = opts.delayMs?.(start) ?? 0;
    if (answer === 'whole') {
      res.writeHead(200, { ...headers, 'content-length': data.length });
      drip(res, data, delay);
      return;
    }
    if (answer === 'shifted') start -= 64 * 1024;
    if (answer === 'new-etag') headers.etag = '"v2"';
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${data.length}`, 'content-length': end - start + 1 });
    drip(res, data.subarray(start, end + 1), delay);
  };
}

function drip(res: http.ServerResponse, data: Buffer, delayMs: number): void {
  let at = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (at >= data.length) {
      res.end();
      return;
    }
    const piece = data.subarray(at, at + 64 * 1024);
    at += piece.length;
    const go = (): void => void (delayMs > 0 ? setTimeout(next, delayMs) : setImmediate(next));
    if (res.write(piece)) go();
    else res.once('drain', go);
  };
  next();
}

/** Answers `kind` to the first range asked from past byte 0, rightly to everything else. */
function onceForASegment(kind: Answer): (start: number) => Answer {
  let done = false;
  return (start) => {
    if (start === 0 || done) return 'right';
    done = true;
    return kind;
  };
}

function segmentsOf(c: Core, id: number): { start: number; end: number; written: number }[] {
  return c.db.prepare('SELECT start_byte AS start, end_byte AS end, written_to AS written FROM task_segments WHERE task_id = ? ORDER BY start_byte').all(id) as {
    start: number;
    end: number;
    written: number;
  }[];
}

describe('a large file over several connections', () => {
  it('is fetched in segments, one request each, and its SHA-256 matches', async () => {
    const c = cores.make({ connections: 4 });
    const dir = tempDir();
    const before = nginx.log().length;
    const [id] = c.engine.add([{ url: nginx.url('slow/large.bin'), dir }]);
    c.startEngine();
    const task = await settled(c.engine, id!);
    expect(task).toMatchObject({ state: 'completed', bytesOnDisk: size, totalBytes: size });
    expect(fileSha256(path.join(dir, 'large.bin'))).toBe(sha256(body));
    expect(listDir(dir)).toEqual(['large.bin']);
    expect(segmentsOf(c, id!)).toEqual([]);
    const q = 8 * MiB;
    const planned = [1, 2, 3].map((i) => `bytes=${i * q}-${(i + 1) * q - 1}`);
    // nginx logs a request cut short (the first one, at its segment's end) once it sees the connection closed.
    await vi.waitFor(() => expect(nginx.log().slice(before).filter((e) => ['', ...planned].includes(e.range))).toHaveLength(4), { timeout: 10_000 });
    const log = nginx.log().slice(before);
    // The first request is a plain one: its answer says the file can be split, and serves the first
    // segment (it is closed at the segment's end). Then one range request for each other segment.
    expect(log.filter((e) => e.range === '')).toEqual([expect.objectContaining({ status: 200, ifRange: '' })]);
    expect(log.filter((e) => e.range !== '').every((e) => e.status === 206)).toBe(true);
    expect(log.filter((e) => planned.includes(e.range)).map((e) => [e.range, e.ifRange]).sort()).toEqual(planned.map((r) => [r, task.etag]).sort());
    // Any other request is a connection that finished taking over the tail of a planned segment.
    for (const e of log.filter((x) => x.range !== '' && !planned.includes(x.range))) {
      const [from, to] = e.range.replace('bytes=', '').split('-').map(Number) as [number, number];
      expect(e.ifRange).toBe(task.etag);
      expect((to + 1) % q).toBe(0);
      expect(from).toBeGreaterThan(to + 1 - q);
    }
  });

  it('checks a known checksum by hashing the whole part once, and never places a file that does not match it', async () => {
    const c = cores.make({ connections: 4 });
    const dir = tempDir();
    const good = faults.route('/sum-good.bin', rangedFile(body));
    const bad = faults.route('/sum-bad.bin', rangedFile(body));
    const ids = c.engine.add([
      { url: good, dir, checksum: { algo: 'sha256-hex', value: sha256(body) } },
      { url: bad, dir, checksum: { algo: 'sha256-hex', value: sha256('another file') } },
    ]);
    c.startEngine();
    const [right, wrong] = await settledAll(c.engine, ids);
    expect(right!.state).toBe('completed');
    expect(wrong).toMatchObject({ state: 'failed', error: { code: 'checksum_mismatch' } });
    expect(listDir(dir)).toEqual(['sum-good.bin']);
    expect(fileSha256(path.join(dir, 'sum-good.bin'))).toBe(sha256(body));
    // Both were split: each asked for ranges past the first segment.
    expect(faults.requestsFor('/sum-good.bin').some((r) => r.range !== undefined)).toBe(true);
    expect(faults.requestsFor('/sum-bad.bin').some((r) => r.range !== undefined)).toBe(true);
  });

  it('gives the tail of a slow segment to a connection that finished, and the file is right', async () => {
    const c = cores.make({ connections: 4 });
    const dir = tempDir();
    // The second segment crawls (64 KiB every 20 ms); the others come at once.
    const url = faults.route('/steal.bin', rangedFile(body, { delayMs: (start) => (start === 8 * MiB ? 20 : 0) }));
    const [id] = c.engine.add([{ url, dir }]);
    c.startEngine();
    const task = await settled(c.engine, id!);
    expect(task.state).toBe('completed');
    expect(fileSha256(path.join(dir, 'steal.bin'))).toBe(sha256(body));
    const starts = faults.requestsFor('/steal.bin').map((r) => Number(r.range?.match(/^bytes=(\d+)-/)?.[1]));
    // A takeover asks from inside the slow segment's range: [8 MiB, 16 MiB).
    expect(starts.filter((s) => s > 8 * MiB && s < 16 * MiB).length).toBeGreaterThan(0);
  });

  it.each([
    ['the whole file (200)', 'whole'],
    ['bytes from the wrong offset', 'shifted'],
    ['a new ETag', 'new-etag'],
  ] as const)('restarts from zero on one connection when a segment is answered with %s, and never splices', async (_label, kind) => {
    const c = cores.make({ connections: 4 });
    const dir = tempDir();
    const name = `${kind}.bin`;
    const url = faults.route(`/${name}`, rangedFile(body, { answer: onceForASegment(kind) }));
    const [id] = c.engine.add([{ url, dir }]);
    c.startEngine();
    const task = await settled(c.engine, id!);
    expect(task.state).toBe('completed');
    expect(fileSha256(path.join(dir, name))).toBe(sha256(body));
    expect(listDir(dir)).toEqual([name]);
    expect(task.attempts).toBe(1);
    const asked = faults.requestsFor(`/${name}`);
    // After the bad answer, one plain request for the whole file, and no segment since.
    expect(asked.filter((r) => r.range === undefined)).toHaveLength(2);
    expect(asked.at(-1)?.range).toBeUndefined();
    expect(c.db.prepare('SELECT 1 FROM one_connection_tasks WHERE task_id = ?').get(id)).toBeTruthy();
  });

  it.each([
    ['does not answer ranges', { ignoreRange: true }],
    ['has only a weak ETag', { etag: 'W/"v1"' }],
  ] as const)('uses one connection for a server that %s, and the file is right', async (label, opts) => {
    const c = cores.make({ connections: 4 });
    const dir = tempDir();
    const route = `/one-${label.length}.bin`;
    const url = faults.route(route, serveFile(body, opts));
    const [id] = c.engine.add([{ url, dir }]);
    c.startEngine();
    const task = await settled(c.engine, id!);
    expect(task.state).toBe('completed');
    expect(fileSha256(path.join(dir, path.basename(route)))).toBe(sha256(body));
    expect(faults.requestsFor(route).map((r) => r.range)).toEqual([undefined]);
  });

  it('splits nothing with one connection set: a plain request, as before', async () => {
    const c = cores.make({ connections: 1 });
    const dir = tempDir();
    const url = faults.route('/plain.bin', rangedFile(body));
    const [id] = c.engine.add([{ url, dir }]);
    c.startEngine();
    expect((await settled(c.engine, id!)).state).toBe('completed');
    expect(fileSha256(path.join(dir, 'plain.bin'))).toBe(sha256(body));
    expect(faults.requestsFor('/plain.bin').map((r) => r.range)).toEqual([undefined]);
  });
});

describe('pause, cancel and the per-host limit', () => {
  const slow = (delayMs = 10): Handler => rangedFile(body, { delayMs: () => delayMs });

  /** A download split over 4 connections from `handler`, once all four are moving and `bytes` are in. */
  async function splitUnderWay(name: string, handler: Handler, bytes: number): Promise<{ c: Core; dir: string; id: number }> {
    const c = cores.make({ connections: 4 });
    const dir = tempDir();
    const [id] = c.engine.add([{ url: faults.route(`/${name}`, handler), dir }]);
    c.startEngine();
    await faults.whenInFlight(4);
    await progressReaches(c.engine, id!, bytes);
    return { c, dir, id: id! };
  }

  it('pauses every segment, keeps each one\'s bytes, and resumes each from its own', async () => {
    const { c, dir, id } = await splitUnderWay('pause.bin', slow(), 4 * MiB);
    c.engine.pause([id]);
    await c.engine.whenLetGo([id]);
    await vi.waitFor(() => expect(faults.inFlight).toBe(0));
    expect(c.queue.get(id)?.state).toBe('paused');
    const kept = segmentsOf(c, id);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.some((s) => s.written > s.start)).toBe(true);
    // The row counts the bytes the segments wrote, not the size of a part file with holes.
    expect(c.queue.get(id)?.bytesOnDisk).toBe(kept.reduce((sum, s) => sum + s.written - s.start, 0));
    const asked = faults.requestsFor('/pause.bin').length;

    c.engine.resume([id]);
    const task = await settled(c.engine, id);
    expect(task.state).toBe('completed');
    expect(fileSha256(path.join(dir, 'pause.bin'))).toBe(sha256(body));
    // The resume asks each unfinished segment from its recorded byte, with If-Range.
    const resumed = faults.requestsFor('/pause.bin').slice(asked);
    const from = new Set(kept.filter((s) => s.written < s.end).map((s) => `bytes=${s.written}-${s.end - 1}`));
    expect(resumed.filter((r) => from.has(r.range ?? '')).length).toBe(Math.min(4, from.size));
    expect(resumed.every((r) => r.ifRange === '"v1"' && r.range !== undefined)).toBe(true);
  });

  it('restarts from zero when the file changed on the server while paused, and ends with the new version whole', async () => {
    const v2 = bytes(size, 12);
    let handler = rangedFile(body, { delayMs: () => 10 });
    const { c, dir, id } = await splitUnderWay('changed.bin', (req, res, n) => handler(req, res, n), 4 * MiB);
    c.engine.pause([id]);
    await c.engine.whenLetGo([id]);
    expect(segmentsOf(c, id).length).toBeGreaterThanOrEqual(4);
    const asked = faults.requestsFor('/changed.bin').length;
    // The new version answers a range whose If-Range names the old ETag with the whole file (200), as nginx does.
    const serveV2 = serveFile(v2, { etag: '"v2"' });
    handler = (req, res, n) => {
      if (req.headers['if-range'] === '"v1"') delete req.headers.range;
      serveV2(req, res, n);
    };
    c.engine.resume([id]);
    const task = await settled(c.engine, id);
    expect(task.state).toBe('completed');
    expect(fileSha256(path.join(dir, 'changed.bin'))).toBe(sha256(v2));
    expect(task.etag).toBe('"v2"');
    // After the first segment's 200, the file came over one plain request.
    expect(faults.requestsFor('/changed.bin').slice(asked).at(-1)?.range).toBeUndefined();
  });

  it('restarts from zero when the part file is shorter than its recorded segments say', async () => {
    const { c, dir, id } = await splitUnderWay('cut.bin', slow(), 4 * MiB);
    c.engine.pause([id]);
    await c.engine.whenLetGo([id]);
    const part = c.queue.get(id)!.tempPath;
    const last = segmentsOf(c, id).reduce((most, s) => Math.max(most, s.written), 0);
    fs.truncateSync(part, last - 1);
    const asked = faults.requestsFor('/cut.bin').length;
    c.engine.resume([id]);
    const task = await settled(c.engine, id);
    expect(task.state).toBe('completed');
    expect(fileSha256(path.join(dir, 'cut.bin'))).toBe(sha256(body));
    // The rows were not trusted: the download began again with a plain request.
    expect(faults.requestsFor('/cut.bin')[asked]?.range).toBeUndefined();
  });

  it('cancels every segment and removes the part and its segments', async () => {
    const { c, dir, id } = await splitUnderWay('cancel.bin', slow(), 2 * MiB);
    c.engine.cancel([id]);
    await c.engine.whenLetGo([id]);
    await vi.waitFor(() => expect(faults.inFlight).toBe(0));
    expect(c.queue.get(id)?.state).toBe('canceled');
    expect(listDir(dir)).toEqual([]);
    expect(segmentsOf(c, id)).toEqual([]);
  });

  it('counts segments against the per-host limit', async () => {
    const c = cores.make({ connections: 4, maxPerHost: 4, maxConcurrent: 6 });
    const dir = tempDir();
    const urls = [faults.route('/host-a.bin', slow(2)), faults.route('/host-b.bin', slow(2))];
    faults.maxInflight = 0;
    const ids = c.engine.add(urls.map((url) => ({ url, dir })));
    c.startEngine();
    const tasks = await settledAll(c.engine, ids);
    expect(tasks.map((t) => t.state)).toEqual(['completed', 'completed']);
    expect(fileSha256(path.join(dir, 'host-a.bin'))).toBe(sha256(body));
    expect(fileSha256(path.join(dir, 'host-b.bin'))).toBe(sha256(body));
    expect(faults.maxInflight).toBe(4);
  });
});
