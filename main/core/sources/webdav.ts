import { RequestError, type Got, type Method, type Response } from 'got';
import { CartageError } from '../errors.js';
import { safeFileName } from '../naming.js';
import { groupForName } from '../queue/groups.js';
import { basicAuth, sourceHttp, withoutCredentials, type HttpsOptions } from '../net/http.js';
import { decodedSegments, propfindBody } from './dav.js';
import type { DavEntry } from './propfind.js';
import { defaultTreeLimits, searchTree, summarize } from './tree.js';
import { downloadable, type FolderSummary, type Listing, type RemoteFile, type RemoteFolder, type Resolved, type Source } from './types.js';

export interface WebDavOptions {
  /** Address of the share, e.g. `https://cloud.example/remote.php/dav/files/ann/`. */
  url: string;
  username?: string;
  /** Held in memory only; sent as Basic auth to the share's own host, never logged or put in a URL. */
  password?: string;
  /** Bounds for `query`, which walks sub-folders (defaults: depth 10, 100,000 entries). */
  maxQueryDepth?: number;
  maxQueryEntries?: number;
  /** Per-request timeouts in ms (defaults: connect 15 s, whole answer 60 s). */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** TLS options for a pinned self-signed certificate. */
  https?: HttpsOptions;
  /** The client to request with (the Core's, with its proxy); by default one with the environment's proxy. */
  http?: Got;
}

const maxRedirects = 5;

/** A WebDAV share (Nextcloud, ownCloud, Apache mod_dav, rclone serve webdav) browsed with PROPFIND Depth: 1. */
export class WebDavSource implements Source {
  readonly kind = 'webdav' as const;
  /** The share's address without credentials, always ending in a slash. */
  readonly base: URL;
  readonly #username: string | null;
  readonly #password: string | null;
  private readonly baseSegments: string[];
  /** Limits and timeouts only: the password stays out of anything that could be serialised or logged. */
  private readonly options: Omit<WebDavOptions, 'url' | 'username' | 'password'>;

  constructor(options: WebDavOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new CartageError('bad_input', `"${options.url}" is not a web address; a WebDAV share starts with http:// or https://.`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new CartageError('bad_input', `${base.protocol}// is not WebDAV; a WebDAV share starts with http:// or https://.`);
    }
    // Credentials typed into the address are moved out of it, so no URL we keep or show carries them.
    const urlUser = base.username ? decodeURIComponent(base.username) : null;
    const urlPass = base.password ? decodeURIComponent(base.password) : null;
    base.username = '';
    base.password = '';
    base.hash = '';
    base.search = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.#username = options.username ?? urlUser;
    this.#password = options.password ?? urlPass;
    this.baseSegments = decodedSegments(base.pathname);
    const { url: _url, username: _username, password: _password, ...rest } = options;
    this.options = rest;
  }

  /** The direct children of a folder: sub-folders, and files with size, modified time, type and ETag. */
  async list(folder: string): Promise<Listing> {
    const segments = folderSegments(folder);
    const entries = await this.propfind(this.folderUrl(segments));
    const self = normalised([...this.baseSegments, ...segments]);
    const files: RemoteFile[] = [];
    const folders: RemoteFolder[] = [];
    const folderPath = sourcePath(segments);
    for (const entry of entries) {
      if (normalised(entry.segments) === self) continue;
      const raw = entry.segments.at(-1) ?? entry.displayName;
      if (!raw) continue;
      if (entry.collection) {
        folders.push({ kind: 'folder', path: sourcePath([...segments, raw]), name: safeFileName(raw, 'folder'), modified: entry.modified });
      } else {
        files.push(this.toFile(entry, raw, folderPath));
      }
    }
    return { folder: folderPath, files, folders };
  }

  /** Count and total size of the files directly in a folder, from one PROPFIND. */
  async summary(folder: string): Promise<FolderSummary> {
    return summarize(await this.list(folder));
  }

  /**
   * Every file whose name contains `q` (case-insensitive), walking sub-folders breadth-first with
   * Depth: 1 requests (servers often refuse Depth: infinity), bounded in depth and entries.
   */
  query(q: string): AsyncGenerator<RemoteFile> {
    return searchTree({
      root: '/',
      query: q,
      where: this.base.href,
      limits: {
        maxDepth: this.options.maxQueryDepth ?? defaultTreeLimits.maxDepth,
        maxEntries: this.options.maxQueryEntries ?? defaultTreeLimits.maxEntries,
      },
      read: (path) => this.list(path),
      names: (f) => [f.name],
      finish: async (matches) => matches,
    });
  }

  /** The file's URL, with the Authorization header built now (only for the share's own host). */
  async resolve(file: RemoteFile): Promise<Resolved> {
    const url = new URL(file.id);
    return { url: url.href, headers: this.authHeaders(url), expectedBytes: file.size };
  }

  headers(url: string): Promise<Record<string, string>> {
    return Promise.resolve(this.authHeaders(new URL(url)));
  }

