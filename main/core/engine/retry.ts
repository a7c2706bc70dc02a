/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so a crowd of
 * retries spreads out but none comes back too early.
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` in milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** HTTP answers worth another try: the server is busy or broken for now, not refusing for good. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_GOT_REQUEST_ERROR',
  'ECONNCLOSED',
  'UND_ERR_SOCKET',
  'HPE_INVALID_CONSTANT',
]);

/** Errors that mean the network, not the server or the disk, let us down. */
export function isNetworkError(err: unknown): boolean {
  const e = err as { code?: string; name?: string } | null;
  if (!e) return false;
  if (e.code && networkCodes.has(e.code)) return true;
  return e.name === 'ReadError' || e.name === 'TimeoutError';
}
