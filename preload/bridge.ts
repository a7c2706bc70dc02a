// Builds `window.cartage` from one call function and one event subscription: used by the preload
// (over IPC) and by the `cartage serve` page (over a WebSocket). No zod here: the sandboxed preload
// bundles this file, and main parses every payload anyway.
import type { ApiResult, CartageBridge } from './api.js';
import { eventNames, requestChannels, type EventName, type RequestChannel } from './channels.js';

/** Builds the named verbs from one `call` function: used by the preload and by the serve client. */
export function buildBridge(
  call: (channel: RequestChannel, input: unknown) => Promise<ApiResult<unknown>>,
  on: (event: EventName, fn: (payload: unknown) => void) => () => void,
): CartageBridge {
  const bridge: Record<string, Record<string, unknown>> = {};
  for (const channel of requestChannels) {
    const [ns, verb] = channel.split('.') as [string, string];
    bridge[ns] ??= {};
    bridge[ns][verb] = (input: unknown) => call(channel, input ?? {});
  }
  const onEvent = (event: EventName, fn: (payload: unknown) => void): (() => void) => {
    if (!(eventNames as readonly string[]).includes(event)) throw new Error(`Unknown event "${String(event)}".`);
    return on(event, fn);
  };
  return Object.freeze({ ...bridge, on: onEvent }) as unknown as CartageBridge;
}
