// The fake Immich's queries: metadata search, timeline buckets, folder view. Each follows the real
// server's SQL (search.repository, asset.repository getTimeBuckets, view.repository) on the fake library.
import { FakeLibrary } from './immich-fake-data.js';
import type { StoredAsset, StoredLink, Visibility } from './immich-fake-types.js';

type Dto = Record<string, unknown>;
const time = (v: unknown): number => new Date(String(v)).getTime();
const inAlbum = (lib: FakeLibrary, albumId: string, a: StoredAsset): boolean => !!lib.albums.find((al) => al.id === albumId)?.assetIds.includes(a.id);
/** SQL `ilike '%x%'`. */
const contains = (hay: string, needle: unknown): boolean => hay.toLowerCase().includes(String(needle).toLowerCase());

/** Who searches: a user (their own assets; on v3 also those of albums shared with them), or a shared link (its assets). */
export type SearchScope = { kind: 'user'; userId: string } | { kind: 'link'; link: StoredLink };

/**
 * POST /search/metadata (searchAssetBuilder): the matching assets, ordered, before paging.
 * Visibility: exactly the one asked; none asked means 'timeline' in v2 and every visibility in v3
 * (PR #29385) except 'locked', which needs a PIN-elevated session an API key never has.
 * Albums and people match when the asset is in ALL the albums / shows ALL the people.
 * `withDeleted` adds trashed assets to the rest (the SQL only drops its `deletedAt is null`).
 * v3.2's nested `filter` is read by filterTests; `unsupported` collects what the fake cannot do.
 */
export function searchMatches(lib: FakeLibrary, scope: SearchScope, dto: Dto, unsupported: string[] = []): StoredAsset[] {
  const withDeleted = !!dto.withDeleted || !!(dto.trashedAfter || dto.trashedBefore || dto.isOffline);
  const filter = (dto.filter ?? {}) as Dto;
  const defaultVisibility: Visibility[] = lib.version === 3 ? ['timeline', 'archive', 'hidden'] : ['timeline'];
  const allowed: Visibility[] = dto.visibility ? [dto.visibility as Visibility] : defaultVisibility;
  const exif = (a: StoredAsset) => lib.exifDto(a);
  const albumIds = (dto.albumIds as string[] | undefined) ?? ((filter.albumIds as Dto | undefined)?.all as string[] | undefined);
  const tests: ((a: StoredAsset) => boolean)[] = [(a) => withDeleted || !a.deletedAt];
  if (!filter.visibility) tests.push((a) => allowed.includes(lib.visibility(a)));
  if (scope.kind === 'link') {
    tests.push((a) => lib.inLink(scope.link, a));
  } else if (lib.version === 3 && albumIds?.length && albumIds.every((id) => lib.albums.some((al) => al.id === id && (al.ownerId === scope.userId || al.memberIds.includes(scope.userId))))) {
    // v3 searches the albums you may read, whoever owns their assets: a shared album lists through search.
  } else {
    tests.push((a) => a.ownerId === scope.userId);
  }
  if (albumIds?.length) tests.push((a) => albumIds.every((id) => inAlbum(lib, id, a)));
  const personIds = dto.personIds as string[] | undefined;
  if (personIds?.length) tests.push((a) => personIds.every((p) => a.personIds.includes(p)));
  const tagIds = dto.tagIds as string[] | null | undefined;
  if (tagIds?.length) tests.push(() => false); // the fake has no tags
  const range: [string, (a: StoredAsset) => number | undefined, 'ge' | 'le'][] = [
    ['createdAfter', (a) => a.createdAt.getTime(), 'ge'], ['createdBefore', (a) => a.createdAt.getTime(), 'le'],
    ['updatedAfter', (a) => a.updatedAt.getTime(), 'ge'], ['updatedBefore', (a) => a.updatedAt.getTime(), 'le'],
    ['trashedAfter', (a) => a.deletedAt?.getTime(), 'ge'], ['trashedBefore', (a) => a.deletedAt?.getTime(), 'le'],
    ['takenAfter', (a) => a.fileCreatedAt.getTime(), 'ge'], ['takenBefore', (a) => a.fileCreatedAt.getTime(), 'le'],
  ];
  for (const [key, get, op] of range) {
    if (!dto[key]) continue;
    const bound = time(dto[key]);
    tests.push((a) => {
      const v = get(a);
      return v !== undefined && (op === 'ge' ? v >= bound : v <= bound);
    });
  }
  for (const field of ['city', 'state', 'country', 'make', 'model', 'lensModel', 'rating'] as const) {
    if (dto[field] !== undefined) tests.push((a) => exif(a)[field] === dto[field]);
  }
  if (dto.checksum) {
    const want = Buffer.from(String(dto.checksum), String(dto.checksum).length === 28 ? 'base64' : 'hex').toString('base64');
    tests.push((a) => lib.checksum(a) === want);
  }
  if (dto.deviceId) tests.push((a) => dto.deviceId === lib.deviceId(a));
  if (dto.deviceAssetId) tests.push((a) => dto.deviceAssetId === lib.deviceAssetId(a));
  if (dto.id) tests.push((a) => a.id === dto.id);
  if (dto.libraryId) tests.push((a) => a.libraryId === dto.libraryId);
  if (dto.originalPath) tests.push((a) => contains(a.originalPath, dto.originalPath));
  if (dto.originalFileName) tests.push((a) => contains(a.originalFileName, dto.originalFileName));
  if (dto.description) tests.push((a) => contains(String(exif(a).description), dto.description));
  if (dto.ocr || dto.encodedVideoPath) tests.push(() => false);
  if (dto.type) tests.push((a) => a.type === dto.type);
  if (dto.isFavorite !== undefined) tests.push((a) => a.isFavorite === dto.isFavorite);
  if (dto.isOffline !== undefined) tests.push((a) => a.isOffline === dto.isOffline);
  if (dto.isEncoded !== undefined) tests.push(() => dto.isEncoded === false); // no transcodes in the fake
  if (dto.isMotion !== undefined) tests.push((a) => (a.livePhotoVideoId !== null) === dto.isMotion);
  if (dto.isNotInAlbum && !albumIds?.length) tests.push((a) => !lib.albums.some((al) => al.assetIds.includes(a.id)));
  tests.push(...filterTests(lib, filter, unsupported));

  const dir = dto.order === 'asc' ? 1 : -1;
  return [...lib.assets.values()].filter((a) => tests.every((t) => t(a))).sort((x, y) => dir * (x.fileCreatedAt.getTime() - y.fileCreatedAt.getTime()));
}

