import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../main/core/secrets.js';
import { connectImmich, parseImmichAddress } from '../../main/core/sources/immich-connect.js';
import { ImmichSource } from '../../main/core/sources/immich.js';
import { filesOfRef } from '../../main/core/sources/refs.js';
import { sourceRefOf } from '../../main/core/sources/registry.js';
import type { RemoteFile } from '../../main/core/sources/types.js';
import { Core } from '../../main/core/core.js';
import { bytes, listDir, settledAll, tempDir } from '../helpers/core.js';
import { startImmich, type FakeAsset, type FakeImmich } from '../helpers/immich-server.js';

const id = (): string => randomUUID();
const ids = { photo: id(), live: id(), motion: id(), video: id(), trashed: id(), offline: id(), archived: id(), trip: id(), shared: id(), both: id() };
const data = {
  photo: bytes(30_000, 1),
  live: bytes(20_000, 2),
  motion: bytes(50_000, 3),
  video: bytes(70_000, 4),
};
const assets: FakeAsset[] = [
  { id: ids.photo, originalFileName: 'IMG_0001.JPG', bytes: data.photo, fileCreatedAt: '2024-05-03T10:00:00.000Z', isFavorite: true, originalPath: '/photos/2024/IMG_0001.JPG' },
  { id: ids.live, originalFileName: 'IMG_0002.HEIC', bytes: data.live, fileCreatedAt: '2024-05-04T10:00:00.000Z', livePhotoVideoId: ids.motion, originalPath: '/photos/2024/IMG_0002.HEIC' },
  { id: ids.motion, originalFileName: 'IMG_0002.MOV', bytes: data.motion, fileCreatedAt: '2024-05-04T10:00:00.000Z', originalPath: '/photos/2024/IMG_0002.MOV' },
  { id: ids.video, originalFileName: 'VID_0003.MP4', bytes: data.video, fileCreatedAt: '2024-06-10T10:00:00.000Z', originalPath: '/photos/2024/06/VID_0003.MP4' },
  { id: ids.trashed, originalFileName: 'OLD.JPG', bytes: bytes(1000, 5), fileCreatedAt: '2024-05-05T10:00:00.000Z', isTrashed: true },
  { id: ids.offline, originalFileName: 'NAS.JPG', bytes: bytes(1000, 6), fileCreatedAt: '2024-05-06T10:00:00.000Z', isOffline: true, libraryId: id(), originalPath: '/mnt/nas/NAS.JPG' },
  { id: ids.archived, originalFileName: 'ARCH.JPG', bytes: bytes(1000, 7), fileCreatedAt: '2024-05-07T10:00:00.000Z', visibility: 'archive' },
];
const albums = [
  { id: ids.trip, albumName: 'Trip', assetIds: [ids.photo, ids.live, ids.video] },
  { id: ids.both, albumName: 'Owned and shared', assetIds: [ids.photo], ownedAndShared: true },
];
const sharedLinks = [
  { key: 'open-key', allowDownload: true, albumId: ids.trip },
  { key: 'closed-key', allowDownload: false, assetIds: [ids.photo] },
];

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('base64');
const servers: FakeImmich[] = [];
let v2: FakeImmich;
let v3: FakeImmich;

