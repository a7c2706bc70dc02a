// GET /assets/{id}/original as real Immich answers it: its sendFile() helper sets Cache-Control,
// Content-Type and Content-Disposition, then express's res.sendFile (the `send` package, with
// range-parser and fresh) does validators, conditionals and ranges. Errors `send` raises (412, 416)
// reach Immich's GlobalExceptionFilter, which is not an HttpException there, so the client gets 500.
import { extname } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { StoredAsset } from './immich-fake-types.js';

export type OriginalAnswer =
  | { kind: 'file'; status: 200 | 206 | 304; headers: Record<string, string>; body: Buffer | undefined }
  /** `send` raised this HTTP error; Immich answers it with 500 and these headers still set. */
  | { kind: 'send-error'; sendStatus: 412 | 416; headers: Record<string, string> };

const parseTokenList = (s: string): string[] => s.split(',').map((t) => t.trim()).filter(Boolean);
const httpDate = (s: string | undefined): number => (s ? Date.parse(s) : NaN);
const weakMatch = (token: string, etag: string) => token === etag || token === `W/${etag}` || `W/${token}` === etag;

/** range-parser 1.2 with `combine: true`: -2 malformed, -1 unsatisfiable, else the merged ranges. */
export function parseRange(size: number, header: string): -1 | -2 | { start: number; end: number }[] {
  const eq = header.indexOf('=');
  if (eq === -1) return -2;
  const ranges: { start: number; end: number }[] = [];
  for (const part of header.slice(eq + 1).split(',')) {
    const [a = '', b = ''] = part.split('-');
    let start = parseInt(a, 10);
    let end = parseInt(b, 10);
    if (isNaN(start)) {
      start = size - end;
      end = size - 1;
    } else if (isNaN(end)) {
      end = size - 1;
    }
    if (end > size - 1) end = size - 1;
    // A suffix longer than the file gives start < 0: skipped, so `bytes=-500` of a 100-byte file is unsatisfiable.
    if (isNaN(start) || isNaN(end) || start > end || start < 0) continue;
    ranges.push({ start, end });
  }
  if (ranges.length === 0) return -1;
  ranges.sort((x, y) => x.start - y.start);
  const merged = [ranges[0]!];
  for (const r of ranges.slice(1)) {
    const cur = merged[merged.length - 1]!;
    if (r.start > cur.end + 1) merged.push({ ...r });
    else if (r.end > cur.end) cur.end = r.end;
  }
  return merged;
}

/** The response to GET/HEAD of an original; `method` HEAD gets no body. */
export function answerOriginal(method: string, req: IncomingHttpHeaders, a: StoredAsset): OriginalAnswer {
  const size = a.bytes.length;
  const fileName = a.originalFileName.slice(0, a.originalFileName.length - extname(a.originalFileName).length) + extname(a.originalPath);
  // The etag package marks ETags made from fs.Stats weak, and builds them from size and mtime.
  const etag = `W/"${size.toString(16)}-${a.mtime.getTime().toString(16)}"`;
  const lastModified = a.mtime.toUTCString();
  const headers: Record<string, string> = {
    'cache-control': 'private, max-age=86400, no-transform',
    'content-type': a.mimeType,
    'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    'accept-ranges': 'bytes',
    'last-modified': lastModified,
    etag,
  };
  const h = (name: string) => {
    const v = req[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };

  if (h('if-match') || h('if-unmodified-since') || h('if-none-match') || h('if-modified-since')) {
    const ifMatch = h('if-match');
    let failed = false;
    if (ifMatch) failed = ifMatch !== '*' && parseTokenList(ifMatch).every((t) => !weakMatch(t, etag));
    else if (!isNaN(httpDate(h('if-unmodified-since')))) failed = httpDate(lastModified) > httpDate(h('if-unmodified-since'));
    if (failed) return { kind: 'send-error', sendStatus: 412, headers };
    if (isFresh(h, etag, lastModified)) {
      for (const k of Object.keys(headers)) if (k.startsWith('content-')) delete headers[k];
      return { kind: 'file', status: 304, headers, body: undefined };
    }
  }

  let status: 200 | 206 = 200;
  let body = a.bytes;
  const range = h('range');
  if (range && /^ *bytes=/.test(range)) {
    let ranges = parseRange(size, range);
    // If-Range: an entity tag matches by substring (weak or not), a date by Last-Modified <= it.
    const ifRange = h('if-range');
    if (ifRange) {
      const fresh = ifRange.includes('"') ? ifRange.includes(etag) : httpDate(lastModified) <= httpDate(ifRange);
      if (!fresh) ranges = -2;
    }
    if (ranges === -1) return { kind: 'send-error', sendStatus: 416, headers: { ...headers, 'content-range': `bytes */${size}` } };
    // Malformed or several disjoint ranges: the whole file, 200.
    if (ranges !== -2 && ranges.length === 1) {
      const { start, end } = ranges[0]!;
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
      body = a.bytes.subarray(start, end + 1);
    }
  }
  headers['content-length'] = String(body.length);
  return { kind: 'file', status, headers, body: method === 'HEAD' ? undefined : body };
}

/** The `fresh` package: is the client's cached copy current? */
function isFresh(h: (name: string) => string | undefined, etag: string, lastModified: string): boolean {
  const since = h('if-modified-since');
  const noneMatch = h('if-none-match');
  if (!since && !noneMatch) return false;
  if (/(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(h('cache-control') ?? '')) return false;
  if (noneMatch && noneMatch !== '*' && !parseTokenList(noneMatch).some((t) => weakMatch(t, etag))) return false;
  if (since && !(httpDate(lastModified) <= httpDate(since))) return false;
  return true;
}
