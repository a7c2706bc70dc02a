import type { IncomingHttpHeaders } from 'node:http';

/** A strong ETag is the only kind that promises byte-identical content (RFC 9110 §8.8.3). */
export function isStrongEtag(etag: string | null | undefined): etag is string {
  return !!etag && !etag.startsWith('W/');
}

/** The `If-Range` value for a resume: the strong ETag, else Last-Modified, else nothing (no safe resume). */
export function ifRangeValue(etag: string | null, lastModified: string | null): string | null {
  if (isStrongEtag(etag)) return etag;
  return lastModified ?? null;
}

export interface ContentRange {
  start: number;
  end: number;
  total: number | null;
}

/** Parses `bytes 100-199/1000` (or `bytes 100-199/*`); null when malformed. */
export function parseContentRange(value: string | undefined): ContentRange | null {
  const m = value?.match(/^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i);
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return null;
  return { start, end, total: m[3] === '*' ? null : Number(m[3]) };
}

/** Parses the total of an unsatisfiable range answer: `bytes *\/1000`. */
export function parseUnsatisfiedRange(value: string | undefined): number | null {
  const m = value?.match(/^bytes\s+\*\/(\d+)$/i);
  return m ? Number(m[1]) : null;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Whether a content type is a web page rather than a file's data. */
export function isHtml(contentType: string | null | undefined): boolean {
  return !!contentType && /^\s*(text\/html|application\/xhtml\+xml)/i.test(contentType);
}

/** Whether the first bytes of a body look like an HTML document. */
export function looksLikeHtml(chunk: Buffer): boolean {
  const head = chunk.subarray(0, 256).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<body');
}
