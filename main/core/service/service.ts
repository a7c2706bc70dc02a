// The contract (preload/api.ts) served over any transport: the Electron shell hands it IPC
// messages, `cartage serve` WebSocket messages. It parses every payload with the contract's
// schema, answers `{ ok, value } | { ok: false, error }` and never throws; events leave it as the
// contract's throttled snapshots. Nothing here knows which transport carries it.
import { requestChannels, requests, type ApiResult, type RequestChannel } from '../../../preload/api.js';
import type { Core } from '../core.js';
import { ServiceEvents, type ServiceListener } from './events.js';
import { makeHandlers, type Handlers, type ServiceHooks } from './handlers.js';
import { apiError, refusalMessage } from './refusal.js';

export type { ServiceEvent, ServiceListener } from './events.js';
export type { ServiceHooks } from './handlers.js';

const channels: ReadonlySet<string> = new Set(requestChannels);

function isChannel(channel: unknown): channel is RequestChannel {
  return typeof channel === 'string' && channels.has(channel);
}

/** The app's one entry point for the UI: every request channel and every event of the contract, over a Core. */
export class Service {
  private readonly events: ServiceEvents;
  private readonly handlers: Handlers;

  constructor(
    private readonly core: Core,
    hooks: ServiceHooks,
    options: { progressIntervalMs?: number } = {},
  ) {
    this.events = new ServiceEvents(core, options.progressIntervalMs ?? 200);
    this.handlers = makeHandlers(core, hooks, this.events);
  }

  /** Answers one request. A payload the contract refuses changes nothing and is answered with a sentence naming the field. */
  async handle(channel: string, raw: unknown): Promise<ApiResult<unknown>> {
    const name = typeof channel === 'string' ? channel.slice(0, 100) : typeof channel;
    try {
      if (!isChannel(channel)) {
        const message = `Cartage has no request called "${name}"; nothing was changed.`;
        this.core.log.warn(`refused a request: ${message}`);
        return { ok: false, error: { code: 'bad_input', message } };
      }
      const parsed = requests[channel].safeParse(raw);
      if (!parsed.success) {
        const message = refusalMessage(channel, parsed.error.issues, raw);
        // The sentence, never the payload: it may hold a password or an API key.
        this.core.log.warn(`refused ${channel}: ${message}`);
        return { ok: false, error: { code: 'bad_input', message } };
      }
      const handler = this.handlers[channel] as (input: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      const { error, unexpected } = apiError(err);
      if (unexpected) this.core.log.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      else this.core.log.warn(`refused ${name}: [${error.code}] ${error.message}`);
      return { ok: false, error };
    }
  }

  /** Subscribes to the contract's events; returns the function that unsubscribes. */
  on(fn: ServiceListener): () => void {
    return this.events.on(fn);
  }

  /** Stops following the core (the core itself stays open: its owner closes it). */
  close(): void {
    this.events.close();
  }
}
