import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import { CartageError, type ErrorInfo } from '../errors.js';
import type { Task } from '../queue/task.js';
import { formatBytes } from '../util/format.js';
import type { TransferOutcome } from './outcome.js';
import { isNetworkError, isRetryableStatus, parseRetryAfter } from './retry.js';
import { isHtml } from './validators.js';

/*
 * What an answer, an error or a finished body means for a download: pure functions of what the
 * attempt saw, so that each rule is read, and tested, on its own.
 */

/**
 * An answer other than 200, 206 or 416: skipped, failed, or tried again later. `refusal` is the
 * task's source naming what its server refused the download for (a permission the API key lacks, a
 * shared link that does not allow downloads) and where to change it: the engine knows no source.
 */
export function statusVerdict(
  task: Task,
  status: number,
  retryAfter: string | undefined,
  refusal: string | null = null,
  now: number = Date.now(),
): TransferOutcome {
  const label = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  if (status === 404 || status === 410) {
    return { kind: 'skipped', error: { code: 'gone', message: `${task.name} was deleted on the server (${label}).` } };
  }
  if (refusal) return { kind: 'failed', error: { code: 'auth', message: `${task.host} refused ${task.name} (${label}). ${refusal}` } };
  if (status === 401 || status === 403) {
    return {
      kind: 'failed',
      error: {
        code: 'auth',
        message: `${task.host} refused ${task.name} (${label}). Sign in to the source again, or check that the link still allows downloads.`,
      },
    };
  }
  if (isRetryableStatus(status)) {
    return {
      kind: 'retry',
      error: {
        code: status === 429 ? 'rate_limited' : status === 408 ? 'timeout' : 'server_error',
        message: `${task.host} answered ${label} for ${task.name}.`,
      },
      retryAfterMs: parseRetryAfter(retryAfter, now),
      network: false,
    };
  }
  return {
    kind: 'failed',
    error: { code: 'http_error', message: `${task.host} answered ${label} for ${task.name}; it was not downloaded.` },
  };
}

/** A 206's range: why the bytes on disk cannot be continued from it (the part restarts from zero), or null when it fits. */
export function partialAnswerProblem(offset: number, range: { start: number } | null, changed: boolean): string | null {
  if (!range) return 'the server answered a range request without a readable Content-Range';
  if (changed) return 'the file changed on the server';
  if (range.start !== offset) return `the server answered from byte ${range.start} instead of ${offset}`;
  return null;
}

/** A body that is plainly not the file, judged before a byte of it is written. */
export function notTheFile(
  task: Task,
  r: { total: number | null; contentType: string | null; etag: string | null; lastModified: string | null },
): CartageError | null {
  if (isHtml(r.contentType) && task.contentType !== null && !isHtml(task.contentType)) return webPageInstead(task);
  if (r.total !== null) {
    if (task.expectedBytes !== null && r.total !== task.expectedBytes) {
      return new CartageError(
        'length_mismatch',
        `${task.host} announced ${formatBytes(r.total)} for ${task.name}, but the source lists it at ${formatBytes(task.expectedBytes)}; the answer was not saved.`,
      );
    }
    if (task.totalBytes !== null && r.total !== task.totalBytes && !validatorChanged(task, r.etag, r.lastModified)) {
      return new CartageError(
        'length_mismatch',
        `${task.host} announced ${formatBytes(r.total)} for ${task.name}, but earlier said ${formatBytes(task.totalBytes)} for the same file; the answer was not saved.`,
      );
    }
  }
  return null;
}

/** A web page (an error or sign-in page) where a file was expected. */
export function webPageInstead(task: Task): CartageError {
  return new CartageError(
    'not_the_file',
    `${task.host} sent a web page instead of ${task.name} (an error or sign-in page, most likely); it was not saved.`,
  );
}

/** Whether the server now describes a different version of the file than the bytes on disk came from. */
export function validatorChanged(task: Task, etag: string | null, lastModified: string | null): boolean {
  if (task.etag && etag) return task.etag !== etag;
  if (task.lastModified && lastModified) return task.lastModified !== lastModified;
  return false;
}

