// Runs in the page `cartage serve` serves, as /bridge.js, before the app's own script: it builds
// `window.cartage` with the same named verbs the Electron preload exposes, carried over a WebSocket
// to /api. The renderer cannot tell the two hosts apart. `cartage serve` bundles this file with
// esbuild (an IIFE) when it starts.
//
// This file is browser code, but main's tsconfigs compile it too (they include main/**), without
// lib.dom: so the few browser globals it uses are named by the small interface below, and it
// type-checks under tsconfig.web.json (DOM) and tsconfig.node.json alike. No Node type in here.
import type { ApiError, ApiResult } from '../../preload/api.js';
import { buildBridge } from '../../preload/bridge.js';
import type { EventName, RequestChannel } from '../../preload/channels.js';
import type { ServeMessage, ServeRequest } from '../../preload/serve-wire.js';

interface Socket {
  readonly readyState: number;
  send(data: string): void;
  addEventListener(type: 'open' | 'close', fn: () => void): void;
  addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void;
}

interface Browser {
  location: { protocol: string; host: string; pathname: string; search: string; hash: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  WebSocket: { new (url: string): Socket; readonly OPEN: number };
}

const browser = globalThis as unknown as Browser;
const tokenKey = 'cartage.token';

/**
 * The access token: from the address `cartage serve` printed (then taken out of the address bar,
 * so it is not left in the history or a screenshot), else from this tab's earlier visit.
 */
function readToken(): string | null {
  const params = new URLSearchParams(browser.location.search);
  const fromUrl = params.get('token');
  try {
    if (fromUrl) {
      browser.sessionStorage.setItem(tokenKey, fromUrl);
      params.delete('token');
      const rest = params.toString();
      browser.history.replaceState(null, '', `${browser.location.pathname}${rest ? `?${rest}` : ''}${browser.location.hash}`);
      return fromUrl;
    }
    return browser.sessionStorage.getItem(tokenKey);
  } catch {
    // Storage turned off: the token in the address still works for this load.
    return fromUrl;
  }
}

const token = readToken();
const pending = new Map<number, (result: ApiResult<unknown>) => void>();
const outbox: string[] = [];
const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
let socket: Socket | null = null;
let nextId = 1;
let drops = 0;

const lost: ApiError = {
  code: 'disconnected',
  message: 'Cartage did not answer: the connection to "cartage serve" was lost. Check that it still runs; if it was started again, open the new address it printed.',
};
const noToken: ApiError = {
  code: 'unauthorized',
  message: 'This page needs the address "cartage serve" printed, with its ?token=...: open that address.',
};

function failAll(error: ApiError): void {
  outbox.length = 0;
  const waiting = [...pending.values()];
  pending.clear();
  for (const resolve of waiting) resolve({ ok: false, error });
}

function dispatch(data: unknown): void {
  let msg: ServeMessage;
  try {
    msg = JSON.parse(String(data)) as ServeMessage;
  } catch {
    return;
  }
  if (!msg || typeof msg !== 'object') return;
  if ('event' in msg) {
    for (const fn of [...(listeners.get(msg.event) ?? [])]) {
      try {
        fn(msg.payload);
      } catch (err) {
        console.error(`cartage: a listener of ${msg.event} failed`, err);
      }
    }
    return;
  }
  // The page names its requests with numbers only; an answer under any other id is not for one of them.
  if (typeof msg.id !== 'number' || !msg.result) return;
  const resolve = pending.get(msg.id);
  pending.delete(msg.id);
  resolve?.(msg.result);
}

function connect(): void {
  if (socket || !token) return;
  const scheme = browser.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new browser.WebSocket(`${scheme}//${browser.location.host}/api?token=${encodeURIComponent(token)}`);
  let opened = false;
  socket = ws;
  ws.addEventListener('open', () => {
    opened = true;
    drops = 0;
    for (const text of outbox.splice(0)) ws.send(text);
  });
  ws.addEventListener('message', (e) => dispatch(e.data));
  ws.addEventListener('close', () => {
    socket = null;
    // Requests in flight may or may not have been done: say so rather than guess.
    failAll(lost);
    // A connection that worked is taken up again (events keep coming); one refused is tried again on the next call.
    if (opened && drops < 20) {
      drops += 1;
      setTimeout(connect, Math.min(5000, 250 * 2 ** drops));
    }
  });
}

function call(channel: RequestChannel, input: unknown): Promise<ApiResult<unknown>> {
  if (!token) return Promise.resolve({ ok: false, error: noToken });
  const id = nextId++;
  const request: ServeRequest = { id, channel, input };
  const text = JSON.stringify(request);
  return new Promise((resolve) => {
    pending.set(id, resolve);
    if (socket && socket.readyState === browser.WebSocket.OPEN) socket.send(text);
    else {
      outbox.push(text);
      connect();
    }
  });
}

function on(event: EventName, fn: (payload: unknown) => void): () => void {
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(fn);
  connect();
  return () => {
    set.delete(fn);
  };
}

Object.defineProperty(globalThis, 'cartage', { value: buildBridge(call, on), enumerable: true });
connect();
