import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FRIEND_USER, startImmich, type FakeAlbum, type FakeAsset, type FakeImmich, type FakeSharedLink } from '../helpers/immich-server.js';
import { checkRequest, checkResponse } from '../helpers/openapi.js';

const ID = {
  a1: '11111111-1111-4111-8111-111111111111',
  a2: '22222222-2222-4222-8222-222222222222',
  still: '33333333-3333-4333-8333-333333333333',
  motion: '44444444-4444-4444-8444-444444444444',
  video: '55555555-5555-4555-8555-555555555555',
  archived: '66666666-6666-4666-8666-666666666666',
  trashed: '77777777-7777-4777-8777-777777777777',
  offline: '88888888-8888-4888-8888-888888888888',
  external: '99999999-9999-4999-8999-999999999999',
  friends: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  trip: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  fromFriend: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
  family: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
  person: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee',
  library: 'ffffffff-ffff-4fff-8fff-ffffffffffff',
};
const bytes = (seed: string, n = 1000) => Buffer.from(seed.repeat(Math.ceil(n / seed.length)).slice(0, n));
const day = (d: string) => `${d}T12:00:00.000Z`;

const ASSETS: FakeAsset[] = [
  { id: ID.a1, originalFileName: 'IMG_0001.jpg', bytes: bytes('one'), originalPath: '/photos/2024/IMG_0001.jpg', fileCreatedAt: day('2024-03-01'), isFavorite: true, personIds: [ID.person] },
  { id: ID.a2, originalFileName: 'IMG_0002.jpg', bytes: bytes('two'), originalPath: '/photos/2024/IMG_0002.jpg', fileCreatedAt: day('2024-03-02') },
  { id: ID.still, originalFileName: 'IMG_0003.heic', bytes: bytes('still'), originalPath: '/photos/2024/IMG_0003.heic', fileCreatedAt: day('2024-02-10'), livePhotoVideoId: ID.motion },
  { id: ID.motion, originalFileName: 'IMG_0003.mov', bytes: bytes('motion'), originalPath: '/photos/2024/IMG_0003.mov', fileCreatedAt: day('2024-02-10') },
  { id: ID.video, originalFileName: 'VID_0004.mp4', bytes: bytes('video', 5000), originalPath: '/photos/2023/VID_0004.mp4', fileCreatedAt: day('2023-12-24') },
  { id: ID.archived, originalFileName: 'IMG_0005.jpg', bytes: bytes('arch'), originalPath: '/photos/2023/IMG_0005.jpg', fileCreatedAt: day('2023-11-05'), visibility: 'archive' },
  { id: ID.trashed, originalFileName: 'IMG_0006.jpg', bytes: bytes('trash'), fileCreatedAt: day('2023-10-01'), isTrashed: true },
  { id: ID.offline, originalFileName: 'IMG_0007.jpg', bytes: bytes('off'), originalPath: '/mnt/nas/IMG_0007.jpg', fileCreatedAt: day('2023-09-01'), isOffline: true, libraryId: ID.library },
  { id: ID.external, originalFileName: 'IMG_0008.jpg', bytes: bytes('ext'), originalPath: '/mnt/nas/IMG_0008.jpg', fileCreatedAt: day('2023-08-01'), libraryId: ID.library },
  { id: ID.friends, originalFileName: 'FRIEND_1.jpg', bytes: bytes('friend'), originalPath: '/friend/FRIEND_1.jpg', fileCreatedAt: day('2024-01-20'), ownerId: FRIEND_USER.id },
];
const ALBUMS: FakeAlbum[] = [
  { id: ID.trip, albumName: 'Trip', assetIds: [ID.a1, ID.a2, ID.still, ID.trashed, ID.archived] },
  { id: ID.fromFriend, albumName: 'From a friend', assetIds: [ID.friends, ID.a2], shared: true },
  { id: ID.family, albumName: 'Family', assetIds: [ID.video], ownedAndShared: true },
];
const LINKS: FakeSharedLink[] = [
  { key: 'album-key', slug: 'trip', allowDownload: true, albumId: ID.trip },
  { key: 'no-download-key', allowDownload: false, albumId: ID.trip },
  { key: 'one-asset-key', allowDownload: true, assetIds: [ID.video], showMetadata: false },
];
const library = (version: 2 | 3 = 2) => startImmich({ version, assets: ASSETS, albums: ALBUMS, sharedLinks: LINKS });

