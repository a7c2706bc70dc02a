import fsp, { type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { CartageError } from '../errors.js';
import type { Task } from '../queue/task.js';
import { formatBytes } from '../util/format.js';
import type { TransferOutcome } from './outcome.js';
import type { SegmentStore } from './segment-store.js';
import { planSegments, segmentAnswerProblem, splittable, stealHalf, trustedSegments, type Segment } from './segments.js';
import type { TransferContext } from './transfer.js';
import { header, isStrongEtag, parseContentRange } from './validators.js';
import { statusVerdict } from './verdicts.js';

/** What a transfer needs to split a file over several connections. */
export interface SegmentedOptions {
  store: SegmentStore;
  /** How many connections the download may open now (the setting, within what the host limit leaves). */
  connections(): number;
  /** The number of connections the download has open changed (the engine counts them per host). */
  opened(count: number): void;
}

/** Where a segmented attempt begins: freshly planned segments and the first answer's body, or recorded ones. */
export interface SegmentedStart {
  total: number;
  /** The strong ETag every segment's answer must carry. */
  etag: string;
  segments: Segment[];
  /** The answer to the first request (the file from byte 0, up to `end`), read as the first segment's bytes. */
  first?: { body: Readable; end: number };
}

/** A segment being fetched: where its next write goes, and whether a connection works on it. */
interface Live extends Segment {
  next: number;
  busy: boolean;
}

/** An answer that is not the file's next bytes: the attempt ends with this outcome. */
class SegmentStop extends Error {
  constructor(readonly outcome: TransferOutcome) {
    super('segment stopped');
  }
}

/** The rows are written at least once a second or every 8 MiB: a crash costs at most that much per segment. */
const recordEveryBytes = 8 * 1024 * 1024;
const recordEveryMs = 1000;

/**
 * One attempt at a file over several connections: each segment's bytes are written at their offset
 * in the one part file; a connection that finishes takes over half of what the segment with the
 * most left still has to fetch. Each answer must be a 206 from exactly the segment's next byte with
 * the same ETag and total; anything else removes the part and restarts the file over one
 * connection. What is on disk is recorded per segment after an fsync, so a crash resumes each one.
 * `complete` verifies and places the finished part. Throws what a segment's connection or the disk
 * threw, after every segment has stopped and the record is written.
 */
export async function runSegments(
  task: Task,
  ctx: TransferContext,
  opts: SegmentedOptions,
  start: SegmentedStart,
  complete: (bytes: number) => Promise<TransferOutcome>,
): Promise<TransferOutcome> {
  const { total, etag } = start;
  const segments: Live[] = start.segments.map((s) => ({ ...s, next: s.written, busy: false }));
  // Claimed before anything is awaited: another download's split, deciding meanwhile, sees them taken.
  const wanted = Math.max(1, Math.min(opts.connections(), segments.filter((s) => s.next < s.end).length));
  let open = wanted;
  opts.opened(open);
  // Recorded before a byte lands at an offset past the first: from here on the part file's size is
  // not its count of good bytes, and a resume must read the rows, not the size.
  let file: FileHandle;
  try {
    if (start.first) opts.store.save(task.id, segments, { ...ctx.learnt, bytesOnDisk: 0 });
    file = await fsp.open(task.tempPath, start.first ? 'w' : 'r+');
  } catch (err) {
    start.first?.body.destroy();
    throw err;
  }
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  // The first answer was asked under the attempt's signal: a failed segment stops it too.
  stop.signal.addEventListener('abort', () => start.first?.body.destroy(), { once: true });
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let failure: unknown = null;
  let url = ctx.url ?? task.url;
  let renewed = false;

  let sinceRecord = 0;
  let recordedAt = Date.now();
  let recording: Promise<void> | null = null;
  /** Writes the segments' written bytes to the rows, once they are on disk (fsync first). */
  const record = async (): Promise<void> => {
    const snapshot = segments.map(({ start: s, end, written: w }) => ({ start: s, end, written: w }));
    const bytes = written(snapshot);
    await file.datasync();
    opts.store.save(task.id, snapshot, { ...ctx.learnt, bytesOnDisk: bytes });
  };
  const moved = (n: number): void => {
    sinceRecord += n;
    ctx.onProgress(written(segments), total);
    const now = Date.now();
    if (!recording && (sinceRecord >= recordEveryBytes || now - recordedAt >= recordEveryMs)) {
      sinceRecord = 0;
      recordedAt = now;
      // A record that fails (the file closing under it) is made again at the end.
      recording = record()
        .catch(() => undefined)
        .finally(() => (recording = null));
    }
  };

  /** Asks for the rest of a segment; resolves with the body once the answer is judged right for it. */
  const ask = async (seg: Live): Promise<{ body: Readable; end: number }> => {
    const headers = { ...ctx.headers, range: `bytes=${seg.next}-${seg.end - 1}`, 'if-range': etag };
    let response = await ctx.http.open(url, headers, stop.signal, ctx.tls);
    if (response.statusCode === 403 && ctx.renewUrl && !renewed) {
      renewed = true;
      response.body.destroy();
      url = await ctx.renewUrl();
      response = await ctx.http.open(url, headers, stop.signal, ctx.tls);
    }
    const status = response.statusCode;
    const range = parseContentRange(header(response.headers, 'content-range'));
    const problem = segmentAnswerProblem({ at: seg.next, total, etag }, { status, range, etag: header(response.headers, 'etag') ?? null });
    if (problem !== null) {
      response.body.destroy();
      // An error status is judged as for one connection; anything else means the bytes cannot be joined.
      if (status !== 200 && status !== 206 && status !== 416) throw new SegmentStop(statusVerdict(task, status, header(response.headers, 'retry-after')));
      throw new SegmentStop({ kind: 'restart', reason: problem });
    }
    return { body: response.body, end: range!.end + 1 };
  };

  /** Fetches one segment to its end (which a takeover may lower meanwhile). */
  const fetchSegment = async (seg: Live, first?: { body: Readable; end: number }): Promise<void> => {
    let answer = first;
    while (seg.next < seg.end) {
      answer ??= await ask(seg);
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        const n = Math.min(chunk.length, seg.end - seg.next);
        if (n > 0) {
          const at = seg.next;
          // Moved before the write: a takeover splits past any write in progress.
          seg.next += n;
          await writeAt(file, chunk, n, at);
          seg.written = seg.next;
          moved(n);
          const wait = ctx.limiter.take(n);
          if (wait > 0) await delay(wait, undefined, { signal: stop.signal });
        }
        if (seg.next >= seg.end) break;
      }
      if (seg.next < seg.end && seg.next !== answer.end) {
        throw new CartageError(
          'network',
          `The connection to ${task.host} ended early: a segment of ${task.name} stopped at ${formatBytes(seg.next)} of ${formatBytes(total)}.`,
        );
      }
      // The server sent less than asked (a range of its own choosing): ask for the rest.
      answer = undefined;
    }
  };

  /** The next segment for a free connection: one nobody works on, or the tail of the one with most left. */
  const nextWork = (): Live | null => {
    const idle = segments.find((s) => !s.busy && s.next < s.end);
    if (idle) return idle;
    const busy = segments.filter((s) => s.busy);
    const taken = stealHalf(busy);
    if (!taken) return null;
    busy[taken.victim]!.end = taken.start;
    const tail: Live = { start: taken.start, end: taken.end, written: taken.start, next: taken.start, busy: false };
    segments.splice(segments.indexOf(busy[taken.victim]!) + 1, 0, tail);
    return tail;
  };

  const connection = async (first?: { body: Readable; end: number }): Promise<void> => {
    try {
      // The first answer runs from byte 0: it is the first segment's.
      for (let seg = first ? segments[0]! : nextWork(); seg && failure === null; seg = nextWork()) {
        seg.busy = true;
        try {
          await fetchSegment(seg, first);
        } finally {
          seg.busy = false;
        }
        first = undefined;
      }
    } catch (err) {
      failure ??= err;
      stop.abort();
    } finally {
      first?.body.destroy();
      open -= 1;
      opts.opened(open);
    }
  };

  try {
    await Promise.all(Array.from({ length: wanted }, (_, i) => connection(i === 0 ? start.first : undefined)));
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await recording;
  }

  if (failure instanceof SegmentStop && failure.outcome.kind === 'restart') {
    await file.close();
    await fsp.rm(task.tempPath, { force: true });
    opts.store.keepToOneConnection(task.id);
    return failure.outcome;
  }
  try {
    await record();
  } finally {
    await file.close();
  }
  if (failure instanceof SegmentStop) return failure.outcome;
  if (failure !== null) {
    if (ctx.signal.aborted) return { kind: 'aborted' };
    throw failure;
  }
  // Every byte is on disk and fsync'd: the part is now a whole file, which a resume trusts by its
  // size and validator like any other (see transfer.ts).
  opts.store.clear(task.id);
  ctx.learnt.totalBytes = total;
  if (ctx.signal.aborted) return { kind: 'aborted' };
  return complete(total);
}

