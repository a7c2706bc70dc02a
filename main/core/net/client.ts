import got, { type BeforeRedirectHook, type BeforeRequestHook, type Got } from 'got';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { ProxyAgents, type Agents, type NetworkSettings } from './proxy.js';
import { keepPinHome, pinnedTls, type PinnedCertificate } from './tls.js';

export type { NetworkSettings } from './proxy.js';

export const userAgent = 'Cartage/0.1';

/** An answer to the engine's GET: the status and headers, and the body still to be read (or destroyed). */
export interface OpenResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** Headers that carry credentials: none of them may follow a redirect to another origin. */
const credentialHeaders = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-immich-share-key', 'x-immich-share-slug'];

/**
 * got 14 already drops `authorization`, `cookie` and URL credentials when a redirect changes host or
 * port, but not `x-api-key` (Immich), and not on an https -> http downgrade on the same host. This
 * hook compares the new URL with the origin of the hop that redirected and drops them all otherwise.
 * Used by the engine and by every source.
 */
export const keepCredentialsHome: BeforeRedirectHook = (options, response) => {
  const next = options.url instanceof URL ? options.url : new URL(String(options.url));
  const first = new URL(response.requestUrl);
  if (next.origin === first.origin) return;
  for (const name of credentialHeaders) delete options.headers[name];
  options.username = '';
  options.password = '';
};

/**
 * The one HTTP client set-up the engine and every source share: Cartage's user agent, the proxy
 * from settings or from HTTPS_PROXY / HTTP_PROXY / NO_PROXY chosen for each request (and each
 * redirect hop), at most 5 redirects that keep credentials and certificate pins at home, and
 * keep-alive agents. HTTP error statuses are answers, not exceptions. Sources get got set up so
 * (`base`, `sources`); the engine's downloads go through `open`, on node:http with the same agents.
 */
export class HttpClient {
  private readonly agents: ProxyAgents;
  /** The shared set-up, without retries: for callers that follow redirects themselves (WebDAV). */
  readonly base: Got;
  /** What sources list and probe with: one retry and bounded waits. */
  readonly sources: Got;

  constructor(private readonly settings: () => NetworkSettings) {
    this.agents = new ProxyAgents(settings);
    const throughProxy: BeforeRequestHook = (options) => {
      options.agent = this.agents.for(String(options.url));
    };
    this.base = got.extend({
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: true,
      maxRedirects: 5,
      headers: { 'user-agent': userAgent },
      hooks: { beforeRequest: [throughProxy], beforeRedirect: [keepCredentialsHome, keepPinHome] },
    });
    this.sources = this.base.extend({
      retry: { limit: 1 },
      timeout: { lookup: 10_000, connect: 10_000, secureConnect: 10_000, response: 30_000, socket: 60_000 },
    });
  }

  /** The proxy a request to `url` goes through, or '' for a direct connection. */
  proxyFor(url: string): string {
    return this.agents.proxyFor(url);
  }

  /**
   * The engine's GET: resolves with the answer once its headers are in (any status: an error status
   * is an answer), its body not yet read; the caller reads or destroys `body`. Rejects on a network
   * error before the headers. With `tls`, the server must present exactly that certificate (the
   * agents pool pinned sockets apart: `ca` is in their key).
   *
   * Plain `node:http` on the same agents as got, not got: got cost 0.35 ms more CPU per request and
   * 0.6-0.8 ms more per 256 KiB file (its own stream hop and progress events on every chunk), a
   * quarter of the engine's cost per small file (docs/benchmarks.md). What got did for the engine is
   * done here: at most 5 redirects that keep credentials and the pin at home, no retries (the queue
   * retries), no decompression (the bytes on disk must be the bytes the server's Range counts), a
   * connect timeout and a stall timeout on the socket.
   */
  async open(url: string, headers: Record<string, string>, signal: AbortSignal, tls?: PinnedCertificate | null): Promise<OpenResponse> {
    const { stallTimeoutMs } = this.settings();
    let hop = firstHop(url, headers, tls ? pinnedTls(tls) : null);
    for (let redirects = 0; ; redirects += 1) {
      const res = await get(hop, this.agents.for(hop.url.href), signal, stallTimeoutMs);
      const location = res.headers.location;
      if (!redirectStatuses.has(res.statusCode ?? 0) || !location) return { statusCode: res.statusCode ?? 0, headers: res.headers, body: res };
      res.destroy();
      if (redirects === maxRedirects) {
        throw Object.assign(new Error(`${url} redirects more than ${maxRedirects} times; open it in a browser to see where it goes`), {
          code: 'ERR_TOO_MANY_REDIRECTS',
        });
      }
      hop = nextHop(hop, location);
    }
  }

