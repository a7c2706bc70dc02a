import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../main/core/engine/rate-limiter.js';

/** Simulates transfers that send as fast as the limiter lets them, on a virtual clock. */
function simulate(rate: number, streams: number, chunk: number, seconds: number): number {
  let now = 0;
  const limiter = new RateLimiter(rate, () => now);
  const readyAt = new Array<number>(streams).fill(0);
  let sent = 0;
  while (now < seconds * 1000) {
    const i = readyAt.indexOf(Math.min(...readyAt));
    now = readyAt[i]!;
    if (now >= seconds * 1000) break;
    sent += chunk;
    readyAt[i] = now + limiter.take(chunk) + 0.05;
  }
  return sent / seconds;
}

describe('global speed limit', () => {
  it('holds within 10% over a minute for one transfer', () => {
    const rate = 1_000_000;
    expect(Math.abs(simulate(rate, 1, 65_536, 60) - rate) / rate).toBeLessThan(0.1);
  });

  it('holds within 10% over a minute shared by six transfers', () => {
    const rate = 5_000_000;
    expect(Math.abs(simulate(rate, 6, 65_536, 60) - rate) / rate).toBeLessThan(0.1);
  });

  it('lets everything through at once when off', () => {
    const limiter = new RateLimiter(0);
    expect(limiter.take(1e9)).toBe(0);
  });
});
