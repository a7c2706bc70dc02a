import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { cartage } from '../helpers/cli.js';
import { bytes, progressReaches, tempDir, testCore, waitForTask } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';

const body = bytes(300_000, 11);
let server: FaultServer;
let release: () => void = () => {};

beforeAll(async () => {
  server = await new FaultServer().start();
  server.route('/held.bin', (req, res, attempt) => {
    if (attempt > 1) return serveFile(body)(req, res, attempt);
    res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
    res.write(body.subarray(0, 100_000));
    release = () => res.end(body.subarray(100_000));
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
