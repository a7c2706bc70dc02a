// What the shell needs of the core's Service (main/core/service/service.ts): requests in, events out. The
// shell's files depend on this shape only; main.ts constructs the real thing.
import type { ApiResult, EventName, Events, RequestChannel, Results } from '../../preload/api.js';

/** The core's request handler and event source, as the window, tray and notifications use it. */
export interface AppService {
  /** Parses `raw` against the contract and runs the request; never throws. */
  handle(channel: RequestChannel, raw: unknown): Promise<ApiResult<unknown>>;
  /** Every contract event, as it happens; returns the function that unsubscribes. */
  on(fn: (event: EventName, payload: unknown) => void): () => void;
}

/** One contract event with its payload, to switch over exhaustively. */
export type AppEvent = { [E in EventName]: { name: E; payload: Events[E] } }[EventName];

/** Runs a request from the shell itself (the tray's menu, a second launch's links). */
export async function request<C extends RequestChannel>(service: AppService, channel: C, input: unknown): Promise<ApiResult<Results[C]>> {
  return (await service.handle(channel, input)) as ApiResult<Results[C]>;
}
