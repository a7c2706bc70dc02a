import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from '../../main/headless/native/framing.js';

function frameOf(length: number, body = Buffer.alloc(length, 0x61)): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(length);
  return Buffer.concat([head, body]);
}

describe('the native messaging framing', () => {
  it('reads messages however the stream cuts them, a byte at a time or several in one chunk', () => {
    const stream = Buffer.concat([encodeFrame({ type: 'hello' }), encodeFrame({ type: 'progress' }), encodeFrame({ n: 'é' })]);
    const whole = new FrameReader(1024).push(stream);
    const reader = new FrameReader(1024);
    const bytewise = [...stream].flatMap((b) => reader.push(Buffer.from([b])));
    for (const frames of [whole, bytewise]) {
      expect(frames.map((f) => (f.kind === 'message' ? JSON.parse(f.body.toString()) : f))).toEqual([{ type: 'hello' }, { type: 'progress' }, { n: 'é' }]);
    }
    expect(reader.midMessage).toBe(false);
  });

  it('reports a message over the limit once, skips its bytes as they come, and reads the next one', () => {
    const reader = new FrameReader(10);
    const big = frameOf(25);
    const frames = [...reader.push(big.subarray(0, 9)), ...reader.push(big.subarray(9, 20)), ...reader.push(Buffer.concat([big.subarray(20), encodeFrame(1)]))];
    expect(frames).toEqual([{ kind: 'oversized', length: 25 }, { kind: 'message', body: Buffer.from('1') }]);
  });

  it('knows when the stream ended inside a message', () => {
    const reader = new FrameReader(100);
    expect(reader.push(frameOf(8).subarray(0, 6))).toEqual([]);
    expect(reader.midMessage).toBe(true);
  });

  it('writes the length in the machine byte order before the UTF-8 JSON', () => {
    const frame = encodeFrame({ a: 'ü' });
    expect(frame.readUInt32LE(0)).toBe(Buffer.byteLength('{"a":"ü"}'));
    expect(frame.subarray(4).toString()).toBe('{"a":"ü"}');
  });
});
