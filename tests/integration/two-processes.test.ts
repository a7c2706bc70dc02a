import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import type { DeliveryView } from '../../main/core/delivery/deliveries.js';
import { QueueFollower } from '../../main/core/engine/follower.js';
import { cartage, projectRoot } from '../helpers/cli.js';
import { bytes, fileSha256, progressReaches, settled, sha256, tempDir, testCore, waitForTask } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';

const body = bytes(300_000, 11);
const big = bytes(10 * 1024 * 1024, 12);
/** More than the engine's 8 MiB between progress records, so the row shows bytes on disk at once. */
const firstPart = 9 * 1024 * 1024;
let server: FaultServer;
let release: () => void = () => {};
let bigRequested: () => void = () => {};

beforeAll(async () => {
  server = await new FaultServer().start();
  server.route('/held.bin', (req, res, attempt) => {
    if (attempt > 1) return serveFile(body)(req, res, attempt);
    res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
    res.write(body.subarray(0, 100_000));
    release = () => res.end(body.subarray(100_000));
  });
  server.route('/small.bin', serveFile(body));
  // The first process gets 9 MiB and then nothing more; whoever asks next gets the rest.
  server.route('/followed.bin', (req, res, attempt) => {
    if (attempt > 1) return serveFile(big)(req, res, attempt);
    res.writeHead(200, { 'content-length': big.length, etag: '"v1"' });
    res.write(big.subarray(0, firstPart));
    bigRequested();
  });
});
afterAll(async () => {
  release();
  await server.stop();
});

