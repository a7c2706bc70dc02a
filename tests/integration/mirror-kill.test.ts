import Database from 'better-sqlite3';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cartage, whileRunning } from '../helpers/cli.js';
import { bytes, listDir, tempDir } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';

// c is larger than a file written whole when its body ends (1 MiB): it is written as it comes, so a part is on disk mid-way.
const files = { 'a.jpg': bytes(40_000, 1), 'b.jpg': bytes(50_000, 2), 'c.jpg': bytes(1_600_000, 3) };
let server: FaultServer;
let stallC = true;

/** A listing in the format of Python's http.server. */
function listing(_req: http.IncomingMessage, res: http.ServerResponse): void {
  const items = Object.keys(files)
    .map((n) => `<li><a href="${n}">${n}</a></li>`)
    .join('\n');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE HTML>\n<html><head><title>Directory listing for /</title></head><body><h1>Directory listing for /</h1><hr><ul>\n${items}\n</ul><hr></body></html>`);
}

beforeAll(async () => {
  server = await new FaultServer().start();
  server.route('/', listing);
  server.route('/a.jpg', serveFile(files['a.jpg']));
  server.route('/b.jpg', serveFile(files['b.jpg']));
  const c = serveFile(files['c.jpg']);
  server.route('/c.jpg', (req, res, attempt) => {
    if (!stallC || req.method === 'HEAD') return c(req, res, attempt);
    // Half the file, then nothing: the download is surely mid-way when the process is killed.
    res.writeHead(200, { 'content-length': String(files['c.jpg'].length), etag: '"v1"', 'accept-ranges': 'bytes' });
    res.write(files['c.jpg'].subarray(0, 800_000));
  });
});
afterAll(async () => {
  await server.stop();
});

/** Waits until the database shows `n` completed downloads (polling the row, not sleeping for a guess); fails if `run` ends first. */
async function completedTasks(run: ReturnType<typeof cartage>, dataDir: string, n: number): Promise<void> {
  while (run.child.exitCode === null && run.child.signalCode === null) {
    const db = new Database(path.join(dataDir, 'cartage.db'), { readonly: true, fileMustExist: true });
    try {
      const done = db.prepare("SELECT count(*) AS n FROM tasks WHERE state = 'completed'").get() as { n: number };
      if (done.n >= n) return;
    } catch {
      // The schema is still being created.
    } finally {
      db.close();
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const r = await run;
  throw new Error(`cartage mirror run ended early (${r.code ?? r.signal}): ${r.stderr}`);
}

describe('a mirror run killed mid-way', () => {
  it('is completed by the next run: nothing downloaded twice, nothing duplicated', async () => {
    const data = tempDir();
    const dir = tempDir();
    expect((await cartage(['source', 'add', 'web', server.url('/'), '--name', 'share', '--data-dir', data])).code).toBe(0);
    expect((await cartage(['mirror', 'add', 'share', '--to', dir, '--data-dir', data])).code).toBe(0);

    const first = cartage(['mirror', 'run', '1', '--data-dir', data]);
    const cAsked = new Promise<void>((resolve) => server.on('request', () => server.requestsFor('/c.jpg').some((r) => r.method === 'GET') && resolve()));
    await whileRunning(first, 'mirror run', Promise.all([cAsked, completedTasks(first, data, 2)]));
    // The server has seen the GET for c; the part file may come a moment later.
    await vi.waitFor(() => expect(fs.existsSync(path.join(dir, 'c.jpg.cartage-part'))).toBe(true), { timeout: 10_000 });
    first.child.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');
    expect(listDir(dir).sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg.cartage-part']);

    stallC = false;
    // Downloads only: listing the folder asks each file's size with a HEAD.
    const gets = (p: string): number => server.requestsFor(p).filter((r) => r.method === 'GET').length;
    const before = { a: gets('/a.jpg'), b: gets('/b.jpg'), c: gets('/c.jpg') };
    const second = await cartage(['mirror', 'run', '1', '--json', '--data-dir', data]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const report = (JSON.parse(second.stdout) as { runs: { state: string; newFiles: number; unchanged: number; failed: number }[] }).runs[0]!;
    // c's download, queued by the killed run, goes on as this one starts: it is this run's new file
    // if this run's listing reaches c first, and the killed run's (then unchanged here) if it
    // lands first. Either way every file is accounted for, and none failed.
    expect(report).toMatchObject({ state: 'completed', failed: 0 });
    expect(report.newFiles + report.unchanged).toBe(3);
    expect(report.newFiles).toBeLessThanOrEqual(1);
    // a and b were neither fetched again nor copied; c, cut off mid-way, was fetched once more.
    expect({ a: gets('/a.jpg') - before.a, b: gets('/b.jpg') - before.b, c: gets('/c.jpg') - before.c }).toEqual({ a: 0, b: 0, c: 1 });
    expect(listDir(dir).sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    for (const [name, body] of Object.entries(files)) expect(fs.readFileSync(path.join(dir, name)).equals(body), name).toBe(true);
  });
});
