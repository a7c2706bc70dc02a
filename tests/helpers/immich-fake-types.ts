// What a test gives the fake Immich (FakeAsset, FakeAlbum, FakeSharedLink) and what the fake keeps
// of them (StoredAsset, StoredAlbum, StoredLink).

export type Visibility = 'timeline' | 'archive' | 'hidden' | 'locked';

export interface FakeUser {
  id: string;
  name: string;
  email: string;
}

export interface FakeAsset {
  id?: string;
  originalFileName: string;
  /** Default from the extension. */
  type?: 'IMAGE' | 'VIDEO';
  bytes: Buffer;
  /** Default `/photos/<originalFileName>`; the folder view groups by its directory. */
  originalPath?: string;
  /** ISO date. Default: 2024-01-01 plus one hour per asset. */
  fileCreatedAt?: string;
  /** Where it was taken, in minutes east of UTC (default 0): localDateTime is the wall-clock time there, and the timeline groups by it. */
  utcOffsetMinutes?: number;
  isFavorite?: boolean;
  /** Default 'timeline', or 'hidden' for the motion part of a live photo (as the real server does). */
  visibility?: Visibility;
  isTrashed?: boolean;
  isOffline?: boolean;
  /** Set for an external library: the checksum is then SHA-1 of `path:<originalPath>`, not of the bytes. */
  libraryId?: string | null;
  livePhotoVideoId?: string | null;
  personIds?: string[];
  /** Default: the test user. */
  ownerId?: string;
  mimeType?: string;
}

export interface FakeAlbum {
  id?: string;
  albumName: string;
  assetIds: string[];
  /** Shared with the user, owned by FRIEND_USER. */
  shared?: boolean;
  /** Owned by the user and shared with FRIEND_USER. */
  ownedAndShared?: boolean;
}

export interface FakeSharedLink {
  key: string;
  slug?: string;
  allowDownload: boolean;
  albumId?: string;
  assetIds?: string[];
  /** Default true, like the real server. */
  showMetadata?: boolean;
}

export const DEFAULT_USER: FakeUser = { id: '5d7c7e0a-2f63-4b8e-9a41-3c1f0e6b2d11', name: 'Test User', email: 'test@example.com' };
/** The other user: owner of albums shared with the test user, and of any asset a test gives this ownerId. */
export const FRIEND_USER: FakeUser = { id: '9a3e1b52-7c4d-4f0a-b8e6-2d5f6a7b8c9d', name: 'Friend', email: 'friend@example.com' };

export interface StoredAsset {
  id: string;
  ownerId: string;
  originalFileName: string;
  originalPath: string;
  type: 'IMAGE' | 'VIDEO';
  mimeType: string;
  bytes: Buffer;
  explicitVisibility: Visibility | undefined;
  isFavorite: boolean;
  deletedAt: Date | null;
  isOffline: boolean;
  libraryId: string | null;
  livePhotoVideoId: string | null;
  personIds: string[];
  fileCreatedAt: Date;
  /** The wall-clock time where it was taken, written as if it were UTC (as Immich stores it). */
  localDateTime: Date;
  fileModifiedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  /** The file's mtime: Last-Modified and the ETag come from it, as express's sendFile does. */
  mtime: Date;
}

export interface StoredAlbum {
  id: string;
  albumName: string;
  assetIds: string[];
  ownerId: string;
  /** Users the album is shared with (role editor). */
  memberIds: string[];
  createdAt: Date;
}

export interface StoredLink {
  id: string;
  key: string;
  slug: string | null;
  allowDownload: boolean;
  showMetadata: boolean;
  albumId: string | null;
  assetIds: string[];
  userId: string;
  createdAt: Date;
}

export type Auth = { kind: 'user'; userId: string } | { kind: 'link'; link: StoredLink };