/** v3.2's SearchFilter, for the operators Cartage sends; any other is named in `unsupported`. */
function filterTests(lib: FakeLibrary, filter: Dto, unsupported: string[]): ((a: StoredAsset) => boolean)[] {
  const tests: ((a: StoredAsset) => boolean)[] = [];
  const values = (f: Dto, key: string, get: (a: StoredAsset) => unknown) => {
    for (const [op, want] of Object.entries(f)) {
      if (op === 'eq') tests.push((a) => get(a) === want);
      else if (op === 'ne') tests.push((a) => get(a) !== want);
      else if (op === 'in') tests.push((a) => (want as unknown[]).includes(get(a)));
      else if (op === 'notIn') tests.push((a) => !(want as unknown[]).includes(get(a)));
      else unsupported.push(`filter.${key}.${op}`);
    }
  };
  for (const [key, raw] of Object.entries(filter)) {
    const f = raw as Dto;
    switch (key) {
      case 'visibility':
        values(f, key, (a) => lib.visibility(a));
        break;
      case 'type':
        values(f, key, (a) => a.type);
        break;
      case 'isFavorite':
        tests.push((a) => a.isFavorite === f.eq);
        break;
      case 'takenAt':
        for (const [op, bound] of Object.entries(f)) {
          const b = time(bound);
          const t = (a: StoredAsset) => a.fileCreatedAt.getTime();
          if (op === 'gte') tests.push((a) => t(a) >= b);
          else if (op === 'gt') tests.push((a) => t(a) > b);
          else if (op === 'lte') tests.push((a) => t(a) <= b);
          else if (op === 'lt') tests.push((a) => t(a) < b);
          else unsupported.push(`filter.takenAt.${op}`);
        }
        break;
      case 'albumIds':
      case 'personIds': {
        const has = (a: StoredAsset, id: string) => (key === 'albumIds' ? inAlbum(lib, id, a) : a.personIds.includes(id));
        if (f.all) tests.push((a) => (f.all as string[]).every((id) => has(a, id)));
        if (f.any) tests.push((a) => (f.any as string[]).some((id) => has(a, id)));
        if (f.none) tests.push((a) => !(f.none as string[]).some((id) => has(a, id)));
        break;
      }
      case 'originalFileName':
        for (const [op, pattern] of Object.entries(f)) {
          if (op === 'like') tests.push((a) => like(String(pattern), 'i').test(a.originalFileName));
          else unsupported.push(`filter.originalFileName.${op}`);
        }
        break;
      default:
        unsupported.push(`filter.${key}`);
    }
  }
  return tests;
}

