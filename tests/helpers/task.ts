// A task row as the queue hands it to the engine, for unit tests of the engine's pure parts: an
// active download of a plain link with nothing on disk yet, changed by `patch`.
import type { Task } from '../../main/core/queue/task.js';

/** A task of `name` in `dir` from 127.0.0.1:8080, with `patch` applied. */
export function aTask(name: string, dir: string, patch: Partial<Task> = {}): Task {
  return {
    id: 1,
    sourceRef: 'url',
    url: `http://127.0.0.1:8080/${name}`,
    name,
    dir,
    finalPath: `${dir}/${name}`,
    tempPath: `${dir}/.${name}.part`,
    group: 'other',
    host: '127.0.0.1:8080',
    state: 'active',
    bytesOnDisk: 0,
    totalBytes: null,
    expectedBytes: null,
    etag: null,
    lastModified: null,
    contentType: null,
    checksumAlgo: null,
    checksum: null,
    attempts: 0,
    checksumFailures: 0,
    nextAttemptAt: 0,
    error: null,
    createdAt: 0,
    updatedAt: 0,
    completedAt: null,
    conflict: null,
    sealed: false,
    placing: null,
    ...patch,
  };
}
