// Immich previews through the contract: main fetches GET /assets/{id}/thumbnail with the source's
// key (in a header, never in the address) and hands the page a data: URL with no key in it.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AddedSourceDto } from '../../preload/api.js';
import { Service } from '../../main/core/service/service.js';
import { bytes, tempDir, testCores } from '../helpers/core.js';
import { startImmich, type FakeImmich } from '../helpers/immich-server.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

const photo = randomUUID();
let immich: FakeImmich;
let nginx: Nginx;
const cores = testCores();

beforeAll(async () => {
  immich = await startImmich({ assets: [{ id: photo, originalFileName: 'IMG_0001.JPG', bytes: bytes(30_000, 1), fileCreatedAt: '2024-05-03T10:00:00.000Z' }] });
  nginx = await startNginx(tempDir());
});
afterEach(async () => {
  await cores.closeAll();
});
afterAll(async () => {
  await immich.stop();
  await nginx.stop();
});

describe('Immich thumbnails', () => {
  it('are fetched by main with the key in a header and reach the page as a data: URL without it', async () => {
    const service = new Service(cores.make(), { host: 'serve', version: 'test' });
    const added = await service.handle('sources.add', { kind: 'immich', url: immich.url, apiKey: immich.apiKey, name: 'photos' });
    expect(added.ok).toBe(true);
    const sourceId = added.ok ? (added.value as AddedSourceDto).source.id : 0;
    const answer = await service.handle('sources.thumbnail', { sourceId, fileId: photo });
    expect(answer).toEqual({ ok: true, value: { dataUrl: expect.stringMatching(/^data:image\/png;base64,iVBORw0KGgo/) } });
    expect(JSON.stringify(answer)).not.toContain(immich.apiKey);
    const asked = immich.requests().filter((r) => r.path.endsWith('/thumbnail'));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ path: `/api/assets/${photo}/thumbnail`, query: { size: 'thumbnail' }, headers: { 'x-api-key': immich.apiKey } });
    expect(immich.violations()).toEqual([]);
  });

  it('say clearly when the asset is gone, or the source has no previews, and change nothing', async () => {
    const core = cores.make();
    const service = new Service(core, { host: 'serve', version: 'test' });
    const added = await service.handle('sources.add', { kind: 'immich', url: immich.url, apiKey: immich.apiKey, name: 'photos' });
    const sourceId = added.ok ? (added.value as AddedSourceDto).source.id : 0;
    const before = core.sources.list();
    expect(await service.handle('sources.thumbnail', { sourceId, fileId: randomUUID() })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'not_found', message: expect.stringMatching(/^Immich has no preview of asset [0-9a-f-]+ \(400\): it may have been deleted\.$/) }),
    });
    const web = await service.handle('sources.add', { kind: 'web', url: nginx.url(''), name: 'www' });
    const webId = web.ok ? (web.value as AddedSourceDto).source.id : 0;
    expect(await service.handle('sources.thumbnail', { sourceId: webId, fileId: 'a.jpg' })).toEqual({
      ok: false,
      // A web folder's images are shown only when Settings asks (each one is downloaded).
      error: expect.objectContaining({ code: 'bad_input', message: 'Previews of the images on www are off: turn on "Show previews of images" in Settings to see them (each one is downloaded).' }),
    });
    expect(core.sources.list().filter((s) => s.name === 'photos')).toEqual(before);
  });
});
