/**
 * Errors a person can act on: a stable code for the UI and tests, and a sentence that says what
 * happened, to which file, and what to do.
 */
export type ErrorCode =
  | 'bad_input'
  | 'database_too_new'
  | 'database_corrupt'
  | 'illegal_transition'
  | 'not_found'
  | 'network'
  | 'timeout'
  | 'server_error'
  | 'rate_limited'
  | 'gone'
  | 'auth'
  | 'http_error'
  | 'not_the_file'
  | 'length_mismatch'
  | 'checksum_mismatch'
  | 'disk_full'
  | 'cannot_write'
  | 'already_exists'
  | 'engine_busy';

export class CartageError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CartageError';
    this.code = code;
  }
}

/** The serialisable form kept in the task row and sent to the UI. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}
