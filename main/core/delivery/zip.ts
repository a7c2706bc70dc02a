import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { unlinkIfLinked } from '../engine/place.js';
import { CartageError } from '../errors.js';
import { freeBytesIfKnown } from '../util/disk.js';
import { formatBytes } from '../util/format.js';
import { useNativeCrc32 } from './zip-crc32.js';
import { compressionFor, isSafeEntryName } from './zip-names.js';
import { placeZip, zipPartSuffix, type ZipIntend } from './zip-placing.js';

export { compressionFor, zipEntryName } from './zip-names.js';
export { zipPartSuffix } from './zip-placing.js';


/** Large reads and writes: one system call per MiB keeps the hot path in C, not in JS. */
const chunkBytes = 1 << 20;

const empty = Buffer.alloc(0);

/** Files up to this size are read ahead whole, within a budget that keeps memory flat. */
const smallFileBytes = 256 * 1024;
const bufferBudget = 16 << 20;

interface Prepared {
  size: number;
  mtime: Date;
  data: Buffer | null;
}

/** What we touch inside yazl (3.x) besides its API; see `trimDoneEntries`. */
interface YazlInternals {
  entries: Array<{ state: number }>;
}
const entryDone = 3;

export interface ZipResult {
  /** The path the zip was placed at: the one asked for, or `name (1).zip` if that was taken. */
  path: string;
  entries: number;
  /** Size of the zip file. */
  bytes: number;
}

/** A downloaded file and the name it takes in the zip (from `zipEntryName`). */
export interface ZipSource {
  file: string;
  entryName: string;
  mtime?: Date;
}

interface Pending {
  file: string;
  entryName: string;
  /** A small file's bytes, read ahead. */
  data: Buffer | null;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Temp paths being written in this process: two writers on one temp file would corrupt it. */
const openTemps = new Set<string>();

/**
 * Writes a zip while its files arrive. Each entry is streamed from disk to the zip (stored for
 * media, deflated otherwise; ZIP64 once past 4 GiB or 65,535 entries), under a temporary name that
 * `finish` fsyncs and renames into place without replacing anything.
 */
export class ZipWriter {
  readonly finalPath: string;
  readonly tempPath: string;
  private readonly zip = new yazl.ZipFile();
  private readonly out: fs.WriteStream;
  private readonly closed: Promise<void>;
  /** Entries handed to yazl, oldest first: yazl writes them one at a time, in this order. */
  private readonly pending: Pending[] = [];
  private readonly names = new Set<string>();
  private readonly reading = new Set<fs.ReadStream>();
  private readonly preparing = new Set<Promise<unknown>>();
  /** Entries moved out of yazl's list once written; put back before its directory is written. */
  private readonly written: Array<{ state: number }> = [];
  private buffered = 0;
  private failure: Error | null = null;
  private state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';
  private entries = 0;

  private constructor(finalPath: string, out: fs.WriteStream) {
    this.finalPath = finalPath;
    this.tempPath = finalPath + zipPartSuffix;
    this.out = out;
    // yazl writes headers and pipes entry data to its `outputStream`. Making that the file itself
    // (instead of piping yazl's PassThrough into it) saves a stream hop per chunk, and lets us see
    // each entry end: its pipe into the file is undone ('unpipe') just before yazl writes the
    // entry's data descriptor, in the same tick.
    (this.zip as unknown as { outputStream: NodeJS.WritableStream }).outputStream = out;
    this.closed = new Promise((resolve, reject) => {
      out.once('close', () => (this.failure ? reject(this.failure) : resolve()));
    });
    // Marked as handled here; finish() and abort() report it.
    this.closed.catch(() => undefined);
    out.on('unpipe', () => process.nextTick(() => this.entryWritten()));
    out.on('error', (err) => void this.fail(this.writeError(err)));
    this.zip.on('error', (err: Error) => void this.fail(this.readError(err)));
  }

