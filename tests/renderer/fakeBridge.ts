// A `window.cartage` for component tests: the real named verbs (buildBridge from the preload) over an
// in-memory map of handlers, with every call recorded and events sent by hand.
import { vi } from 'vitest';
import type { ApiError, ApiResult, CartageBridge, EventName, Events, RequestChannel, RequestInput, Results } from '../../preload/api.js';
import { buildBridge } from '../../preload/bridge.js';

type Handler<C extends RequestChannel> = (input: RequestInput<C>) => ApiResult<Results[C]> | Promise<ApiResult<Results[C]>>;
export type Handlers = { [C in RequestChannel]?: Handler<C> };

export interface FakeBridge {
  bridge: CartageBridge;
  handlers: Handlers;
  /** The inputs of every call of one channel, in order. */
  calls: <C extends RequestChannel>(channel: C) => RequestInput<C>[];
  /** Sends an event to every subscriber, as main would. */
  emit: <E extends EventName>(event: E, payload: Events[E]) => void;
  /** How many subscribers an event has now. */
  listeners: (event: EventName) => number;
}

export function ok<T>(value: T): ApiResult<T> {
  return { ok: true, value };
}

/** A refusal; its code may be one the contract does not have ('locked'), as an older or newer main could send. */
export function refused(code: string, message: string, details?: Record<string, string>): ApiResult<never> {
  return { ok: false, error: { code: code as ApiError['code'], message, ...(details ? { details } : {}) } };
}

/** A bridge whose channels answer from `handlers` (changeable later); unknown channels are refused. */
export function fakeBridge(handlers: Handlers): FakeBridge {
  const subscribers = new Map<EventName, Set<(payload: unknown) => void>>();
  const call = vi.fn(async (channel: RequestChannel, input: unknown): Promise<ApiResult<unknown>> => {
    const handler = handlers[channel] as ((input: unknown) => ApiResult<unknown> | Promise<ApiResult<unknown>>) | undefined;
    if (!handler) return refused('not_implemented', `The fake has no answer for ${channel}.`);
    return handler(input);
  });
  const bridge = buildBridge(call, (event, fn) => {
    let set = subscribers.get(event);
    if (!set) subscribers.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  });
  return {
    bridge,
    handlers,
    calls: <C extends RequestChannel>(channel: C) => call.mock.calls.filter(([c]) => c === channel).map(([, input]) => input as RequestInput<C>),
    emit: (event, payload) => {
      for (const fn of subscribers.get(event) ?? []) fn(payload);
    },
    listeners: (event) => subscribers.get(event)?.size ?? 0,
  };
}
