// The contract between the browser extension and `cartage native-host`: every message the
// extension may send, as a zod schema the host parses before it acts, and what each one answers.
// Part of THE contract (api.ts exports it); free of Node, so the extension imports its types.
import { z } from 'zod';
import type { ApiResult, QueueTotalsDto } from './api.js';

/** The name the extension asks the browser for (`runtime.sendNativeMessage`), and the host manifests carry. */
export const nativeHostName = 'app.cartage.native_host';

/** The extension's id in Chromium and Chrome (fixed by the public key in its manifest). */
export const chromiumExtensionId = 'cbgihljfnmdfccgpjlecjhdlaejfneap';
/** The extension's id in Firefox (browser_specific_settings.gecko.id). */
export const firefoxExtensionId = 'send-to@cartage.app';

/**
 * Bytes a message to the host may have. Browsers allow up to 4 GB towards the host (1 MB back), so
 * this is the host's own cap: 10,000 long links fit, a runaway page does not.
 */
export const maxMessageToHost = 4 * 1024 * 1024;
/** Bytes of a message from the host: Chromium's and Firefox's limit (1 MB). */
export const maxMessageFromHost = 1024 * 1024;

/** Links sent to the queue at once (the download list has its own limit, up to 10,000). */
export const maxDownloadsAtOnce = 1000;
export const maxLinksToList = 10_000;

/** A person's words for why a link cannot be taken, or null when it is an http(s) address. */
export function linkProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw.slice(0, 120)}" is not a full web address (it should start with http:// or https://)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${raw.slice(0, 120)}" is a ${url.protocol} link; Cartage downloads http and https links only`;
  }
  if (url.username || url.password) return `"${url.host}${url.pathname.slice(0, 80)}" carries a user name and password in the link, which Cartage does not take from the browser`;
  return null;
}

const link = z
  .string()
  .max(8192, 'A link is longer than 8,192 characters.')
  .superRefine((value, ctx) => {
    const problem = linkProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}.` });
  });

/** What the browser would send with the request: kept in the secret store for that task alone. */
const signIn = {
  /** The page the link was on. */
  referrer: z.string().max(8192).optional(),
  /** The `Cookie` header the browser would send to this URL (read by the extension for that URL only). */
  cookie: z.string().max(64 * 1024).optional(),
};

export const hostRequests = z.discriminatedUnion('type', [
  /** Is Cartage there, and which one. */
  z.object({ type: z.literal('hello') }).strict(),
  /** Straight to the queue, into the default download folder. */
  z
    .object({
      type: z.literal('download'),
      downloads: z
        .array(z.object({ url: link, fileName: z.string().max(255).optional(), ...signIn }).strict())
        .min(1, 'There is no link to download.')
        .max(maxDownloadsAtOnce, `At most ${maxDownloadsAtOnce.toLocaleString('en-US')} links can be sent to the queue at once; add them to the download list instead.`),
    })
    .strict(),
  /** To the download list, all or nothing, within its limit. */
  z
    .object({
      type: z.literal('list'),
      urls: z
        .array(link)
        .min(1, 'There is no link to add.')
        .max(maxLinksToList, `At most ${maxLinksToList.toLocaleString('en-US')} links can go to the download list at once.`),
    })
    .strict(),
  /** The queue's progress, for the toolbar popup. */
  z.object({ type: z.literal('progress') }).strict(),
  /** Opens the Cartage window. */
  z.object({ type: z.literal('open') }).strict(),
]);

export type HostRequest = z.input<typeof hostRequests>;
export type HostRequestType = HostRequest['type'];

export interface HostProgressDto {
  /** The downloads under way (the first 20), for a line each. */
  active: { id: number; name: string; bytes: number; total: number | null }[];
  totals: QueueTotalsDto;
}

/** What each message answers. */
export interface HostResults {
  hello: { app: 'cartage'; version: string };
  download: { taskIds: number[]; message: string };
  list: { added: number; alreadyThere: number; restricted: number; message: string };
  progress: HostProgressDto;
  open: { opened: 'app' | 'page'; url: string | null };
}

/** Every message is answered with one of these; a refusal changes nothing. */
export type HostReply<T extends HostRequestType = HostRequestType> = ApiResult<HostResults[T]>;
