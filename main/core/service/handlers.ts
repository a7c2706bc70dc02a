// One handler per request channel, each taking the input the contract's schema has already parsed
// and answering the contract's result type. A channel without a handler fails the type-check.
import path from 'node:path';
import type { CheckoutPlanDto, ParsedInput, RequestChannel, Results, TaskDto } from '../../../preload/api.js';
import type { CheckoutRequest } from '../cart/checkout.js';
import { importSynapseList } from '../cart/synapse-import.js';
import type { Core } from '../core.js';
import { CartageError } from '../errors.js';
import { assertWritableFolder } from '../util/folders.js';
import { sealedReason } from '../queue/queue.js';
import { taskFromRow, type Task, type TaskRow } from '../queue/task.js';
import type { CartageCommand } from '../browser-hosts.js';
import { browserStatus, connectBrowser } from './browser.js';
import { addOutcomeDto, cartDto, settingsDto, sourceDto, taskDto, totalsDto } from './dto.js';
import type { ServiceEvents } from './events.js';
import { Refusal } from './refusal.js';
import { addSource, browse, queryPreview, sourceById, thumbnail, updateSource } from './sources.js';

/** What the host offers beyond the core: the Electron shell opens links and folders; a browser cannot. */
export interface ServiceHooks {
  openExternal?: (url: string) => Promise<void>;
  reveal?: (path: string) => Promise<void>;
  host: 'electron' | 'serve';
  version: string;
  /** How the browser's native host starts `cartage`, for the Settings' browser section (absent: a terminal does it). */
  cartageCommand?: CartageCommand;
}

export type Handlers = { [C in RequestChannel]: (input: ParsedInput<C>) => Promise<Results[C]> | Results[C] };

/** A folder the person chose, by its full path: a relative one would depend on where Cartage was started. */
function absoluteDir(dir: string, what: string): string {
  if (!path.isAbsolute(dir)) {
    throw new CartageError('bad_input', `Choose ${what} by its full path (such as ${path.join(path.parse(process.cwd()).root, 'home', 'ann', 'Downloads')}), not "${dir.slice(0, 200)}".`);
  }
  return path.normalize(dir);
}

function checkoutRequest(input: ParsedInput<'checkout.plan'>): CheckoutRequest {
  return { kind: input.kind, dir: absoluteDir(input.dir, 'the folder'), layout: input.layout, ...(input.name !== undefined ? { name: input.name } : {}) };
}

/** Every id must name a task, or nothing is done (a typo changes nothing). */
function knownTasks(core: Core, ids: readonly number[]): void {
  const missing = ids.filter((id) => !core.queue.get(id));
  if (missing.length) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    throw new CartageError('not_found', `There is no download ${shown} in the queue; nothing was changed.`);
  }
}

/** The running downloads first, then the newest, at most `limit` in all. */
function recentTasks(core: Core, limit: number): Task[] {
  const active = core.queue.page(0, limit, ['active']);
  const seen = new Set(active.map((t) => t.id));
  const recent = (core.db.prepare('SELECT * FROM tasks ORDER BY id DESC LIMIT ?').all(limit) as TaskRow[]).map(taskFromRow);
  return [...active, ...recent.filter((t) => !seen.has(t.id))].slice(0, limit);
}