/** fetch against the fake with the API key unless `key: null`. */
async function call(server: FakeImmich, path: string, init: RequestInit & { key?: string | null; json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('x-api-key', init.key ?? server.apiKey);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${server.apiUrl}${path}`, { ...init, headers, body: init.json === undefined ? init.body : JSON.stringify(init.json) });
  const buf = Buffer.from(await res.arrayBuffer());
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json') && buf.length ? (JSON.parse(buf.toString()) as Record<string, unknown>) : undefined;
  return { status: res.status, headers: res.headers, buf, json: json as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
const search = (s: FakeImmich, dto: Record<string, unknown>) => call(s, '/search/metadata', { method: 'POST', json: dto });
const names = (items: { originalFileName: string }[]) => items.map((i) => i.originalFileName);

describe('the spec checker', () => {
  const goodAsset = { id: ID.a1, createdAt: day('2024-01-01'), deviceAssetId: 'x', deviceId: 'CLI', ownerId: ID.a1, libraryId: null, type: 'IMAGE', originalPath: '/a.jpg', originalFileName: 'a.jpg', thumbhash: null, fileCreatedAt: day('2024-01-01'), fileModifiedAt: day('2024-01-01'), localDateTime: day('2024-01-01'), updatedAt: day('2024-01-01'), isFavorite: false, isArchived: false, isTrashed: false, visibility: 'timeline', duration: '0:00:00.00000', people: [], checksum: 'abc=', isOffline: false, hasMetadata: true, width: 1, height: 1, isEdited: false };

  it('passes a complete asset and reports one missing a required field', () => {
    expect(checkResponse('GET', `/assets/${ID.a1}`, 200, goodAsset)).toEqual([]);
    const { checksum: _checksum, ...missing } = goodAsset;
    expect(checkResponse('GET', `/assets/${ID.a1}`, 200, missing).join('\n')).toMatch(/must have required property 'checksum'/);
  });

  it('reports a property the spec does not declare, and a wrong type inside a nullable field', () => {
    expect(checkResponse('GET', `/assets/${ID.a1}`, 200, { ...goodAsset, size: 3 }).join('\n')).toMatch(/property 'size'/);
    expect(checkResponse('GET', `/assets/${ID.a1}`, 200, { ...goodAsset, exifInfo: { fileSizeInByte: '12' } }).join('\n')).toMatch(/fileSizeInByte must be integer/);
  });

  it('reports undeclared query parameters, out-of-range bodies, and accepts shared-link keys where declared', () => {
    expect(checkRequest('GET', '/albums', new URLSearchParams('shared=true'), undefined)).toEqual([]);
    expect(checkRequest('GET', '/albums', new URLSearchParams('shared=yes'), undefined).join()).toMatch(/'shared' must be boolean/);
    expect(checkRequest('GET', '/albums', new URLSearchParams('withAssets=true'), undefined).join()).toMatch(/'withAssets' is not declared/);
    expect(checkRequest('GET', `/assets/${ID.a1}/original`, new URLSearchParams('key=abc'), undefined)).toEqual([]);
    expect(checkRequest('GET', '/users/me', new URLSearchParams('key=abc'), undefined).join()).toMatch(/'key' is not declared/);
    expect(checkRequest('POST', '/search/metadata', new URLSearchParams(), { size: 5000 }).join()).toMatch(/size must be <= 1000/);
    expect(checkRequest('POST', '/search/metadata', new URLSearchParams(), { page: '2' }).join()).toMatch(/page must be number/);
    expect(checkRequest('POST', '/search/metadata', new URLSearchParams(), { page: 2, size: 1000, withExif: true, visibility: 'archive' })).toEqual([]);
    expect(checkRequest('GET', '/nowhere', new URLSearchParams(), undefined).join()).toMatch(/no such operation/);
  });
});

describe('the fake Immich v2', () => {
  let s: FakeImmich;
  beforeAll(async () => (s = await library(2)));
  afterAll(() => s.stop());
  afterEach(() => expect(s.violations()).toEqual([]));

  it('answers discovery, ping, version and /users/me like the real server', async () => {
    expect(await (await fetch(`${s.url}/.well-known/immich`)).json()).toEqual({ api: { endpoint: '/api' } });
    expect((await call(s, '/server/ping', { key: null })).json).toEqual({ res: 'pong' });
    expect((await call(s, '/server/version', { key: null })).json).toEqual({ major: 2, minor: 5, patch: 6 });
    const me = await call(s, '/users/me');
    expect(me.json).toMatchObject({ id: s.user.id, email: s.user.email, isAdmin: true });
    expect(s.requests().at(-1)).toMatchObject({ method: 'GET', path: '/api/users/me', headers: { 'x-api-key': 'test-key' } });
  });

  it('rejects a missing or wrong API key with 401 and a NestJS error body', async () => {
    const none = await call(s, '/users/me', { key: null });
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ message: 'Authentication required', error: 'Unauthorized', statusCode: 401, correlationId: expect.any(String) });
    expect((await call(s, '/albums', { key: 'wrong' })).json.message).toBe('Invalid API key');
  });

  it('lists owned albums and shared albums without their assets', async () => {
    const owned = await call(s, '/albums');
    expect(owned.json.map((a: { albumName: string }) => a.albumName)).toEqual(['Family', 'Trip']);
    expect(owned.json[1]).toMatchObject({ assets: [], assetCount: 4, startDate: '2023-11-05T00:00:00.000Z', endDate: '2024-03-02T00:00:00.000Z', hasSharedLink: true });
    const shared = await call(s, '/albums?shared=true');
    expect(shared.json.map((a: { albumName: string }) => a.albumName).sort()).toEqual(['Family', 'From a friend', 'Trip']);
    expect(shared.json.find((a: { id: string }) => a.id === ID.fromFriend).owner.id).toBe(FRIEND_USER.id);
  });

  it('gives an album its untrashed assets, newest first, unless withoutAssets', async () => {
    const full = await call(s, `/albums/${ID.trip}`);
    expect(names(full.json.assets)).toEqual(['IMG_0002.jpg', 'IMG_0001.jpg', 'IMG_0003.heic', 'IMG_0005.jpg']);
    expect(full.json.assets[0].exifInfo.fileSizeInByte).toBe(1000);
    expect((await call(s, `/albums/${ID.trip}?withoutAssets=true`)).json).toMatchObject({ assets: [], assetCount: 4 });
    expect((await call(s, `/albums/${ID.fromFriend}`)).json.contributorCounts).toEqual(expect.arrayContaining([{ userId: FRIEND_USER.id, assetCount: 1 }]));
    const unknown = await call(s, `/albums/${ID.person}`);
    expect([unknown.status, unknown.json.message]).toEqual([400, 'Not found or no album.read access']);
  });

  it('searches timeline assets only by default, newest first, and pages until nextPage is null', async () => {
    const seen: string[] = [];
    const pages: (string | null)[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const r = await search(s, { page, size: 2, withExif: true });
      expect(r.json.albums).toEqual({ total: 0, count: 0, items: [], facets: [] });
      expect(r.json.assets.count).toBe(r.json.assets.items.length);
      seen.push(...names(r.json.assets.items));
      pages.push(r.json.assets.nextPage);
      page = r.json.assets.nextPage === null ? null : Number(r.json.assets.nextPage);
    }
    expect(pages).toEqual(['2', '3', null]);
    expect(seen).toEqual(['IMG_0002.jpg', 'IMG_0001.jpg', 'IMG_0003.heic', 'VID_0004.mp4', 'IMG_0007.jpg', 'IMG_0008.jpg']);
  });

  it('filters search by album, person, date, type, favorite, visibility, trash and offline', async () => {
    const q = async (dto: Record<string, unknown>) => names((await search(s, dto)).json.assets.items);
    // Only the caller's own assets: the friend's photo in the shared album is not found this way.
    expect(await q({ albumIds: [ID.fromFriend] })).toEqual(['IMG_0002.jpg']);
    expect(await q({ personIds: [ID.person], withPeople: true })).toEqual(['IMG_0001.jpg']);
    expect(await q({ takenAfter: day('2024-01-01'), takenBefore: day('2024-02-28'), order: 'asc' })).toEqual(['IMG_0003.heic']);
    expect(await q({ type: 'VIDEO' })).toEqual(['VID_0004.mp4']);
    expect(await q({ isFavorite: true })).toEqual(['IMG_0001.jpg']);
    expect(await q({ visibility: 'archive' })).toEqual(['IMG_0005.jpg']);
    expect(await q({ visibility: 'hidden' })).toEqual(['IMG_0003.mov']);
    expect(await q({ withDeleted: true, takenBefore: day('2023-10-31') })).toEqual(['IMG_0006.jpg', 'IMG_0007.jpg', 'IMG_0008.jpg']);
    expect(await q({ isOffline: true })).toEqual(['IMG_0007.jpg']);
    const external = (await search(s, { id: ID.external })).json.assets.items[0];
    expect(external.checksum).not.toBe(createHash('sha1').update(bytes('ext')).digest('base64'));
    expect((await search(s, { id: ID.a1 })).json.assets.items[0].checksum).toBe(createHash('sha1').update(bytes('one')).digest('base64'));
  });

  it('serves the folder view and the timeline buckets', async () => {
    expect((await call(s, '/view/folder/unique-paths')).json).toEqual(['/mnt/nas', '/photos/2023', '/photos/2024']);
    expect(names((await call(s, '/view/folder?path=%2Fphotos%2F2024')).json as never)).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg', 'IMG_0003.heic']);
    expect((await call(s, '/timeline/buckets')).json).toEqual([
      { timeBucket: '2024-03-01', count: 2 }, { timeBucket: '2024-02-01', count: 1 }, { timeBucket: '2023-12-01', count: 1 },
      { timeBucket: '2023-11-01', count: 1 }, { timeBucket: '2023-09-01', count: 1 }, { timeBucket: '2023-08-01', count: 1 },
    ]);
    expect((await call(s, `/timeline/buckets?albumId=${ID.trip}&isTrashed=true`)).json).toEqual([{ timeBucket: '2023-10-01', count: 1 }]);
  });

  it('gives an asset with exif, owner and people; a friend’s shared asset without people', async () => {
    const a1 = (await call(s, `/assets/${ID.a1}`)).json;
    expect(a1).toMatchObject({ exifInfo: { fileSizeInByte: 1000, dateTimeOriginal: day('2024-03-01') }, owner: { id: s.user.id }, isFavorite: true });
    expect(a1.people.map((p: { id: string }) => p.id)).toEqual([ID.person]);
    expect((await call(s, `/assets/${ID.motion}`)).json.visibility).toBe('hidden');
    expect((await call(s, `/assets/${ID.friends}`)).json).toMatchObject({ ownerId: FRIEND_USER.id, people: [], isFavorite: false });
    expect((await call(s, `/assets/${ID.person}`)).json.message).toBe('Not found or no asset.read access');
  });

  it('serves originals with validators, single ranges, If-Range and conditional GET as express sendFile does', async () => {
    const full = await call(s, `/assets/${ID.a1}/original`);
    expect(full.status).toBe(200);
    expect(full.buf.equals(bytes('one'))).toBe(true);
    const etag = full.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"3e8-[0-9a-f]+"$/); // weak: the etag package marks fs.Stats ETags weak
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(full.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''IMG_0001.jpg");
    const part = await call(s, `/assets/${ID.a1}/original`, { headers: { range: 'bytes=10-19', 'if-range': etag } });
    expect([part.status, part.headers.get('content-range'), part.buf.toString()]).toEqual([206, 'bytes 10-19/1000', bytes('one').subarray(10, 20).toString()]);
    const byDate = await call(s, `/assets/${ID.a1}/original`, { headers: { range: 'bytes=990-', 'if-range': full.headers.get('last-modified')! } });
    expect([byDate.status, byDate.buf.length]).toEqual([206, 10]);
    expect((await call(s, `/assets/${ID.a1}/original`, { headers: { range: 'bytes=0-1', 'if-range': 'W/"0-0"' } })).status).toBe(200);
    expect((await call(s, `/assets/${ID.a1}/original`, { headers: { range: 'bytes=0-1,500-501' } })).status).toBe(200);
    // fetch adds `cache-control: no-cache` to conditional requests, which makes `fresh` answer 200: say max-age=0.
    expect((await call(s, `/assets/${ID.a1}/original`, { headers: { 'if-none-match': etag } })).status).toBe(200);
    expect((await call(s, `/assets/${ID.a1}/original`, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } })).status).toBe(304);
    const head = await call(s, `/assets/${ID.a1}/original`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), head.buf.length]).toEqual([200, '1000', 0]);
  });

  it('answers an unsatisfiable range with 500 and Content-Range bytes */size, as Immich turns send’s 416 into 500', async () => {
    const r = await call(s, `/assets/${ID.a1}/original`, { headers: { range: 'bytes=1000-' } });
    expect([r.status, r.headers.get('content-range'), r.json.message]).toEqual([500, 'bytes */1000', 'Internal server error']);
  });

  it('serves trashed originals to their owner, 500 for an offline file, 400 for an unknown id', async () => {
    expect((await call(s, `/assets/${ID.trashed}/original`)).status).toBe(200);
    expect((await call(s, `/assets/${ID.offline}/original`)).json).toEqual({ message: 'Internal server error', statusCode: 500, correlationId: expect.any(String) });
    expect((await call(s, `/assets/${ID.person}/original`)).json.message).toBe('Not found or no asset.download access');
    expect((await call(s, `/assets/${ID.friends}/original`)).status).toBe(200);
  });

  it('lets a shared link read its album and download its assets and their live-photo motion parts', async () => {
    const me = await call(s, '/shared-links/me?key=album-key', { key: null });
    expect(me.json).toMatchObject({ type: 'ALBUM', allowDownload: true, assets: [], album: { id: ID.trip, assetCount: 4 } });
    expect((await call(s, '/shared-links/me?slug=trip', { key: null })).json.key).toBe('album-key');
    expect((await call(s, `/albums/${ID.trip}?key=album-key`, { key: null })).status).toBe(200);
    expect((await call(s, `/assets/${ID.a1}/original?key=album-key`, { key: null })).status).toBe(200);
    expect((await call(s, `/assets/${ID.motion}/original?key=album-key`, { key: null })).status).toBe(200);
    expect((await call(s, `/assets/${ID.video}/original?key=album-key`, { key: null })).status).toBe(400);
    expect((await call(s, '/shared-links/me?key=nope', { key: null })).json).toMatchObject({ statusCode: 401, message: 'Invalid share key' });
  });

  it('refuses a download through a link without allowDownload (400, as real Immich; not 403) but still lets it read', async () => {
    const r = await call(s, `/assets/${ID.a1}/original?key=no-download-key`, { key: null });
    expect([r.status, r.json.message]).toEqual([400, 'Not found or no asset.download access']);
    expect((await call(s, `/assets/${ID.a1}?key=no-download-key`, { key: null })).status).toBe(200);
  });

  it('strips asset metadata for a link with showMetadata off', async () => {
    const me = await call(s, '/shared-links/me?key=one-asset-key', { key: null });
    expect(me.json).toMatchObject({ type: 'INDIVIDUAL', showMetadata: false });
    expect(me.json.assets[0]).toEqual(expect.objectContaining({ id: ID.video, hasMetadata: false }));
    expect(me.json.assets[0].checksum).toBeUndefined();
    expect((await call(s, `/assets/${ID.video}?key=one-asset-key`, { key: null })).json.originalFileName).toBeUndefined();
  });
});

describe('the fake Immich v3 (typed by @immich/sdk 3.2)', () => {
  let s: FakeImmich;
  beforeAll(async () => (s = await library(3)));
  afterAll(() => s.stop());
  afterEach(() => expect(s.violations()).toEqual([]));

  it('answers with v3 shapes: no album assets, no device ids, durations in milliseconds, owned and shared albums in one list', async () => {
    expect((await call(s, '/server/version', { key: null })).json).toEqual({ major: 3, minor: 2, patch: 2, prerelease: null });
    expect('assets' in (await call(s, `/albums/${ID.trip}`)).json).toBe(false);
    const albums = (await call(s, '/albums')).json as { albumName: string; albumUsers: { role: string }[] }[];
    expect(albums.map((a) => a.albumName).sort()).toEqual(['Family', 'From a friend', 'Trip']);
    expect(albums.every((a) => a.albumUsers[0]?.role === 'owner')).toBe(true);
    expect((await call(s, '/albums?isOwned=false')).json.map((a: { albumName: string }) => a.albumName)).toEqual(['From a friend']);
    const a1 = (await call(s, `/assets/${ID.a1}`)).json;
    expect(['deviceId' in a1, 'deviceAssetId' in a1, a1.duration]).toEqual([false, false, null]);
    expect((await call(s, `/assets/${ID.video}`)).json.duration).toBe(5000);
    const all = names((await search(s, { size: 1000 })).json.assets.items);
    expect(all).toEqual(expect.arrayContaining(['IMG_0005.jpg', 'IMG_0003.mov']));
    expect(all).not.toContain('IMG_0006.jpg');
    const link = (await call(s, '/shared-links/me?key=album-key', { key: null })).json;
    expect([link.assets, link.album.assets, link.album.assetCount]).toEqual([[], undefined, 4]);
  });

  it('pages a 3.2 search by cursor, filtered by the nested filter; a 3.0 server refuses filter and cursor', async () => {
    const filter = { visibility: { in: ['timeline', 'archive'] }, takenAt: { gte: day('2023-01-01') } };
    const first = (await search(s, { filter, size: 2 })).json.assets;
    expect([first.count, typeof first.nextCursor]).toEqual([2, 'string']);
    const second = (await search(s, { filter, size: 2, cursor: first.nextCursor })).json.assets;
    expect(names(second.items)).not.toEqual(names(first.items));
    const v30 = await startImmich({ version: 3, minor: 0, assets: ASSETS });
    try {
      const refused = await search(v30, { filter, size: 2 });
      expect([refused.status, refused.json.message, refused.headers.get('x-correlation-id')]).toEqual([400, 'Validation failed', expect.any(String)]);
      expect(refused.json.errors).toEqual([expect.objectContaining({ path: ['filter'], message: expect.stringContaining('Unrecognized key') })]);
    } finally {
      await v30.stop();
    }
  });

  it('lists the assets of an album a friend shares through search, and an album link with its key', async () => {
    expect(names((await search(s, { filter: { albumIds: { all: [ID.fromFriend] } }, withExif: true })).json.assets.items).sort()).toEqual(['FRIEND_1.jpg', 'IMG_0002.jpg']);
    const viaLink = await call(s, '/search/metadata?key=album-key', { key: null, method: 'POST', json: { filter: { albumIds: { all: [ID.trip] }, visibility: { in: ['timeline', 'archive'] } } } });
    expect(names(viaLink.json.assets.items).sort()).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg', 'IMG_0003.heic', 'IMG_0005.jpg']);
  });

  it('records a parameter the SDK does not have, and a search body that is not a MetadataSearchDto', async () => {
    const other = await library(3);
    try {
      expect((await call(other, '/albums?shared=true')).status).toBe(200);
      const notUuid = await call(other, '/assets/not-a-uuid');
      expect([notUuid.status, notUuid.json.errors]).toEqual([400, [expect.objectContaining({ path: ['id'], message: 'Invalid UUID' })]]);
      const bad = await search(other, { size: 5000, page: 1 });
      expect([bad.status, bad.json.errors[0].path]).toEqual([400, ['size']]);
      expect(other.violations().join('\n')).toMatch(/query parameter 'shared' is not a parameter of this call in @immich\/sdk 3.2[\s\S]*'id' is not a UUID[\s\S]*body size/);
    } finally {
      await other.stop();
    }
  });
});

describe('the fake Immich reports off-spec requests', () => {
  let s: FakeImmich;
  beforeAll(async () => (s = await library(2)));
  afterAll(() => s.stop());

  it('rejects size 5000 with 400 like class-validator, and records the violation', async () => {
    const r = await search(s, { size: 5000 });
    expect([r.status, r.json.message]).toEqual([400, ['size must not be greater than 1000']]);
    expect(s.violations().join('\n')).toMatch(/POST \/search\/metadata: body \/size must be <= 1000/);
  });

  it('takes a page sent as a string, as class-transformer coerces it, but records that the spec wants a number', async () => {
    const r = await search(s, { page: '2', size: 2 });
    expect([r.status, r.json.assets.count, r.json.assets.nextPage]).toEqual([200, 2, '3']);
    expect(s.violations().join('\n')).toMatch(/body \/page must be number/);
  });

  it('ignores an undeclared query parameter (whitelist) but records it', async () => {
    expect((await call(s, '/albums?withAssets=true')).status).toBe(200);
    expect(s.violations().join('\n')).toMatch(/'withAssets' is not declared/);
  });

  it('forbids a shared link on a route that is not for links, and reports a non-UUID id', async () => {
    expect((await call(s, '/users/me?key=album-key', { key: null })).status).toBe(403);
    const bad = await call(s, '/assets/not-a-uuid');
    expect([bad.status, bad.json.message]).toEqual([400, ['id must be a UUID']]);
    expect(s.violations().join('\n')).toMatch(/parameter 'id' must match format "uuid"/);
  });
});

describe('the fake Immich mutators', () => {
  it('changes checksum, size, ETag and Last-Modified with new bytes, so a stale If-Range gets the whole new file', async () => {
    const s = await startImmich({ assets: [{ id: ID.a1, originalFileName: 'a.jpg', bytes: bytes('old', 100) }] });
    try {
      const before = await call(s, `/assets/${ID.a1}/original`);
      const meta = (await call(s, `/assets/${ID.a1}`)).json;
      s.updateAsset(ID.a1, { bytes: bytes('new', 150) });
      const after = (await call(s, `/assets/${ID.a1}`)).json;
      expect(after.checksum).not.toBe(meta.checksum);
      expect([after.exifInfo.fileSizeInByte, after.updatedAt > meta.updatedAt]).toEqual([150, true]);
      const r = await call(s, `/assets/${ID.a1}/original`, { headers: { range: 'bytes=50-', 'if-range': before.headers.get('etag')! } });
      expect([r.status, r.buf.equals(bytes('new', 150))]).toEqual([200, true]);
      expect(r.headers.get('last-modified')).not.toBe(before.headers.get('last-modified'));
      const added = s.addAsset({ originalFileName: 'b.mp4', bytes: bytes('b') });
      s.removeAsset(added);
      expect((await call(s, `/assets/${added}`)).json).toMatchObject({ type: 'VIDEO', isTrashed: true });
      expect((await search(s, {})).json.assets.items.map((i: { id: string }) => i.id)).toEqual([ID.a1]);
      expect(s.violations()).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