  /** Starts a zip that will end up at `finalPath`; a stale temp file from a crash is started over. */
  static async open(finalPath: string): Promise<ZipWriter> {
    const target = path.resolve(finalPath);
    const temp = target + zipPartSuffix;
    if (openTemps.has(temp)) {
      throw new CartageError('engine_busy', `${path.basename(target)} is already being zipped in ${path.dirname(target)}; wait for it to finish.`);
    }
    openTemps.add(temp);
    useNativeCrc32();
    try {
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // A temp file another name shares is a finished zip (a crash came between its link and the
      // removal of this name): only this name goes, and the zip at its place is never rewritten.
      unlinkIfLinked(temp);
      // flush: the stream fsyncs before it closes, and finish() renames only after the close.
      const out = fs.createWriteStream(temp, { flags: 'w', highWaterMark: chunkBytes, flush: true });
      // Opened here, so a folder we cannot write to is reported now rather than on the first entry.
      await new Promise<void>((resolve, reject) => {
        out.once('ready', resolve);
        out.once('error', reject);
      });
      return new ZipWriter(target, out);
    } catch (err) {
      openTemps.delete(temp);
      throw new CartageError(
        'cannot_write',
        `Cannot create ${path.basename(temp)} in ${path.dirname(target)} (${(err as { code?: string }).code ?? (err as Error).message}): choose another folder or fix its permissions, then try again.`,
        { cause: err },
      );
    }
  }

  /** Entries added so far. */
  get entryCount(): number {
    return this.entries;
  }