/** The segments to split the answer to a new download's request into, or null when it stays on one connection. */
export function splitStart(
  task: Task,
  opts: SegmentedOptions,
  answer: { body: Readable; total: number | null; etag: string | null; acceptRanges: string | null },
): SegmentedStart | null {
  const connections = opts.connections();
  if (!splittable(answer, connections)) return null;
  if (opts.store.oneConnection(task.id)) return null;
  const total = answer.total!;
  // The answer runs to the end of the file: it is read for the first segment, then closed.
  return { total, etag: answer.etag!, segments: planSegments(total, connections), first: { body: answer.body, end: total } };
}

/**
 * The recorded segments of a part file to resume, null when it has none (it was written over one
 * connection), or 'untrusted' when they cannot be trusted (then forgotten: the part restarts from zero).
 */
export function recordedSegments(task: Task, store: SegmentStore, partSize: number): SegmentedStart | 'untrusted' | null {
  const rows = store.load(task.id);
  if (rows.length === 0) return null;
  const segments = trustedSegments(rows, task.totalBytes, partSize);
  if (!segments || !isStrongEtag(task.etag)) {
    store.clear(task.id);
    return 'untrusted';
  }
  return { total: task.totalBytes!, etag: task.etag, segments };
}

/** Bytes written in all, the sum of the segments. */
function written(segments: readonly Segment[]): number {
  return segments.reduce((sum, s) => sum + (s.written - s.start), 0);
}

/** Writes `length` bytes of `chunk` at `position`, however many calls the file system needs. */
async function writeAt(file: FileHandle, chunk: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await file.write(chunk, done, length - done, position + done);
    done += bytesWritten;
  }
}
