import fs from 'node:fs';
import { Writable, type Readable, type Transform } from 'node:stream';

/** Bytes written between two early write-backs of a part file (see PartFile). */
export const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

/**
 * A part file being written (from the start, or appended to), fsync'd before it closes so a file
 * renamed into place survives a power cut. Every `syncEvery` bytes it asks the disk to write back
 * what it has so far (fdatasync in the thread pool) while the download goes on: the disk works while
 * the network does, and the last fsync finds little left to write (about 1.8 s for 2 GiB before).
 * At most one such write-back is under way: a second one due before the first is done waits for it,
 * so a disk slower than the network holds the download back, with no more than two windows of
 * unwritten data in memory, instead of filling the page cache. Writes go through the thread pool in
 * batches of up to 1 MiB, as Node's write stream makes them.
 */
export class PartFile extends Writable {
  private fd: number | null = null;
  private unsynced = 0;
  private syncing: Promise<void> | null = null;
  private writing: Promise<void> | null = null;
  private syncError: Error | null = null;

  constructor(
    private readonly file: string,
    private readonly append: boolean,
    private readonly syncEvery = SYNC_EVERY_BYTES,
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    fs.open(this.file, this.append ? 'a' : 'w', (err, fd) => {
      if (err) return callback(err);
      this.fd = fd;
      callback();
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeAll(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    void this.synced().then(() => {
      if (this.syncError) callback(this.syncError);
      else fs.fsync(this.fd!, (err) => callback(err));
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A write or write-back under way still uses the descriptor: it is closed after them (a number
    // closed before could be reused by another file and written to).
    const close = (): void => {
      const busy = this.writing ?? this.syncing;
      if (busy) return void busy.then(close);
      if (this.fd === null) return callback(error);
      const fd = this.fd;
      this.fd = null;
      fs.close(fd, (err) => callback(error ?? err));
    };
    close();
  }

  /** Writes the buffers whole (a short write is carried on), then counts them towards the next write-back. */
  private writeAll(buffers: Buffer[], callback: (error?: Error | null) => void): void {
    if (this.syncError) return callback(this.syncError);
    const length = buffers.reduce((sum, b) => sum + b.length, 0);
    let finished = (): void => undefined;
    this.writing = new Promise((resolve) => (finished = resolve));
    fs.writev(this.fd!, buffers, (err, written) => {
      this.writing = null;
      finished();
      if (err) return callback(err);
      if (written < length) return this.writeAll(rest(buffers, written), callback);
      this.wrote(length, callback);
    });
  }

  private wrote(length: number, callback: (error?: Error | null) => void): void {
    this.unsynced += length;
    if (this.unsynced < this.syncEvery) return callback();
    this.unsynced = 0;
    void this.synced().then(() => {
      if (!this.destroyed) this.startSync();
      callback(this.syncError);
    });
  }

  private startSync(): void {
    const fd = this.fd!;
    const sync = new Promise<void>((resolve) => {
      fs.fdatasync(fd, (err) => {
        if (err) this.syncError ??= err;
        resolve();
      });
    });
    this.syncing = sync;
    void sync.then(() => {
      if (this.syncing === sync) this.syncing = null;
    });
  }

  /** Resolves once no write-back is under way (its error, if any, is kept in syncError). */
  private synced(): Promise<void> {
    return this.syncing ?? Promise.resolve();
  }
}

/** The largest body written whole, in one go, instead of as it arrives (see WholePartFile). */
export const WHOLE_BODY_BYTES = 1 << 20;

/**
 * The part file of a new download small enough to hold in memory (up to WHOLE_BODY_BYTES, no more
 * than PartFile keeps in its queue anyway): its bytes are gathered as they arrive and written when
 * the body ends, with one open, one write and one close on the main thread, and the fsync in the
 * thread pool. Each trip through the thread pool costs a wake-up of a pool thread and of the loop;
 * a small file written as it arrives pays seven of them, and at thousands of files that was the
 * largest cost left (0.37 ms of CPU per 256 KiB file, 2,000 of them on tmpfs). Blocking calls on
 * this little data take microseconds on a local disk.
 *
 * A folder where those calls are slow (a network share, a USB stick) would hold up every other
 * download while they run: when they take longer than SLOW_WRITE_MS, `slow` is told, and the caller
 * writes to that folder through the thread pool from then on.
 *
 * A body that ends early (the connection failed, or a pause aborted it) is written as far as it
 * came, as PartFile would have, so the next attempt resumes from it. A body that is refused (the
 * meter's verdict) or a destroyed stream writes nothing: only use this when there is no part file
 * yet, so that nothing older is left in its place.
 */
export class WholePartFile extends Writable {
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly file: string,
    private readonly slow: () => void = () => undefined,
    private readonly clock: () => number = now,
  ) {
    super({ highWaterMark: WHOLE_BODY_BYTES });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (chunk.length > 0) this.chunks.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const started = this.clock();
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'w');
    } catch (err) {
      return callback(err as Error);
    }
    const closeThen = (err: Error | null): void => {
      const closing = this.clock();
      try {
        fs.closeSync(fd);
      } catch (closeErr) {
        err ??= closeErr as Error;
      }
      if (this.clock() - closing > SLOW_WRITE_MS) this.slow();
      callback(err);
    };
    try {
      writeAllSync(fd, this.chunks);
    } catch (err) {
      return closeThen(err as Error);
    }
    this.chunks.length = 0;
    if (this.clock() - started > SLOW_WRITE_MS) this.slow();
    fs.fsync(fd, closeThen);
  }
}

/** Longer than an open and a write of up to 1 MiB take on a local disk (microseconds to a millisecond or two). */
const SLOW_WRITE_MS = 20;

const now = (): number => performance.now();

/** Writes the buffers whole to `fd`, carrying on after a short write. */
function writeAllSync(fd: number, buffers: Buffer[]): void {
  let left = buffers;
  while (left.length > 0) {
    const written = fs.writevSync(fd, left);
    if (written === 0) throw Object.assign(new Error('The disk took none of the bytes written.'), { code: 'EIO' });
    left = rest(left, written);
  }
}

/** What is left of `buffers` after the first `skip` bytes. */
function rest(buffers: Buffer[], skip: number): Buffer[] {
  const left: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) skip -= b.length;
    else {
      left.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return left;
}

/**
 * Pipes the body through the meter into the part file. When the network side fails (dropped,
 * stalled, aborted for a pause) every byte already received is still written before the error is
 * passed on, so the next attempt resumes from all of it. A failure of the meter (not the file) or
 * of the disk stops everything at once.
 */
export function streamToFile(source: Readable, meter: Transform, out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (source.destroyed || source.errored) {
      out.destroy();
      reject(source.errored ?? new Error('The connection closed before the download began.'));
      return;
    }
    let sourceError: unknown = null;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      meter.destroy();
      out.destroy();
      reject(err);
    };
    source.once('error', (err) => {
      sourceError = err;
      source.unpipe(meter);
      meter.end();
    });
    meter.once('error', fail);
    out.once('error', fail);
    out.once('close', () => {
      if (failed) return;
      if (sourceError) reject(sourceError);
      else resolve();
    });
    source.pipe(meter).pipe(out);
  });
}
