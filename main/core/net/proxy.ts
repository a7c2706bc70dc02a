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

  /**
   * The choices made so far, by a URL's scheme and authority, for the proxy settings they were made
   * with: the look-up (parsing the URL, reading eight environment variables) ran for every request
   * and every redirect hop. The environment of a running process changes only from within, so it is
   * read once per address until the settings change.
   */
  private chosen: { proxy: string; noProxy: string; byOrigin: Map<string, string> } | null = null;

  /** The proxy a request to `url` goes through, or '' for a direct connection. */
  proxyFor(url: string): string {
    const { proxy, noProxy } = this.settings();
    if (this.chosen?.proxy !== proxy || this.chosen.noProxy !== noProxy) this.chosen = { proxy, noProxy, byOrigin: new Map() };
    const key = originPart(url);
    let choice = this.chosen.byOrigin.get(key);
    if (choice === undefined) {
      choice = choose(url, proxy, noProxy);
      if (this.chosen.byOrigin.size >= maxRemembered) this.chosen.byOrigin.clear();
      this.chosen.byOrigin.set(key, choice);
    }
    return choice;
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

/** Enough for every host of a big queue; a crawl over more hosts starts again rather than grow. */
const maxRemembered = 1000;

/** The proxy for `url` with these settings: the setting's, unless NO_PROXY-like `noProxy` exempts it; else the environment's. */
function choose(url: string, proxy: string, noProxy: string): string {
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

/**
 * The part of `url` a proxy choice depends on: up to the first `/` after the scheme's `//` (the
 * whole string when there is none). Two URLs with the same such prefix have the same scheme, host
 * and port, whatever the parser makes of them.
 */
export function originPart(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? url : url.slice(0, slash);
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
