import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import http from 'node:http';
import https from 'node:https';
import { getProxyForUrl } from 'proxy-from-env';
import type { Settings } from '../settings.js';

/** What the network set-up reads from the settings, each time it is asked. */
export type NetworkSettings = Pick<Settings, 'proxy' | 'noProxy' | 'stallTimeoutMs'>;

/** The keep-alive agents one kind of connection (direct, or through one proxy) goes out with. */
export type Agents = { http: http.Agent; https: https.Agent };

/**
 * The connections every request goes out on: direct, or through the proxy from settings or from
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY, chosen per request so a changed setting applies at once.
 */
export class ProxyAgents {
  private readonly direct: Agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  private readonly proxied = new Map<string, Agents>();

  constructor(private readonly settings: () => Pick<NetworkSettings, 'proxy' | 'noProxy'>) {}

  /** The proxy a request to `url` goes through, or '' for a direct connection. */
  proxyFor(url: string): string {
    const { proxy, noProxy } = this.settings();
    if (!proxy) return getProxyForUrl(url);
    let hostname: string;
    try {
      hostname = new URL(url).hostname;
    } catch {
      // Not an address: nothing will be requested, and the caller says why.
      return '';
    }
    return bypasses(hostname, noProxy) ? '' : proxy;
  }

  /** The agents for a request to `url`: the proxy's when one applies, else the direct ones. */
  for(url: string): Agents {
    const proxy = this.proxyFor(url);
    if (!proxy) return this.direct;
    let agents = this.proxied.get(proxy);
    if (!agents) {
      // Plain http goes to the proxy as an absolute URI (what every proxy allows), one connection a
      // request: proxies such as tinyproxy close it after each answer, and a request on a reused
      // one would fail (EPIPE). https tunnels with CONNECT, kept alive with the server at its end.
      agents = {
        http: new HttpProxyAgent(proxy, { keepAlive: false, maxSockets: 64 }),
        https: new HttpsProxyAgent(proxy, { keepAlive: true, maxSockets: 64 }),
      };
      this.proxied.set(proxy, agents);
    }
    return agents;
  }

  close(): void {
    for (const a of [this.direct, ...this.proxied.values()]) {
      a.http.destroy();
      a.https.destroy();
    }
    this.proxied.clear();
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
