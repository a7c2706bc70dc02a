// The contract between the browser extension and `cartage native-host`: every message the
// extension may send, as a zod schema the host parses before it acts, and what each one answers.
// Part of THE contract (api.ts exports it); free of Node, so the extension imports its types.
import { z } from 'zod';
import type { ApiResult, QueueTotalsDto } from './api.js';
import { linkProblem, maxDownloadsAtOnce, maxLinksToList } from './browser-limits.js';

export { browserKinds, type BrowserKind, chromiumExtensionId, firefoxExtensionId, linkProblem, maxDownloadsAtOnce, maxLinksToList, maxMessageFromHost, maxMessageToHost, nativeHostName } from './browser-limits.js';

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
