import { RequestError, type Got, type OptionsOfTextResponseBody } from 'got';
import { CartageError } from '../errors.js';
import { HttpClient } from './client.js';

/** got's TLS options for one source (a pinned self-signed certificate); undefined for the system's trust. */
export type HttpsOptions = OptionsOfTextResponseBody['https'];

/**
 * The client of sources made outside a Core (a test, a one-off look at a URL): the same set-up as
 * the Core's, with the environment's proxy only (no stored settings to read).
 */
export const standaloneClient = new HttpClient(() => ({ proxy: '', noProxy: '', stallTimeoutMs: 30_000 }));

/** What sources request with when they are not given the Core's client: one retry, bounded waits, credentials kept home. */
export const sourceHttp: Got = standaloneClient.sources;

/** What a HEAD (or a one-byte GET) says about a URL. */
export interface HeadInfo {
  status: number;
  /** The URL after redirects. */
  finalUrl: string;
  size: number | null;
  contentType: string | null;
  etag: string | null;
  lastModified: Date | null;
  /** The file name from Content-Disposition, decoded but not yet made safe. */
  fileName: string | null;
}

/**
 * HEAD a URL; when the server refuses HEAD (405, 501) ask for the first byte with a ranged GET
 * instead, and read the total from Content-Range. HTTP error statuses are returned, not thrown;
 * a server that cannot be reached throws a CartageError.
 */
export async function head(url: string, headers: Record<string, string> = {}, https?: HttpsOptions, http: Got = sourceHttp): Promise<HeadInfo> {
  try {
    const res = await http.head(url, { headers, ...(https ? { https } : {}) });
    if (res.statusCode !== 405 && res.statusCode !== 501) {
      return infoFrom(res.statusCode, res.url, res.headers, lengthOf(res.headers['content-length']));
    }
    return await rangedProbe(http, url, headers, https);
  } catch (err) {
    throw networkError(url, err);
  }
}

function rangedProbe(http: Got, url: string, headers: Record<string, string>, https?: HttpsOptions): Promise<HeadInfo> {
  return new Promise((resolve, reject) => {
    const stream = http.stream(url, { headers: { ...headers, range: 'bytes=0-0' }, ...(https ? { https } : {}) });
    stream.once('response', (res: { statusCode: number; url: string; headers: Record<string, string | string[] | undefined> }) => {
      // Only the headers matter: never read a body the server sends in full despite the Range.
      stream.destroy();
      const range = /\/(\d+)\s*$/.exec(String(res.headers['content-range'] ?? ''));
      const size = res.statusCode === 206 ? (range ? Number(range[1]) : null) : lengthOf(res.headers['content-length']);
      resolve(infoFrom(res.statusCode, res.url, res.headers, size));
    });
    stream.once('error', reject);
    stream.resume();
  });
}

function infoFrom(
  status: number,
  finalUrl: string,
  h: Record<string, string | string[] | undefined>,
  size: number | null,
): HeadInfo {
  const one = (name: string): string | null => {
    const v = h[name];
    return typeof v === 'string' ? v : null;
  };
  const modified = one('last-modified');
  const ms = modified ? Date.parse(modified) : NaN;
  const disposition = one('content-disposition');
  return {
    status,
    finalUrl,
    size: status >= 200 && status < 300 ? size : null,
    contentType: one('content-type'),
    etag: one('etag'),
    lastModified: Number.isFinite(ms) ? new Date(ms) : null,
    fileName: disposition ? dispositionFileName(disposition) : null,
  };
}

function lengthOf(v: string | string[] | undefined): number | null {
  return typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : null;
}

/**
 * The file name in a Content-Disposition header: `filename*` (RFC 5987, e.g. UTF-8''na%C3%AFve.txt)
 * wins over `filename`. Returned decoded and unsafe: callers pass it through `safeFileName`.
 */
export function dispositionFileName(header: string): string | null {
  const star = /(?:^|;)\s*filename\*\s*=\s*([^';\s]*)'[^']*'([^;\s]*)/i.exec(header);
  if (star) {
    const charset = star[1]!.toLowerCase();
    try {
      if (charset === 'utf-8' || charset === '') return decodeURIComponent(star[2]!);
      if (charset === 'iso-8859-1') return star[2]!.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    } catch {
      // Malformed escapes: fall back to the plain parameter.
    }
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
  const token = /(?:^|;)\s*filename\s*=\s*([^;\s]+)/i.exec(header);
  return token ? token[1]! : null;
}

/** Basic authentication, built at request time from credentials the secret store hands over. */
export function basicAuth(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

/** A thrown got error as a CartageError a person can act on. */
export function networkError(url: string, err: unknown): CartageError {
  if (err instanceof CartageError) return err;
  const host = safeHost(url);
  if (err instanceof RequestError) {
    switch (err.code) {
      case 'ECONNREFUSED':
        return new CartageError('network', `${host} refused the connection: the server is down or the address is wrong (${url}).`, { cause: err });
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new CartageError('network', `No server called ${host} could be found: check the address (${url}).`, { cause: err });
      case 'ETIMEDOUT':
        return new CartageError('timeout', `${host} did not answer in time; try again later (${url}).`, { cause: err });
      case 'ERR_TOO_MANY_REDIRECTS':
        return new CartageError('http_error', `${url} redirects too many times (more than 5); open it in the browser to see where it goes.`, { cause: err });
      default:
        return new CartageError('network', `Could not reach ${host}: ${err.message} (${url}).`, { cause: err });
    }
  }
  return new CartageError('network', `Could not reach ${host}: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
}

/** An HTTP error status as a CartageError that says what it means for the address. */
export function statusError(url: string, status: number): CartageError {
  if (status === 404 || status === 410) return new CartageError('not_found', `${url} was not found (${status}): check the address.`);
  if (status === 401 || status === 403) return new CartageError('auth', `${url} needs you to sign in (${status}): add a user name and password for this source.`);
  if (status >= 500) return new CartageError('server_error', `The server had a problem answering ${url} (${status}); try again later.`);
  return new CartageError('http_error', `${url} answered ${status}.`);
}

/** A URL without its user name and password, for ids, links and messages. */
export function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