/** The file is already at its place and the conflict rule says skip. */
export function alreadyThere(task: Task): TransferOutcome {
  return {
    kind: 'skipped',
    error: {
      code: 'already_exists',
      message: `${path.basename(task.finalPath)} is already in ${task.dir}; it was skipped (conflict setting: skip).`,
    },
  };
}

/** What the body that ended came to, once written: null when the part is the whole file (it is verified and placed next). */
export function bodyVerdict(
  task: Task,
  body: { received: number; total: number | null; rangeEnd: number | null; etag: string | null; lastModified: string | null },
): TransferOutcome | null {
  const { received, total, rangeEnd } = body;
  // With no length in this answer, the size learnt before (same file) or listed by the source still holds.
  const known = total ?? (!validatorChanged(task, body.etag, body.lastModified) ? task.totalBytes : null) ?? task.expectedBytes;
  if (total === null && known !== null && received !== known) {
    return {
      kind: 'retry',
      error: {
        code: 'length_mismatch',
        message: `${task.host} sent ${formatBytes(received)} of ${task.name}, which is ${formatBytes(known)}; the file was not saved.`,
      },
      retryAfterMs: null,
      network: true,
    };
  }
  if (total !== null && received < total) {
    if (rangeEnd !== null && received === rangeEnd) return { kind: 'continue' };
    return {
      kind: 'retry',
      error: {
        code: 'network',
        message: `The connection to ${task.host} ended early: ${task.name} got ${formatBytes(received)} of ${formatBytes(total)}.`,
      },
      retryAfterMs: null,
      network: true,
    };
  }
  return null;
}

/** What the attempt found out about an error, for `errorVerdict` to judge without touching the disk or the network. */
export interface ErrorFacts {
  /** The certificate is not trusted (trying again will not change that): the sentence to show. */
  untrusted: ErrorInfo | null;
  /** The target folder is gone (ENOENT on a folder removed while Cartage ran). */
  folderGone: boolean;
  /** For a full disk (null for any other error): the part's bytes, the file's size if known, the free room if known. */
  room: { onDisk: number; total: number | null; free: number | null } | null;
}

/** Turns what went wrong into an outcome, from the disk's errors to the network's. */
export function errorVerdict(err: unknown, task: Task, facts: ErrorFacts): TransferOutcome {
  const code = (err as { code?: string }).code;
  // Trying again will not make a certificate trusted: the person has to decide.
  if (facts.untrusted) return { kind: 'failed', error: facts.untrusted };
  if (err instanceof CartageError) {
    return { kind: 'retry', error: { code: err.code, message: err.message }, retryAfterMs: null, network: false };
  }
  if (code === 'ENOENT' && facts.folderGone) {
    // The folder was removed while Cartage ran: it is made again on the next attempt.
    return { kind: 'retry', error: { code: 'cannot_write', message: `The folder ${task.dir} disappeared; it will be created again.` }, retryAfterMs: 0, network: false };
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const { onDisk, total, free } = facts.room ?? { onDisk: 0, total: null, free: null };
    const needed = total !== null ? `needs ${formatBytes(Math.max(0, total - onDisk))} more` : 'needs more room';
    return {
      kind: 'disk-full',
      error: {
        code: 'disk_full',
        message: `The disk is full: ${task.name} ${needed} in ${task.dir}${free !== null ? ` (${formatBytes(free)} free)` : ''}. Free some space, then resume; what was downloaded is kept.`,
      },
    };
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EISDIR') {
    const why = code === 'EROFS' ? 'it is read-only' : code === 'ENOTDIR' ? 'part of the path is a file' : 'permission denied';
    return {
      kind: 'failed',
      error: {
        code: 'cannot_write',
        message: `cannot write to ${task.dir} (${why}): ${task.name} was not saved. Choose another folder or fix its permissions, then retry.`,
      },
    };
  }
  if (isNetworkError(err)) {
    const detail = code ?? (err as Error).message;
    return {
      kind: 'retry',
      error: { code: 'network', message: `Lost the connection to ${task.host} while downloading ${task.name} (${detail}).` },
      retryAfterMs: null,
      network: true,
    };
  }
  return {
    kind: 'failed',
    error: { code: 'http_error', message: `${task.name} could not be downloaded: ${(err as Error).message ?? String(err)}.` },
  };
}
