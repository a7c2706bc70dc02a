// What changed between Immich v2 and v3.2, and what real servers do that the happy path does not:
// album links, links hiding their metadata, cursors, albums shared by others, key permissions and
// v3's error bodies. Each runs against the fake v2 and v3 where both apply.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { got } from 'got';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { MemorySecretStore } from '../../main/core/secrets.js';
import { ImmichApi, searchSchema } from '../../main/core/sources/immich-api.js';
import { connectImmich, parseImmichAddress } from '../../main/core/sources/immich-connect.js';
import { messageOf } from '../../main/core/sources/immich-errors.js';
import { ImmichSource, type ImmichOptions } from '../../main/core/sources/immich.js';
import { sourceRefOf } from '../../main/core/sources/registry.js';
import { bytes, listDir, settled, tempDir } from '../helpers/core.js';
import { FRIEND_USER, startImmich, type FakeAsset, type FakeImmich } from '../helpers/immich-server.js';

const ids = { photo: randomUUID(), video: randomUUID(), friends: randomUUID(), trip: randomUUID(), fromFriend: randomUUID() };
const assets: FakeAsset[] = [
  { id: ids.photo, originalFileName: 'IMG_0001.JPG', bytes: bytes(3000, 1), fileCreatedAt: '2024-05-03T10:00:00.000Z' },
  { id: ids.video, originalFileName: 'VID_0002.MP4', bytes: bytes(5000, 2), fileCreatedAt: '2024-05-04T10:00:00.000Z' },
  { id: ids.friends, originalFileName: 'FRIEND.JPG', bytes: bytes(2000, 3), fileCreatedAt: '2024-05-05T10:00:00.000Z', ownerId: FRIEND_USER.id },
];
const albums = [
  { id: ids.trip, albumName: 'Trip', assetIds: [ids.photo, ids.video] },
  { id: ids.fromFriend, albumName: 'From a friend', assetIds: [ids.friends], shared: true },
];
const sharedLinks = [
  { key: 'trip-key', allowDownload: true, albumId: ids.trip },
  { key: 'hidden-album-key', allowDownload: true, albumId: ids.trip, showMetadata: false },
  { key: 'hidden-key', allowDownload: true, assetIds: [ids.photo, ids.video], showMetadata: false },
  { key: 'closed-key', allowDownload: false, albumId: ids.trip },
];

