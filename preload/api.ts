// THE contract between the renderer and main (see ARCHITECTURE.md and STYLE.md): every request
// channel with its zod input schema and result type, every event with its payload type. main,
// preload, renderer and the headless host all import it; nothing else defines a channel.
// Keep it free of Node and Electron imports: the renderer type-checks against it with DOM types only.
import { z } from 'zod';

/** What the preload exposes as `window.cartage`. Grows with the named verbs (`tasks.pause`, ...). */
export interface CartageBridge {
  /** The app's version, for the about box and bug reports. */
  readonly version: string;
}

/** An error a person can read, with a code the UI can switch on. */
export interface ApiError {
  code: string;
  message: string;
}

/** Every request is answered with this, never with a thrown error. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Request channels: the input main parses before it acts on anything the renderer sends. */
export const requests = {
  'tasks.pause': z.object({ ids: z.array(z.number().int().positive()).min(1) }),
} as const;

export type RequestChannel = keyof typeof requests;
export type RequestInput<C extends RequestChannel> = z.infer<(typeof requests)[C]>;
