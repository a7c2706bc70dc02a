import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform } from 'node:stream';
import { CartageError } from '../errors.js';
import type { ChecksumAlgo, Task, TaskPatch } from '../queue/task.js';
import type { Settings } from '../settings.js';
import { untrustedCertificateError, type PinnedCertificate } from '../net/tls.js';
import { assertNever } from '../util/assert-never.js';
import { freeBytesIfKnown } from '../util/disk.js';
import { formatBytes } from '../util/format.js';
import type { HttpClient } from '../net/client.js';
import { makeFolderAsync } from '../util/folders.js';
import type { TransferOutcome } from './outcome.js';
import { placeFile, unlinkIfLinked } from './place.js';
import { PartFile, streamToFile, WHOLE_BODY_BYTES, WholePartFile } from './write-path.js';
import type { RateLimiter } from './rate-limiter.js';
import { header, ifRangeValue, isHtml, looksLikeHtml, parseContentRange, parseUnsatisfiedRange } from './validators.js';
import { recordedSegments, runSegments, splitStart, type SegmentedOptions } from './segmented-transfer.js';
import { alreadyThere, bodyVerdict, errorVerdict, notTheFile, partialAnswerProblem, statusVerdict, validatorChanged, webPageInstead } from './verdicts.js';

export interface TransferContext {
  http: HttpClient;
  /**
   * What this attempt learnt about the file (validators, total, type). The engine writes it to the
   * row with the next progress record (every second or 8 MiB) or state change: one write less per
   * file than recording it on arrival, at the price of re-fetching at most that much after a crash.
   */
  learnt: TaskPatch;
  settings: Settings;
  limiter: RateLimiter;
  signal: AbortSignal;
  /** Request headers (credentials) built at request time by the task's source; never stored. */
  headers: Record<string, string>;
  /** The address to ask now, when the source hands out short-lived ones (Synapse's pre-signed URLs); else the task's. */
  url?: string;
  /** A fresh address for a 403 from `url` (it expired): asked once per attempt, never stored. */
  renewUrl?: () => Promise<string>;
  /** The one certificate trusted for the task's source (a self-signed home server), if any. */
  tls?: PinnedCertificate | null;
  /** What the task's source says its server refused the download for (a missing permission), given an answer's status. */
  refusal?: (status: number) => Promise<string | null>;
  /** Called as bytes land on disk. */
  onProgress(bytesOnDisk: number, total: number | null): void;
  /**
   * Records that the verified part (`bytes` long) is about to be placed at `candidate`, or that it
   * no longer is (null), before the disk changes; false when the task may not be placed any more.
   */
  intend(candidate: string | null, bytes: number): boolean;
  /** Several connections for a large file (segmented-transfer.ts); absent: one connection. */
  segments?: SegmentedOptions;
}

/** One attempt at a download: stream to the part file, verify, rename into place. Never throws. */
export async function runTransfer(task: Task, ctx: TransferContext): Promise<TransferOutcome> {
  try {
    return await attempt(task, ctx);
  } catch (err) {
    return classify(err, task, ctx);
  }
}