describe('the app and the command line on one queue', () => {
  it('a pause from another process stops the running download and keeps its part file', async () => {
    const data = tempDir();
    const running = testCore({}, data);
    const [id] = running.queue.enqueue([{ url: server.url('/held.bin'), dir: tempDir() }]);
    const halfway = progressReaches(running.engine, id!, 100_000);
    running.startEngine();
    await halfway;

    // The running engine notices the change to the shared database and lets go of the transfer.
    const letGo = waitForTask(running.engine, id!, (t) => t.state === 'paused' && !running.engine.activeIds().includes(id!));
    const r = await cartage(['pause', String(id), '--data-dir', data]);
    expect(r.stdout).toBe('Paused 1 download.\n');
    await letGo;
    const t = running.queue.get(id!)!;
    expect(t.state).toBe('paused');
    expect(fs.statSync(t.tempPath).size).toBe(100_000);
    await running.close();
  });

  it('a window follows the queue another process runs, shows its progress, and takes the download over when that process dies', async () => {
    const data = tempDir();
    const out = tempDir();
    const requested = new Promise<void>((resolve) => (bigRequested = resolve));
    const other = cartage(['get', server.url('/followed.bin'), '--dir', out, '--data-dir', data]);
    await requested;

    const window = new Core({ dataDir: data, followIntervalMs: 20, engine: { random: () => 0.5 } });
    let tookOver!: () => void;
    const takenOver = new Promise<void>((resolve) => (tookOver = resolve));
    // The progress the other process records reaches this window as its own engine's events.
    const seen = progressReaches(window.engine, 1, 8 * 1024 * 1024);
    const lock = window.runOrFollow(() => tookOver());
    expect(lock).toEqual({ ok: false, pid: other.child.pid });
    await seen;
    expect(window.engine.activeIds()).toEqual([]);

    const done = settled(window.engine, 1);
    other.child.kill('SIGKILL');
    await other;
    await takenOver;
    const t = await done;
    expect(t.state).toBe('completed');
    expect(fileSha256(path.join(out, 'followed.bin'))).toBe(sha256(big));
    // It went on from the bytes the other process left on disk (what it had written when it was
    // killed, a little less than it had received) instead of starting again.
    const resumed = server.requests.filter((r) => r.path === '/followed.bin');
    expect(resumed).toHaveLength(2);
    expect(Number(/^bytes=(\d+)-$/.exec(resumed[1]!.range ?? '')?.[1])).toBeGreaterThan(0);
    await window.close();
  });

  it('a window following another process hears its cancel of 250 downloads as one change, and sees its delivery move', async () => {
    const data = tempDir();
    // The queue is held by a live process that is not this one (the test runner's parent).
    fs.writeFileSync(path.join(data, 'engine.lock'), String(process.ppid));
    const other = new Core({ dataDir: data });
    const window = new Core({ dataDir: data, followIntervalMs: 20 });
    expect(window.runOrFollow()).toEqual({ ok: false, pid: process.ppid });

    await other.cart.add([server.url('/small.bin')]);
    const { deliveryId } = other.checkout({ kind: 'files', dir: tempDir(), layout: 'flat' });
    const { taskId } = other.db.prepare('SELECT task_id AS taskId FROM delivery_items WHERE delivery_id = ?').get(deliveryId) as { taskId: number };
    const moved = new Promise<DeliveryView>((resolve) =>
      window.deliveries.on('delivery', (d) => {
        if (d.id === deliveryId && d.progress.failed === 1) resolve(d);
      }),
    );
    const heard = waitForTask(window.engine, taskId, (t) => t.state === 'failed');
    other.queue.transition(taskId, 'active');
    other.queue.transition(taskId, 'failed', { error: { code: 'auth', message: 'The server refused it.' } });
    expect((await heard).error?.message).toBe('The server refused it.');
    expect((await moved).failures).toEqual([{ taskId, name: 'small.bin', error: { code: 'auth', message: 'The server refused it.' } }]);

    const ids = other.queue.enqueue(Array.from({ length: 250 }, (_, i) => ({ url: server.url(`/n${i}.bin`), dir: tempDir() })));
    const events: { ids: number[]; state: string }[] = [];
    window.queue.changes.on('task', (t) => events.push({ ids: [t.id], state: t.state }));
    const bulk = new Promise<{ ids: number[]; state: string }>((resolve) =>
      window.queue.changes.on('bulk', (e) => {
        if (e.state === 'canceled') resolve(e);
      }),
    );
    other.engine.cancel(ids);
    expect((await bulk).ids.sort((a, b) => a - b)).toEqual(ids);
    expect(events.filter((e) => ids.includes(e.ids[0]!))).toEqual([]);
    await other.close();
    await window.close();
  });

  it('a second "cartage run" on a queue that is being run says so and changes nothing', async () => {
    const data = tempDir();
    const holder = new Core({ dataDir: data });
    expect(holder.startEngine()).toEqual({ ok: true });
    const r = await cartage(['run', '--data-dir', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cartage: Another Cartage (pid ${process.pid}) is already running this queue; it will finish it.\n`);
    await holder.close();
  });
});

describe('following another process up to its last moment', () => {
  it('sends what the other process did just before it stopped: its final states and a delivery that began and ended between two looks', async () => {
    const data = tempDir();
    const other = new Core({ dataDir: data });
    const window = new Core({ dataDir: data });
    let free = false;
    // Looks are driven by hand here: the intervals are an hour.
    const follower = new QueueFollower({ queue: window.queue, onProgress: (s) => window.engine.reportFollowed(s), takeOver: () => free, onError: (err) => { throw err; }, intervalMs: 3_600_000 });
    follower.start();
    window.queue.changes.start(3_600_000, (err) => { throw err; });
    window.deliveries.followOthers();
    const tasks: string[] = [];
    window.queue.changes.on('task', (t) => tasks.push(`${t.id}:${t.state}`));
    const deliveries: string[] = [];
    window.deliveries.on('delivery', (d) => deliveries.push(`${d.id}:${d.state}`));

    await other.cart.add([server.url('/small.bin')]);
    const { deliveryId } = other.checkout({ kind: 'files', dir: tempDir(), layout: 'flat' });
    const { taskId } = other.db.prepare('SELECT task_id AS taskId FROM delivery_items WHERE delivery_id = ?').get(deliveryId) as { taskId: number };
    other.queue.transition(taskId, 'active');
    other.queue.transition(taskId, 'completed', { bytesOnDisk: body.length });
    other.db.prepare("UPDATE deliveries SET state = 'completed', completed_at = ? WHERE id = ?").run(Date.now(), deliveryId);
    // The other process stops before the window's next look, which takes the queue over; the
    // queue's stream goes on, and its next look tells the rest.
    free = true;
    follower.tick();
    window.queue.changes.check();
    expect(tasks).toEqual([`${taskId}:completed`]);
    expect(deliveries).toEqual([`${deliveryId}:completed`]);
    follower.stop();
    await other.close();
    await window.close();
  });
});

describe('the queue lock under a race', () => {
  it('goes to exactly one of eight processes that find a dead holder\'s lock at once', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'engine.lock'), '999999999');
    const lockModule = pathToFileURL(path.join(projectRoot, 'dist/main/core/lock.js')).href;
    // Each holds on (stays alive) until every one has answered, so none can take over from a winner that left.
    const script = `const { EngineLock } = await import(${JSON.stringify(lockModule)});
      const got = new EngineLock(${JSON.stringify(dir)}).tryAcquire();
      process.stdout.write(JSON.stringify({ ok: got.ok, pid: got.ok ? process.pid : got.pid }) + '\\n');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`;
    const children = Array.from({ length: 8 }, () => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const answers = await Promise.all(
      children.map(
        (c) =>
          new Promise<{ ok: boolean; pid: number }>((resolve) => {
            let out = '';
            c.stdout!.on('data', (d: Buffer) => {
              out += d.toString();
              if (out.endsWith('\n')) resolve(JSON.parse(out) as { ok: boolean; pid: number });
            });
          }),
      ),
    );
    const winners = answers.filter((a) => a.ok);
    expect(winners).toHaveLength(1);
    // Every other one names the winner, and the lock file holds its pid.
    expect(answers.filter((a) => !a.ok).every((a) => a.pid === winners[0]!.pid)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'engine.lock'), 'utf8')).toBe(String(winners[0]!.pid));
    await Promise.all(children.map((c) => new Promise((resolve) => {
      c.once('exit', resolve);
      c.stdin!.end();
    })));
    expect(fs.readdirSync(dir)).toEqual(['engine.lock']);
  });
});

describe('the secret store shared by several processes', () => {
  it('keeps every key when four processes save keys at the same moment', async () => {
    const dir = tempDir();
    const store = pathToFileURL(path.join(projectRoot, 'dist/main/core/secrets.js')).href;
    const saveMany = (who: number): Promise<number | null> =>
      new Promise((resolve) => {
        const script = `const { FileSecretStore } = await import(${JSON.stringify(store)});
          const s = new FileSecretStore(${JSON.stringify(dir)});
          for (let i = 0; i < 25; i++) await s.set('source:${who}-' + i, 'key-${who}-' + i);`;
        spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' }).once('exit', resolve);
      });
    expect(await Promise.all([1, 2, 3, 4].map(saveMany))).toEqual([0, 0, 0, 0]);
    const saved = (JSON.parse(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')) as { secrets: Record<string, { value: string }> }).secrets;
    expect(Object.keys(saved)).toHaveLength(100);
    expect(saved['source:3-24']).toEqual({ sealed: false, value: 'key-3-24' });
    expect(fs.readdirSync(dir)).toEqual(['secrets.json']);
  });
});
