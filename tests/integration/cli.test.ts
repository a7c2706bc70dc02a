import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { cartage, printed, whileRunning } from '../helpers/cli.js';
import { bytes, listDir, sha256, tempDir } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');
const photo = bytes(50_000, 4);

beforeAll(async () => {
  fs.writeFileSync(path.join(root, 'photo.jpg'), photo);
  fs.writeFileSync(path.join(root, 'notes.txt'), 'notes');
  fs.mkdirSync(path.join(root, 'many'));
  for (let i = 0; i < 2000; i += 1) fs.writeFileSync(path.join(root, 'many', `${i}.bin`), `file ${i}`);
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx.stop();
});

/** The queue in a data folder, read the way the app would. */
function queueIn(dataDir: string): { states: string[]; close(): void } {
  const core = new Core({ dataDir });
  const states = [...core.queue.iterate()].map((t) => t.state);
  return { states, close: () => core.db.close() };
}

describe('cartage get', () => {
  it('downloads into --dir and prints where each file went and a summary; exit 0', async () => {
    const dir = tempDir();
    const data = tempDir();
    const r = await cartage(['get', nginx.url('photo.jpg'), nginx.url('notes.txt'), '--dir', dir, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`done    ${path.join(dir, 'photo.jpg')} (50 kB)`);
    expect(r.stdout).toMatch(/^2 completed \(50 kB\), 0 failed, 0 skipped\.$/m);
    expect(fs.readFileSync(path.join(dir, 'photo.jpg')).equals(photo)).toBe(true);
  });

  it('reports results as JSON with --json', async () => {
    const dir = tempDir();
    const r = await cartage(['get', nginx.url('photo.jpg'), '--dir', dir, '--data-dir', tempDir(), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { tasks: { state: string; path: string; bytes: number }[] };
    expect(out.tasks).toEqual([expect.objectContaining({ state: 'completed', path: path.join(dir, 'photo.jpg'), bytes: 50_000 })]);
  });

  it('exits 1 and says why when a file fails', async () => {
    const dir = tempDir();
    const r = await cartage(['get', nginx.url('photo.jpg'), nginx.url('missing.jpg'), '--dir', dir, '--data-dir', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('skipped: missing.jpg: missing.jpg was deleted on the server (404 Not Found).');
    expect(listDir(dir)).toEqual(['photo.jpg']);
  });

  it('checks --sha256: a match exits 0, a mismatch exits 1 with "checksum mismatch" and saves nothing', async () => {
    const good = await cartage(['get', nginx.url('photo.jpg'), '--sha256', sha256(photo), '--dir', tempDir(), '--data-dir', tempDir()]);
    expect(good.code).toBe(0);
    const dir = tempDir();
    const bad = await cartage(['get', nginx.url('photo.jpg'), '--sha256', 'ab'.repeat(32), '--dir', dir, '--data-dir', tempDir()]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('checksum mismatch');
    expect(listDir(dir)).toEqual([]);
  });

  it('takes thousands of URLs in one call', async () => {
    const dir = tempDir();
    const urls = Array.from({ length: 2000 }, (_, i) => nginx.url(`many/${i}.bin`));
    const r = await cartage(['get', ...urls, '--dir', dir, '--data-dir', tempDir(), '--concurrency', '6']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2000 completed/m);
    expect(listDir(dir)).toHaveLength(2000);
    expect(fs.readFileSync(path.join(dir, '1999.bin'), 'utf8')).toBe('file 1999');
  });

  it('reads URLs from a file with --input', async () => {
    const dir = tempDir();
    const list = path.join(tempDir(), 'urls.txt');
    fs.writeFileSync(list, `# my list\n${nginx.url('photo.jpg')}\n\n${nginx.url('notes.txt')}\n`);
    const r = await cartage(['get', '--input', list, '--dir', dir, '--data-dir', tempDir()]);
    expect(r.code).toBe(0);
    expect(listDir(dir)).toEqual(['notes.txt', 'photo.jpg']);
  });
});

describe('bad input gets one clear sentence, exit code 2, and leaves the queue as it was', () => {
  const cases: [string, (dir: string, file: string) => string[], RegExp][] = [
    ['a malformed URL', (d) => ['get', nginx.url('photo.jpg'), 'http://bad host/x', '--dir', d], /^cartage: "http:\/\/bad host\/x" is not a URL; give full addresses such as https:\/\/example\.com\/file\.zip\.\n$/],
    ['a protocol it does not fetch', (d) => ['get', 'ftp://example.com/a.zip', '--dir', d], /^cartage: "ftp:\/\/example\.com\/a\.zip" is a ftp address; cartage get downloads http and https only\.\n$/],
    ['an unknown option', (d) => ['get', nginx.url('photo.jpg'), '--dri', d], /^cartage: Unknown option '--dri'; see "cartage help" for the options\.\n$/],
    ['a folder that cannot be written', (_d, f) => ['get', nginx.url('photo.jpg'), '--dir', path.join(f, 'sub')], /^cartage: Cannot write to .*sub \(ENOTDIR\); choose another folder with --dir\.\n$/],
    ['a bad --sha256', (d) => ['get', nginx.url('photo.jpg'), '--sha256', 'xyz', '--dir', d], /^cartage: --sha256 takes 64 hexadecimal characters; "xyz" is not a SHA-256\.\n$/],
    ['a bad --concurrency', (d) => ['get', nginx.url('photo.jpg'), '--concurrency', '0', '--dir', d], /^cartage: --concurrency takes a whole number from 1 to 64, not "0"\.\n$/],
    ['a bad --limit-rate', (d) => ['get', nginx.url('photo.jpg'), '--limit-rate', 'fast', '--dir', d], /^cartage: --limit-rate takes a speed in bytes a second such as 500K, 2M or 1G, not "fast"\.\n$/],
    ['no URL at all', (d) => ['get', '--dir', d], /^cartage: Give at least one URL or source reference to download/],
    ['an unknown command', () => ['fetch', 'x'], /^cartage: "fetch" is not a cartage command; the commands are get, queue, pause, resume, cancel, run, source, ls, summary, search, cart, checkout, deliveries, mirror, serve, browser, native-host, help \(see "cartage help"\)\.\n$/],
    ['an unknown task id', () => ['pause', '99'], /^cartage: There is no task 99 in the queue; nothing was changed\.\n$/],
    ['a task id that is not a number', () => ['cancel', 'abc'], /^cartage: "abc" is not a task id; ids are the numbers "cartage queue" shows\.\n$/],
  ];

  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, async () => {
      const data = tempDir();
      const seed = new Core({ dataDir: data });
      seed.queue.enqueue([{ url: 'http://127.0.0.1:9/kept.bin', dir: tempDir() }]);
      seed.db.close();
      const file = path.join(tempDir(), 'a-file');
      fs.writeFileSync(file, 'x');
      const dir = tempDir();
      const r = await cartage([...args(dir, file), '--data-dir', data]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      const q = queueIn(data);
      expect(q.states).toEqual(['queued']);
      q.close();
      expect(listDir(dir)).toEqual([]);
    });
  }
});

describe('cartage queue, pause, resume, cancel', () => {
  function seeded(): { data: string; ids: number[]; dir: string } {
    const data = tempDir();
    const dir = tempDir();
    const core = new Core({ dataDir: data });
    const ids = core.queue.enqueue([1, 2, 3].map((i) => ({ url: `http://127.0.0.1:9/file${i}.bin`, dir })));
    core.db.close();
    return { data, ids, dir };
  }

  it('lists the queue, as a table and as JSON', async () => {
    const { data } = seeded();
    const table = await cartage(['queue', '--data-dir', data]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ {5}1 {2}queued {5}0 B \/ \? +file1\.bin$/m);
    expect(table.stdout).toContain('3 tasks: 3 queued, 0 active');
    const json = JSON.parse((await cartage(['queue', '--json', '--data-dir', data])).stdout) as { tasks: { id: number; state: string }[] };
    expect(json.tasks.map((t) => [t.id, t.state])).toEqual([[1, 'queued'], [2, 'queued'], [3, 'queued']]);
  });

  it('pauses, resumes and cancels by id and with --all', async () => {
    const { data } = seeded();
    expect((await cartage(['pause', '1', '2', '--data-dir', data])).stdout).toBe('Paused 2 downloads.\n');
    expect(queueIn(data).states).toEqual(['paused', 'paused', 'queued']);
    expect((await cartage(['resume', '--all', '--data-dir', data])).stdout).toBe('Resumed 2 downloads.\n');
    expect((await cartage(['cancel', '3', '--data-dir', data])).stdout).toBe('Canceled 1 download.\n');
    const again = await cartage(['cancel', '3', '--data-dir', data]);
    expect(again.stdout).toBe('Task 3 (file3.bin) is canceled; there is nothing to cancel.\nCanceled 0 downloads.\n');
    expect((await cartage(['pause', '--all', '--data-dir', data])).stdout).toBe('Paused 2 downloads.\n');
    expect(queueIn(data).states).toEqual(['paused', 'paused', 'canceled']);
  });

  it('says so when run finds nothing to do', async () => {
    const r = await cartage(['run', '--data-dir', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Nothing to do: the queue has no waiting downloads.');
  });
});

describe('Ctrl-C', () => {
  it('stops cleanly: the download goes back to the queue with its part file, exit 130', async () => {
    const server = await new FaultServer().start();
    const body = Buffer.alloc(200_000, 7);
    server.route('/held.bin', (_req, res) => {
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
      res.write(body.subarray(0, 50_000));
    });
    const dir = tempDir();
    const data = tempDir();
    try {
      const run = cartage(['get', server.url('/held.bin'), '--dir', dir, '--data-dir', data]);
      await whileRunning(
        run,
        'get',
        new Promise<void>((resolve) => {
          const watcher = fs.watch(dir, () => {
            if ((fs.statSync(path.join(dir, 'held.bin.cartage-part'), { throwIfNoEntry: false })?.size ?? 0) >= 50_000) {
              watcher.close();
              resolve();
            }
          });
        }),
      );
      run.child.kill('SIGINT');
      const r = await run;
      expect(r.code).toBe(130);
      expect(r.stdout).toContain('Stopped with 1 left in the queue; run "cartage run" to finish them.');
      const q = new Core({ dataDir: data });
      expect(q.queue.get(1)).toMatchObject({ state: 'queued', bytesOnDisk: 50_000, etag: '"v1"' });
      q.db.close();
      expect(fs.statSync(path.join(dir, 'held.bin.cartage-part')).size).toBe(50_000);
    } finally {
      await server.stop();
    }
  });
});

describe('cartage get alongside other processes, and with credentials', () => {
  let server: FaultServer;
  const body = Buffer.alloc(120_000, 3);
  beforeAll(async () => {
    server = await new FaultServer().start();
    server.route('/open.bin', serveFile(body));
    server.route('/private.bin', (req, res, attempt) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) {
        return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
      }
      serveFile(body)(req, res, attempt);
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('uses a user and password in the URL for the download, and stores or prints neither', async () => {
    const dir = tempDir();
    const data = tempDir();
    const url = `http://alice:s3cret@127.0.0.1:${server.port}/private.bin`;
    const r = await cartage(['get', url, '--dir', dir, '--data-dir', data, '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('s3cret');
    expect(fs.readFileSync(path.join(dir, 'private.bin')).equals(body)).toBe(true);
    const listed = await cartage(['queue', '--json', '--data-dir', data]);
    expect(listed.stdout).not.toContain('s3cret');
    for (const f of fs.readdirSync(data)) {
      if (f.startsWith('cartage.db')) expect(fs.readFileSync(path.join(data, f)).includes('s3cret')).toBe(false);
    }
  });

  it('follows another process that holds the queue, and takes over when it stops', async () => {
    const data = tempDir();
    const dir = tempDir();
    // Another process holds the queue but downloads nothing (as an app whose engine is busy elsewhere).
    const holder = new Core({ dataDir: data });
    expect(holder.lock.tryAcquire()).toEqual({ ok: true });
    const run = cartage(['get', server.url('/open.bin'), '--dir', dir, '--data-dir', data]);
    const waiting = await whileRunning(run, 'get', printed(run, 'Waiting for them'));
    expect(waiting).toContain(`Another Cartage (pid ${process.pid}) is running the queue`);
    holder.lock.release();
    holder.db.close();
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 completed \(120 kB\), 0 failed, 0 skipped\.$/m);
    expect(fs.readFileSync(path.join(dir, 'open.bin')).equals(body)).toBe(true);
  });

  it('waiting on another process that holds the queue, ends when that process pauses and cancels its downloads', async () => {
    const data = tempDir();
    const dir = tempDir();
    // Another process holds the queue but downloads nothing: it only pauses and cancels.
    const holder = new Core({ dataDir: data });
    expect(holder.lock.tryAcquire()).toEqual({ ok: true });
    const run = cartage(['get', server.url('/never-a.bin'), server.url('/never-b.bin'), '--dir', dir, '--data-dir', data]);
    await whileRunning(run, 'get', printed(run, 'Waiting for them'));
    const [a, b] = holder.queue.page().map((t) => t.id);
    expect(holder.engine.pause([a!])).toHaveLength(1);
    expect(holder.engine.cancel([b!])).toHaveLength(1);
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^0 completed \(0 B\), 0 failed, 0 skipped, 1 paused\.$/m);
    expect(holder.queue.page().map((t) => t.state)).toEqual(['paused', 'canceled']);
    expect(server.requests.filter((q) => q.path.startsWith('/never-'))).toEqual([]);
    holder.lock.release();
    holder.db.close();
  });

  it('ends, saying so, when its downloads are paused from another terminal', async () => {
    const data = tempDir();
    const dir = tempDir();
    // One slot, held by a download that never ends: the second waits in the queue.
    const seed = new Core({ dataDir: data });
    seed.settings.update({ maxConcurrent: 1 });
    seed.db.close();
    let started: () => void = () => {};
    const downloading = new Promise<void>((resolve) => (started = resolve));
    server.route('/forever.bin', (_req, res) => {
      res.writeHead(200, { 'content-length': 1_000_000, etag: '"f"' });
      res.write(Buffer.alloc(10_000), () => started());
    });
    const run = cartage(['get', server.url('/forever.bin'), server.url('/open.bin'), '--dir', dir, '--data-dir', data]);
    // Asked for, so running (a file this small is written when its body ends: no part file yet).
    await whileRunning(run, 'get', downloading);
    expect((await cartage(['pause', '--all', '--data-dir', data])).stdout).toBe('Paused 2 downloads.\n');
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^0 completed \(0 B\), 0 failed, 0 skipped, 2 paused\.$/m);
  });
});
