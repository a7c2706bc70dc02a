import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddedSourceDto } from '../../preload/api.js';
import { Service } from '../../main/core/service/service.js';
import { bytes, tempDir, testCores } from '../helpers/core.js';
import { startApacheWebdav, type TestServer } from '../helpers/webdav-servers.js';

let dav: TestServer;
const root = tempDir('cartage-dav-');
const cores = testCores();

beforeAll(async () => {
  fs.writeFileSync(path.join(root, 'a.jpg'), bytes(3000, 1));
  dav = await startApacheWebdav(root, { user: 'ann', pass: 'first-pass' });
});
afterAll(async () => {
  await cores.closeAll();
  await dav.stop();
});

describe('editing a source', () => {
  it('keeps its id; a new password that does not work changes nothing', async () => {
    const core = cores.make();
    const service = new Service(core, { host: 'serve', version: 'test' });
    const added = (await service.handle('sources.add', { kind: 'webdav', url: dav.url, name: 'nas', username: 'ann', password: 'first-pass' })) as {
      ok: true;
      value: AddedSourceDto;
    };
    const id = added.value.source.id;
    await core.cart.add(['nas:a.jpg']);
    const wrong = await service.handle('sources.update', { id, password: 'not-it' });
    expect(wrong).toMatchObject({ ok: false });
    expect(await core.secrets.get(`source:${id}`)).toBe('first-pass');
    const renamed = await service.handle('sources.update', { id, name: 'home-nas', password: '' });
    expect(renamed).toMatchObject({ ok: true, value: { source: { id, name: 'home-nas', username: 'ann' } } });
    expect(await core.secrets.get(`source:${id}`)).toBe('first-pass');
    // The list entry still belongs to the source, under its new name.
    expect(core.cart.view().items).toEqual([expect.objectContaining({ name: 'a.jpg', sourceName: 'home-nas' })]);
    const listing = await service.handle('sources.browse', { sourceId: id, path: '' });
    expect(listing).toMatchObject({ ok: true, value: { files: [expect.objectContaining({ name: 'a.jpg' })] } });
    service.close();
  });
});
