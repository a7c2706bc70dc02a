/**
 * Errors a person can act on: a stable code for the UI and tests, and a sentence that says what
 * happened, to which file, and what to do.
 */
// The list of codes is the contract's, so the window switches on the same ones (see ApiError).
import type { ErrorCode } from '../../preload/error-codes.js';

export type { ErrorCode };

export class CartageError extends Error {
  readonly code: ErrorCode;
  /** Facts the UI or the CLI can build its own advice from (a certificate's fingerprint), beside the sentence. */
  readonly details?: Readonly<Record<string, string>>;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Readonly<Record<string, string>> }) {
    super(message, options);
    this.name = 'CartageError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/** The serialisable form kept in the task row and sent to the UI. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}
