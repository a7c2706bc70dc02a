// The fake Immich's library (users, assets, albums, shared links) and its mapping to the DTOs the
// real server sends, field for field as server/src/dtos/*.ts of Immich v2.5 build them.
import { createHash, randomUUID } from 'node:crypto';
import { extname, posix } from 'node:path';
import { FRIEND_USER, type Auth, type FakeAlbum, type FakeAsset, type FakeSharedLink, type FakeUser, type StoredAlbum, type StoredAsset, type StoredLink, type Visibility } from './immich-fake-types.js';

const VIDEO_EXT = new Set(['.mp4', '.mov', '.m4v', '.mkv', '.avi', '.webm', '.3gp', '.mts', '.m2ts', '.wmv', '.mpg', '.mpeg', '.flv']);
const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp',
  '.heic': 'image/heic', '.heif': 'image/heif', '.avif': 'image/avif', '.tif': 'image/tiff', '.tiff': 'image/tiff',
  '.dng': 'image/dng', '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.m4v': 'video/x-m4v', '.mkv': 'video/x-matroska',
  '.webm': 'video/webm', '.avi': 'video/avi', '.3gp': 'video/3gpp', '.mts': 'video/mp2t',
};
/** Immich's mimeTypes.lookup, for the extensions tests use. */
export const mimeOf = (name: string): string => MIME[extname(name).toLowerCase()] ?? 'application/octet-stream';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const sha1 = (data: Buffer | string): Buffer => createHash('sha1').update(data).digest();
/** A stable UUID-shaped id derived from a string (face ids). */
const uuidFrom = (s: string): string => {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const WIDTH = 640;
const HEIGHT = 480;

/** The library the fake serves, and the DTOs it maps to. */
export class FakeLibrary {
  readonly assets = new Map<string, StoredAsset>();
  readonly albums: StoredAlbum[] = [];
  readonly links: StoredLink[] = [];
  private lastTick = 0;
  private added = 0;
  /** Ids that are some asset's livePhotoVideoId; reset by every asset change. */
  private motionIds: Set<string> | undefined;

  constructor(
    readonly me: FakeUser,
    readonly version: 2 | 3,
  ) {}

  /** A timestamp after every earlier one: mutations move updatedAt and mtime forward by at least a second. */
  tick(): Date {
    this.lastTick = Math.max(Date.now(), this.lastTick + 1000);
    return new Date(this.lastTick);
  }

  user(id: string): FakeUser {
    if (id === this.me.id) return this.me;
    if (id === FRIEND_USER.id) return FRIEND_USER;
    return { id, name: `User ${id.slice(0, 8)}`, email: `${id.slice(0, 8)}@example.com` };
  }

  addAsset(a: FakeAsset): string {
    const n = this.added++;
    const created = a.fileCreatedAt ? new Date(a.fileCreatedAt) : new Date(Date.UTC(2024, 0, 1) + n * 3_600_000);
    const uploaded = new Date(Date.UTC(2024, 5, 1) + n * 1000);
    const stored: StoredAsset = {
      id: a.id ?? randomUUID(),
      ownerId: a.ownerId ?? this.me.id,
      originalFileName: a.originalFileName,
      originalPath: a.originalPath ?? `/photos/${a.originalFileName}`,
      type: a.type ?? (VIDEO_EXT.has(extname(a.originalFileName).toLowerCase()) ? 'VIDEO' : 'IMAGE'),
      mimeType: a.mimeType ?? mimeOf(a.originalFileName),
      bytes: a.bytes,
      explicitVisibility: a.visibility,
      isFavorite: a.isFavorite ?? false,
      deletedAt: a.isTrashed ? uploaded : null,
      isOffline: a.isOffline ?? false,
      libraryId: a.libraryId ?? null,
      livePhotoVideoId: a.livePhotoVideoId ?? null,
      personIds: a.personIds ?? [],
      fileCreatedAt: created,
      localDateTime: new Date(created.getTime() + (a.utcOffsetMinutes ?? 0) * 60_000),
      fileModifiedAt: created,
      createdAt: uploaded,
      updatedAt: uploaded,
      // Immich sets the uploaded file's mtime to fileModifiedAt.
      mtime: created,
    };
    this.assets.set(stored.id, stored);
    this.motionIds = undefined;
    return stored.id;
  }

  updateAsset(id: string, patch: Partial<Omit<FakeAsset, 'id'>>): void {
    const a = this.assets.get(id);
    if (!a) throw new Error(`no asset ${id}`);
    const now = this.tick();
    this.motionIds = undefined;
    if (patch.bytes && !patch.bytes.equals(a.bytes)) {
      a.bytes = patch.bytes;
      a.mtime = now;
      a.fileModifiedAt = now;
    }
    if (patch.originalFileName !== undefined) a.originalFileName = patch.originalFileName;
    if (patch.originalPath !== undefined) a.originalPath = patch.originalPath;
    if (patch.type !== undefined) a.type = patch.type;
    if (patch.mimeType !== undefined) a.mimeType = patch.mimeType;
    if (patch.fileCreatedAt !== undefined || patch.utcOffsetMinutes !== undefined) {
      const offset = a.localDateTime.getTime() - a.fileCreatedAt.getTime();
      if (patch.fileCreatedAt !== undefined) a.fileCreatedAt = new Date(patch.fileCreatedAt);
      a.localDateTime = new Date(a.fileCreatedAt.getTime() + (patch.utcOffsetMinutes !== undefined ? patch.utcOffsetMinutes * 60_000 : offset));
    }
    if (patch.isFavorite !== undefined) a.isFavorite = patch.isFavorite;
    if (patch.visibility !== undefined) a.explicitVisibility = patch.visibility;
    if (patch.isTrashed !== undefined) a.deletedAt = patch.isTrashed ? now : null;
    if (patch.isOffline !== undefined) a.isOffline = patch.isOffline;
    if (patch.libraryId !== undefined) a.libraryId = patch.libraryId;
    if (patch.livePhotoVideoId !== undefined) a.livePhotoVideoId = patch.livePhotoVideoId;
    if (patch.personIds !== undefined) a.personIds = patch.personIds;
    if (patch.ownerId !== undefined) a.ownerId = patch.ownerId;
    a.updatedAt = now;
  }

  addAlbum(al: FakeAlbum): string {
    const id = al.id ?? randomUUID();
    this.albums.push({
      id,
      albumName: al.albumName,
      assetIds: [...al.assetIds],
      ownerId: al.shared ? FRIEND_USER.id : this.me.id,
      memberIds: al.shared ? [this.me.id] : al.ownedAndShared ? [FRIEND_USER.id] : [],
      createdAt: new Date(Date.UTC(2024, 6, 1) + this.albums.length * 60_000),
    });
    return id;
  }

  addLink(l: FakeSharedLink): void {
    const album = this.albums.find((a) => a.id === l.albumId);
    this.links.push({
      id: randomUUID(),
      key: l.key,
      slug: l.slug ?? null,
      allowDownload: l.allowDownload,
      showMetadata: l.showMetadata ?? true,
      albumId: l.albumId ?? null,
      assetIds: l.assetIds ?? [],
      userId: album?.ownerId ?? this.me.id,
      createdAt: new Date(Date.UTC(2024, 7, 1) + this.links.length * 60_000),
    });
  }

  visibility(a: StoredAsset): Visibility {
    if (a.explicitVisibility) return a.explicitVisibility;
    this.motionIds ??= new Set([...this.assets.values()].map((x) => x.livePhotoVideoId).filter((id): id is string => !!id));
    return this.motionIds.has(a.id) ? 'hidden' : 'timeline';
  }

  /** Uploads here come from the CLI; external-library imports get library.service's values. */
  deviceId(a: StoredAsset): string {
    return a.libraryId ? 'Library Import' : 'CLI';
  }

  deviceAssetId(a: StoredAsset): string {
    return a.libraryId ? posix.basename(a.originalPath).replace(/\s+/g, '') : `${a.originalFileName}-${a.bytes.length}`;
  }

  checksum(a: StoredAsset): string {
    // External libraries hash the path, not the content (library.service: sha1(`path:${path}`)).
    return (a.libraryId ? sha1(`path:${a.originalPath}`) : sha1(a.bytes)).toString('base64');
  }

  // ---- access, as server/src/utils/access.ts decides it ------------------------------------------

  inLink(link: StoredLink, a: StoredAsset): boolean {
    const album = this.albums.find((al) => al.id === link.albumId);
    const parents = [...link.assetIds, ...(album?.assetIds ?? [])].map((id) => this.assets.get(id)).filter((p) => p && !p.deletedAt);
    return parents.some((p) => p!.id === a.id || p!.livePhotoVideoId === a.id);
  }

  private inMyAlbum(userId: string, a: StoredAsset): boolean {
    return this.albums
      .filter((al) => al.ownerId === userId || al.memberIds.includes(userId))
      .flatMap((al) => al.assetIds.map((id) => this.assets.get(id)))
      .some((p) => p && !p.deletedAt && (p.id === a.id || p.livePhotoVideoId === a.id));
  }

  /** asset.read / asset.view / asset.download (`download` adds the shared link's allowDownload). */
  canAccessAsset(auth: Auth, a: StoredAsset, download = false): boolean {
    if (auth.kind === 'link') return (!download || auth.link.allowDownload) && this.inLink(auth.link, a);
    // API keys have no elevated (PIN) session: locked assets stay out of reach even for their owner.
    const owner = a.ownerId === auth.userId && this.visibility(a) !== 'locked';
    return owner || this.inMyAlbum(auth.userId, a);
  }

  canReadAlbum(auth: Auth, album: StoredAlbum): boolean {
    if (auth.kind === 'link') return auth.link.albumId === album.id;
    return album.ownerId === auth.userId || album.memberIds.includes(auth.userId);
  }

  // ---- DTOs ---------------------------------------------------------------------------------------

  userDto(u: FakeUser): Record<string, unknown> {
    return { id: u.id, email: u.email, name: u.name, profileImagePath: '', avatarColor: 'primary', profileChangedAt: '2024-01-01T00:00:00.000Z' };
  }

  userAdminDto(): Record<string, unknown> {
    return {
      ...this.userDto(this.me),
      storageLabel: 'admin', shouldChangePassword: false, isAdmin: true, createdAt: '2024-01-01T00:00:00.000Z',
      deletedAt: null, updatedAt: '2024-01-01T00:00:00.000Z', oauthId: '', quotaSizeInBytes: null,
      quotaUsageInBytes: [...this.assets.values()].filter((a) => a.ownerId === this.me.id).reduce((n, a) => n + a.bytes.length, 0),
      status: 'active', license: null,
    };
  }

  exifDto(a: StoredAsset): Record<string, unknown> {
    return {
      make: null, model: null, exifImageWidth: WIDTH, exifImageHeight: HEIGHT,
      // mapExif: `fileSizeInByte ? parseInt(...) : null`, so an empty file reports null.
      fileSizeInByte: a.bytes.length || null,
      orientation: null, dateTimeOriginal: iso(a.fileCreatedAt), modifyDate: iso(a.fileModifiedAt), timeZone: 'UTC',
      lensModel: null, fNumber: null, focalLength: null, iso: null, exposureTime: null, latitude: null, longitude: null,
      city: null, state: null, country: null, description: '', projectionType: null, rating: null,
    };
  }

  private personDto(a: StoredAsset, personId: string): Record<string, unknown> {
    return {
      id: personId, name: `Person ${personId.slice(0, 8)}`, birthDate: null, thumbnailPath: `/data/thumbs/${a.ownerId}/${personId}.jpeg`,
      isHidden: false, isFavorite: false, updatedAt: '2024-01-01T00:00:00.000Z',
      faces: [{ id: uuidFrom(`${a.id}/${personId}`), imageWidth: WIDTH, imageHeight: HEIGHT, boundingBoxX1: 10, boundingBoxY1: 10, boundingBoxX2: 110, boundingBoxY2: 110, sourceType: 'machine-learning' }],
    };
  }

  /**
   * mapAsset(). `exif`, `owner`, `faces`, `tags`, `stack` say which relations the endpoint loads
   * (absent ones are left out of the JSON, as undefined is); `authUserId` decides isFavorite.
   */
  assetDto(a: StoredAsset, view: { authUserId?: string; exif?: boolean; owner?: boolean; faces?: boolean; tags?: boolean; stack?: boolean; hidePeople?: boolean; strip?: boolean }): Record<string, unknown> {
    const duration = a.type === 'VIDEO' ? '0:00:05.000000' : '0:00:00.00000';
    if (view.strip) {
      // SanitizedAssetResponseDto: shared links with showMetadata off.
      return { id: a.id, type: a.type, originalMimeType: a.mimeType, thumbhash: null, localDateTime: iso(a.localDateTime), duration, livePhotoVideoId: a.livePhotoVideoId, hasMetadata: false, width: WIDTH, height: HEIGHT };
    }
    const visibility = this.visibility(a);
    const dto: Record<string, unknown> = {
      id: a.id, createdAt: iso(a.createdAt), deviceAssetId: this.deviceAssetId(a), ownerId: a.ownerId,
      owner: view.owner ? this.userDto(this.user(a.ownerId)) : undefined, deviceId: this.deviceId(a), libraryId: a.libraryId, type: a.type,
      originalPath: a.originalPath, originalFileName: a.originalFileName, originalMimeType: a.mimeType, thumbhash: null,
      fileCreatedAt: iso(a.fileCreatedAt), fileModifiedAt: iso(a.fileModifiedAt), localDateTime: iso(a.localDateTime), updatedAt: iso(a.updatedAt),
      isFavorite: view.authUserId === a.ownerId && a.isFavorite, isArchived: visibility === 'archive', isTrashed: !!a.deletedAt, visibility, duration,
      exifInfo: view.exif ? this.exifDto(a) : undefined, livePhotoVideoId: a.livePhotoVideoId, tags: view.tags ? [] : undefined,
      people: view.faces && !view.hidePeople ? a.personIds.map((p) => this.personDto(a, p)) : [], unassignedFaces: view.faces ? [] : undefined,
      checksum: this.checksum(a), stack: view.stack ? null : undefined, isOffline: a.isOffline, hasMetadata: true, duplicateId: null,
      resized: true, width: WIDTH, height: HEIGHT, isEdited: false,
    };
    if (this.version === 3) {
      // Immich v3 removed deviceId and deviceAssetId (PR #27818).
      delete dto.deviceId;
      delete dto.deviceAssetId;
    }
    return JSON.parse(JSON.stringify(dto)) as Record<string, unknown>;
  }

  /** Album assets as the album repository's withAssets reads them: not trashed, timeline or archive, newest first. */
  albumAssets(album: StoredAlbum): StoredAsset[] {
    return album.assetIds
      .map((id) => this.assets.get(id))
      .filter((a): a is StoredAsset => !!a && !a.deletedAt && ['timeline', 'archive'].includes(this.visibility(a)))
      .sort((x, y) => y.fileCreatedAt.getTime() - x.fileCreatedAt.getTime());
  }

  /**
   * mapAlbum() plus the metadata album.service adds. `detail` is GET /albums/{id} (assets unless
   * withoutAssets, contributorCounts when shared); lists pass none.
   */
  albumDto(album: StoredAlbum, opts: { authUserId?: string; withAssets?: boolean; detail?: boolean }): Record<string, unknown> {
    const assets = this.albumAssets(album);
    const day = (d: Date) => `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;
    const dates = assets.map((a) => a.fileCreatedAt.getTime());
    const hasSharedLink = this.links.some((l) => l.albumId === album.id);
    const thumb = album.assetIds
      .map((id) => this.assets.get(id))
      .filter((a): a is StoredAsset => !!a && !a.deletedAt)
      .sort((x, y) => y.fileCreatedAt.getTime() - x.fileCreatedAt.getTime())[0];
    const dto: Record<string, unknown> = {
      albumName: album.albumName, description: '', albumThumbnailAssetId: thumb?.id ?? null,
      createdAt: iso(album.createdAt), updatedAt: iso(album.createdAt), id: album.id, ownerId: album.ownerId,
      owner: this.userDto(this.user(album.ownerId)),
      albumUsers: album.memberIds.map((id) => ({ user: this.userDto(this.user(id)), role: 'editor' })),
      shared: album.memberIds.length > 0 || hasSharedLink, hasSharedLink,
      startDate: dates.length ? day(new Date(Math.min(...dates))) : undefined,
      endDate: dates.length ? day(new Date(Math.max(...dates))) : undefined,
      assets: opts.withAssets ? assets.map((a) => this.assetDto(a, { authUserId: opts.authUserId, exif: true })) : [],
      assetCount: assets.length,
      lastModifiedAssetTimestamp: assets.length ? iso(new Date(Math.max(...assets.map((a) => a.updatedAt.getTime())))) : undefined,
      isActivityEnabled: true, order: 'desc',
    };
    if (opts.detail && (album.memberIds.length > 0 || hasSharedLink)) {
      const counts = new Map<string, number>();
      for (const a of assets) counts.set(a.ownerId, (counts.get(a.ownerId) ?? 0) + 1);
      dto.contributorCounts = [...counts].map(([userId, assetCount]) => ({ userId, assetCount })).sort((x, y) => y.assetCount - x.assetCount);
    }
    // Immich v3 removed AlbumResponseDto.assets (PR #27835).
    if (this.version === 3) delete dto.assets;
    return JSON.parse(JSON.stringify(dto)) as Record<string, unknown>;
  }

  /** mapSharedLink() for GET /shared-links/me. */
  linkDto(link: StoredLink): Record<string, unknown> {
    const strip = !link.showMetadata;
    const asc = (ids: string[]) =>
      ids
        .map((id) => this.assets.get(id))
        .filter((a): a is StoredAsset => !!a && !a.deletedAt)
        .sort((x, y) => x.fileCreatedAt.getTime() - y.fileCreatedAt.getTime());
    const album = this.albums.find((a) => a.id === link.albumId);
    let albumDto: Record<string, unknown> | undefined;
    if (album) {
      // The link query loads the album with its owner and assets (oldest first), not its users.
      const assets = asc(album.assetIds);
      albumDto = {
        ...this.albumDto(album, {}),
        albumUsers: [], shared: true, hasSharedLink: true, assetCount: assets.length,
        startDate: assets[0] ? iso(assets[0].fileCreatedAt) : undefined,
        endDate: assets.length ? iso(assets[assets.length - 1]!.fileCreatedAt) : undefined,
        lastModifiedAssetTimestamp: undefined,
      };
    }
    return JSON.parse(
      JSON.stringify({
        id: link.id, description: null, password: null, userId: link.userId, key: link.key,
        type: link.albumId ? 'ALBUM' : 'INDIVIDUAL', createdAt: iso(link.createdAt), expiresAt: null,
        assets: asc(link.assetIds).map((a) => this.assetDto(a, { exif: true, strip })),
        album: albumDto, allowUpload: false, allowDownload: link.allowDownload, showMetadata: link.showMetadata, slug: link.slug,
      }),
    ) as Record<string, unknown>;
  }

  /** Directory of an original, as the folder view computes it: everything before the last slash. */
  static folderOf(path: string): string {
    return posix.dirname(path);
  }
}
