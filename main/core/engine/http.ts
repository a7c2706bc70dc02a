import got, { type BeforeRedirectHook, type Got } from 'got';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import http from 'node:http';
import https from 'node:https';
import { getProxyForUrl } from 'proxy-from-env';
import type { Settings } from '../settings.js';
import { keepPinHome, pinnedTls, type PinnedCertificate } from '../sources/tls.js';

export const userAgent = 'Cartage/0.1';

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

type Agents = { http: http.Agent; https: https.Agent };


/**
 * The HTTP client the engine downloads with: got, with no retries of its own (the queue retries),
 * no decompression (bytes on disk must be the bytes the server's Range counts), keep-alive agents,
 * and the proxy from settings or from HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
 */
export class HttpClient {
  private readonly direct: Agents;
  private readonly proxied = new Map<string, Agents>();
  /** got with everything that does not change per request set once: merging options is got's main per-request cost. */
  private client: { got: Got; stallTimeoutMs: number } | null = null;

  constructor(private readonly settings: () => Pick<Settings, 'proxy' | 'noProxy' | 'stallTimeoutMs'>) {
    this.direct = {
      http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
  }

  private instance(): Got {
    const { stallTimeoutMs } = this.settings();
    if (this.client?.stallTimeoutMs !== stallTimeoutMs) {
      this.client = {
        stallTimeoutMs,
        got: got.extend({
          retry: { limit: 0 },
          decompress: false,
          throwHttpErrors: false,
          followRedirect: true,
          maxRedirects: 5,
          headers: { 'user-agent': userAgent, 'accept-encoding': 'identity' },
          agent: this.direct,
          timeout: { connect: 15_000, socket: stallTimeoutMs },
          hooks: { beforeRedirect: [keepCredentialsHome, keepPinHome] },
        }),
      };
    }
    return this.client.got;
  }

  /** The proxy a request to `url` goes through, or '' for a direct connection. */
  proxyFor(url: string): string {
    const { proxy, noProxy } = this.settings();
    if (proxy) return bypasses(new URL(url).hostname, noProxy) ? '' : proxy;
    return getProxyForUrl(url);
  }

  agentsFor(url: string): Agents {
    const proxy = this.proxyFor(url);
    if (!proxy) return this.direct;
    let agents = this.proxied.get(proxy);
    if (!agents) {
      // Plain http goes to the proxy as an absolute URI (what every proxy allows); https tunnels with CONNECT.
      const options = { keepAlive: true, maxSockets: 64 };
      agents = { http: new HttpProxyAgent(proxy, options), https: new HttpsProxyAgent(proxy, options) };
      this.proxied.set(proxy, agents);
    }
    return agents;
  }

  /**
   * A streaming GET; the caller reads status and headers from its `response` event. With `tls`, the
   * server must present exactly that certificate (the agents pool pinned sockets apart: `ca` is in
   * their key).
   */
  stream(url: string, headers: Record<string, string>, signal: AbortSignal, tls?: PinnedCertificate | null) {
    const agents = this.agentsFor(url);
    return this.instance().stream(url, { headers, signal, agent: agents, ...(tls ? { https: pinnedTls(tls) } : {}) });
  }

  close(): void {
    this.direct.http.destroy();
    this.direct.https.destroy();
    for (const a of this.proxied.values()) {
      a.http.destroy();
      a.https.destroy();
    }
  }
}

function bypasses(hostname: string, noProxy: string): boolean {
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const bare = entry.replace(/^\*?\./, '');
      return hostname === bare || hostname.endsWith(`.${bare}`);
    });
}
