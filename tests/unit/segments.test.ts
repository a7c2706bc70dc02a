import { describe, expect, it } from 'vitest';
import {
  planSegments,
  segmentAnswerProblem,
  smallestSegment,
  splitFrom,
  splittable,
  stealHalf,
  trustedSegments,
} from '../../main/core/engine/segments.js';

const MiB = 1024 * 1024;

describe('when a file is split', () => {
  it('splits a file whose server answers byte ranges, with a strong ETag and a length of 16 MiB or more, and nothing else', () => {
    const answer = { total: splitFrom, etag: '"v1"', acceptRanges: 'bytes' };
    expect(splittable(answer, 4)).toBe(true);
    expect(splittable(answer, 1)).toBe(false);
    expect(splittable({ ...answer, acceptRanges: null }, 4)).toBe(false);
    expect(splittable({ ...answer, acceptRanges: 'none' }, 4)).toBe(false);
    expect(splittable({ ...answer, etag: 'W/"v1"' }, 4)).toBe(false);
    expect(splittable({ ...answer, etag: null }, 4)).toBe(false);
    expect(splittable({ ...answer, total: null }, 4)).toBe(false);
    expect(splittable({ ...answer, total: splitFrom - 1 }, 4)).toBe(false);
  });

  it('plans segments of nearly equal size that cover the file exactly, none under the smallest', () => {
    expect(planSegments(16 * MiB, 4)).toEqual([0, 1, 2, 3].map((i) => ({ start: i * 4 * MiB, end: (i + 1) * 4 * MiB, written: i * 4 * MiB })));
    const odd = planSegments(17 * MiB + 3, 4);
    expect(odd).toHaveLength(4);
    expect(odd[0]!.start).toBe(0);
    expect(odd.at(-1)!.end).toBe(17 * MiB + 3);
    for (let i = 1; i < odd.length; i += 1) expect(odd[i]!.start).toBe(odd[i - 1]!.end);
    expect(planSegments(3 * MiB, 8)).toHaveLength(3);
    expect(planSegments(smallestSegment / 2, 8)).toEqual([{ start: 0, end: smallestSegment / 2, written: 0 }]);
  });
});

describe('a connection that finished takes over half of the slowest segment', () => {
  it('takes the second half of what the segment with the most left still has to fetch', () => {
    const taken = stealHalf([
      { end: 10 * MiB, next: 9 * MiB },
      { end: 20 * MiB, next: 12 * MiB },
      { end: 30 * MiB, next: 29 * MiB },
    ]);
    expect(taken).toEqual({ victim: 1, start: 16 * MiB, end: 20 * MiB });
  });

  it('takes nothing when no segment has two smallest segments left', () => {
    expect(stealHalf([{ end: 10 * MiB, next: 10 * MiB - 2 * smallestSegment + 1 }])).toBeNull();
    expect(stealHalf([])).toBeNull();
    expect(stealHalf([{ end: 10 * MiB, next: 10 * MiB - 2 * smallestSegment }])).toEqual({ victim: 0, start: 10 * MiB - smallestSegment, end: 10 * MiB });
  });
});

describe("a segment's answer", () => {
  const want = { at: 4 * MiB, total: 16 * MiB, etag: '"v1"' };
  const range = { start: 4 * MiB, end: 8 * MiB - 1, total: 16 * MiB };

  it('fits when it is a 206 from exactly the next byte, with the same ETag and total', () => {
    expect(segmentAnswerProblem(want, { status: 206, range, etag: '"v1"' })).toBeNull();
  });

  it('does not fit as a 200, from the wrong offset, with a new ETag or total, without a Content-Range, or as an error', () => {
    expect(segmentAnswerProblem(want, { status: 200, range: null, etag: '"v1"' })).toBe('the server sent the whole file where a segment was asked for');
    expect(segmentAnswerProblem(want, { status: 206, range: { ...range, start: 0 }, etag: '"v1"' })).toBe(
      `the server answered a segment from byte 0 instead of ${4 * MiB}`,
    );
    expect(segmentAnswerProblem(want, { status: 206, range, etag: '"v2"' })).toMatch(/^the file changed on the server/);
    expect(segmentAnswerProblem(want, { status: 206, range, etag: null })).toMatch(/^the file changed on the server/);
    expect(segmentAnswerProblem(want, { status: 206, range: { ...range, total: 17 * MiB }, etag: '"v1"' })).toMatch(/size as 17825792, not 16777216/);
    expect(segmentAnswerProblem(want, { status: 206, range: null, etag: '"v1"' })).toMatch(/without a readable Content-Range/);
    expect(segmentAnswerProblem(want, { status: 503, range: null, etag: null })).toBe("the server answered 503 to a segment's range");
  });
});

describe('the recorded segments a resume trusts', () => {
  const rows = [
    { start: 8, end: 16, written: 10 },
    { start: 0, end: 8, written: 5 },
  ];

  it('trusts segments that cover the file exactly, sorted, with their written bytes inside the part', () => {
    expect(trustedSegments(rows, 16, 10)).toEqual([rows[1], rows[0]]);
    expect(trustedSegments([{ start: 0, end: 16, written: 0 }], 16, 0)).toEqual([{ start: 0, end: 16, written: 0 }]);
  });

  it('trusts none when a byte counted as written is past the end of the part, or the segments do not cover the file', () => {
    expect(trustedSegments(rows, 16, 9)).toBeNull();
    expect(trustedSegments(rows, 17, 10)).toBeNull();
    expect(trustedSegments([rows[0]!], 16, 10)).toBeNull();
    expect(trustedSegments([{ start: 0, end: 8, written: 9 }, rows[0]!], 16, 10)).toBeNull();
    expect(trustedSegments([{ start: 0, end: 9, written: 5 }, rows[0]!], 16, 10)).toBeNull();
    expect(trustedSegments(rows, null, 10)).toBeNull();
    expect(trustedSegments([], 16, 10)).toBeNull();
  });
});