beforeAll(async () => {
  [v2, v3] = await Promise.all([
    startImmich({ version: 2, assets, albums, sharedLinks }),
    startImmich({ version: 3, assets, albums, sharedLinks }),
  ]);
  servers.push(v2, v3);
});
afterEach(() => {
  for (const s of servers) expect(s.violations()).toEqual([]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

function source(server: FakeImmich, auth: { apiKey: string } | { shareKey: string } = { apiKey: server.apiKey }): ImmichSource {
  return new ImmichSource({ webUrl: server.url, apiUrl: server.apiUrl, auth: () => Promise.resolve(auth) });
}

async function all(files: AsyncIterable<RemoteFile>): Promise<RemoteFile[]> {
  const out: RemoteFile[] = [];
  for await (const f of files) out.push(f);
  return out;
}

describe.each([
  [2, () => v2],
  [3, () => v3],
] as const)('connecting to Immich v%s', (major, server) => {
  it('finds the API through /.well-known/immich, checks ping and version, and says who is signed in', async () => {
    const c = await connectImmich(parseImmichAddress(server().url), { apiKey: server().apiKey });
    expect(c).toMatchObject({ apiUrl: server().apiUrl, version: { major }, user: { name: 'Test User', email: 'test@example.com' }, sharedLink: null });
    expect(server().requests().some((r) => r.path === '/.well-known/immich')).toBe(true);
  });

  it('refuses a bad key with what to do', async () => {
    await expect(connectImmich(parseImmichAddress(server().url), { apiKey: 'wrong' })).rejects.toThrow(
      /refused the API key \(401\): create a new key in Immich \(Account settings, API keys\)/,
    );
  });
});

describe('connecting to what is not Immich', () => {

  it('says a server that is down, or is not Immich, is not usable', async () => {
    await expect(connectImmich(parseImmichAddress('http://127.0.0.1:9'), { apiKey: 'k' })).rejects.toThrow(/refused the connection/);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<html>hello</html>');
    const { startNginx } = await import('../helpers/nginx.js');
    const nginx = await startNginx(dir);
    try {
      await expect(connectImmich(parseImmichAddress(nginx.url('')), { apiKey: 'k' })).rejects.toThrow(/does not answer like an Immich server/);
    } finally {
      await nginx.stop();
    }
  });
});

describe.each([
  ['v2', () => v2],
  ['v3', () => v3],
])('browsing an Immich %s library', (version, server) => {
  it('lists albums, owned and shared, once each, with their counts', async () => {
    const listing = await source(server()).list('albums');
    expect(listing.folders.map((f) => [f.name, f.count])).toEqual([
      ['Owned and shared', 1],
      ['Trip', 3],
    ]);
  });

  it('lists an album: a live photo is one item of two parts with one stem, and checksums come along', async () => {
    const listing = await source(server()).list(`albums/${ids.trip}`);
    const byName = new Map(listing.files.map((f) => [f.name, f]));
    expect([...byName.keys()].sort()).toEqual(['IMG_0001.JPG', 'IMG_0002.HEIC', 'VID_0003.MP4']);
    const live = byName.get('IMG_0002.HEIC')!;
    expect(live).toMatchObject({ group: 'livephoto', size: 20_000, checksum: { algo: 'sha1-base64', value: sha1(data.live) } });
    expect(live.motion).toMatchObject({ id: ids.motion, name: 'IMG_0002.MOV', size: 50_000, checksum: { value: sha1(data.motion) } });
    expect(byName.get('IMG_0001.JPG')).toMatchObject({ size: 30_000, access: { downloadable: true }, takenAt: new Date('2024-05-03T10:00:00.000Z') });
    const summary = await source(server()).summary(`albums/${ids.trip}`);
    expect(summary).toEqual({ folder: `albums/${ids.trip}`, files: 3, bytes: 30_000 + 20_000 + 50_000 + 70_000, unknownSizes: 0 });
    if (version === 'v3') {
      // v3 dropped the album's assets from GET /albums/{id}: the album is listed with a search.
      expect(server().requests().some((r) => r.path === '/api/search/metadata' && JSON.stringify(r.body).includes(ids.trip))).toBe(true);
    }
  });

  it('searches with filters; trashed and offline files are listed as not downloadable, with the reason', async () => {
    const s = source(server());
    expect((await all(s.query('type=video'))).map((f) => f.name)).toEqual(['VID_0003.MP4']);
    expect((await all(s.query('favorite=true'))).map((f) => f.name)).toEqual(['IMG_0001.JPG']);
    expect((await all(s.query('archived=only'))).map((f) => f.name)).toEqual(['ARCH.JPG']);
    const may = await all(s.query('after=2024-05-01&before=2024-05-31&trashed=include'));
    const names = may.map((f) => f.name).sort();
    expect(names).toEqual(['IMG_0001.JPG', 'IMG_0002.HEIC', 'NAS.JPG', 'OLD.JPG']);
    expect(may.find((f) => f.name === 'OLD.JPG')!.access).toMatchObject({ downloadable: false, restriction: 'trashed' });
    const offline = may.find((f) => f.name === 'NAS.JPG')!;
    expect(offline.access).toMatchObject({ downloadable: false, restriction: 'offline' });
    // External-library checksums are not of the content: none is given to the engine.
    expect(offline.checksum).toBeNull();
  });

  it('browses the folder view and the timeline by month', async () => {
    const s = source(server());
    expect((await s.list('')).folders.map((f) => f.path)).toEqual(['albums', 'folders', 'timeline']);
    const photos = await s.list('folders/photos/2024');
    expect(photos.folders.map((f) => f.name)).toEqual(['06']);
    expect(photos.files.map((f) => f.name).sort()).toEqual(['IMG_0001.JPG', 'IMG_0002.HEIC']);
    const months = await s.list('timeline');
    expect(months.folders.map((f) => f.name)).toContain('2024-05');
    const june = await s.list('timeline/2024-06');
    expect(june.files.map((f) => f.name)).toEqual(['VID_0003.MP4']);
    await expect(s.list('timeline/2024-13')).rejects.toThrow(/is not a month/);
    await expect(s.list('nowhere')).rejects.toThrow(/its folders are albums, folders and timeline/);
  });
});

describe('the timeline near the end of a month', () => {
  it('puts each photo in the month of the clock where it was taken, as the timeline counts it', async () => {
    const server = await startImmich({
      assets: [
        // 1 July, 08:30 in Tokyo: still 30 June in UTC.
        { originalFileName: 'tokyo.jpg', bytes: bytes(100, 1), fileCreatedAt: '2024-06-30T23:30:00.000Z', utcOffsetMinutes: 540 },
        // 30 June, 20:00 in Honolulu: already 1 July in UTC.
        { originalFileName: 'honolulu.jpg', bytes: bytes(110, 2), fileCreatedAt: '2024-07-01T06:00:00.000Z', utcOffsetMinutes: -600 },
        { originalFileName: 'london.jpg', bytes: bytes(120, 3), fileCreatedAt: '2024-06-15T12:00:00.000Z', utcOffsetMinutes: 60 },
        // Kiritimati (UTC+14) and Baker Island (UTC-12), at the edges of the widened search.
        { originalFileName: 'kiritimati.jpg', bytes: bytes(130, 4), fileCreatedAt: '2024-05-31T10:00:00.000Z', utcOffsetMinutes: 840 },
        { originalFileName: 'baker.jpg', bytes: bytes(140, 5), fileCreatedAt: '2024-07-01T11:59:00.000Z', utcOffsetMinutes: -720 },
      ],
    });
    servers.push(server);
    const s = source(server);
    const months = (await s.list('timeline')).folders.map((f) => [f.name, f.count]);
    expect(months).toEqual([
      ['2024-07', 1],
      ['2024-06', 4],
    ]);
    expect((await s.list('timeline/2024-06')).files.map((f) => f.name).sort()).toEqual(['baker.jpg', 'honolulu.jpg', 'kiritimati.jpg', 'london.jpg']);
    expect((await s.list('timeline/2024-07')).files.map((f) => f.name)).toEqual(['tokyo.jpg']);
    expect((await s.list('timeline/2024-05')).files).toEqual([]);
  });
});

describe('searching a large library', () => {
  it('pages through every result, 1,000 at a time, until nextPage is null', async () => {
    const many: FakeAsset[] = Array.from({ length: 2_345 }, (_, i) => ({
      originalFileName: `IMG_${String(i).padStart(5, '0')}.JPG`,
      bytes: Buffer.from(`asset ${i}`),
      fileCreatedAt: new Date(Date.UTC(2023, 0, 1) + i * 60_000).toISOString(),
    }));
    const big = await startImmich({ assets: many });
    servers.push(big);
    const files = await all(source(big).query(''));
    expect(files).toHaveLength(2_345);
    expect(new Set(files.map((f) => f.id)).size).toBe(2_345);
    const pages = big.requests().filter((r) => r.path === '/api/search/metadata').map((r) => (r.body as { page: number; size: number }));
    expect(pages).toEqual([
      expect.objectContaining({ page: 1, size: 1000 }),
      expect.objectContaining({ page: 2, size: 1000 }),
      expect.objectContaining({ page: 3, size: 1000 }),
    ]);
  });
});

describe.each([
  ['v2', () => v2],
  ['v3', () => v3],
] as const)('shared links (%s)', (_v, server) => {
  it('browses a link that does not allow downloads, and its files say so', async () => {
    const address = parseImmichAddress(`${server().url}/share/closed-key`);
    expect(address.share).toEqual({ key: 'closed-key' });
    const c = await connectImmich(address, { shareKey: 'closed-key' });
    expect(c.sharedLink).toMatchObject({ allowDownload: false, type: 'INDIVIDUAL', files: 1 });
    const listing = await source(server(), { shareKey: 'closed-key' }).list('');
    expect(listing.files.map((f) => [f.name, f.access.restriction])).toEqual([['IMG_0001.JPG', 'not_allowed']]);
    expect(listing.files[0]!.access.reason).toMatch(/does not allow downloads/);
    // The key travels in a header, never in a URL that could be logged or stored.
    expect(server().requests().filter((r) => r.headers['x-immich-share-key'] === 'closed-key').every((r) => !('key' in r.query))).toBe(true);
  });

  it('lists an album link that allows downloads', async () => {
    const listing = await source(server(), { shareKey: 'open-key' }).list('');
    expect(listing.files.map((f) => f.name).sort()).toEqual(['IMG_0001.JPG', 'IMG_0002.HEIC', 'VID_0003.MP4']);
    expect(listing.files.every((f) => f.access.downloadable)).toBe(true);
  });

  it('refuses a link that is gone', async () => {
    await expect(connectImmich(parseImmichAddress(`${server().url}/share/nope`), { shareKey: 'nope' })).rejects.toThrow(/is not valid any more/);
  });
});

describe('downloading from a stored Immich source', () => {
  it('keeps the key out of the database, and downloads a live photo as both parts, checksums verified', async () => {
    const dataDir = tempDir();
    const secrets = new MemorySecretStore();
    const core = new Core({ dataDir, secrets, engine: { random: () => 0.5 } });
    try {
      const { record, immich } = await core.sources.add({ kind: 'immich', url: v3.url, apiKey: v3.apiKey, name: 'photos' });
      expect(immich?.user?.name).toBe('Test User');
      const dir = tempDir();
      const specs = [];
      for await (const { source: s, file } of filesOfRef({ kind: 'path', source: 'photos', path: `albums/${ids.trip}` }, core.sources)) {
        for (const part of file.motion ? [file, file.motion] : [file]) {
          specs.push({ url: (await s.resolve(part)).url, dir, name: part.name, sourceRef: sourceRefOf(record, part.id), ...(part.checksum ? { checksum: part.checksum } : {}) });
        }
      }
      expect(specs.map((s) => s.url).every((u) => !u.includes(v3.apiKey))).toBe(true);
      core.startEngine();
      const done = await settledAll(core.engine, core.engine.add(specs));
      expect(done.map((t) => t.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
      expect(listDir(dir)).toEqual(['IMG_0001.JPG', 'IMG_0002.HEIC', 'IMG_0002.MOV', 'VID_0003.MP4']);
      expect(fs.readFileSync(path.join(dir, 'IMG_0002.MOV')).equals(data.motion)).toBe(true);
      const downloads = v3.requests().filter((r) => r.path.endsWith('/original'));
      expect(downloads.every((r) => r.headers['x-api-key'] === v3.apiKey)).toBe(true);
    } finally {
      await core.close();
    }
    const db = fs.readFileSync(path.join(dataDir, 'cartage.db')).toString('latin1');
    expect(db.includes(v3.apiKey)).toBe(false);
  });
});

describe('cartage source add immich, ls and get', () => {
  it('adds a server with a key file, lists its albums, and gets an album', async () => {
    const { cartage } = await import('../helpers/cli.js');
    const dataDir = tempDir();
    const keyFile = path.join(tempDir(), 'key');
    fs.writeFileSync(keyFile, `${v2.apiKey}\n`);
    const add = await cartage(['source', 'add', 'immich', v2.url, '--api-key-file', keyFile, '--name', 'photos', '--data-dir', dataDir]);
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain('signed in as Test User <test@example.com> (Immich 2.');
    const ls = await cartage(['ls', 'photos:albums', '--data-dir', dataDir]);
    expect(ls.stdout).toMatch(/Trip\/ +\(3 files\) +-> +photos:albums\//);
    const dir = tempDir();
    const get = await cartage(['get', `photos:albums/${ids.trip}`, '--dir', dir, '--data-dir', dataDir]);
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(listDir(dir)).toEqual(['IMG_0001.JPG', 'IMG_0002.HEIC', 'IMG_0002.MOV', 'VID_0003.MP4']);
    const search = await cartage(['search', 'photos', '--type', 'video', '--json', '--data-dir', dataDir]);
    expect((JSON.parse(search.stdout) as { files: { name: string }[] }).files.map((f) => f.name)).toEqual(['VID_0003.MP4']);
  });

  it('refuses a bad key and saves nothing', async () => {
    const { cartage } = await import('../helpers/cli.js');
    const dataDir = tempDir();
    const r = await cartage(['source', 'add', 'immich', v2.url, '--api-key-env', 'IMMICH_KEY', '--data-dir', dataDir], { env: { IMMICH_KEY: 'wrong' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused the API key (401)');
    const ls = await cartage(['source', 'ls', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(ls.stdout)).toEqual({ sources: [] });
  });
});

describe('names an Immich server should not send', () => {
  it('are made safe, and downloads land inside the target folder', async () => {
    const evil = ['../../escape.jpg', 'a/b\\c.jpg', `bell\u0007\ttab.jpg`, `${'é'.repeat(150)}.jpg`];
    const server = await startImmich({ assets: evil.map((name, i) => ({ originalFileName: name, bytes: bytes(100 + i, i) })) });
    servers.push(server);
    const files = await all(source(server).query(''));
    for (const f of files) {
      expect(f.name).not.toMatch(/[/\\]/);
      expect([...f.name].some((c) => c.charCodeAt(0) < 32)).toBe(false);
      expect(f.name).not.toMatch(/^\.\.?$/);
      expect(Buffer.byteLength(f.name)).toBeLessThanOrEqual(255);
    }
    const dir = tempDir();
    const core = new Core({ dataDir: tempDir(), secrets: new MemorySecretStore(), engine: { headersFor: () => ({ 'x-api-key': server.apiKey }) } });
    try {
      core.startEngine();
      const s = source(server);
      const done = await settledAll(
        core.engine,
        core.engine.add(await Promise.all(files.map(async (f) => ({ url: (await s.resolve(f)).url, dir, name: f.name, checksum: f.checksum! })))),
      );
      expect(done.map((t) => t.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    } finally {
      await core.close();
    }
    expect(fs.existsSync(path.join(dir, '..', 'escape.jpg'))).toBe(false);
    expect(listDir(dir).sort()).toEqual(files.map((f) => f.name).sort());
  });
});

describe('a live photo whose video the server will not describe', () => {
  it('still has its second part, with its size unknown and its name from the image', async () => {
    const ghost = '7d3f0c2e-5555-4a1b-9c8d-0123456789ab';
    const server = await startImmich({ assets: [{ originalFileName: 'IMG_7.HEIC', bytes: bytes(1000, 1), livePhotoVideoId: ghost }] });
    servers.push(server);
    const [file] = await all(source(server).query(''));
    expect(file).toMatchObject({ name: 'IMG_7.HEIC', group: 'livephoto', motion: { id: ghost, name: 'IMG_7.MOV', size: null, checksum: null } });
  });
});
