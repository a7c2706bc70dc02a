import os from 'node:os';

// The browsers' native messaging framing: each message is UTF-8 JSON preceded by its length as a
// 32-bit unsigned integer in the machine's byte order, both ways, on stdin and stdout.

const littleEndian = os.endianness() === 'LE';

/** One thing read off the stream: a whole message, or the length of one too big to keep (its bytes skipped). */
export type Frame = { kind: 'message'; body: Buffer } | { kind: 'oversized'; length: number };

/**
 * Cuts a byte stream into frames. A message over `maxBytes` is not kept in memory: its bytes are
 * skipped as they come, and it is reported once, so the stream stays in step for the next one.
 */
export class FrameReader {
  private pending = Buffer.alloc(0);
  /** Bytes of an oversized message still to skip. */
  private skipping = 0;

  constructor(private readonly maxBytes: number) {}

  /** The frames completed by this chunk, in order. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    for (;;) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, data.length);
        this.skipping -= n;
        data = data.subarray(n);
        if (this.skipping > 0) return frames;
      }
      if (data.length < 4) break;
      const length = littleEndian ? data.readUInt32LE(0) : data.readUInt32BE(0);
      if (length > this.maxBytes) {
        frames.push({ kind: 'oversized', length });
        this.skipping = length;
        data = data.subarray(4);
        continue;
      }
      if (data.length < 4 + length) break;
      frames.push({ kind: 'message', body: Buffer.from(data.subarray(4, 4 + length)) });
      data = data.subarray(4 + length);
    }
    this.pending = Buffer.from(data);
    return frames;
  }

  /** True when the stream ended inside a message (the browser went away mid-write). */
  get midMessage(): boolean {
    return this.pending.length > 0 || this.skipping > 0;
  }
}

/** One message as the browser reads it: its length, then its JSON. */
export function encodeFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const head = Buffer.alloc(4);
  if (littleEndian) head.writeUInt32LE(body.length, 0);
  else head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}
