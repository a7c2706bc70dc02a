// Runs in the sandboxed renderer before the page: exposes the contract's named verbs as
// `window.cartage` and nothing else (never ipcRenderer itself). A sandboxed preload cannot require
// local files, so scripts/build-app.mjs bundles this file with channels.ts and bridge.ts (zod-free on
// purpose) into one CommonJS script that requires only 'electron'.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiResult } from './api.js';
import { buildBridge } from './bridge.js';
import { eventChannel, type EventName } from './channels.js';

type Listener = (payload: unknown) => void;

// One IPC listener for every subscription: the page may subscribe as often as it likes without
// piling listeners onto ipcRenderer.
const listeners = new Map<EventName, Set<Listener>>();

ipcRenderer.on(eventChannel, (_event: IpcRendererEvent, name: EventName, payload: unknown) => {
  for (const fn of listeners.get(name) ?? []) {
    try {
      fn(payload);
    } catch (err) {
      // One broken subscriber must not starve the others.
      console.error(`Cartage: a listener for ${name} failed:`, err);
    }
  }
});

function subscribe(event: EventName, fn: Listener): () => void {
  // The page may hand the same function twice; each subscription gets its own entry.
  const entry: Listener = (payload) => fn(payload);
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}

// Every request is answered with an ApiResult, even when main could not answer at all.
const call = (channel: string, input: unknown): Promise<ApiResult<unknown>> =>
  (ipcRenderer.invoke(channel, input) as Promise<ApiResult<unknown>>).catch(
    (): ApiResult<unknown> => ({ ok: false, error: { code: 'unavailable', message: "Cartage's core did not answer this request; restart Cartage if it keeps happening." } }),
  );

contextBridge.exposeInMainWorld('cartage', buildBridge(call, subscribe));