const servers: FakeImmich[] = [];
async function immich(version: 2 | 3, extra: { minor?: number; permissions?: string[] } = {}): Promise<FakeImmich> {
  const s = await startImmich({ version, assets, albums, sharedLinks, ...extra });
  servers.push(s);
  return s;
}
afterEach(() => {
  for (const s of servers) expect(s.violations()).toEqual([]);
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function source(server: FakeImmich, auth: { apiKey: string } | { shareKey: string } = { apiKey: server.apiKey }, extra: Partial<ImmichOptions> = {}): ImmichSource {
  return new ImmichSource({ webUrl: server.url, apiUrl: server.apiUrl, auth: () => Promise.resolve(auth), ...extra });
}

const searches = (s: FakeImmich) => s.requests().filter((r) => r.path === '/api/search/metadata');

describe.each([2, 3] as const)('an album shared by link, on v%s', (version) => {
  it('lists every file of the album, checksums included', async () => {
    const s = await immich(version);
    const files = (await source(s, { shareKey: 'trip-key' }).list('')).files;
    expect(files.map((f) => f.name).sort()).toEqual(['IMG_0001.JPG', 'VID_0002.MP4']);
    expect(files.every((f) => f.checksum?.algo === 'sha1-base64')).toBe(true);
    // v3 has the album's files only through a search with the link's key.
    expect(searches(s).length > 0).toBe(version === 3);
  });

  it('lists a link that hides its metadata: names from the id and type, no checksum, and says so', async () => {
    const s = await immich(version);
    const files = (await source(s, { shareKey: 'hidden-key' }).list('')).files;
    expect(files.map((f) => f.name).sort()).toEqual([`${ids.photo}.jpg`, `${ids.video}.mp4`].sort());
    expect(files.map((f) => [f.checksum ?? null, f.takenAt ?? null])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(files[0]!.metadata?.note).toMatch(/hides its metadata .*no checksum to verify it against, and its dates are unknown/);
    // Nothing more to learn from GET /assets/ID through such a link: not asked once per file.
    expect(s.requests().filter((r) => r.path.startsWith('/api/assets/')).length).toBe(0);
    if (version === 3) {
      const album = (await source(s, { shareKey: 'hidden-album-key' }).list('')).files;
      expect(album.map((f) => [f.name, f.checksum ?? null]).sort()).toEqual([[`${ids.photo}.jpg`, null], [`${ids.video}.mp4`, null]].sort());
    }
  });
});

/** A server whose searches answer nothing (as v3 did for albums before Cartage searched them right). */
const emptySearches = got.extend({
  throwHttpErrors: false,
  hooks: {
    afterResponse: [
      (res) => {
        if (!res.url.endsWith('/search/metadata')) return res;
        const body = JSON.parse(String(res.body)) as { assets: { items: unknown[]; nextCursor: unknown; nextPage: unknown } };
        Object.assign(body.assets, { items: [], nextCursor: null, nextPage: null });
        res.body = JSON.stringify(body);
        return res;
      },
    ],
  },
});

describe('a listing Immich counts files in but returns empty', () => {
  it('is refused with the count, not taken as an empty album: a shared album, and an album of yours', async () => {
    const s = await immich(3);
    await expect(source(s, { shareKey: 'trip-key' }, { http: emptySearches }).list('')).rejects.toThrow(
      /Immich counts 2 files in the shared album "Trip" but listed none; Cartage does not take that as an empty album/,
    );
    await expect(source(s, { apiKey: s.apiKey }, { http: emptySearches }).list(`albums/${ids.trip}`)).rejects.toThrow(/Immich counts 2 files in the album "Trip" but listed none/);
  });
});

describe('searches by version', () => {
  it('asks v3.2 with a filter and a cursor, and v2 with flat fields and pages', async () => {
    const [two, three] = await Promise.all([immich(2), immich(3)]);
    for (const s of [two, three]) {
      const files = [];
      for await (const f of source(s).query('after=2024-05-01&type=image')) files.push(f.name);
      expect(files).toEqual(['IMG_0001.JPG']);
    }
    const v2Body = searches(two)[0]!.body as Record<string, unknown>;
    expect(v2Body).toMatchObject({ page: 1, type: 'IMAGE', visibility: 'timeline' });
    const v3Body = searches(three)[0]!.body as Record<string, unknown>;
    expect(v3Body).toMatchObject({ filter: { type: { eq: 'IMAGE' }, visibility: { eq: 'timeline' }, takenAt: { gte: '2024-05-01T00:00:00.000Z' } } });
    expect(['page', 'type', 'visibility', 'takenAfter'].filter((k) => k in v3Body)).toEqual([]);
  });

  it('follows nextCursor page after page on v3.2', async () => {
    const many: FakeAsset[] = Array.from({ length: 2_050 }, (_, i) => ({ originalFileName: `P_${i}.JPG`, bytes: Buffer.from([i % 256]), fileCreatedAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() }));
    const s = await startImmich({ version: 3, assets: many });
    servers.push(s);
    let n = 0;
    for await (const _f of source(s).query('')) n += 1;
    expect(n).toBe(2_050);
    const bodies = searches(s).map((r) => r.body as Record<string, unknown>);
    expect(bodies.map((b) => typeof b.cursor)).toEqual(['undefined', 'string', 'string']);
  });

  it('stores the version when the source is added, and asks again when a search is refused after a downgrade', async () => {
    const s = await immich(3, { minor: 2 });
    const core = new Core({ dataDir: tempDir(), secrets: new MemorySecretStore() });
    try {
      const { record } = await core.sources.add({ kind: 'immich', url: s.url, apiKey: s.apiKey, name: 'photos' });
      expect(record.serverVersion).toBe('3.2.2');
      s.setMinor(0);
      const names = [];
      for await (const f of core.sources.source(record).query('type=video')) names.push(f.name);
      expect(names).toEqual(['VID_0002.MP4']);
      expect(core.sources.get('photos').serverVersion).toBe('3.0.0');
      // The refused search, then the version, then the same search the 3.0 way.
      const bodies = searches(s).map((r) => r.body as Record<string, unknown>);
      expect(bodies.map((b) => ('filter' in b ? 'filter' : 'flat'))).toEqual(['filter', 'flat']);
    } finally {
      await core.close();
    }
  });
});

describe('albums shared with you by others, on v3', () => {
  it('are listed with your own from one call, and their files come from search', async () => {
    const s = await immich(3);
    const src = source(s);
    const folders = (await src.list('albums')).folders;
    expect(folders.map((f) => [f.name, f.count])).toEqual([
      ['From a friend', 1],
      ['Trip', 2],
    ]);
    expect(s.requests().filter((r) => r.path === '/api/albums').map((r) => r.query)).toEqual([{}]);
    const files = (await src.list(`albums/${ids.fromFriend}`)).files;
    expect(files.map((f) => [f.name, f.access.downloadable])).toEqual([['FRIEND.JPG', true]]);
  });
});

describe.each([2, 3] as const)('an API key without a permission, on v%s', (version) => {
  it('is refused when the source is added, naming the permission', async () => {
    const s = await immich(version, { permissions: ['user.read', 'album.read', 'asset.read', 'folder.read'] });
    await expect(connectImmich(parseImmichAddress(s.url), { apiKey: s.apiKey })).rejects.toThrow(
      /^The API key for the Immich server at 127\.0\.0\.1:\d+ lacks the permission "asset\.download": allow it on the key in Immich \(Account settings, API keys\), or create a key that has it\.$/,
    );
  });

  it('is refused by cartage source add in one line, and nothing is saved', async () => {
    const s = await immich(version, { permissions: ['user.read', 'asset.read', 'asset.download'] });
    const { cartage } = await import('../helpers/cli.js');
    const dataDir = tempDir();
    const r = await cartage(['source', 'add', 'immich', s.url, '--api-key-env', 'IMMICH_KEY', '--data-dir', dataDir], { env: { IMMICH_KEY: s.apiKey } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/lacks the permissions "album\.read", "folder\.read": allow them on the key in Immich/)]);
    expect(JSON.parse((await cartage(['source', 'ls', '--json', '--data-dir', dataDir])).stdout)).toEqual({ sources: [] });
  });

  it('without asset.download, lists its files as not downloadable, naming the permission', async () => {
    const s = await immich(version, { permissions: ['user.read', 'album.read', 'asset.read', 'folder.read'] });
    const files = (await source(s).list(`albums/${ids.trip}`)).files;
    expect(files.map((f) => [f.name, f.access.restriction])).toEqual([
      ['VID_0002.MP4', 'needs_sign_in'],
      ['IMG_0001.JPG', 'needs_sign_in'],
    ]);
    expect(files[0]!.access.reason).toMatch(/lacks the permission "asset\.download": allow it on the key in Immich/);
    expect(s.requests().filter((r) => r.path.endsWith('/original'))).toEqual([]);
  });

  it('fails a download it may no longer make naming asset.download and where to allow it, and writes nothing', async () => {
    const permissions = ['all'];
    const s = await immich(version, { permissions });
    const dir = tempDir();
    const error = await refusedDownload(s.url, s.apiKey, dir, () => permissions.splice(0, permissions.length, 'user.read', 'album.read', 'asset.read'));
    expect(error).toMatch(
      /^127\.0\.0\.1:\d+ refused IMG_0001\.JPG \(403 Forbidden\)\. The API key for the Immich server at 127\.0\.0\.1:\d+ lacks the permission "asset\.download": allow it on the key in Immich \(Account settings, API keys\), or create a key that has it\.$/,
    );
    expect(listDir(dir)).toEqual([]);
  });

  it('is named at the call that needs it', async () => {
    const s = await immich(version, { permissions: ['asset.read'] });
    await expect(source(s).list('albums')).rejects.toThrow(/lacks the permission "album\.read", which \/albums needs: allow it on the key/);
  });
});

describe.each([2, 3] as const)('a shared link without downloads, on v%s', (version) => {
  it('fails a download naming the link\'s "Allow download", though Immich answers it 400, and writes nothing', async () => {
    const s = await immich(version);
    const dir = tempDir();
    const error = await refusedDownload(`${s.url}/share/closed-key`, undefined, dir);
    expect(error).toMatch(/^127\.0\.0\.1:\d+ refused IMG_0001\.JPG \(400 Bad Request\)\. The owner of this shared link does not allow downloads: ask them to turn on "Allow download"/);
    expect(listDir(dir)).toEqual([]);
  });
});

/** Adds the source, lets `change` happen (the key losing a permission), downloads IMG_0001.JPG into `dir` and returns the failed task's message. */
async function refusedDownload(url: string, apiKey: string | undefined, dir: string, change: () => void = () => {}): Promise<string | undefined> {
  const core = new Core({ dataDir: tempDir(), secrets: new MemorySecretStore(), engine: { random: () => 0.5 } });
  try {
    const { record } = await core.sources.add({ kind: 'immich', url, name: 'photos', ...(apiKey ? { apiKey } : {}) });
    change();
    core.startEngine();
    const asset = `${new URL(url).origin}/api/assets/${ids.photo}/original`;
    const [id] = core.engine.add([{ url: asset, dir, name: 'IMG_0001.JPG', sourceRef: sourceRefOf(record, ids.photo) }]);
    const task = await settled(core.engine, id!);
    expect([task.state, task.error?.code]).toEqual(['failed', 'auth']);
    return task.error?.message;
  } finally {
    await core.close();
  }
}

describe("v3's error bodies", () => {
  it('become a sentence with the server’s words and its correlation id, never [object Object]', async () => {
    const s = await startImmich({ version: 3, assets: [] });
    try {
      const api = new ImmichApi(s.apiUrl, () => Promise.resolve({ apiKey: s.apiKey }));
      const err = await api.call({ method: 'POST', path: '/search/metadata', json: { size: 5000 } }, searchSchema).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/^Immich refused \/search\/metadata \(400\)\. Immich said: size: .+\. \(Immich's correlation id: [0-9a-f]{16}\.\)$/);
      expect((err as Error).message).not.toMatch(/object Object/);
    } finally {
      await s.stop();
    }
  });

  it('are read whatever their shape: strings, arrays, zod issues', () => {
    expect(messageOf(JSON.stringify({ message: 'Validation failed', errors: [{ code: 'too_big', path: ['size'], message: 'Too big' }] }))).toBe('size: Too big');
    expect(messageOf(JSON.stringify({ message: [{ path: ['filter', 'takenAt'], message: 'Invalid date' }, 'page must be a number'] }))).toBe('filter.takenAt: Invalid date; page must be a number');
    expect(messageOf(JSON.stringify({ message: { nested: true } }))).toBe('{"nested":true}');
    expect(messageOf('<html>Bad gateway</html>')).toBe('<html>Bad gateway</html>');
  });
});

describe('a mirror whose listing comes back empty', () => {
  it('refuses in its report, and neither reports nor trashes anything as deleted', async () => {
    const s = await immich(3);
    const dataDir = tempDir();
    const trashed: string[] = [];
    const core = new Core({ dataDir, secrets: new MemorySecretStore(), engine: { random: () => 0.5 }, trash: (paths) => {
        trashed.push(...paths);
        return Promise.resolve();
      },
    });
    try {
      await core.sources.add({ kind: 'immich', url: s.url, apiKey: s.apiKey, name: 'photos' });
      const dir = tempDir();
      const m = core.mirrors.add({ ref: `photos:albums/${ids.trip}`, dir, layout: 'folders', applyDeletions: true });
      core.startEngine();
      const first = await core.mirrors.whenDone(await core.mirrors.run(m.id));
      expect(first).toMatchObject({ state: 'completed', newFiles: 2 });
      for (const id of [ids.photo, ids.video]) s.removeAsset(id);
      await expect(core.mirrors.run(m.id)).rejects.toThrow(/listed no files for this mirror, which holds 2 from earlier runs; an empty listing is not taken as everything deleted/);
      const report = core.mirrors.get(m.id).lastRun!;
      expect(report).toMatchObject({ state: 'failed', deleted: 0, error: expect.stringContaining('nothing was reported deleted or moved to the trash') });
      expect(trashed).toEqual([]);
      expect((fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile()).map((p) => path.basename(p)).sort()).toEqual(['IMG_0001.JPG', 'VID_0002.MP4']);
    } finally {
      await core.close();
    }
  });
});
