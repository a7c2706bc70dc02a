// The codes an error can carry, in one place for the core (CartageError), the contract (ApiError)
// and the window, so none re-declares them. No imports: the renderer sees it as types only.

/** What went wrong, as the core says it: a stable code for the UI, the CLI and tests. */
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
  | 'engine_busy'
  | 'untrusted_certificate';

/**
 * What went wrong on the way between the core and the window, beyond the core's codes: a request
 * from a stranger, one this host cannot do, a bug, no answer, no connection or token to
 * `cartage serve`, an answer the window cannot read, what the window itself refuses, and a
 * browser extension that cannot reach `cartage native-host`.
 */
export type WireErrorCode =
  | 'forbidden'
  | 'unsupported'
  | 'internal'
  | 'unavailable'
  | 'disconnected'
  | 'unauthorized'
  | 'bad_answer'
  | 'bridge_failed'
  | 'local'
  | 'unreachable';

/** Every code an ApiError can carry. */
export type ApiErrorCode = ErrorCode | WireErrorCode;
