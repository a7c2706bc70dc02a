// The fake Immich's v3 answers, typed with the DTOs of Immich's own generated SDK (@immich/sdk 3.2.x):
// the compiler rejects a field v3 does not have and a required one missing, so the v3 fake is a v3
// server, not the v2 spec with fields taken out. (v2 answers stay checked against the v2.5.6 spec.)
import {
  AlbumUserRole,
  AssetOrder,
  AssetTypeEnum,
  AssetVisibility,
  SharedLinkType,
  UserAvatarColor,
  UserStatus,
  type AlbumResponseDto,
  type ApiExceptionResponse,
  type ApiKeyResponseDto,
  type AssetResponseDto,
  type ExifResponseDto,
  type Permission,
  type SearchResponseDto,
  type ServerVersionResponseDto,
  type SharedLinkResponseDto,
  type TimeBucketsResponseDto,
  type UserAdminResponseDto,
  type UserResponseDto,
} from '@immich/sdk';
import type { FakeLibrary } from './immich-fake-data.js';
import type { FakeUser, StoredAlbum, StoredAsset, StoredLink, Visibility } from './immich-fake-types.js';

const iso = (d: Date): string => d.toISOString();
const WIDTH = 640;
const HEIGHT = 480;

/** What mapAsset sends with stripMetadata (a link with "Show metadata" off): the SDK names no type for it. */
export type SanitizedAssetV3 = Pick<
  AssetResponseDto,
  'id' | 'type' | 'originalMimeType' | 'thumbhash' | 'localDateTime' | 'duration' | 'livePhotoVideoId' | 'hasMetadata' | 'width' | 'height'
>;
/** GET /shared-links/me: its assets are sanitized when the link hides metadata. */
export type SharedLinkV3 = Omit<SharedLinkResponseDto, 'assets'> & { assets: (AssetResponseDto | SanitizedAssetV3)[] };

const visibilities: Record<Visibility, AssetVisibility> = {
  timeline: AssetVisibility.Timeline,
  archive: AssetVisibility.Archive,
  hidden: AssetVisibility.Hidden,
  locked: AssetVisibility.Locked,
};

export function serverVersionV3(minor: number): ServerVersionResponseDto {
  return { major: 3, minor, patch: minor === 2 ? 2 : 0, prerelease: null };
}

export function userV3(u: FakeUser): UserResponseDto {
  return { id: u.id, email: u.email, name: u.name, profileImagePath: '', avatarColor: UserAvatarColor.Primary, profileChangedAt: '2024-01-01T00:00:00.000Z' };
}

export function userAdminV3(lib: FakeLibrary): UserAdminResponseDto {
  return {
    ...userV3(lib.me),
    clusterGroupId: '00000000-0000-4000-8000-000000000001',
    storageLabel: 'admin',
    shouldChangePassword: false,
    isAdmin: true,
    createdAt: '2024-01-01T00:00:00.000Z',
    deletedAt: null,
    updatedAt: '2024-01-01T00:00:00.000Z',
    oauthId: '',
    quotaSizeInBytes: null,
    quotaUsageInBytes: [...lib.assets.values()].filter((a) => a.ownerId === lib.me.id).reduce((n, a) => n + a.bytes.length, 0),
    status: UserStatus.Active,
    license: null,
  };
}

