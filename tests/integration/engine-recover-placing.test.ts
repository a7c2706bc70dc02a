import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/core.js';
import { bytes, settled, tempDir, testCores } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';

// The states a crash can leave placing a file in, made by hand (the strace tests make them by
// killing the real command): the row says where the file was being placed, the disk says how far.

const body = bytes(50_000, 3);
let server: FaultServer;
const cores = testCores();

beforeAll(async () => {
  server = await new FaultServer().start();
  server.route('/a.bin', serveFile(body));
});
afterAll(async () => {
  await server.stop();
});
afterEach(cores.closeAll);

/** A task whose whole part was verified and recorded as being placed at a.bin, as a crash left it. */
function placing(core: Core, dir: string): { id: number; part: string; final: string } {
  const [id] = core.engine.add([{ url: server.url('/a.bin'), dir }]);
  const t = core.queue.transition(id!, 'active');
  core.queue.record(t.id, { etag: '"v1"', totalBytes: body.length, bytesOnDisk: body.length, placing: t.finalPath });
  fs.writeFileSync(t.tempPath, body);
  return { id: t.id, part: t.tempPath, final: t.finalPath };
}

describe('the recovery of a file that was being placed', () => {
  it('takes a part that is the final file (linked, its name not yet removed) as completed, and only removes its name', async () => {
    const core = cores.make();
    const dir = tempDir();
    const { id, part, final } = placing(core, dir);
    fs.linkSync(part, final);
    const ino = fs.statSync(final).ino;
    const asked = server.requests.length;
    core.startEngine();
    expect(await settled(core.engine, id)).toMatchObject({ state: 'completed', finalPath: final, placing: null });
    expect(fs.readdirSync(dir)).toEqual(['a.bin']);
    expect(fs.statSync(final).ino).toBe(ino);
    expect(server.requests.length).toBe(asked);
  });

  it('takes a placed file whose part is gone as completed, without a request', async () => {
    const core = cores.make();
    const dir = tempDir();
    const { id, part, final } = placing(core, dir);
    fs.renameSync(part, final);
    const asked = server.requests.length;
    core.startEngine();
    expect(await settled(core.engine, id)).toMatchObject({ state: 'completed', finalPath: final });
    expect(fs.readdirSync(dir)).toEqual(['a.bin']);
    expect(server.requests.length).toBe(asked);
  });

  it('leaves a file of someone else at that name alone, and places the part beside it', async () => {
    const core = cores.make();
    const dir = tempDir();
    const { id, final } = placing(core, dir);
    const theirs = Buffer.from('a file of the person, not the download');
    fs.writeFileSync(final, theirs);
    core.startEngine();
    const done = await settled(core.engine, id);
    expect(done).toMatchObject({ state: 'completed', finalPath: path.join(dir, 'a (1).bin'), placing: null });
    expect(fs.readFileSync(final).equals(theirs)).toBe(true);
    expect(fs.readFileSync(done.finalPath).equals(body)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['a (1).bin', 'a.bin']);
  });

  it('never writes through a part that shares its file with another name', async () => {
    const core = cores.make();
    const dir = tempDir();
    const [id] = core.engine.add([{ url: server.url('/a.bin'), dir }]);
    const t = core.queue.get(id!)!;
    // A leftover part linked to a file elsewhere (no row says so): writing to it would change that file.
    const elsewhere = path.join(tempDir(), 'kept.bin');
    fs.writeFileSync(elsewhere, bytes(20_000, 9));
    fs.linkSync(elsewhere, t.tempPath);
    core.startEngine();
    expect(await settled(core.engine, id!)).toMatchObject({ state: 'completed' });
    expect(fs.readFileSync(elsewhere).equals(bytes(20_000, 9))).toBe(true);
    expect(fs.readFileSync(t.finalPath).equals(body)).toBe(true);
  });

  it('a pause or a cancel leaves a task being placed to complete', () => {
    const core = cores.make();
    const dir = tempDir();
    const { id } = placing(core, dir);
    expect(core.engine.pause([id])).toEqual([]);
    expect(core.engine.cancel([id])).toEqual([]);
    expect(core.engine.pauseAll()).toEqual([]);
    expect(core.engine.cancelAll()).toEqual([]);
    expect(core.queue.get(id)).toMatchObject({ state: 'active', placing: path.join(dir, 'a.bin') });
    expect(fs.readdirSync(dir)).toEqual(['a.bin.cartage-part']);
  });
});