async function attempt(task: Task, ctx: TransferContext): Promise<TransferOutcome> {
  if ((task.conflict ?? ctx.settings.conflictPolicy) === 'skip' && fs.existsSync(task.finalPath)) {
    return alreadyThere(task);
  }
  await ensureDir(task.dir);

  const part = partStat(task.tempPath);
  // A part that shares its file with another name (a final file: a crash came between the link and
  // the removal of the part's name) is not a part: its name goes, and nothing writes through it.
  let offset = part && !unlinkIfLinked(task.tempPath, part) ? part.size : 0;
  // A part written by several connections is resumed from its recorded segments: its size is not its count of good bytes.
  if (offset > 0 && ctx.segments) {
    const recorded = recordedSegments(task, ctx.segments.store, offset);
    if (recorded === 'untrusted') offset = 0;
    else if (recorded) return runSegments(task, ctx, ctx.segments, recorded, (bytes) => completeWhole(task, ctx, bytes));
  }
  const validator = ifRangeValue(task.etag, task.lastModified);
  // The whole file is on disk already (the range past its end may well be refused, with a 500 as
  // Immich does): it is verified and placed without asking the server for more.
  const size = task.totalBytes ?? task.expectedBytes;
  const whole = offset > 0 && size !== null && offset === size && (validator !== null || task.checksum !== null);
  // Bytes without a validator, or more bytes than the file has, cannot be trusted to resume from.
  if (offset > 0 && !whole && (!validator || (task.totalBytes !== null && offset > task.totalBytes))) offset = 0;

  const headers: Record<string, string> = { ...ctx.headers };
  if (offset > 0 && validator) {
    headers.range = `bytes=${offset}-`;
    headers['if-range'] = validator;
  }
  // Hash the bytes already on disk before asking for the rest: a response left unread while a
  // large part file is hashed would stall, and its errors would have no one to hear them.
  const algo = task.checksumAlgo;
  const newHash = (): Hash | null => (algo ? createHash(hashName(algo)) : null);
  let hash = newHash();
  const resumeFrom = offset;
  if (hash && offset > 0) await hashFile(task.tempPath, offset, hash);
  if (ctx.signal.aborted) return { kind: 'aborted' };
  if (whole) {
    ctx.learnt.totalBytes = offset;
    return finish(task, ctx, offset, hash, algo);
  }

  let response = await ctx.http.open(ctx.url ?? task.url, headers, ctx.signal, ctx.tls);
  // A pre-signed URL that expired answers 403: a new one for the same file, and the same Range.
  if (response.statusCode === 403 && ctx.renewUrl) {
    response.body.destroy();
    response = await ctx.http.open(await ctx.renewUrl(), headers, ctx.signal, ctx.tls);
  }
  const stream = response.body;
  const status = response.statusCode;
  const etag = header(response.headers, 'etag') ?? null;
  const lastModified = header(response.headers, 'last-modified') ?? null;
  const contentType = header(response.headers, 'content-type') ?? null;

  if (status === 416) {
    stream.destroy();
    return unsatisfiable(task, ctx, offset, parseUnsatisfiedRange(header(response.headers, 'content-range')), hash);
  }
  if (status !== 200 && status !== 206) {
    stream.destroy();
    return statusVerdict(task, status, header(response.headers, 'retry-after'), (await ctx.refusal?.(status)) ?? null);
  }

  let total: number | null;
  let rangeEnd: number | null = null;
  if (status === 206) {
    const range = parseContentRange(header(response.headers, 'content-range'));
    const why = partialAnswerProblem(offset, range, offset > 0 && validatorChanged(task, etag, lastModified));
    if (why !== null || !range) {
      stream.destroy();
      await removePart(task);
      return { kind: 'restart', reason: why ?? 'the server answered a range request without a readable Content-Range' };
    }
    total = range.total;
    rangeEnd = range.end + 1;
  } else {
    // 200: the whole file from the first byte, whatever was asked (If-Range did not match, or no Range support).
    offset = 0;
    const length = header(response.headers, 'content-length');
    total = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
  }

  const rejection = notTheFile(task, { total, contentType, etag, lastModified });
  if (rejection) {
    stream.destroy();
    return { kind: 'retry', error: { code: rejection.code, message: rejection.message }, retryAfterMs: null, network: false };
  }

  Object.assign(ctx.learnt, { etag, lastModified, contentType, totalBytes: total });

  // A large file whose server says it answers ranges, with a strong ETag: this answer becomes the
  // first of several segments fetched at once (learnt from it: no extra request to ask).
  const split = status === 200 && ctx.segments ? splitStart(task, ctx.segments, { body: stream, total, etag, acceptRanges: header(response.headers, 'accept-ranges') ?? null }) : null;
  if (split && ctx.segments) return runSegments(task, ctx, ctx.segments, split, (bytes) => completeWhole(task, ctx, bytes));

  // A 200 starts from the first byte: the prefix hashed above is not part of this body.
  if (hash && resumeFrom > 0 && offset === 0) hash = newHash();

  let received = offset;
  let first = true;
  const expectBinary = task.contentType !== null && !isHtml(task.contentType);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (first) {
        first = false;
        if (expectBinary && looksLikeHtml(chunk)) {
          done(webPageInstead(task));
          return;
        }
      }
      received += chunk.length;
      if (total !== null && received > total) {
        done(new CartageError('length_mismatch', `${task.url} sent more than the ${formatBytes(total)} it announced for ${task.name}.`));
        return;
      }
      hash?.update(chunk);
      ctx.onProgress(received, total);
      const wait = ctx.limiter.take(chunk.length);
      if (wait > 0) setTimeout(done, wait, null, chunk);
      else done(null, chunk);
    },
  });
  // A new small file is written whole when its body ends; anything else through the thread pool as
  // it arrives, written back to the disk as it goes. Both are fsync'd before they close.
  const inMemory = !part && offset === 0 && total !== null && total <= WHOLE_BODY_BYTES && !slowFolders.has(task.dir);
  const out = inMemory ? new WholePartFile(task.tempPath, () => slowFolders.add(task.dir)) : new PartFile(task.tempPath, offset > 0);
  await streamToFile(stream, meter, out);

  const short = bodyVerdict(task, { received, total, rangeEnd, etag, lastModified });
  if (short) return short;
  // Paused or canceled while the last bytes landed: the complete part stays, nothing is placed.
  if (ctx.signal.aborted) return { kind: 'aborted' };
  return finish(task, ctx, received, hash, algo);
}