  /**
   * Appends `file` as `entryName`. Resolves once the entry's bytes are in the temp file, so the
   * caller can record progress and await it for backpressure; calls may also overlap (they queue).
   */
  async add(file: string, entryName: string, mtime?: Date): Promise<void> {
    this.assertOpen();
    if (!isSafeEntryName(entryName)) {
      throw new CartageError('bad_input', `"${entryName}" is not a safe name inside a zip; make it with zipEntryName().`);
    }
    const lower = entryName.toLowerCase();
    if (this.names.has(lower)) {
      throw new CartageError('bad_input', `${path.basename(this.finalPath)} already has an entry named "${entryName}"; make names with zipEntryName().`);
    }
    this.names.add(lower);
    const preparing = this.prepare(file);
    this.preparing.add(preparing);
    let input: Prepared;
    try {
      input = await preparing;
    } catch (err) {
      this.names.delete(lower);
      throw err;
    } finally {
      this.preparing.delete(preparing);
    }
    if (this.failure || this.state === 'aborted') {
      this.release(input.data);
      this.assertOpen();
    }
    this.entries += 1;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ file, entryName, data: input.data, resolve, reject });
      // Giving the size up front lets yazl choose ZIP64 for this entry before writing it, and check
      // that the file did not change in between. Lazy: no file is opened before its turn.
      this.zip.addReadStreamLazy(
        entryName,
        { compress: compressionFor(entryName) === 'deflate', mtime: mtime ?? input.mtime, size: input.size, mode: 0o100644 },
        (cb) => {
          if (input.data) {
            cb(null, Readable.from([input.data], { objectMode: false }));
            return;
          }
          // `end` sizes each read to what is left, instead of a 1 MiB buffer per read.
          const stream = fs.createReadStream(file, { highWaterMark: chunkBytes, end: input.size - 1 });
          this.reading.add(stream);
          stream.once('close', () => this.reading.delete(stream));
          cb(null, stream);
        },
      );
    });
  }

  /**
   * Reads a file's size and date, and a small file's bytes: yazl writes one entry at a time, so
   * reading small files ahead, while earlier entries are written, hides their open/read/close.
   */
  private async prepare(file: string): Promise<Prepared> {
    let stat: fs.Stats;
    try {
      stat = await fsp.stat(file);
    } catch (err) {
      throw this.missing(file, err);
    }
    if (!stat.isFile()) {
      throw new CartageError('bad_input', `${file} is not a file, so it cannot go into ${path.basename(this.finalPath)}.`);
    }
    if (stat.size > smallFileBytes || this.buffered + stat.size > bufferBudget) {
      // An empty file is always read ahead, so a streamed one has at least one byte.
      return { size: stat.size, mtime: stat.mtime, data: null };
    }
    this.buffered += stat.size;
    try {
      const data = await fsp.readFile(file);
      this.buffered += data.length - stat.size;
      return { size: data.length, mtime: stat.mtime, data };
    } catch (err) {
      this.buffered -= stat.size;
      throw this.missing(file, err);
    }
  }

  private release(data: Buffer | null): void {
    if (data) this.buffered -= data.length;
  }

  /**
   * Completes the zip: writes its directory, fsyncs, renames it into place without replacing a file.
   * `intend` is told where it is about to be placed, before each try (see `placeZip`).
   */
  async finish(intend?: ZipIntend): Promise<ZipResult> {
    this.assertOpen();
    this.state = 'finishing';
    // Adds still reading their file's size have not reached yazl yet, and must before end().
    await Promise.allSettled(this.preparing);
    // yazl adds the ZIP64 end records itself when the entries, the directory or its offset pass
    // the classic format's limits, so forceZip64Format is not needed.
    this.restoreEntries();
    this.zip.end();
    try {
      await this.closed;
    } catch (err) {
      await this.removeTemp();
      throw err;
    }
    if (this.failure) {
      await this.removeTemp();
      throw this.failure;
    }
    if (this.aborted) {
      throw new CartageError('cannot_write', `${path.basename(this.finalPath)} was abandoned before it was complete.`);
    }
    const bytes = this.out.bytesWritten;
    let placed: string;
    try {
      placed = await placeZip(this.finalPath, bytes, intend);
    } finally {
      openTemps.delete(this.tempPath);
    }
    this.state = 'done';
    return { path: placed, entries: this.entries, bytes };
  }

  /** Stops writing and removes the temp file; the downloaded files are left alone. */
  async abort(): Promise<void> {
    if (this.state === 'done' || this.state === 'aborted') return;
    this.state = 'aborted';
    this.rejectPending(new CartageError('cannot_write', `${path.basename(this.finalPath)} was abandoned before this entry was written.`));
    for (const input of this.reading) input.destroy();
    this.out.destroy();
    await this.closed.catch(() => undefined);
    await this.removeTemp();
  }

  /** A getter, so TypeScript does not narrow it: abort() may change the state across an await. */
  private get aborted(): boolean {
    return this.state === 'aborted';
  }

  private assertOpen(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') {
      throw new CartageError('bad_input', `${path.basename(this.finalPath)} is ${this.state === 'aborted' ? 'abandoned' : 'complete'}; no entry can be added.`);
    }
  }

  /** The oldest pending entry has passed through yazl: resolve it once its last byte is written. */
  private entryWritten(): void {
    if (this.failure || this.state === 'aborted') return;
    const entry = this.pending.shift();
    if (!entry) return;
    this.release(entry.data);
    this.trimDoneEntries();
    if (this.out.writableEnded) {
      // That was the last entry and yazl has written the directory too: the file closing says all.
      this.closed.then(entry.resolve, entry.reject);
      return;
    }
    // Writes complete in order, so an empty one completes after every byte queued before it.
    this.out.write(empty, (err) => (err ? entry.reject(err) : entry.resolve()));
  }

  /**
   * yazl looks for the next entry to write by scanning its whole list from the start, every time:
   * quadratic (2.4 s of CPU at 20,000 entries, about 30 s at 70,000). Written entries are moved
   * out of its list, in order, and put back before end(), which writes the directory from it.
   */
  private trimDoneEntries(): void {
    const list = (this.zip as unknown as YazlInternals).entries;
    if (!Array.isArray(list)) return;
    let done = 0;
    while (done < list.length && list[done]!.state === entryDone) done += 1;
    if (done < 64) return;
    for (const e of list.splice(0, done)) this.written.push(e);
  }

  private restoreEntries(): void {
    const internals = this.zip as unknown as YazlInternals;
    if (this.written.length === 0 || !Array.isArray(internals.entries)) return;
    internals.entries = this.written.concat(internals.entries);
    this.written.length = 0;
  }

  private async fail(err: Error): Promise<void> {
    if (this.failure || this.state === 'aborted' || this.state === 'done') return;
    this.failure = err;
    for (const input of this.reading) input.destroy();
    this.out.destroy();
    await this.closed.catch(() => undefined);
    // A half-written zip is no use to anyone, and may be what filled the disk: it is gone before
    // anyone hears of the failure.
    await this.removeTemp().catch(() => undefined);
    this.rejectPending(err);
  }

  private rejectPending(err: Error): void {
    for (const entry of this.pending.splice(0)) {
      this.release(entry.data);
      entry.reject(err);
    }
  }

  private async removeTemp(): Promise<void> {
    openTemps.delete(this.tempPath);
    await fsp.rm(this.tempPath, { force: true });
  }

  private current(): string {
    return this.pending[0]?.file ?? 'a file';
  }

  private writeError(err: Error): CartageError {
    const code = (err as { code?: string }).code;
    const name = path.basename(this.finalPath);
    const dir = path.dirname(this.finalPath);
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      const free = freeBytesIfKnown(dir);
      return new CartageError(
        'disk_full',
        `The disk is full: ${name} could not be written in ${dir}${free !== null ? ` (${formatBytes(free)} free)` : ''} while adding ${path.basename(this.current())}. Free some space, then make the delivery again; the downloaded files are kept.`,
        { cause: err },
      );
    }
    return new CartageError('cannot_write', `Cannot write ${name} in ${dir} (${code ?? err.message}); the downloaded files are kept. Fix the folder, then make the delivery again.`, {
      cause: err,
    });
  }

  private readError(err: Error): CartageError {
    const file = this.current();
    if (/unexpected number of bytes/.test(err.message)) {
      return new CartageError('length_mismatch', `${file} changed while it was being zipped into ${path.basename(this.finalPath)}; make the delivery again.`, { cause: err });
    }
    if ((err as { code?: string }).code === 'ENOENT') return this.missing(file, err);
    return new CartageError('cannot_write', `Could not read ${file} for ${path.basename(this.finalPath)} (${(err as { code?: string }).code ?? err.message}).`, { cause: err });
  }

  private missing(file: string, err: unknown): CartageError {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') {
      return new CartageError('not_found', `${file} is missing, so it cannot go into ${path.basename(this.finalPath)}; download it again, then make the delivery again.`, { cause: err });
    }
    return new CartageError('cannot_write', `Could not read ${file} for ${path.basename(this.finalPath)} (${code ?? (err as Error).message}).`, { cause: err });
  }
}

/**
 * Builds a whole zip from files already on disk: how a delivery interrupted by a crash is finished
 * on the next start, from the staging folder, without downloading anything again. `onEntry` is
 * called as each entry lands.
 */
export async function buildZip(finalPath: string, sources: Iterable<ZipSource>, onEntry?: (done: number) => void): Promise<ZipResult> {
  const writer = await ZipWriter.open(finalPath);
  try {
    // A few adds in flight let small files be read ahead while earlier entries are written.
    const window = 16;
    const inFlight = new Set<Promise<void>>();
    const failures: unknown[] = [];
    let done = 0;
    for (const source of sources) {
      if (failures.length > 0) break;
      const added: Promise<void> = writer
        .add(source.file, source.entryName, source.mtime)
        .then(
          () => onEntry?.((done += 1)),
          (err: unknown) => void failures.push(err),
        )
        .finally(() => inFlight.delete(added));
      inFlight.add(added);
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failures.length > 0) throw failures[0];
    return await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