  private toFile(entry: DavEntry, raw: string, folder: string): RemoteFile {
    const name = safeFileName(raw);
    const url = new URL(entry.url.href);
    url.search = '';
    url.hash = '';
    return {
      kind: 'file',
      id: url.href,
      name,
      folder,
      size: entry.size,
      modified: entry.modified,
      contentType: entry.contentType,
      group: groupForName(name),
      etag: entry.etag,
      href: url.href,
      access: downloadable,
    };
  }

  private folderUrl(segments: string[]): URL {
    const url = new URL(this.base.href);
    url.pathname = this.base.pathname + segments.map((s) => encodeURIComponent(s) + '/').join('');
    return url;
  }

  private authHeaders(url: URL): Record<string, string> {
    if (this.#username === null || url.origin !== this.base.origin) return {};
    return basicAuth(this.#username, this.#password ?? '');
  }

  /** PROPFIND Depth: 1, following redirects only within the share's host. */
  private async propfind(start: URL): Promise<DavEntry[]> {
    let url = start;
    for (let hop = 0; hop <= maxRedirects; hop += 1) {
      const res = await this.request(url);
      const status = res.statusCode;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        const next = new URL(res.headers.location, url);
        if (next.origin !== this.base.origin) {
          throw new CartageError(
            'bad_input',
            `The WebDAV share at ${this.base.href} sends Cartage to another server (${next.origin}); Cartage does not follow it with your password. Use that address instead.`,
          );
        }
        url = next;
        continue;
      }
      if (status === 207 || status === 200) {
        // Loaded here, not with the source: every command that opens a Core would pay for it.
        const { NotMultistatus, parseMultistatus } = await import('./propfind.js');
        try {
          return parseMultistatus(res.body, url);
        } catch (err) {
          if (err instanceof NotMultistatus) throw notWebDav(url, err);
          throw err;
        }
      }
      throw this.statusError(status, url);
    }
    throw new CartageError('bad_input', `The WebDAV share at ${this.base.href} redirects too many times; check the address.`);
  }

  private async request(url: URL): Promise<Response<string>> {
    try {
      return await (this.options.http ?? sourceHttp)(url, {
        // got's Method type lists only the common verbs; node:http sends any token.
        method: 'PROPFIND' as string as Method,
        body: propfindBody,
        headers: { depth: '1', 'content-type': 'application/xml; charset=utf-8', ...this.authHeaders(url) },
        throwHttpErrors: false,
        followRedirect: false,
        retry: { limit: 0 },
        // Its own bounds, not the sources' usual ones: one PROPFIND of a large folder may take a minute.
        timeout: {
          lookup: undefined,
          secureConnect: undefined,
          response: undefined,
          socket: undefined,
          connect: this.options.connectTimeoutMs ?? 15_000,
          request: this.options.requestTimeoutMs ?? 60_000,
        },
        responseType: 'text',
        ...(this.options.https ? { https: this.options.https } : {}),
      });
    } catch (err) {
      const code = (err as RequestError).code;
      const host = url.host;
      if (code === 'ETIMEDOUT') {
        throw new CartageError('timeout', `The WebDAV server at ${host} did not answer in time; check that it is running and try again.`, { cause: err });
      }
      const why = err instanceof RequestError && code ? ` (${code})` : '';
      throw new CartageError('network', `Could not reach the WebDAV server at ${host}${why}; check the address and that the server is running.`, { cause: err });
    }
  }

  private statusError(status: number, url: URL): CartageError {
    const shown = withoutCredentials(url);
    switch (true) {
      case status === 401:
        return new CartageError('auth', `The WebDAV share at ${this.base.href} refused the user name or password; check them and sign in again.`);
      case status === 403:
        return new CartageError('auth', `The WebDAV share refused access to ${shown}; the account may not be allowed to see this folder.`);
      case status === 404 || status === 410:
        return new CartageError('not_found', `There is no folder at ${shown}; it may have been moved or deleted.`);
      case status === 405 || status === 501:
        return notWebDav(url);
      case status === 429:
        return new CartageError('rate_limited', `The WebDAV share at ${this.base.host} asks Cartage to slow down (429); try again in a moment.`);
      case status >= 500:
        return new CartageError('server_error', `The WebDAV server at ${this.base.host} had an error (${status}) listing ${shown}; try again later.`);
      default:
        return new CartageError('http_error', `The WebDAV share answered ${status} listing ${shown}.`);
    }
  }
}

function notWebDav(url: URL, cause?: unknown): CartageError {
  return new CartageError(
    'bad_input',
    `${withoutCredentials(url)} does not answer WebDAV (PROPFIND); check that it is the address of a WebDAV share.`,
    cause === undefined ? undefined : { cause },
  );
}

/** '', '/', 'a/b', '/a/b/' -> segments; `.` and `..` are refused rather than resolved. */
function folderSegments(folder: string): string[] {
  const segments = folder.split('/').filter(Boolean);
  if (segments.some((s) => s === '.' || s === '..')) {
    throw new CartageError('bad_input', `The folder "${folder}" has "." or ".." in it; give a path inside the share.`);
  }
  return segments;
}

/** Source paths look like `/a/b` (root `/`), holding the server's names as decoded text. */
function sourcePath(segments: string[]): string {
  return '/' + segments.join('/');
}

function normalised(segments: string[]): string {
  return segments.map((s) => s.normalize('NFC')).join('/');
}