/** Verifies the complete part file against the checksum and renames it into place. */
async function finish(
  task: Task,
  ctx: TransferContext,
  bytes: number,
  hash: Hash | null,
  algo: ChecksumAlgo | null,
): Promise<TransferOutcome> {
  if (hash && algo && task.checksum) {
    const digest = algo === 'sha1-base64' ? hash.digest('base64') : hash.digest('hex');
    const expected = algo === 'sha1-base64' ? task.checksum : task.checksum.toLowerCase();
    if (digest !== expected) {
      await removePart(task);
      return { kind: 'checksum-mismatch' };
    }
  }
  const placed = placeFile(task.tempPath, task.finalPath, task.conflict ?? ctx.settings.conflictPolicy, (candidate) =>
    ctx.intend(candidate, bytes),
  );
  switch (placed.kind) {
    case 'placed':
      return { kind: 'completed', finalPath: placed.path, bytes };
    case 'refused':
      // Paused or canceled just before: the complete part stays (a resume places it without a download).
      return { kind: 'aborted' };
    case 'taken':
      // The intent goes first: a part gone while the row still says "placing" would read as placed.
      ctx.intend(null, bytes);
      await removePart(task);
      return alreadyThere(task);
    default:
      return assertNever(placed, 'placement');
  }
}

/** Hashes a part file written out of order (by segments), once whole, when a checksum is known; then verifies and places it. */
async function completeWhole(task: Task, ctx: TransferContext, bytes: number): Promise<TransferOutcome> {
  const algo = task.checksumAlgo;
  const hash = algo && task.checksum ? createHash(hashName(algo)) : null;
  if (hash) await hashFile(task.tempPath, bytes, hash);
  return finish(task, ctx, bytes, hash, algo);
}

/** 416: the range starts at or past the end. Complete if the bytes on disk are the whole file. */
async function unsatisfiable(
  task: Task,
  ctx: TransferContext,
  offset: number,
  announced: number | null,
  hash: Hash | null,
): Promise<TransferOutcome> {
  const total = announced ?? task.totalBytes;
  if (offset > 0 && total !== null && offset === total) {
    ctx.learnt.totalBytes = total;
    return finish(task, ctx, offset, hash, task.checksumAlgo);
  }
  await removePart(task);
  return { kind: 'restart', reason: 'the server could not send the rest of the file (416)' };
}

/** Gathers what the disk and the certificate say about an error, and turns it into an outcome. */
async function classify(err: unknown, task: Task, ctx: TransferContext): Promise<TransferOutcome> {
  if (ctx.signal.aborted) return { kind: 'aborted' };
  const code = (err as { code?: string }).code;
  const untrusted = await untrustedCertificateError(task.url, err, ctx.tls, (u) => ctx.http.proxyFor(u));
  const folderGone = !untrusted && !(err instanceof CartageError) && code === 'ENOENT' && !fs.existsSync(task.dir);
  // Made again on the next attempt.
  if (folderGone) knownDirs.delete(task.dir);
  const room =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? { onDisk: partSize(task.tempPath), total: ctx.learnt.totalBytes ?? task.totalBytes ?? task.expectedBytes, free: freeBytesIfKnown(task.dir) }
      : null;
  return errorVerdict(err, task, { untrusted: untrusted ? { code: untrusted.code, message: untrusted.message } : null, folderGone, room });
}

/** Size of a part file, 0 when there is none (without the cost of an exception per new download). */
export function partSize(file: string): number {
  return partStat(file)?.size ?? 0;
}

function partStat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // ENOTDIR and the like: there is no part file either
  }
}


/** Node's name for the hash behind a checksum algorithm. */
function hashName(algo: ChecksumAlgo): 'sha1' | 'sha256' | 'md5' {
  switch (algo) {
    case 'sha1-base64':
      return 'sha1';
    case 'sha256-hex':
      return 'sha256';
    case 'md5-hex':
      return 'md5';
    default:
      return assertNever(algo);
  }
}

async function removePart(task: Task): Promise<void> {
  await fsp.rm(task.tempPath, { force: true });
}

async function hashFile(file: string, length: number, hash: Hash): Promise<void> {
  if (length === 0) return;
  for await (const chunk of fs.createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
}

const knownDirs = new Set<string>();

/** Folders where writing a small file whole on the loop's own thread was slow: written through the thread pool instead. */
const slowFolders = new Set<string>();

/** Creates the target folder once per process; a folder removed meanwhile shows up as ENOENT and is retried. */
async function ensureDir(dir: string): Promise<void> {
  if (knownDirs.has(dir)) return;
  await makeFolderAsync(dir);
  knownDirs.add(dir);
}