  close(): void {
    this.agents.close();
  }
}

const maxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const connectTimeoutMs = 15_000;

/** One request of the engine's GET, the first or one after a redirect. */
export interface Hop {
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The pinned certificate's TLS options, while the request stays at the origin they were given for. */
  tls: ReturnType<typeof pinnedTls> | null;
}

/** The first request to `url`: Cartage's user agent, no compression, the caller's headers, and the URL's own credentials as Basic authentication. */
export function firstHop(url: string, headers: Record<string, string>, tls: Hop['tls']): Hop {
  const target = httpUrl(new URL(url));
  const sent: Record<string, string> = { 'user-agent': userAgent, 'accept-encoding': 'identity' };
  for (const [name, value] of Object.entries(headers)) sent[name.toLowerCase()] = value;
  // As got sends them: a header, so that a redirect to another origin drops them with the others.
  if ((target.username || target.password) && !sent.authorization) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    sent.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  target.username = '';
  target.password = '';
  return { url: target, headers: sent, tls };
}

/**
 * The request a redirect to `location` leads to. Credentials and the certificate pin stay with the
 * origin they were given for, as keepCredentialsHome and keepPinHome do for got: a hop to another
 * origin (another host or port, or https -> http) goes without them, and a redirect back does not
 * get them again.
 */
export function nextHop(hop: Hop, location: string): Hop {
  const url = httpUrl(new URL(location, hop.url));
  url.username = '';
  url.password = '';
  if (url.origin === hop.url.origin) return { ...hop, url };
  const headers = { ...hop.headers };
  for (const name of credentialHeaders) delete headers[name];
  return { url, headers, tls: null };
}

function httpUrl(url: URL): URL {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw Object.assign(new Error(`${url.protocol} addresses cannot be downloaded (only http and https)`), { code: 'ERR_UNSUPPORTED_PROTOCOL' });
  }
  return url;
}

/**
 * One GET on the agents: resolves with the response once its headers are in. A stall of the socket
 * (no byte either way for `stallTimeoutMs`), a connection that takes more than 15 s, or the signal
 * ends it: before the headers by rejecting, after them by destroying the body with the error. Every
 * error carries the URL it came from (`requestUrl`), for a certificate error after a redirect.
 */
function get(hop: Hop, agents: Agents, signal: AbortSignal, stallTimeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = hop.url.protocol === 'https:';
    // pinnedTls reads only the fingerprint, which Node's plain PeerCertificate has too.
    const checkServerIdentity = hop.tls?.checkServerIdentity as https.RequestOptions['checkServerIdentity'];
    const pin = hop.tls ? { ca: hop.tls.certificateAuthority, checkServerIdentity, rejectUnauthorized: true } : {};
    const req = (secure ? https : http).request(hop.url, { agent: secure ? agents.https : agents.http, headers: hop.headers, ...pin });
    let res: IncomingMessage | null = null;
    const fail = (err: Error): void => {
      Object.assign(err, { requestUrl: hop.url.href });
      if (!res) {
        req.destroy();
        reject(err);
      } else if (!res.complete && !res.destroyed) {
        res.destroy(err);
      }
    };
    const onAbort = (): void => fail(Object.assign(new Error('The download was stopped.'), { name: 'AbortError', code: 'ABORT_ERR' }));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => signal.removeEventListener('abort', onAbort));
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => fail(timeout(`${hop.url.host} did not accept the connection within ${connectTimeoutMs / 1000} s`)), connectTimeoutMs);
      const stop = (): void => clearTimeout(timer);
      socket.once('connect', stop).once('close', stop);
    });
    req.setTimeout(stallTimeoutMs, () => fail(timeout(`nothing came from ${hop.url.host} for ${Math.round(stallTimeoutMs / 1000)} s`)));
    req.on('error', fail);
    req.once('response', (r) => {
      res = r;
      resolve(r);
    });
    req.end();
  });
}

/** A timeout, named as got names it (the engine's retry rules know it as a network error). */
function timeout(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}
