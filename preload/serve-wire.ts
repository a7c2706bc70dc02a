// The messages `cartage serve` (main/headless/serve.ts) and its page (main/headless/serve-bridge-client.ts)
// send each other over the WebSocket at /api: the page sends requests, the server answers each one
// under the request's id and pushes the contract's events to every page. The server parses what it
// receives with `serveRequest`; the page imports only the types (its bundle carries no zod).
import { z } from 'zod';
import type { ApiResult, EventName, Events, RequestChannel } from './api.js';

/**
 * A request as the server reads it. The channel is any text here: Service.handle answers an
 * unknown one, and parses `input` with the channel's own schema (absent input means `{}`).
 */
export const serveRequest = z.object({
  id: z.union([z.number(), z.string()]),
  channel: z.string(),
  input: z.unknown().optional(),
});

/** The page's name for a request, carried back in its answer. */
export type ServeRequestId = z.output<typeof serveRequest>['id'];

/** A request as the page sends it: one of the contract's channels. */
export type ServeRequest = z.input<typeof serveRequest> & { channel: RequestChannel };

/** The answer to one request; `id` is null when the message had no id to answer under. */
export interface ServeReply {
  id: ServeRequestId | null;
  result: ApiResult<unknown>;
}

/** One of the contract's events, pushed to every page. */
export type ServeEvent = { [E in EventName]: { event: E; payload: Events[E] } }[EventName];

/** Everything the server sends a page. */
export type ServeMessage = ServeReply | ServeEvent;
