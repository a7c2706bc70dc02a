import type { SourceKind } from '../../../preload/domain.js';
import type { TaskGroup } from '../queue/states.js';
import type { ChecksumAlgo } from '../queue/task.js';

/**
 * Why a file cannot be downloaded (in bulk), in the words the cart and the app show.
 * `null` access means it can.
 */
export type AccessRestriction =
  | 'needs_sign_in' // 401 / 403
  | 'not_allowed' // the owner does not allow downloads (an Immich shared link)
  | 'offline' // the source says the file is offline
  | 'trashed'
  | 'external_link' // points at another site
  | 'unsupported_protocol' // sftp://, ftp://, mailto:...
  | 'web_page' // an HTML page, not a file
  | 'access_requirement'; // an access requirement the person has not met (Synapse): request access

export interface Access {
  downloadable: boolean;
  restriction: AccessRestriction | null;
  /** A sentence for people: what stops it, and what they can do. */
  reason: string | null;
}

export const downloadable: Access = { downloadable: true, restriction: null, reason: null };

/** A file as a source lists it. */
export interface RemoteFile {
  kind: 'file';
  /** Stable id within the source (a URL for web sources, an asset id for Immich). */
  id: string;
  /** Safe file name (made safe with `safeFileName`). */
  name: string;
  /** The folder it was listed in, as a source path. */
  folder: string;
  size: number | null;
  modified: Date | null;
  contentType: string | null;
  group: TaskGroup;
  etag: string | null;
  /** Link to the original, for people (open in the browser). */
  href: string;
  access: Access;
  /** A checksum of the content the engine verifies (Immich's SHA-1), when the source gives one. */
  checksum?: { algo: ChecksumAlgo; value: string } | null;
  /** When the photo or video was taken, when the source knows (for the by-date layout). */
  takenAt?: Date | null;
  /**
   * A live photo's motion video: one item with two parts, saved next to the image with the same
   * stem (IMG_1234.HEIC + IMG_1234.MOV), both or neither.
   */
  motion?: RemoteFile | null;
  /** What the source says of the file beyond its bytes (favourite, description), for sidecar files. */
  metadata?: Record<string, unknown>;
}

export interface RemoteFolder {
  kind: 'folder';
  /** Source path of the folder, to pass back to `list`. */
  path: string;
  name: string;
  modified: Date | null;
  /** Files in it, when the source says without a listing (an album's asset count). */
  count?: number | null;
  /** Their total size, when the source sums it (a Synapse folder). */
  bytes?: number | null;
}

export interface Listing {
  folder: string;
  files: RemoteFile[];
  folders: RemoteFolder[];
}

export interface FolderSummary {
  folder: string;
  files: number;
  /** Sum of the known sizes. */
  bytes: number;
  /** Files whose size the listing did not give (and a HEAD did not either). */
  unknownSizes: number;
}

/** What the engine needs to download a file: the URL, and headers built now (credentials included). */
export interface Resolved {
  url: string;
  headers: Record<string, string>;
  expectedBytes: number | null;
}

/** One interface over Immich, web directory listings, WebDAV and plain links. */
export interface Source {
  /** A stored source's kind, or a plain link's. */
  readonly kind: SourceKind | 'url';
  /** The direct children of a folder ('' or '/' for the root): not recursive. */
  list(folder: string): Promise<Listing>;
  /** Count and total size of the files directly in a folder. */
  summary(folder: string): Promise<FolderSummary>;
  /** Every file a query matches, across all pages, as a stream. */
  query(q: string): AsyncIterable<RemoteFile>;
  resolve(file: RemoteFile): Promise<Resolved>;
  /** The credentials a download of `url` sends (none off the source's own origin), built now from the secret store. */
  headers(url: string): Promise<Record<string, string>>;
  /**
   * For sources whose files download through short-lived addresses (Synapse's pre-signed URLs):
   * the address for a file now, a new one when `renew` (the last one expired). Never stored.
   */
  requestUrl?(fileId: string, renew: boolean): Promise<string>;
  /**
   * What the server refused a download with this status for, when the source can tell (a
   * permission its credentials lack, a shared link without downloads), and what to do; null when
   * it cannot. Asked only after a refusal, so it may ask the server.
   */
  refusal?(status: number): Promise<string | null>;
  /**
   * How many files a path adds (a folder's own files), when the source can say without listing
   * them (Synapse counts them itself); null when it cannot, or the path is a file.
   */
  countFiles?(path: string): Promise<number | null>;
}
