import type { ImmichAsset, ImmichSharedLink } from './immich-api.js';
import { safeFileName } from '../naming.js';
import { downloadable, type Access, type RemoteFile } from './types.js';

// Immich assets as the files Cartage lists: names (made up when a link hides them), checksums,
// dates, and why one cannot be downloaded.

/** An asset as a file: its name, size, dates, checksum and why it cannot be downloaded, if it cannot. */
export function fileOf(a: ImmichAsset, folder: string, link: ImmichSharedLink | null, webUrl: string): RemoteFile {
  const name = safeFileName(a.originalFileName ?? stemlessName(a));
  const hidden = sanitized(a);
  return {
    kind: 'file',
    id: a.id,
    name,
    folder,
    size: a.exifInfo?.fileSizeInByte ?? null,
    modified: date(a.fileModifiedAt) ?? date(a.fileCreatedAt),
    contentType: a.originalMimeType ?? null,
    group: a.type === 'VIDEO' ? 'video' : a.type === 'IMAGE' ? 'image' : 'other',
    etag: null,
    href: `${webUrl}/photos/${encodeURIComponent(a.id)}`,
    access: accessOf(a, link),
    // External-library checksums are not of the file's content (Immich derives them from the path).
    checksum: a.libraryId || !a.checksum ? null : { algo: 'sha1-base64', value: a.checksum },
    takenAt: hidden ? null : (date(a.exifInfo?.dateTimeOriginal) ?? date(a.localDateTime) ?? date(a.fileCreatedAt)),
    motion: null,
    metadata: {
      immichId: a.id,
      favorite: a.isFavorite ?? false,
      description: a.exifInfo?.description ?? null,
      capturedAt: hidden ? null : (a.exifInfo?.dateTimeOriginal ?? a.localDateTime ?? a.fileCreatedAt ?? null),
      originalPath: a.originalPath ?? null,
      ...(hidden
        ? { note: 'The owner of this shared link hides its metadata (Show metadata is off): the file name is made from its id, there is no checksum to verify it against, and its dates are unknown.' }
        : {}),
    },
  };
}

/** A link with "Show metadata" off sends assets without a file name or checksum. */
export function sanitized(a: ImmichAsset): boolean {
  return a.originalFileName == null;
}

const extensions: Record<string, string> = {
  'image/jpeg': '.jpg', 'image/png': '.png', 'image/gif': '.gif', 'image/webp': '.webp', 'image/heic': '.heic', 'image/heif': '.heif',
  'image/avif': '.avif', 'image/tiff': '.tif', 'image/dng': '.dng', 'image/x-adobe-dng': '.dng', 'video/mp4': '.mp4', 'video/quicktime': '.mov',
  'video/x-m4v': '.m4v', 'video/x-matroska': '.mkv', 'video/webm': '.webm', 'video/avi': '.avi', 'video/3gpp': '.3gp', 'video/mp2t': '.mts',
};

/** A name for an asset whose name is hidden: its id, and the extension of its type. */
function stemlessName(a: ImmichAsset): string {
  return `${a.id}${extensions[a.originalMimeType ?? ''] ?? ''}`;
}

/** Motion parts (hidden) and locked assets are never listed on their own. */
export function isListed(a: ImmichAsset): boolean {
  return a.visibility !== 'hidden' && a.visibility !== 'locked';
}

function accessOf(a: ImmichAsset, link: ImmichSharedLink | null): Access {
  if (a.isTrashed) {
    return { downloadable: false, restriction: 'trashed', reason: 'In the trash on the Immich server: restore it there to download it.' };
  }
  if (a.isOffline) {
    return {
      downloadable: false,
      restriction: 'offline',
      reason: 'Offline: the Immich server cannot reach this file (its external library is missing); bring that storage back and try again.',
    };
  }
  if (link && !link.allowDownload) {
    return {
      downloadable: false,
      restriction: 'not_allowed',
      reason: linkWithoutDownloads,
    };
  }
  return downloadable;
}

/** Why a shared link's files cannot be downloaded, and what to do: the option is named as Immich's link settings name it. */
export const linkWithoutDownloads =
  'The owner of this shared link does not allow downloads: ask them to turn on "Allow download" in the link\'s settings in Immich, or open it in the browser.';

/** The video of a live photo keeps the image's stem: IMG_1234.HEIC + IMG_1234.MOV. */
export function motionName(imageName: string, video: ImmichAsset | null): string {
  const stem = imageName.includes('.') ? imageName.slice(0, imageName.lastIndexOf('.')) : imageName;
  const ext = (video && /\.[A-Za-z0-9]{1,5}$/.exec(video.originalFileName ?? stemlessName(video))?.[0]) ?? (video?.originalMimeType === 'video/mp4' ? '.mp4' : '.MOV');
  return safeFileName(`${stem}${ext}`);
}

export function date(text: string | null | undefined): Date | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms) : null;
}
