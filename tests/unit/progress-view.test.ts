import { describe, expect, it } from 'vitest';
import { progressLine, TerminalProgress } from '../../main/headless/progress-view.js';
import { formatBytes, formatDuration } from '../../main/core/util/format.js';

describe('progress pane', () => {
  it('shows name, bar, percentage, "2.4 MB / 3.7 MB", speed and time left, like the seed', () => {
    const line = progressLine({ name: 'IMG_1234.jpg', bytes: 2_400_000, total: 3_700_000, speed: 1_200_000, etaMs: 1083 }, 100);
    expect(line).toMatch(/^IMG_1234\.jpg +\[█{16}░{8}\] {2}64% {2}2\.4 MB \/ 3\.7 MB {2}1\.2 MB\/s {2}1 s left$/);
    expect(line.length).toBeLessThanOrEqual(100);
  });

  it('says when the size is unknown and shortens long names to fit the terminal', () => {
    const line = progressLine({ name: 'x'.repeat(200), bytes: 10, total: null, speed: 0, etaMs: null }, 60);
    expect(line).toContain('[ size unknown ]  10 B / ?');
    expect(line).toContain('…');
    expect(line.length).toBeLessThanOrEqual(60);
  });

  it('redraws in place: moves up over the previous pane and clears it', () => {
    let out = '';
    const stream = { columns: 80, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    const pane = new TerminalProgress(stream);
    const snap = { tasks: [{ id: 1, name: 'a.bin', bytes: 1, total: 2, speed: 0, etaMs: null }], totals: {} as never };
    pane.render(snap, 'Downloading 1 file');
    pane.render(snap, 'Downloading 1 file');
    expect(out.split('\x1b[2A\x1b[0J')).toHaveLength(2);
  });

  it('formats sizes and durations the way people read them', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatBytes(128_400_000)).toBe('128 MB');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(3 * 60_000)).toBe('3 min');
    expect(formatDuration(65 * 60_000)).toBe('1 h 5 min');
  });
});
