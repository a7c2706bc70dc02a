import { CartageError } from '../errors.js';
import { safeFileName } from '../naming.js';
import { groupForName } from '../queue/groups.js';
import type { Got } from 'got';
import { basicAuth, head, networkError, sourceHttp, statusError, type HttpsOptions } from '../net/http.js';
import { mapLimit } from '../util/map-limit.js';
import { detectFormat, parseListing, type RawEntry } from './listing-parsers.js';
import { defaultTreeLimits, searchTree, summarize, type TreeLimits } from './tree.js';
import {
  downloadable,
  type FolderSummary,
  type Listing,
  type RemoteFile,
  type RemoteFolder,
  type Resolved,
  type Source,
} from './types.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface WebSourceOptions {
  /** The folder URL people typed (its root is the source's root). */
  url: string;
  /** Read from the secret store at request time; never kept in this object's fields. */
  credentials?: () => Promise<Credentials | null>;
  /** TLS options for a pinned self-signed certificate. */
  https?: HttpsOptions;
  /** The client to request with (the Core's, with its proxy); by default one with the environment's proxy. */
  http?: Got;
}

/** How far `query` walks: deeper folders and further entries are not searched. */
export const queryLimits: TreeLimits = defaultTreeLimits;
/** Files per folder whose missing size is asked for with a HEAD; beyond that the size stays unknown. */
export const maxHeadsPerFolder = 1_000;
const headConcurrency = 6;

interface Parsed {
  files: (RemoteFile & { rawName: string })[];
  folders: RemoteFolder[];
}

/**
 * A web server's directory listing as a source: nginx autoindex (HTML, JSON), Apache mod_autoindex,
 * rclone `serve http`, Python `http.server`. Folder paths are the decoded names joined with '/'
 * ('' is the root). Links that leave the folder (parent, other hosts, deeper paths) and sorting
 * links (`?C=N;O=D`) are ignored: a listing's own entries are always direct children.
 */
export class WebSource implements Source {
  readonly kind = 'web' as const;
  private readonly base: URL;
  private readonly credentials: () => Promise<Credentials | null>;
  private readonly https: HttpsOptions;
  private readonly http: Got;

