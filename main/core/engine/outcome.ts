import type { ErrorInfo } from '../errors.js';

/**
 * What one attempt at a download came to. The engine turns each kind into a queue transition;
 * nothing is signalled by throwing.
 */
export type TransferOutcome =
  | { kind: 'completed'; finalPath: string; bytes: number }
  /** Try again after a backoff (counts against the retries). */
  | { kind: 'retry'; error: ErrorInfo; retryAfterMs: number | null; network: boolean }
  /** The bytes on disk cannot be trusted: they were removed; start again from zero now. */
  | { kind: 'restart'; reason: string }
  /** The server sent part of what is missing; go on from the bytes on disk now. */
  | { kind: 'continue' }
  | { kind: 'checksum-mismatch' }
  | { kind: 'failed'; error: ErrorInfo }
  | { kind: 'skipped'; error: ErrorInfo }
  | { kind: 'disk-full'; error: ErrorInfo }
  /** Stopped on purpose (pause, cancel, shutdown); the engine already knows why. */
  | { kind: 'aborted' };
