import type { HostRequest, HostResults } from '../../../preload/browser.js';
import { totalsDto } from '../../core/service/dto.js';
import type { Core } from '../../core/core.js';
import { CartageError } from '../../core/errors.js';
import { defaultDownloadDir } from '../../core/paths.js';
import { forgetTaskHeaders, saveTaskHeaders } from '../../core/task-secrets.js';
import { assertNever } from '../../core/util/assert-never.js';
import type { TaskSpec } from '../../core/queue/task.js';

/** What the host does beyond the core: make sure someone runs the queue, and open the window. */
export interface HostActions {
  version: string;
  /** Starts a process that works through the queue when none does. */
  ensureQueueRuns(): void;
  open(): Promise<HostResults['open']>;
}

/** Answers one message the contract's schema has already parsed. */
export async function answer(core: Core, actions: HostActions, request: HostRequest): Promise<HostResults[HostRequest['type']]> {
  switch (request.type) {
    case 'hello':
      return { app: 'cartage', version: actions.version };
    case 'download':
      return download(core, actions, request.downloads);
    case 'list':
      return addToList(core, request.urls);
    case 'progress':
      actions.ensureQueueRuns();
      return progress(core);
    case 'open':
      return actions.open();
    default:
      return assertNever(request, 'message');
  }
}

type Download = Extract<HostRequest, { type: 'download' }>['downloads'][number];

/**
 * Queues the links in one transaction. The cookies and Referer of each go to the secret store first,
 * under a key its task names, and are removed again if the queue refuses.
 */
async function download(core: Core, actions: HostActions, downloads: Download[]): Promise<HostResults['download']> {
  const dir = core.settings.reload().downloadDir || defaultDownloadDir();
  const saved: string[] = [];
  try {
    const specs: TaskSpec[] = [];
    for (const d of downloads) {
      const headers: Record<string, string> = {};
      if (d.cookie) headers.cookie = d.cookie;
      if (d.referrer && /^https?:/i.test(d.referrer)) headers.referer = d.referrer;
      let sourceRef: string | undefined;
      if (Object.keys(headers).length) {
        sourceRef = await saveTaskHeaders(core.secrets, headers);
        saved.push(sourceRef);
      }
      specs.push({ url: d.url, dir, ...(d.fileName ? { name: d.fileName } : {}), ...(sourceRef ? { sourceRef } : {}) });
    }
    const taskIds = core.engine.add(specs);
    actions.ensureQueueRuns();
    const n = taskIds.length;
    return { taskIds, message: `Cartage is downloading ${n === 1 ? 'the file' : `${n} files`} into ${dir}.` };
  } catch (err) {
    await Promise.all(saved.map((ref) => forgetTaskHeaders(core.secrets, ref).catch(() => undefined)));
    throw err;
  }
}

/** Adds the links to the download list, all or nothing; a batch past the places left is refused before any link is asked. */
async function addToList(core: Core, urls: string[]): Promise<HostResults['list']> {
  const distinct = [...new Set(urls.map(listKey))];
  const what = distinct.length === 1 ? 'This link' : `This batch of ${distinct.length.toLocaleString('en-US')} links`;
  core.cart.assertRoomForLinks(distinct, what);
  const outcome = await core.cart.add(distinct);
  return { added: outcome.added, alreadyThere: outcome.alreadyThere, restricted: outcome.restricted, message: outcome.message };
}

/** A link as the list keys it: without its #fragment. */
function listKey(raw: string): string {
  const url = new URL(raw);
  url.hash = '';
  return url.href;
}

const activeShown = 20;

function progress(core: Core): HostResults['progress'] {
  const active = core.queue.page(0, activeShown, ['active']).map((t) => ({ id: t.id, name: t.name, bytes: t.bytesOnDisk, total: t.totalBytes ?? t.expectedBytes }));
  return { active, totals: totalsDto(core.queue.totals()) };
}

/** The refusal for a message that is not JSON, for people. */
export function notJson(): CartageError {
  return new CartageError('bad_input', 'Cartage received a message from the browser that is not JSON; nothing was added. Reload the extension and try again.');
}
