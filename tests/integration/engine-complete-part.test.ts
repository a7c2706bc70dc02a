import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytes, settled, sha256, tempDir, testCores } from '../helpers/core.js';
import { FaultServer, serveFile, type Handler } from '../helpers/fault-server.js';

const body = bytes(300_000, 7);
let server: FaultServer;
const cores = testCores();

/** Answers a whole GET like any server, and a range past the end with 500, as Immich does (not 416). */
const noRangePastEnd: Handler = (req, res, attempt) => {
  if (req.headers.range) {
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal server error"}');
    return;
  }
  serveFile(body)(req, res, attempt);
};

beforeAll(async () => {
  server = await new FaultServer().start();
  server.route('/asset.jpg', noRangePastEnd);
});
afterAll(async () => {
  await server.stop();
});
afterEach(cores.closeAll);

describe('a part file that already holds the whole file', () => {
  it('is verified against its checksum and completed without asking the server for anything', async () => {
    const core = cores.make();
    const dir = tempDir();
    const [id] = core.engine.add([{ url: server.url('/asset.jpg'), dir, expectedBytes: body.length, checksum: { algo: 'sha256-hex', value: sha256(body) } }]);
    fs.writeFileSync(core.queue.get(id!)!.tempPath, body);
    const before = server.requestsFor('/asset.jpg').length;
    core.startEngine();
    const done = await settled(core.engine, id!);
    expect(done).toMatchObject({ state: 'completed', bytesOnDisk: body.length, placing: null });
    expect(server.requestsFor('/asset.jpg').length - before).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['asset.jpg']);
    expect(fs.readFileSync(path.join(dir, 'asset.jpg')).equals(body)).toBe(true);
  });

  it('is completed from a size and validator recorded before, with no checksum, without a request', async () => {
    const core = cores.make();
    const dir = tempDir();
    const [id] = core.engine.add([{ url: server.url('/asset.jpg'), dir }]);
    // An earlier attempt learnt the size and the ETag, then stopped after the last byte.
    core.queue.record(id!, { totalBytes: body.length, etag: '"v1"', bytesOnDisk: body.length }, ['queued']);
    fs.writeFileSync(core.queue.get(id!)!.tempPath, body);
    const before = server.requestsFor('/asset.jpg').length;
    core.startEngine();
    expect(await settled(core.engine, id!)).toMatchObject({ state: 'completed', bytesOnDisk: body.length });
    expect(server.requestsFor('/asset.jpg').length - before).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'asset.jpg')).equals(body)).toBe(true);
  });

  it('that does not match its checksum is removed and downloaded again from the first byte', async () => {
    const core = cores.make();
    const dir = tempDir();
    const [id] = core.engine.add([{ url: server.url('/asset.jpg'), dir, expectedBytes: body.length, checksum: { algo: 'sha256-hex', value: sha256(body) } }]);
    fs.writeFileSync(core.queue.get(id!)!.tempPath, bytes(body.length, 8));
    const before = server.requests.length;
    core.startEngine();
    expect(await settled(core.engine, id!)).toMatchObject({ state: 'completed', bytesOnDisk: body.length });
    const asked = server.requests.slice(before).filter((r) => r.path === '/asset.jpg');
    expect(asked.map((r) => r.range)).toEqual([undefined]);
    expect(fs.readdirSync(dir)).toEqual(['asset.jpg']);
    expect(fs.readFileSync(path.join(dir, 'asset.jpg')).equals(body)).toBe(true);
  });
});
