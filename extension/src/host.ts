import { maxDownloadsAtOnce, nativeHostName } from '../../preload/browser-limits.js';
import type { HostReply, HostRequest, HostRequestType, HostResults } from '../../preload/browser.js';

/** One message to `cartage native-host`; a browser that cannot reach it answers as a refusal does. */
export async function ask<T extends HostRequestType>(request: Extract<HostRequest, { type: T }>): Promise<HostReply<T>> {
  try {
    return (await chrome.runtime.sendNativeMessage(nativeHostName, request)) as HostReply<T>;
  } catch (err) {
    return {
      ok: false,
      error: {
        code: 'unreachable',
        message: `Cartage cannot be reached (${(err as Error).message.replace(/\.$/, '')}). Install Cartage, then run "cartage browser install" or use its Settings.`,
      },
    };
  }
}

/** The `Cookie` header the browser would send to this URL, read for it alone (empty when none). */
export async function cookieFor(url: string): Promise<string | undefined> {
  try {
    const cookies = await chrome.cookies.getAll({ url });
    return cookies.length ? cookies.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  } catch {
    return undefined;
  }
}

export interface Outgoing {
  url: string;
  fileName?: string;
  referrer?: string;
}

/** Sends links to the queue, each with the cookies and Referer the browser would send with it. */
export async function sendToQueue(links: readonly Outgoing[]): Promise<HostReply<'download'>> {
  // Past the limit the host refuses the batch anyway: no cookies are read for it.
  const withCookies = links.length <= maxDownloadsAtOnce;
  const downloads = await Promise.all(
    links.map(async (l) => {
      const cookie = withCookies ? await cookieFor(l.url) : undefined;
      return { url: l.url, ...(l.fileName ? { fileName: l.fileName } : {}), ...(l.referrer ? { referrer: l.referrer } : {}), ...(cookie ? { cookie } : {}) };
    }),
  );
  return ask({ type: 'download', downloads });
}

export type { HostResults };
