import { describe, expect, it } from 'vitest';
import { backoffDelay, isNetworkError, isRetryableStatus, parseRetryAfter } from '../../main/core/engine/retry.js';

describe('retry policy', () => {
  it('doubles the delay each retry, with jitter between half and all of it, up to the cap', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(2, 1000, 60_000, () => 1)).toBe(2000);
    expect(backoffDelay(3, 1000, 60_000, () => 0.5)).toBe(3000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('retries 408, 429 and 5xx, and nothing else', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410, 416].some(isRetryableStatus)).toBe(false);
  });

  it('treats refused, reset and timed-out connections as network errors', () => {
    expect(isNetworkError({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isNetworkError({ code: 'ECONNRESET' })).toBe(true);
    expect(isNetworkError({ name: 'TimeoutError' })).toBe(true);
    expect(isNetworkError({ code: 'ENOSPC' })).toBe(false);
  });
});
