/**
 * Readers for the folder listings web servers generate: nginx autoindex (HTML and JSON), Apache
 * mod_autoindex (plain list, FancyIndexing in <pre> or a table), rclone `serve http`, and Python's
 * `http.server`. These pages are machine-made and regular, so each is read with one linear pass of
 * anchored patterns over the body (O(n) for 100,000 entries), not with a general HTML parser: we
 * only need each entry's href, and the date and size that follow it.
 */
import { assertNever } from '../util/assert-never.js';

export type ListingFormat = 'nginx-json' | 'nginx-html' | 'apache' | 'python' | 'rclone';

/** One entry as the listing shows it, before it is resolved against the folder's URL. */
export interface RawEntry {
  /** The link as written (entities decoded, percent-escapes kept). */
  href: string;
  /** The name as the server gave it in JSON (not escaped), when it did. */
  name: string | null;
  isFolder: boolean;
  /** Exact size in bytes, or null when the listing gives none or only a rounded one ("2.9K"). */
  size: number | null;
  modified: Date | null;
}

/** Which listing format a body is, or null when it is none Cartage reads. */
export function detectFormat(body: string, contentType: string | null): ListingFormat | null {
  const head = body.slice(0, 4096);
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || /^\s*\[/.test(head)) {
    return /^\s*\[\s*(\]|\{\s*"name"\s*:)/.test(head) ? 'nginx-json' : null;
  }
  if (/<title>\s*Directory listing for /i.test(head)) return 'python';
  if (/<title>\s*Index of /i.test(head)) {
    return /<h1>\s*Index of [^<]*<\/h1>\s*<hr>\s*<pre>/i.test(head) ? 'nginx-html' : 'apache';
  }
  // rclone's template: its title is just the path, so it is recognised by its sort links and rows.
  if (body.includes('href="?sort=namedirfirst') && body.includes('class="listing"')) return 'rclone';
  return null;
}

/** Reads the entries of a listing in `format`; throws a plain Error when the body is malformed. */
export function parseListing(body: string, format: ListingFormat): RawEntry[] {
  switch (format) {
    case 'nginx-json':
      return parseNginxJson(body);
    case 'nginx-html':
    case 'apache':
    case 'python':
      return parseIndexHtml(body);
    case 'rclone':
      return parseRclone(body);
    default:
      return assertNever(format, 'listing format');
  }
}

interface NginxJsonEntry {
  name?: unknown;
  type?: unknown;
  mtime?: unknown;
  size?: unknown;
}

function parseNginxJson(body: string): RawEntry[] {
  const data: unknown = JSON.parse(body);
  if (!Array.isArray(data)) throw new Error('the JSON listing is not an array');
  const out: RawEntry[] = [];
  for (const item of data as NginxJsonEntry[]) {
    if (typeof item?.name !== 'string' || item.name === '') continue;
    const isFolder = item.type === 'directory';
    const encoded = encodeURIComponent(item.name);
    out.push({
      href: isFolder ? `${encoded}/` : encoded,
      name: item.name,
      isFolder,
      size: !isFolder && typeof item.size === 'number' && Number.isSafeInteger(item.size) ? item.size : null,
      modified: typeof item.mtime === 'string' ? validDate(Date.parse(item.mtime)) : null,
    });
  }
  return out;
}

// An anchor with a double-quoted href; its text is not needed (names come from the href).
const anchor = /<a\s[^>]*?href="([^"]*)"[^>]*>/gi;
const months: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
// After the link: nginx "23-Nov-2026 13:51    1234", Apache "2026-11-23 13:51  2.9K".
const nginxTail = /^\s*(\d{2})-([A-Z][a-z]{2})-(\d{4}) (\d{2}):(\d{2})\s+(\S+)/;
const apacheTail = /^\s*(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})\s+(\S+)/;

/** nginx HTML, Apache (all three layouts) and Python: links, each followed by an optional date and size. */
function parseIndexHtml(body: string): RawEntry[] {
  const hits: { href: string; start: number; end: number }[] = [];
  for (const m of body.matchAll(anchor)) hits.push({ href: decodeEntities(m[1]!), start: m.index, end: m.index + m[0].length });
  const out: RawEntry[] = [];
  for (let i = 0; i < hits.length; i += 1) {
    const hit = hits[i]!;
    const stop = Math.min(hits[i + 1]?.start ?? body.length, hit.end + 600);
    const rest = body.slice(hit.end, stop);
    const close = rest.search(/<\/a>/i);
    // What follows the link's text: nginx and Apache put the date and size there.
    const tail = decodeEntities((close >= 0 ? rest.slice(close + 4) : '').replace(/<[^>]*>/g, ' '));
    let size: number | null = null;
    let modified: Date | null = null;
    const n = nginxTail.exec(tail);
    const a = n ? null : apacheTail.exec(tail);
    if (n) {
      modified = validDate(Date.UTC(Number(n[3]), months[n[2]!] ?? NaN, Number(n[1]), Number(n[4]), Number(n[5])));
      size = exactSize(n[6]!);
    } else if (a) {
      // Apache writes the server's local time without a zone: read as UTC, good to the hour at worst.
      modified = validDate(Date.UTC(Number(a[1]), Number(a[2]) - 1, Number(a[3]), Number(a[4]), Number(a[5])));
      size = exactSize(a[6]!);
    }
    const isFolder = hit.href.split(/[?#]/)[0]!.endsWith('/');
    out.push({ href: hit.href, name: null, isFolder, size: isFolder ? null : size, modified });
  }
  return out;
}

/** rclone `serve http`: one `<tr class="file">` per entry, with `<size>` and `<time datetime>`. */
function parseRclone(body: string): RawEntry[] {
  const out: RawEntry[] = [];
  const rows = body.split('<tr class="file">');
  for (let i = 1; i < rows.length; i += 1) {
    const row = rows[i]!.split('</tr>')[0]!;
    const link = /<a\s[^>]*?href="([^"]*)"/i.exec(row);
    if (!link) continue;
    const href = decodeEntities(link[1]!);
    const isFolder = href.endsWith('/');
    const size = /<size>(\d+)<\/size>/.exec(row);
    const time = /datetime="(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?\s*([^"]*)"/.exec(row);
    let modified: Date | null = null;
    if (time) {
      const zone = /([+-])(\d{2})(\d{2})/.exec(decodeEntities(time[4]!));
      const frac = (time[3] ?? '').slice(0, 4);
      modified = validDate(Date.parse(`${time[1]}T${time[2]}${frac}${zone ? `${zone[1]}${zone[2]}:${zone[3]}` : 'Z'}`));
    }
    out.push({ href, name: null, isFolder, size: !isFolder && size ? Number(size[1]) : null, modified });
  }
  return out;
}

function exactSize(token: string): number | null {
  return /^\d+$/.test(token) ? Number(token) : null;
}

function validDate(ms: number): Date | null {
  return Number.isFinite(ms) ? new Date(ms) : null;
}

const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', mdash: '\u2014' };

/** Decodes the character references listings use (named basics and numeric). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return named[ref.toLowerCase()] ?? all;
  });
}
