import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MirrorDto, MirrorRunDto } from '../../preload/api.js';
import { Service } from '../../main/core/service/service.js';
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

    // An edit of the schedule, sidecars and deletions keeps the mirror, its records and its report.
    const edited = await service.handle('mirrors.update', { id, everyHours: null, sidecars: true, applyDeletions: true });
    expect(edited).toMatchObject({ ok: true, value: { id, everyMs: null, nextRunAt: null, sidecars: true, applyDeletions: true, lastRun: { state: 'completed', newFiles: 2 } } });
    const files = core.db.prepare('SELECT count(*) FROM mirror_files WHERE mirror_id = ?').pluck().get(id);
    expect(files).toBe(2);
    // A bad edit is refused and changes nothing; what it copies and where are not editable.
    const before2 = core.db.prepare('SELECT * FROM mirrors WHERE id = ?').get(id);
    expect(await service.handle('mirrors.update', { id, everyHours: 0.001 })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await service.handle('mirrors.update', { id, dir: '/elsewhere' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await service.handle('mirrors.update', { id: 999, sidecars: false })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(core.db.prepare('SELECT * FROM mirrors WHERE id = ?').get(id)).toEqual(before2);
    service.close();
  });
});
