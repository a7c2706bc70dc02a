import type { ConflictPolicy } from '../settings.js';
import type { ErrorInfo } from '../errors.js';
import type { TaskGroup, TaskState } from './states.js';

export type ChecksumAlgo = 'sha1-base64' | 'sha256-hex' | 'md5-hex';

/** A download as the queue stores it: everything needed to finish it after a crash, and no secret. */
export interface Task {
  id: number;
  /** Where the file came from, for the source to build headers at request time ("url", "immich:ID:ASSET"). */
  sourceRef: string;
  url: string;
  name: string;
  dir: string;
  finalPath: string;
  tempPath: string;
  group: TaskGroup;
  host: string;
  state: TaskState;
  bytesOnDisk: number;
  /** Total announced by the server (null until a response said). */
  totalBytes: number | null;
  /** Size the source listed before any download (null when unknown). */
  expectedBytes: number | null;
  etag: string | null;
  lastModified: string | null;
  contentType: string | null;
  checksumAlgo: ChecksumAlgo | null;
  checksum: string | null;
  attempts: number;
  checksumFailures: number;
  nextAttemptAt: number;
  error: ErrorInfo | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  /** What to do when the name is taken, for this task alone (a mirror never overwrites what it did not write). */
  conflict: ConflictPolicy | null;
  /** The zip its file was for is written or canceled: it can no longer be retried. */
  sealed: boolean;
  /** Where its verified part file is being placed (recorded before the link; cleared when it completes). */
  placing: string | null;
}

/** What a caller gives to queue a download. */
export interface TaskSpec {
  url: string;
  dir: string;
  name?: string;
  group?: TaskGroup;
  sourceRef?: string;
  expectedBytes?: number;
  checksum?: { algo: ChecksumAlgo; value: string };
  /** Overrides the conflict policy of the settings for this task. */
  conflict?: ConflictPolicy;
}

/** Fields that may change along with a transition, or while a task is active. */
export interface TaskPatch {
  bytesOnDisk?: number;
  totalBytes?: number | null;
  etag?: string | null;
  lastModified?: string | null;
  contentType?: string | null;
  attempts?: number;
  checksumFailures?: number;
  nextAttemptAt?: number;
  error?: ErrorInfo | null;
  finalPath?: string;
  completedAt?: number | null;
  placing?: string | null;
}

export interface TaskRow {
  id: number;
  source_ref: string;
  url: string;
  name: string;
  dir: string;
  final_path: string;
  temp_path: string;
  grp: TaskGroup;
  host: string;
  state: TaskState;
  bytes_on_disk: number;
  total_bytes: number | null;
  expected_bytes: number | null;
  etag: string | null;
  last_modified: string | null;
  content_type: string | null;
  checksum_algo: ChecksumAlgo | null;
  checksum: string | null;
  attempts: number;
  checksum_failures: number;
  next_attempt_at: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  conflict: ConflictPolicy | null;
  sealed: number;
  placing: string | null;
}

export function taskFromRow(r: TaskRow): Task {
  return {
    id: r.id,
    sourceRef: r.source_ref,
    url: r.url,
    name: r.name,
    dir: r.dir,
    finalPath: r.final_path,
    tempPath: r.temp_path,
    group: r.grp,
    host: r.host,
    state: r.state,
    bytesOnDisk: r.bytes_on_disk,
    totalBytes: r.total_bytes,
    expectedBytes: r.expected_bytes,
    etag: r.etag,
    lastModified: r.last_modified,
    contentType: r.content_type,
    checksumAlgo: r.checksum_algo,
    checksum: r.checksum,
    attempts: r.attempts,
    checksumFailures: r.checksum_failures,
    nextAttemptAt: r.next_attempt_at,
    error: r.error_code ? ({ code: r.error_code, message: r.error_message ?? '' } as ErrorInfo) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    conflict: r.conflict ?? null,
    sealed: r.sealed === 1,
    placing: r.placing ?? null,
  };
}

/** Column for each patch field; the patch keys are fixed, so the SQL built from them is too. */
export const patchColumns: Record<Exclude<keyof TaskPatch, 'error'>, string> = {
  bytesOnDisk: 'bytes_on_disk',
  totalBytes: 'total_bytes',
  etag: 'etag',
  lastModified: 'last_modified',
  contentType: 'content_type',
  attempts: 'attempts',
  checksumFailures: 'checksum_failures',
  nextAttemptAt: 'next_attempt_at',
  finalPath: 'final_path',
  completedAt: 'completed_at',
  placing: 'placing',
};