export function makeHandlers(core: Core, hooks: ServiceHooks, events: ServiceEvents): Handlers {
  const dto = (t: Task): TaskDto => taskDto(t, events.liveOf(t.id), core.deliveries.zipOfTask(t.id));
  const control = async (ids: number[], move: (ids: number[]) => Task[]): Promise<TaskDto[]> => {
    knownTasks(core, ids);
    return (await events.quietly(() => move(ids))).map(dto);
  };
  // The core's plan is the contract's: it goes out as it is.
  const plan = (input: ParsedInput<'checkout.plan'>): CheckoutPlanDto => core.planCheckout(checkoutRequest(input));

  return {
    'app.info': () => ({ version: hooks.version, dataDir: core.options.dataDir }),

    'sources.list': () => core.sources.list().map(sourceDto),
    'sources.add': (input) => addSource(core, input),
    'sources.update': (input) => updateSource(core, input),
    'sources.remove': async ({ id }) => {
      await core.sources.remove(String(sourceById(core, id).id));
      return null;
    },
    'sources.browse': (input) => browse(core, input),
    'sources.query': (input) => queryPreview(core, input),
    'sources.thumbnail': (input) => thumbnail(core, input),

    'cart.get': () => cartDto(core.cart.view()),
    'cart.add': async ({ refs }) => {
      const outcome = await core.cart.add(refs);
      events.cartChanged();
      return addOutcomeDto(outcome);
    },
    'cart.remove': ({ ids }) => {
      core.cart.remove(ids);
      events.cartChanged();
      return cartDto(core.cart.view());
    },
    'cart.importSynapse': async ({ sourceId }) => {
      const outcome = await importSynapseList(core.cart, core.sources, String(sourceById(core, sourceId).id));
      events.cartChanged();
      return addOutcomeDto(outcome);
    },
    'cart.clear': () => {
      core.cart.clear();
      events.cartChanged();
      return cartDto(core.cart.view());
    },

    'checkout.plan': plan,
    'checkout.start': (input) => {
      const { deliveryId, plan } = core.checkout(checkoutRequest(input));
      events.cartChanged();
      events.delivery(core.deliveries.get(deliveryId));
      return { deliveryId, plan };
    },

    'deliveries.list': () => core.deliveries.list().map((d) => events.deliveryOut(d)),
    'deliveries.cancel': async ({ id }) => events.deliveryOut(await events.quietly(() => core.deliveries.cancel(id))),
    'deliveries.retry': async ({ id }) => {
      await events.quietly(() => core.deliveries.retry(id));
      const view = core.deliveries.get(id);
      events.delivery(view);
      return events.deliveryOut(view);
    },
    'deliveries.putBack': ({ id }) => {
      const outcome = core.putBack(id);
      events.cartChanged();
      return addOutcomeDto(outcome);
    },
    'deliveries.reveal': async ({ id }) => {
      const shown = core.deliveries.get(id).target;
      if (hooks.reveal) await hooks.reveal(shown);
      return { path: shown };
    },

    'tasks.list': ({ limit }) => ({ tasks: recentTasks(core, limit).map(dto), totals: totalsDto(core.queue.totals()) }),
    'tasks.pause': ({ ids }) => control(ids, (i) => core.engine.pause(i)),
    'tasks.resume': ({ ids }) => control(ids, (i) => core.engine.resume(i)),
    'tasks.cancel': ({ ids }) => control(ids, (i) => core.engine.cancel(i)),
    'tasks.retry': async ({ ids }) => {
      const moved = await control(ids, (i) => core.engine.retry(i));
      const sealed = moved.length === 0 ? ids.map((id) => core.queue.get(id)).find((t) => t?.sealed) : undefined;
      if (sealed) throw new CartageError('illegal_transition', `"${sealed.name}" ${sealedReason}`);
      return moved;
    },
    'tasks.pauseAll': () => ({ count: core.engine.pauseAll().length }),
    'tasks.resumeAll': () => ({ count: core.engine.resumeAll().length }),
    'tasks.cancelAll': () => ({ count: core.engine.cancelAll().length }),

    'settings.get': () => settingsDto(core.settings.get()),
    'settings.update': (patch) => {
      if (patch.downloadDir !== undefined) {
        patch.downloadDir = absoluteDir(patch.downloadDir, 'the download folder');
        assertWritableFolder(patch.downloadDir, 'choose another download folder');
      }
      const updated = core.settings.update(patch);
      // New limits apply at once: more slots may start downloads now.
      core.engine.wake();
      return settingsDto(updated);
    },

    'mirrors.list': () => core.mirrors.list(),
    'mirrors.add': ({ ref, dir, layout, recursive, everyHours, sidecars, applyDeletions }) =>
      core.mirrors.add({
        ref,
        dir: absoluteDir(dir, "the mirror's folder"),
        layout,
        recursive,
        everyMs: everyHours === null ? null : Math.round(everyHours * 3_600_000),
        sidecars,
        applyDeletions,
      }),
    'mirrors.update': ({ id, everyHours, sidecars, applyDeletions }) =>
      core.mirrors.update(id, {
        everyMs: everyHours === undefined ? undefined : everyHours === null ? null : Math.round(everyHours * 3_600_000),
        sidecars,
        applyDeletions,
      }),
    'mirrors.run': async ({ id }) => {
      if (!core.lock.held()) {
        throw new CartageError('engine_busy', 'Another Cartage process runs the queue; run the mirror from there.');
      }
      return core.mirrors.runView(await core.mirrors.run(id));
    },
    'mirrors.pause': ({ id }) => core.mirrors.pause(id),
    'mirrors.resume': ({ id }) => core.mirrors.resume(id),
    'mirrors.remove': ({ id }) => {
      core.mirrors.remove(id);
      return null;
    },
    'links.open': async ({ url }) => {
      let link: URL;
      try {
        link = new URL(url);
      } catch {
        throw new CartageError('bad_input', `"${url.slice(0, 200)}" is not a web address, so it was not opened.`);
      }
      if (link.protocol !== 'http:' && link.protocol !== 'https:') {
        throw new CartageError('bad_input', `Cartage opens only web links (http and https), not ${link.protocol.slice(0, 20)} ones; it was not opened.`);
      }
      if (!hooks.openExternal) {
        throw new Refusal({ code: 'unsupported', message: 'Open this link from the page itself: Cartage in a browser tab cannot open links for it.' });
      }
      await hooks.openExternal(link.href);
      return null;
    },
    'browser.status': () => browserStatus(),
    'browser.connect': (input) => connectBrowser(core, hooks.cartageCommand, input),
  };
}
