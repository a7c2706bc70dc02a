import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PartFile, streamToFile, WholePartFile } from '../../main/core/engine/write-path.js';
import { SpeedMeter } from '../../main/core/engine/speed.js';
import { tempDir } from '../helpers/core.js';

const chunk = (i: number): Buffer => Buffer.alloc(16 * 1024, i);

/** Counts the write-backs (fdatasync) under way at once, and the most there ever were. */
function watchSyncs(): { count: number; most: number } {
  const seen = { count: 0, most: 0 };
  let now = 0;
  const real = fs.fdatasync;
  vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    seen.count += 1;
    now += 1;
    seen.most = Math.max(seen.most, now);
    real(fd, (err) => {
      now -= 1;
      cb(err);
    });
  }) as typeof fs.fdatasync);
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the part file', () => {
  it('writes every byte in order, starting a write-back every window, never two at once', async () => {
    const syncs = watchSyncs();
    const file = path.join(tempDir(), 'a.part');
    const chunks = Array.from({ length: 256 }, (_, i) => chunk(i));
    await streamToFile(Readable.from(chunks), new PassThrough(), new PartFile(file, false, 64 * 1024));
    expect(fs.readFileSync(file).equals(Buffer.concat(chunks))).toBe(true);
    // 4 MiB written in batches of up to 1 MiB: a write-back after each batch at least.
    expect(syncs.count).toBeGreaterThanOrEqual(4);
    expect(syncs.most).toBe(1);
  });

  it('keeps every byte received when the connection fails (a pause) while a write-back is under way', async () => {
    const syncs = watchSyncs();
    const file = path.join(tempDir(), 'b.part');
    fs.writeFileSync(file, chunk(99));
    const source = new PassThrough();
    const done = streamToFile(source, new PassThrough(), new PartFile(file, true, 32 * 1024));
    const sent = Array.from({ length: 5 }, (_, i) => chunk(i));
    for (const c of sent) source.write(c);
    // Aborted the way a pause aborts the response: an error on the body, bytes still in flight.
    setImmediate(() => source.destroy(new Error('paused')));
    await expect(done).rejects.toThrow('paused');
    expect(syncs.count).toBeGreaterThanOrEqual(1);
    expect(fs.readFileSync(file).equals(Buffer.concat([chunk(99), ...sent]))).toBe(true);
  });

  it('passes on a write-back that failed, as an error of the disk', async () => {
    vi.spyOn(fs, 'fdatasync').mockImplementation(((_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    }) as typeof fs.fdatasync);
    const file = path.join(tempDir(), 'c.part');
    const chunks = Array.from({ length: 8 }, (_, i) => chunk(i));
    await expect(streamToFile(Readable.from(chunks), new PassThrough(), new PartFile(file, false, 16 * 1024))).rejects.toMatchObject({ code: 'EIO' });
  });
});

describe('the part file of a small new download, written whole', () => {
  it('holds the body until it ends, then writes it in one go and fsyncs it', async () => {
    const fsyncs = vi.spyOn(fs, 'fsync');
    const file = path.join(tempDir(), 'd.part');
    const source = new PassThrough();
    const done = streamToFile(source, new PassThrough(), new WholePartFile(file));
    const sent = Array.from({ length: 6 }, (_, i) => chunk(i));
    for (const c of sent) source.write(c);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fs.existsSync(file)).toBe(false);
    source.end();
    await done;
    expect(fs.readFileSync(file).equals(Buffer.concat(sent))).toBe(true);
    expect(fsyncs).toHaveBeenCalledTimes(1);
  });

  it('writes what came when the connection fails (a pause), so the next attempt resumes from it', async () => {
    const file = path.join(tempDir(), 'e.part');
    const source = new PassThrough();
    const done = streamToFile(source, new PassThrough(), new WholePartFile(file));
    const sent = [chunk(1), chunk(2), chunk(3)];
    for (const c of sent) source.write(c);
    setImmediate(() => source.destroy(new Error('paused')));
    await expect(done).rejects.toThrow('paused');
    expect(fs.readFileSync(file).equals(Buffer.concat(sent))).toBe(true);
  });

  it('writes nothing for a body the meter refuses', async () => {
    const file = path.join(tempDir(), 'f.part');
    let seen = 0;
    const meter = new Transform({
      transform(c: Buffer, _encoding, done) {
        seen += 1;
        done(seen === 3 ? new Error('not the file') : null, c);
      },
    });
    await expect(streamToFile(Readable.from([chunk(1), chunk(2), chunk(3)]), meter, new WholePartFile(file))).rejects.toThrow('not the file');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('says when its calls on the loop\'s thread were slow (a network share), so that the folder is written in the pool next time', async () => {
    const file = path.join(tempDir(), 'i.part');
    let slow = 0;
    let now = 0;
    // Each look at the clock finds it 25 ms later: every call took longer than a local disk would.
    await streamToFile(Readable.from([chunk(1)]), new PassThrough(), new WholePartFile(file, () => (slow += 1), () => (now += 25)));
    expect(slow).toBeGreaterThanOrEqual(1);
    expect(fs.readFileSync(file).equals(chunk(1))).toBe(true);
    let fast = 0;
    await streamToFile(Readable.from([chunk(2)]), new PassThrough(), new WholePartFile(file, () => (fast += 1), () => 0));
    expect(fast).toBe(0);
  });

  it('passes on an error of the disk, and closes the file', async () => {
    vi.spyOn(fs, 'writevSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    });
    const closes = vi.spyOn(fs, 'closeSync');
    const file = path.join(tempDir(), 'g.part');
    await expect(streamToFile(Readable.from([chunk(1)]), new PassThrough(), new WholePartFile(file))).rejects.toMatchObject({ code: 'EIO' });
    expect(closes).toHaveBeenCalledTimes(1);
    const missing = path.join(tempDir(), 'gone', 'h.part');
    await expect(streamToFile(Readable.from([chunk(1)]), new PassThrough(), new WholePartFile(missing))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the speed meter', () => {
  it('keeps a few samples a second however many chunks arrive, and still measures the speed', () => {
    let now = 0;
    const meter = new SpeedMeter(3000, () => now);
    for (let bytes = 0; now <= 10_000; now += 1) {
      bytes += 1000;
      meter.sample(bytes);
    }
    expect(meter.bytesPerSecond()).toBeCloseTo(1_000_000, -3);
    expect((meter as unknown as { samples: unknown[] }).samples.length).toBeLessThanOrEqual(40);
  });
});