  constructor(options: WebSourceOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new CartageError('bad_input', `"${options.url}" is not a web address; give one such as https://example.org/files/.`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new CartageError('bad_input', `${base.protocol}// addresses are not web folders; give an http:// or https:// address.`);
    }
    // Credentials typed into the address are kept in memory only, and sent as a header at request time.
    const inline = base.username ? { username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) } : null;
    base.username = '';
    base.password = '';
    base.search = '';
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.credentials = options.credentials ?? (async () => inline);
    this.https = options.https;
    this.http = options.http ?? sourceHttp;
  }

  /** The direct children of `folder`; sizes the listing lacks come from a HEAD per file (at most 6 at a time). */
  async list(folder: string): Promise<Listing> {
    const path = normalizeFolder(folder);
    const parsed = await this.read(path);
    await this.fillSizes(parsed.files.slice(0, maxHeadsPerFolder));
    return { folder: path, files: parsed.files.map(strip), folders: parsed.folders };
  }

  async summary(folder: string): Promise<FolderSummary> {
    return summarize(await this.list(folder));
  }

  /**
   * Files in the whole tree whose name contains `q` (case-insensitive), breadth-first, within
   * `queryLimits`; sizes are looked up only for the files that match.
   */
  query(q: string): AsyncGenerator<RemoteFile> {
    return searchTree({
      root: '',
      query: q,
      where: this.base.href,
      limits: queryLimits,
      read: (path) => this.read(path),
      names: (f) => [f.rawName, f.name],
      finish: async (matches) => {
        await this.fillSizes(matches.slice(0, maxHeadsPerFolder));
        return matches.map(strip);
      },
    });
  }

  async resolve(file: RemoteFile): Promise<Resolved> {
    const url = new URL(file.id);
    return { url: url.href, headers: await this.headers(url.href), expectedBytes: file.size };
  }

  async headers(url: string): Promise<Record<string, string>> {
    // Credentials go only to the listing's own origin.
    return new URL(url).origin === this.base.origin ? await this.authHeaders() : {};
  }

  /** The URL of a folder path. */
  folderUrl(path: string): URL {
    const segments = path.split('/').filter(Boolean);
    return new URL(segments.map((s) => `${encodeURIComponent(s)}/`).join(''), this.base);
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const c = await this.credentials();
    return c ? basicAuth(c.username, c.password) : {};
  }

  private async read(path: string): Promise<Parsed> {
    const url = this.folderUrl(path);
    let res;
    try {
      res = await this.http.get(url, { headers: await this.authHeaders(), ...(this.https ? { https: this.https } : {}) });
    } catch (err) {
      throw networkError(url.href, err);
    }
    if (res.statusCode !== 200) throw statusError(url.href, res.statusCode);
    const type = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null;
    const format = detectFormat(res.body, type);
    if (!format) throw notAListing(url.href, res.body, type);
    let entries: RawEntry[];
    try {
      entries = parseListing(res.body, format);
    } catch (err) {
      throw new CartageError('bad_input', `${url.href} looks like a folder listing but could not be read (${(err as Error).message}).`, { cause: err });
    }
    return this.toItems(url, path, entries);
  }

  private toItems(folderUrl: URL, path: string, entries: RawEntry[]): Parsed {
    const out: Parsed = { files: [], folders: [] };
    const parent = decodedSegments(folderUrl.pathname);
    const seen = new Set<string>();
    for (const e of entries) {
      let u: URL;
      try {
        u = new URL(e.href, folderUrl);
      } catch {
        continue;
      }
      if (u.origin !== folderUrl.origin || u.search !== '' || seen.has(u.pathname)) continue;
      const segs = decodedSegments(u.pathname);
      if (!segs || !parent || segs.length !== parent.length + 1 || parent.some((s, i) => s !== segs[i])) continue;
      seen.add(u.pathname);
      u.hash = '';
      const rawName = e.name ?? segs.at(-1)!;
      const childPath = path ? `${path}/${rawName}` : rawName;
      if (e.isFolder || u.pathname.endsWith('/')) {
        out.folders.push({ kind: 'folder', path: childPath, name: safeFileName(rawName, 'folder'), modified: e.modified });
        continue;
      }
      const name = safeFileName(rawName);
      out.files.push({
        kind: 'file',
        id: u.href,
        name,
        rawName,
        folder: path,
        size: e.size,
        modified: e.modified,
        contentType: null,
        group: groupForName(name),
        etag: null,
        href: u.href,
        access: downloadable,
      });
    }
    return out;
  }

  private async fillSizes(files: RemoteFile[]): Promise<void> {
    const missing = files.filter((f) => f.size === null);
    if (missing.length === 0) return;
    const headers = await this.authHeaders();
    await mapLimit(missing, headConcurrency, async (f) => {
      try {
        const info = await head(f.id, headers, this.https, this.http);
        if (info.status < 200 || info.status >= 300) return;
        f.size = info.size;
        f.etag = info.etag;
        f.contentType = info.contentType;
        f.modified = info.lastModified ?? f.modified;
      } catch {
        // The size stays unknown; summary counts it in unknownSizes.
      }
    });
  }
}

function strip(f: RemoteFile & { rawName?: string }): RemoteFile {
  const { rawName: _rawName, ...file } = f;
  return file;
}

/** '', '/', 'a/b', '/a/b/' -> '' or 'a/b'; refuses '.' and '..' so a path cannot climb out of the source. */
function normalizeFolder(folder: string): string {
  const segments = folder.split('/').filter(Boolean);
  if (segments.some((s) => s === '.' || s === '..')) {
    throw new CartageError('bad_input', `The folder "${folder}" contains "." or ".."; give a path inside the source.`);
  }
  return segments.join('/');
}

function decodedSegments(pathname: string): string[] | null {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

function notAListing(url: string, body: string, type: string | null): CartageError {
  const what =
    body.trim() === ''
      ? 'the server sent an empty page'
      : /<html|<!doctype html/i.test(body.slice(0, 2048)) || (type ?? '').includes('html')
        ? 'it looks like an ordinary web page'
        : `the server sent ${type ?? 'something that is not a listing'}`;
  return new CartageError(
    'bad_input',
    `${url} is not a folder listing Cartage can read (${what}); open it in the browser, or give the address of a folder.`,
  );
}