/** v2's answer: page numbers, AssetResponseDto as v2.5 maps it. */
export function searchMetadata(lib: FakeLibrary, userId: string, dto: Dto): Dto {
  const page = Number(dto.page ?? 1);
  const size = Number(dto.size) || 250;
  const all = searchMatches(lib, { kind: 'user', userId }, dto);
  // The repository fetches size + 1 rows to learn whether a next page exists.
  const window = all.slice((page - 1) * size, page * size + 1);
  const items = window.slice(0, size);
  const withFaces = !!dto.withPeople || !!(dto.personIds as string[] | undefined)?.length;
  return {
    albums: { total: 0, count: 0, items: [], facets: [] },
    assets: {
      // search.service mapResponse: `total` is the count of this page, not of every match.
      total: items.length,
      count: items.length,
      items: items.map((a) => lib.assetDto(a, { authUserId: userId, exif: !!dto.withExif, faces: withFaces })),
      facets: [],
      nextPage: window.length > size ? String(page + 1) : null,
    },
  };
}

/** Where a v3 page starts: its page number, or the offset its cursor carries (opaque to clients). */
export function pageStart(dto: Dto, size: number): number {
  if (typeof dto.cursor === 'string') return (JSON.parse(Buffer.from(dto.cursor, 'base64url').toString('utf8')) as { offset: number }).offset;
  return (Number(dto.page ?? 1) - 1) * size;
}

/** The cursor for the page that starts at `offset`. */
export const cursorAt = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url');

/**
 * GET /timeline/buckets: counts by month of localDateTime. Default visibility is timeline+archive
 * (withDefaultVisibility); `isTrashed` picks trashed OR untrashed assets; newest month first.
 */
export function timeBuckets(lib: FakeLibrary, q: Dto & { userIds?: string[] }): { timeBucket: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const a of lib.assets.values()) {
    if (!!a.deletedAt !== !!q.isTrashed) continue;
    const vis = lib.visibility(a);
    if (q.visibility ? vis !== q.visibility : !['timeline', 'archive'].includes(vis)) continue;
    if (q.albumId && !inAlbum(lib, String(q.albumId), a)) continue;
    if (q.personId && !a.personIds.includes(String(q.personId))) continue;
    if (q.userIds && !q.userIds.includes(a.ownerId)) continue;
    if (q.isFavorite !== undefined && a.isFavorite !== q.isFavorite) continue;
    if (q.tagId) continue;
    const bucket = `${a.localDateTime.toISOString().slice(0, 7)}-01`;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  const dir = q.order === 'asc' ? 1 : -1;
  return [...counts].map(([timeBucket, count]) => ({ timeBucket, count })).sort((x, y) => dir * x.timeBucket.localeCompare(y.timeBucket));
}

/** view.repository's filter: the owner's untrashed timeline assets. */
const inFolderView = (lib: FakeLibrary, userId: string, a: StoredAsset) => a.ownerId === userId && lib.visibility(a) === 'timeline' && !a.deletedAt;

/** GET /view/folder/unique-paths: distinct directories, sorted (byte order; Postgres's collation may differ). */
export function uniquePaths(lib: FakeLibrary, userId: string): string[] {
  const dirs = new Set([...lib.assets.values()].filter((a) => inFolderView(lib, userId, a)).map((a) => FakeLibrary.folderOf(a.originalPath)));
  return [...dirs].sort();
}

/** SQL LIKE as a regular expression (`%` any run, `_` any one character: an underscore in a path is a wildcard). */
const like = (pattern: string, flags = ''): RegExp =>
  new RegExp(`^${pattern.split('').map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, `s${flags}`);

/**
 * GET /view/folder?path=P: `originalPath like '%P/%' and not like '%P/%/%'`, exactly as the real
 * query, so P also matches as a substring of a deeper path; sorted by file name; with exifInfo.
 */
export function folderAssets(lib: FakeLibrary, userId: string, path: string): Dto[] {
  const p = path.replace(/\/$/, '');
  const yes = like(`%${p}/%`);
  const no = like(`%${p}/%/%`);
  const base = (a: StoredAsset) => a.originalPath.replace(/.*\/(.+)/s, '$1');
  return [...lib.assets.values()]
    .filter((a) => inFolderView(lib, userId, a) && yes.test(a.originalPath) && !no.test(a.originalPath))
    .sort((x, y) => (base(x) < base(y) ? -1 : base(x) > base(y) ? 1 : 0))
    .map((a) => lib.assetDto(a, { authUserId: userId, exif: true }));
}
