import { isStrongEtag, type ContentRange } from './validators.js';

/*
 * The pure rules of a segmented download (several connections for one file): when a file is split,
 * how, which part of a slow segment an idle connection takes over, which answer a segment may
 * continue from, and which recorded segments a resume may trust.
 */

/** A byte range of the file fetched over one connection: `[start, end)`, written up to `written`. */
export interface Segment {
  start: number;
  /** One past the segment's last byte; lowered when another connection takes over its tail. */
  end: number;
  /** Bytes from `start` up to here are written (a write in progress is not counted). */
  written: number;
}

/** Files from this size on are split (smaller ones finish before the extra connections pay off). */
export const splitFrom = 16 * 1024 * 1024;

/** A segment is never made smaller than this, by a split or by a takeover. */
export const smallestSegment = 1024 * 1024;

/**
 * Whether the answer to a new download's request (a 200) allows a split: its server says it answers
 * byte ranges, and gives the length and a strong ETag (the only validator that promises the same
 * bytes to every connection; a Last-Modified has one-second resolution and cannot tell two versions
 * written in the same second apart), for a large file. A server that says so wrongly is caught by
 * the segments' answers, which must be 206s.
 */
export function splittable(answer: { total: number | null; etag: string | null; acceptRanges: string | null }, connections: number): boolean {
  return (
    connections > 1 &&
    answer.acceptRanges?.trim().toLowerCase() === 'bytes' &&
    answer.total !== null &&
    answer.total >= splitFrom &&
    isStrongEtag(answer.etag)
  );
}

/** Splits `[0, total)` into at most `connections` segments of nearly equal size, none under `smallestSegment`. */
export function planSegments(total: number, connections: number): Segment[] {
  const count = Math.max(1, Math.min(connections, Math.floor(total / smallestSegment)));
  const size = Math.ceil(total / count);
  const segments: Segment[] = [];
  for (let start = 0; start < total; start += size) segments.push({ start, end: Math.min(total, start + size), written: start });
  return segments;
}

/**
 * The tail an idle connection takes over: the second half of what the segment with the most left
 * still has to fetch (`next` is where that segment writes next, past any write in progress), or
 * null when no segment has at least two smallest segments left. The victim's `end` is lowered to
 * the returned segment's start by the caller.
 */
export function stealHalf(segments: readonly { end: number; next: number }[]): { victim: number; start: number; end: number } | null {
  let victim = -1;
  let most = 0;
  segments.forEach((s, i) => {
    const left = s.end - s.next;
    if (left > most) {
      most = left;
      victim = i;
    }
  });
  if (victim < 0 || most < 2 * smallestSegment) return null;
  const v = segments[victim]!;
  const start = v.next + Math.ceil(most / 2);
  return { victim, start, end: v.end };
}

/**
 * Why a segment's answer cannot be written at the segment's offset (the file then restarts from
 * zero on one connection), or null when it fits: a 206 starting at exactly `at`, for the same
 * total, with the same strong ETag.
 */
export function segmentAnswerProblem(
  want: { at: number; total: number; etag: string },
  answer: { status: number; range: ContentRange | null; etag: string | null },
): string | null {
  if (answer.status === 200) return 'the server sent the whole file where a segment was asked for';
  if (answer.status !== 206) return `the server answered ${answer.status} to a segment's range`;
  if (!answer.range) return "the server answered a segment's range without a readable Content-Range";
  if (answer.etag !== want.etag) return 'the file changed on the server (its ETag is not the one the other segments came from)';
  if (answer.range.total !== want.total) return `the server now gives the file's size as ${answer.range.total ?? 'unknown'}, not ${want.total}`;
  if (answer.range.start !== want.at) return `the server answered a segment from byte ${answer.range.start} instead of ${want.at}`;
  return null;
}

/**
 * The recorded segments a resume may continue from, sorted, or null when they cannot be trusted:
 * they must cover `[0, total)` exactly, each written within its bounds, and no written byte may lie
 * past the end of the part file (a part cut short loses the record's trust as a whole).
 */
export function trustedSegments(rows: readonly Segment[], total: number | null, partSize: number): Segment[] | null {
  if (total === null || rows.length === 0) return null;
  const sorted = [...rows].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const s of sorted) {
    if (s.start !== at || s.end <= s.start || s.written < s.start || s.written > s.end || (s.written > s.start && s.written > partSize)) return null;
    at = s.end;
  }
  return at === total ? sorted : null;
}