export function apiKeyV3(permissions: Permission[]): ApiKeyResponseDto {
  return { id: '1f0e2d3c-4b5a-4968-8776-655443322110', name: 'Cartage', permissions, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
}

function exifV3(a: StoredAsset): ExifResponseDto {
  return {
    make: null, model: null, exifImageWidth: WIDTH, exifImageHeight: HEIGHT, fileSizeInByte: a.bytes.length || null, orientation: null,
    dateTimeOriginal: iso(a.fileCreatedAt), modifyDate: iso(a.fileModifiedAt), timeZone: 'UTC', lensModel: null, fNumber: null, focalLength: null,
    iso: null, exposureTime: null, latitude: null, longitude: null, city: null, state: null, country: null, description: '', projectionType: null, rating: null,
  };
}

/** mapAsset() of v3: no deviceId/deviceAssetId, duration in milliseconds (null for a still). */
export function assetV3(lib: FakeLibrary, a: StoredAsset, view: { authUserId?: string; exif?: boolean; owner?: boolean }): AssetResponseDto {
  const visibility = lib.visibility(a);
  const dto: AssetResponseDto = {
    id: a.id, createdAt: iso(a.createdAt), ownerId: a.ownerId, libraryId: a.libraryId, type: a.type === 'VIDEO' ? AssetTypeEnum.Video : AssetTypeEnum.Image,
    originalPath: a.originalPath, originalFileName: a.originalFileName, originalMimeType: a.mimeType, thumbhash: null,
    fileCreatedAt: iso(a.fileCreatedAt), fileModifiedAt: iso(a.fileModifiedAt), localDateTime: iso(a.localDateTime), updatedAt: iso(a.updatedAt),
    isFavorite: view.authUserId === a.ownerId && a.isFavorite, isArchived: visibility === 'archive', isTrashed: !!a.deletedAt,
    visibility: visibilities[visibility], duration: a.type === 'VIDEO' ? 5000 : null, livePhotoVideoId: a.livePhotoVideoId,
    checksum: lib.checksum(a), isOffline: a.isOffline, hasMetadata: true, duplicateId: null, resized: true, width: WIDTH, height: HEIGHT, isEdited: false,
  };
  if (view.exif) dto.exifInfo = exifV3(a);
  if (view.owner) dto.owner = userV3(lib.user(a.ownerId));
  return dto;
}

export function sanitizedAssetV3(a: StoredAsset): SanitizedAssetV3 {
  return {
    id: a.id, type: a.type === 'VIDEO' ? AssetTypeEnum.Video : AssetTypeEnum.Image, originalMimeType: a.mimeType, thumbhash: null,
    localDateTime: iso(a.localDateTime), duration: a.type === 'VIDEO' ? 5000 : null, livePhotoVideoId: a.livePhotoVideoId, hasMetadata: false, width: WIDTH, height: HEIGHT,
  };
}

/** mapAlbum() of v3: no assets, no owner fields; the owner is albumUsers' first entry. */
export function albumV3(lib: FakeLibrary, album: StoredAlbum, opts: { detail?: boolean } = {}): AlbumResponseDto {
  const assets = lib.albumAssets(album);
  const dates = assets.map((a) => a.fileCreatedAt.getTime());
  const day = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00.000Z`;
  const hasSharedLink = lib.links.some((l) => l.albumId === album.id);
  const dto: AlbumResponseDto = {
    id: album.id, albumName: album.albumName, description: '', albumThumbnailAssetId: assets[0]?.id ?? null,
    albumUsers: [
      { user: userV3(lib.user(album.ownerId)), role: AlbumUserRole.Owner },
      ...album.memberIds.map((id) => ({ user: userV3(lib.user(id)), role: AlbumUserRole.Editor })),
    ],
    assetCount: assets.length, createdAt: iso(album.createdAt), updatedAt: iso(album.createdAt), hasSharedLink,
    shared: album.memberIds.length > 0 || hasSharedLink, isActivityEnabled: true, order: AssetOrder.Desc,
  };
  if (dates.length) {
    dto.startDate = day(Math.min(...dates));
    dto.endDate = day(Math.max(...dates));
    dto.lastModifiedAssetTimestamp = iso(new Date(Math.max(...assets.map((a) => a.updatedAt.getTime()))));
  }
  if (opts.detail && dto.shared) {
    const counts = new Map<string, number>();
    for (const a of assets) counts.set(a.ownerId, (counts.get(a.ownerId) ?? 0) + 1);
    dto.contributorCounts = [...counts].map(([userId, assetCount]) => ({ userId, assetCount }));
  }
  return dto;
}

/** GET /shared-links/me of v3: an album link's `assets` is empty (its album has none either: search for them). */
export function linkV3(lib: FakeLibrary, link: StoredLink): SharedLinkV3 {
  const album = lib.albums.find((a) => a.id === link.albumId);
  const own = link.assetIds.map((id) => lib.assets.get(id)).filter((a): a is StoredAsset => !!a && !a.deletedAt);
  const dto: SharedLinkV3 = {
    id: link.id, description: null, password: null, userId: link.userId, key: link.key,
    type: album ? SharedLinkType.Album : SharedLinkType.Individual, createdAt: iso(link.createdAt), expiresAt: null,
    assets: own.map((a) => (link.showMetadata ? assetV3(lib, a, { exif: true }) : sanitizedAssetV3(a))),
    allowUpload: false, allowDownload: link.allowDownload, showMetadata: link.showMetadata, slug: link.slug,
  };
  if (album) dto.album = albumV3(lib, album);
  return dto;
}

export function searchV3(items: (AssetResponseDto | SanitizedAssetV3)[], more: { nextPage: string | null; nextCursor: string | null }): Omit<SearchResponseDto, 'assets'> & {
  assets: Omit<SearchResponseDto['assets'], 'items'> & { items: (AssetResponseDto | SanitizedAssetV3)[] };
} {
  return {
    albums: { total: 0, count: 0, items: [], facets: [] },
    assets: { total: items.length, count: items.length, items, facets: [], nextPage: more.nextPage, nextCursor: more.nextCursor },
  };
}

export function bucketsV3(buckets: { timeBucket: string; count: number }[]): TimeBucketsResponseDto[] {
  return buckets;
}

/** v3's exception body (nestjs-zod): a message, and zod's issues for a validation failure. */
export function errorV3(status: number, message: string, errors?: { path: (string | number)[]; message: string; code?: string }[]): ApiExceptionResponse {
  const body: ApiExceptionResponse = { message, statusCode: status };
  if (errors) body.errors = errors.map((e) => ({ code: e.code ?? 'custom', path: e.path, message: e.message }));
  return body;
}
