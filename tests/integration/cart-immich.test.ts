import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { MemorySecretStore } from '../../main/core/secrets.js';
import { bytes, listDir, tempDir } from '../helpers/core.js';
import { startImmich, type FakeImmich } from '../helpers/immich-server.js';

const live = randomUUID();
const motion = randomUUID();
const album = randomUUID();
const data = { live: bytes(20_000, 1), motion: bytes(40_000, 2), clip: bytes(30_000, 3) };
describe.each([2, 3] as const)('the download list with an Immich v%s library', (version) => {
  let immich: FakeImmich;
  const cores: Core[] = [];

  beforeAll(async () => {
    immich = await startImmich({
      version,
      assets: [
        { id: live, originalFileName: 'IMG_0002.HEIC', bytes: data.live, fileCreatedAt: '2024-05-04T10:00:00.000Z', livePhotoVideoId: motion },
        { id: motion, originalFileName: 'IMG_0002.MOV', bytes: data.motion, fileCreatedAt: '2024-05-04T10:00:00.000Z' },
        { originalFileName: 'CLIP.MP4', bytes: data.clip, fileCreatedAt: '2023-12-31T10:00:00.000Z' },
        { originalFileName: 'BIN.JPG', bytes: bytes(500, 4), fileCreatedAt: '2024-01-02T10:00:00.000Z', isTrashed: true },
      ],
      albums: [{ id: album, albumName: 'Trip', assetIds: [live] }],
    });
  });
  afterEach(async () => {
    expect(immich.violations()).toEqual([]);
    await Promise.all(cores.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await immich.stop();
  });

  async function coreWithPhotos(): Promise<Core> {
    const core = new Core({ dataDir: tempDir(), secrets: new MemorySecretStore(), engine: { random: () => 0.5 } });
    cores.push(core);
    await core.sources.add({ kind: 'immich', url: immich.url, apiKey: immich.apiKey, name: 'photos' });
    return core;
  }

  it('holds a live photo as one entry of two parts, and every match of a query', async () => {
    const core = await coreWithPhotos();
    expect((await core.cart.add([`photos:albums/${album}`])).added).toBe(1);
    const [entry] = core.cart.view().items;
    expect(entry).toMatchObject({ name: 'IMG_0002.HEIC', sourceName: 'photos', size: 60_000, motion: { name: 'IMG_0002.MOV', size: 40_000 } });
    const q = await core.cart.add(['photos?trashed=include']);
    expect(q).toMatchObject({ added: 2, alreadyThere: 1, restricted: 1 });
    const bin = core.cart.view().items.find((i) => i.name === 'BIN.JPG')!;
    expect(bin.access).toMatchObject({ downloadable: false, restriction: 'trashed' });
  });

  it('checks out by date into one zip: both parts of the live photo side by side, the trashed file left in the list', async () => {
    const core = await coreWithPhotos();
    await core.cart.add(['photos?trashed=include']);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId, plan } = core.checkout({ kind: 'zip', name: 'Library', dir, layout: 'date' });
    expect(plan).toMatchObject({ files: 2, bytes: 90_000, staying: [expect.objectContaining({ name: 'BIN.JPG' })] });
    const done = await core.deliveries.whenSettled(deliveryId);
    expect(done).toMatchObject({ state: 'completed', progress: { done: 2, failed: 0 } });
    const zip = path.join(dir, 'Library.zip');
    execFileSync('unzip', ['-tq', zip]);
    expect(execFileSync('unzip', ['-Z1', zip]).toString().split('\n').filter(Boolean).sort()).toEqual([
      '2023/2023-12/CLIP.MP4',
      '2024/2024-05/IMG_0002.HEIC',
      '2024/2024-05/IMG_0002.MOV',
    ]);
    const out = tempDir();
    execFileSync('unzip', ['-q', zip, '-d', out]);
    expect(fs.readFileSync(path.join(out, '2024/2024-05/IMG_0002.MOV')).equals(data.motion)).toBe(true);
    expect(core.cart.view().items.map((i) => i.name)).toEqual(['BIN.JPG']);
  });

  it('delivers files by date too', async () => {
    const core = await coreWithPhotos();
    await core.cart.add([`photos:albums/${album}`]);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'files', dir, layout: 'date' });
    await core.deliveries.whenSettled(deliveryId);
    expect(listDir(path.join(dir, '2024', '2024-05'))).toEqual(['IMG_0002.HEIC', 'IMG_0002.MOV']);
  });
});
