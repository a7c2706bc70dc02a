import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MirrorDto, MirrorRunDto } from '../../preload/api.js';
import { Service } from '../../main/core/service.js';
import { bytes, tempDir, testCores } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');
const cores = testCores();

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'photos'));
  fs.writeFileSync(path.join(root, 'photos', 'a.jpg'), bytes(5000, 1));
  fs.writeFileSync(path.join(root, 'photos', 'b.jpg'), bytes(6000, 2));
  nginx = await startNginx(root);
});
afterAll(async () => {
  await cores.closeAll();
  await nginx.stop();
});

describe('mirrors through the contract', () => {
  it('adds a mirror, runs it, reports the run as an event, and lists it with its report', async () => {
    const core = cores.make();
    core.startEngine();
    const service = new Service(core, { host: 'serve', version: 'test' });
    const added = await service.handle('sources.add', { kind: 'web', url: nginx.url(''), name: 'www' });
    expect(added.ok).toBe(true);
    const dir = tempDir();
    const before = core.db.prepare('SELECT count(*) FROM mirrors').pluck().get();
    const relative = await service.handle('mirrors.add', { ref: 'www:photos', dir: 'relative/dir', layout: 'folders' });
    expect(relative).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(core.db.prepare('SELECT count(*) FROM mirrors').pluck().get()).toBe(before);
    const m = await service.handle('mirrors.add', { ref: 'www:photos', dir, layout: 'folders', everyHours: 6 });
    expect(m).toMatchObject({ ok: true, value: { scope: 'www:photos', everyMs: 6 * 3_600_000 } });
    const id = (m as { value: MirrorDto }).value.id;
    const ended = new Promise<MirrorRunDto>((resolve) =>
      service.on((event, payload) => {
        if (event === 'mirrors.changed' && (payload as MirrorRunDto).state === 'completed') resolve(payload as MirrorRunDto);
      }),
    );
    const started = await service.handle('mirrors.run', { id });
    expect(started.ok).toBe(true);
    expect(await ended).toMatchObject({ mirrorId: id, newFiles: 2, failed: 0 });
    const list = await service.handle('mirrors.list', {});
    expect(list).toMatchObject({ ok: true, value: [{ id, lastRun: { state: 'completed', newFiles: 2 } }] });
    expect(fs.readdirSync(dir).sort()).toEqual(['a.jpg', 'b.jpg']);
    service.close();
  });
});
