import { CartageError } from '../errors.js';
import { nameFromUrl, safeFileName } from '../naming.js';
import { groupForName } from '../queue/groups.js';
import type { Got } from 'got';
import { basicAuth, head, sourceHttp, withoutCredentials, type HeadInfo } from '../net/http.js';
import { mapLimit } from '../util/map-limit.js';
import { downloadable, type Access, type FolderSummary, type Listing, type RemoteFile, type Resolved, type Source } from './types.js';

const headConcurrency = 6;

interface Link {
  /** The address without user name and password: the file's id and link. */
  url: string;
  credentials: { username: string; password: string } | null;
}

/**
 * Plain links as a source: one folder ('') holding one file per URL. Every URL is asked with a HEAD
 * (or a one-byte GET) when listed. URLs the engine cannot fetch are still listed, not downloadable,
 * with a reason: other protocols ('unsupported_protocol'), web pages ('web_page'), 401/403
 * ('needs_sign_in'); 404, other error statuses and unreachable servers have no restriction code
 * but a reason such as "not found (404)".
 */
export class UrlSource implements Source {
  readonly kind = 'url' as const;
  private readonly links: Link[];
  private cached: Promise<RemoteFile[]> | null = null;

  /** `http`: the client to ask with (the Core's, with its proxy); by default one with the environment's proxy. */
  constructor(
    urls: readonly string[],
    private readonly http: Got = sourceHttp,
  ) {
    const seen = new Set<string>();
    this.links = [];
    for (const raw of urls) {
      const link = parseLink(raw);
      if (seen.has(link.url)) continue;
      seen.add(link.url);
      this.links.push(link);
    }
  }

  /**
   * From text: one or more URLs per line, separated by spaces or commas; blank lines and lines
   * starting with '#' are ignored. A word that is not an address fails with its line number.
   */
  static fromText(text: string, http?: Got): UrlSource {
    const urls: string[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      for (const word of trimmed.split(/[\s,]+/)) {
        const w = word.replace(/^<(.*)>$/, '$1');
        if (w === '') continue;
        if (!/^[a-z][a-z0-9+.-]*:/i.test(w)) {
          throw new CartageError('bad_input', `Line ${i + 1} has "${w.slice(0, 80)}", which is not a web address; give one address per line.`);
        }
        urls.push(w);
      }
    });
    if (urls.length === 0) throw new CartageError('bad_input', 'The text has no web addresses; give one address per line.');
    return new UrlSource(urls, http);
  }

  async list(folder: string): Promise<Listing> {
    if (folder !== '' && folder !== '/') {
      throw new CartageError('not_found', `A list of links has no folder "${folder}"; it has only its top level.`);
    }
    this.cached ??= mapLimit(this.links, headConcurrency, (link) => describe(link, this.http));
    const files = await this.cached.catch((err: unknown) => {
      this.cached = null;
      throw err;
    });
    return { folder: '', files, folders: [] };
  }

  async summary(folder: string): Promise<FolderSummary> {
    const { files } = await this.list(folder);
    const sized = files.filter((f) => f.size !== null);
    return { folder: '', files: files.length, bytes: sized.reduce((n, f) => n + f.size!, 0), unknownSizes: files.length - sized.length };
  }

  async *query(q: string): AsyncGenerator<RemoteFile> {
    const needle = q.toLowerCase();
    for (const f of (await this.list('')).files) if (f.name.toLowerCase().includes(needle) || f.id.toLowerCase().includes(needle)) yield f;
  }

  async resolve(file: RemoteFile): Promise<Resolved> {
    return { url: file.id, headers: await this.headers(file.id), expectedBytes: file.size };
  }

  headers(url: string): Promise<Record<string, string>> {
    const link = this.links.find((l) => l.url === url);
    return Promise.resolve(link?.credentials ? basicAuth(link.credentials.username, link.credentials.password) : {});
  }
}

function parseLink(raw: string): Link {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new CartageError('bad_input', `"${raw.slice(0, 200)}" is not a web address.`);
  }
  const credentials = url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : null;
  url.hash = '';
  return { url: withoutCredentials(url), credentials };
}

async function describe(link: Link, http: Got): Promise<RemoteFile> {
  const url = new URL(link.url);
  const base: RemoteFile = {
    kind: 'file',
    id: link.url,
    name: nameFromUrl(url),
    folder: '',
    size: null,
    modified: null,
    contentType: null,
    group: groupForName(nameFromUrl(url)),
    etag: null,
    href: link.url,
    access: downloadable,
  };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ...base,
      access: blocked('unsupported_protocol', `Cartage does not fetch ${url.protocol} links; open it with an app that does.`),
    };
  }
  let info: HeadInfo;
  try {
    info = await head(link.url, link.credentials ? basicAuth(link.credentials.username, link.credentials.password) : {}, undefined, http);
  } catch (err) {
    return { ...base, access: blocked(null, (err as Error).message) };
  }
  const name = info.fileName ? safeFileName(info.fileName, base.name) : base.name;
  const file: RemoteFile = {
    ...base,
    name,
    group: groupForName(name),
    size: info.size,
    modified: info.lastModified,
    contentType: info.contentType,
    etag: info.etag,
  };
  if (info.status === 401 || info.status === 403) {
    return { ...file, access: blocked('needs_sign_in', `The server asks you to sign in (${info.status}); add a user name and password to the address.`) };
  }
  if (info.status === 404 || info.status === 410) return { ...file, access: blocked(null, `not found (${info.status}); check the address.`) };
  if (info.status < 200 || info.status >= 300) return { ...file, access: blocked(null, `the server answered ${info.status}; try again later.`) };
  if (/^(text\/html|application\/xhtml\+xml)/i.test(info.contentType ?? '') && !info.fileName) {
    return { ...file, access: blocked('web_page', 'This address is a web page, not a file; open it in the browser and copy the link of the file.') };
  }
  return file;
}

function blocked(restriction: Access['restriction'], reason: string): Access {
  return { downloadable: false, restriction, reason };
}
