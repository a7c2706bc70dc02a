import { createRequire } from 'node:module';
import zlib from 'node:zlib';

type Crc32Module = { unsigned: (buf: unknown, previous?: unknown) => number; native?: true };

/**
 * yazl checksums every byte with buffer-crc32, written in JS: about 350 MB/s, which made storing
 * media twice as slow as `zip -0`. Node's zlib.crc32 (20.15 and later) gives the same numbers from
 * C, several GB/s. The copy of buffer-crc32 that yazl itself loaded is pointed at it; any other
 * input shape still goes to the original.
 */
export function useNativeCrc32(): void {
  if (typeof zlib.crc32 !== 'function') return;
  let crc: Crc32Module;
  try {
    crc = createRequire(createRequire(import.meta.url).resolve('yazl'))('buffer-crc32') as Crc32Module;
  } catch {
    return;
  }
  if (crc.native || typeof crc.unsigned !== 'function') return;
  const js = crc.unsigned;
  crc.unsigned = (buf, previous) =>
    Buffer.isBuffer(buf) && (previous === undefined || typeof previous === 'number') ? zlib.crc32(buf, (previous ?? 0) >>> 0) : js(buf, previous);
  crc.native = true;
}
