// The storage side of a fake Synapse: the "S3 bucket" its pre-signed URLs point at, on a loopback
// port of its own. URLs expire (a 403 with S3's XML, as a real bucket answers), ranges are served
// with an ETag (the MD5, as S3 does for a single-part upload), and a test can cut a transfer short.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeEntity, FakeLibrary } from './synapse-fake-data.js';

export interface StorageRequest {
  handleId: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  authorization: string | null;
}

export interface FakeStorage {
  origin: string;
  /** A new pre-signed URL for a file handle, valid for `lifetimeMs`. */
  sign(entity: FakeEntity): string;
  /** Every URL handed out so far answers 403 from now on (they expired). */
  expireAll(): void;
  /** The next full answer for this handle stops after `bytes` bytes (the connection drops); `expire`: every URL handed out expires then too. */
  cutOnce(handleId: string, bytes: number, expire?: boolean): void;
  /** Answers wait until `release()` once this many bytes of the handle went out (a transfer caught mid-way). */
  holdAfter(handleId: string, bytes: number): { reached: Promise<void>; release(): void };
  requests(): StorageRequest[];
  stop(): Promise<void>;
}

/** Starts the bucket on 127.0.0.1, serving the library's S3 files. */
export async function startStorage(library: FakeLibrary, lifetimeMs: number): Promise<FakeStorage> {
  const signed = new Map<string, { handleId: string; expiresAt: number }>();
  const log: StorageRequest[] = [];
  const cuts = new Map<string, { bytes: number; expire: boolean }>();
  const holds = new Map<string, { bytes: number; reached: () => void; released: Promise<void> }>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/bucket\/(\d+)\/[^/]+$/.exec(url.pathname);
    const handleId = m?.[1] ?? '';
    const entry = signed.get(url.searchParams.get('X-Amz-Signature') ?? '');
    const record = (status: number): void => {
      log.push({ handleId, range: req.headers.range ?? null, ifRange: (req.headers['if-range'] as string | undefined) ?? null, status, authorization: req.headers.authorization ?? null });
    };
    const entity = library.byHandle(handleId);
    if (!m || !entry || entry.handleId !== handleId || !entity?.content) {
      record(403);
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    if (Date.now() >= entry.expiresAt) {
      record(403);
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      return;
    }
    const body = entity.content;
    const etag = `"${entity.md5}"`;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (!ifRange || ifRange === etag)) start = Number(range[1]);
    if (start >= body.length && range) {
      record(416);
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const partial = start > 0;
    record(partial ? 206 : 200);
    res.writeHead(partial ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length - start),
      etag,
      'accept-ranges': 'bytes',
      ...(partial ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    const cut = cuts.get(handleId);
    if (cut !== undefined && !partial) {
      cuts.delete(handleId);
      res.write(body.subarray(0, cut.bytes), () => {
        if (cut.expire) for (const e of signed.values()) e.expiresAt = 0;
        res.destroy();
      });
      return;
    }
    const hold = holds.get(handleId);
    if (hold && start < hold.bytes) {
      holds.delete(handleId);
      res.write(body.subarray(start, hold.bytes), () => {
        hold.reached();
        void hold.released.then(() => res.end(body.subarray(hold.bytes)));
      });
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    sign(entity) {
      const signature = randomBytes(12).toString('hex');
      const expiresAt = Date.now() + lifetimeMs;
      signed.set(signature, { handleId: entity.fileHandleId!, expiresAt });
      const q = new URLSearchParams({ 'X-Amz-Expires': String(Math.round(lifetimeMs / 1000)), 'X-Amz-Signature': signature });
      return `${origin}/bucket/${entity.fileHandleId}/${encodeURIComponent(entity.name)}?${q.toString()}`;
    },
    expireAll() {
      for (const s of signed.values()) s.expiresAt = 0;
    },
    cutOnce(handleId, bytes, expire = false) {
      cuts.set(handleId, { bytes, expire });
    },
    holdAfter(handleId, bytes) {
      let reached!: () => void;
      let release!: () => void;
      const reachedP = new Promise<void>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      holds.set(handleId, { bytes, reached, released });
      return { reached: reachedP, release };
    },
    requests: () => [...log],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
