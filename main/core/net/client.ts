import got, { type BeforeRedirectHook, type BeforeRequestHook, type Got } from 'got';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { ProxyAgents, type NetworkSettings } from './proxy.js';
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
 * The one HTTP client set-up the engine and every source share: got with Cartage's user agent, the
 * proxy from settings or from HTTPS_PROXY / HTTP_PROXY / NO_PROXY chosen for each request (and each
 * redirect hop), at most 5 redirects that keep credentials and certificate pins at home, and
 * keep-alive agents. HTTP error statuses are answers, not exceptions.
 */
export class HttpClient {
  private readonly agents: ProxyAgents;
  /** The shared set-up, without retries: for callers that follow redirects themselves (WebDAV). */
  readonly base: Got;
  /** What sources list and probe with: one retry and bounded waits. */
  readonly sources: Got;
  /** got with everything that does not change per request set once: merging options is got's main per-request cost. */
  private engine: { got: Got; stallTimeoutMs: number } | null = null;

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

  /** The engine's got: no retries of its own (the queue retries), and no decompression (bytes on disk must be the bytes the server's Range counts). */
  private forEngine(): Got {
    const { stallTimeoutMs } = this.settings();
    if (this.engine?.stallTimeoutMs !== stallTimeoutMs) {
      this.engine = {
        stallTimeoutMs,
        got: this.base.extend({
          decompress: false,
          headers: { 'accept-encoding': 'identity' },
          timeout: { connect: 15_000, socket: stallTimeoutMs },
        }),
      };
    }
    return this.engine.got;
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
   */
  open(url: string, headers: Record<string, string>, signal: AbortSignal, tls?: PinnedCertificate | null): Promise<OpenResponse> {
    const body = this.forEngine().stream(url, { headers, signal, ...(tls ? { https: pinnedTls(tls) } : {}) });
    return new Promise<OpenResponse>((resolve, reject) => {
      body.once('response', (r: { statusCode: number; headers: IncomingHttpHeaders }) => resolve({ statusCode: r.statusCode, headers: r.headers, body }));
      body.once('error', reject);
    });
  }

  close(): void {
    this.agents.close();
  }
}
