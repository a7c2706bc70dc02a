import { describe, expect, it } from 'vitest';
import { parseIds, parseRate } from '../../main/headless/usage.js';

describe('command-line values', () => {
  it('reads --limit-rate as curl does: plain bytes, or K, M, G of 1024', () => {
    expect(parseRate('250000')).toBe(250_000);
    expect(parseRate('500K')).toBe(512_000);
    expect(parseRate('2m')).toBe(2 * 1024 ** 2);
    expect(parseRate('1.5G')).toBe(Math.round(1.5 * 1024 ** 3));
    for (const bad of ['', '0', '-1M', 'fast', '2MB', '1e6']) expect(() => parseRate(bad)).toThrow(/--limit-rate takes a speed/);
  });

  it('reads task ids or --all, never both, never nothing', () => {
    expect(parseIds(['3', '12'], false, 'pause')).toEqual([3, 12]);
    expect(parseIds([], true, 'pause')).toBe('all');
    expect(() => parseIds(['3'], true, 'pause')).toThrow('Give either task ids or --all to pause, not both.');
    expect(() => parseIds([], false, 'cancel')).toThrow(/Say which downloads to cancel/);
  });
});
