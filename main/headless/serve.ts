// `cartage serve`: the built renderer over HTTP and the contract over a WebSocket at /api, on
// 127.0.0.1 unless told otherwise, so the UI runs in any browser (and in Chromium for the e2e
// tests) against the same core. The page gets `window.cartage` from /bridge.js; every request is
// answered by the same Service the Electron shell uses.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http, { STATUS_CODES } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type * as Esbuild from 'esbuild';
import { serveRequest, type ServeEvent, type ServeMessage, type ServeReply } from '../../preload/serve-wire.js';
import type { Core } from '../core/core.js';
import { CartageError } from '../core/errors.js';
import { Service, type ServiceEvent } from '../core/service/service.js';

export interface ServeOptions {
  core: Core;
  host: string;
  /** 0 for any free port. */
  port: number;
  /** The built renderer: a folder with index.html. */
  rendererDir: string;
  version: string;
}

export interface Served {
  /** The address to open, token included. */
  url: string;
  port: number;
  token: string;
  /** Closes every connection and stops answering; the core stays open (its owner closes it). */
  close(): Promise<void>;
}

/** Messages larger than this close the connection: room for the largest request (10,000 references of a few hundred characters). */
const maxMessageBytes = 4 * 1024 * 1024;

/** A slow page skips progress snapshots (the next one says it all) rather than queueing them. */
const maxBufferedBytes = 1024 * 1024;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Cartage's own folder (where package.json is): two levels above this file from source, three from dist/. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new CartageError('not_found', 'Cartage cannot find its own folder (no package.json above its files); reinstall it.');
    dir = up;
  }
  return dir;
}

/** Where `npm run build:renderer` puts the page. */
export function defaultRendererDir(): string {
  return path.join(projectRoot(), 'out', 'renderer');
}

/** Bundles the page's bridge (serve-bridge-client.ts and the preload's bridge) into one classic script. */
export async function buildBridgeScript(root = projectRoot()): Promise<string> {
  const entry = path.join(root, 'main', 'headless', 'serve-bridge-client.ts');
  if (!fs.existsSync(entry)) throw new CartageError('not_found', `The page's bridge script is missing (${entry}); reinstall Cartage.`);
  let esbuild: typeof Esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new CartageError('not_found', 'cartage serve builds its page script with esbuild, which is not installed: run "npm install" in the Cartage folder.');
  }
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    write: false,
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Listening on every interface: the address a page uses is whatever the browser was given. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameSecret(given: string, secret: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** The file a request path names inside `root`, or null: no '..', no hidden files, no directories, nothing outside. */
function staticFile(root: string, rawPath: string): string | null {
  const segments: string[] = [];
  for (const raw of rawPath.split('/').slice(1)) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === '') continue;
    if (seg.startsWith('.') || /[/\\\0]/.test(seg)) return null;
    segments.push(seg);
  }
  if (rawPath.endsWith('/') && segments.length > 0) return null;
  const file = segments.length === 0 ? path.join(root, 'index.html') : path.join(root, ...segments);
  try {
    const real = fs.realpathSync(file);
    if (!real.startsWith(root + path.sep) || !fs.statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

/** Starts serving; throws a CartageError with one sentence when the page is not built or the port cannot be had. */
export async function startServe(options: ServeOptions): Promise<Served> {
  const { core, host } = options;
  const root = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new CartageError('not_found', `There is no built page in ${root} (no index.html): build it with "npm run build:renderer", or give its folder with --dir.`);
  }
  const realRoot = fs.realpathSync(root);
  const bridgeScript = await buildBridgeScript();
  const token = randomBytes(32).toString('base64url');
  const server = http.createServer();
  await listen(server, host, options.port);
  const port = (server.address() as { port: number }).port;
  const served = `${hostInUrl(host)}:${port}`.toLowerCase();
  // A cookie is per host, not per port: one name per port keeps two instances from replacing each other's.
  const cookieName = `cartage-${port}`;

  /** The Host a request must carry: ours; with a wildcard, an IP address or localhost, never another name (a DNS-rebinding page comes by name). */
  const hostAllowed = (header: string | undefined): boolean => {
    const h = (header ?? '').toLowerCase();
    // On port 80 a browser leaves the port out of Host (and Origin).
    if (!isWildcard(host)) return h === served || (port === 80 && h === hostInUrl(host).toLowerCase());
    const m = /^(\[[0-9a-f:.]+\]|[0-9.]+|localhost):(\d+)$/.exec(h);
    return m !== null && Number(m[2]) === port;
  };
  const csp = (hostHeader: string): string =>
    `default-src 'self'; connect-src 'self' ws://${hostHeader}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;

  const service = new Service(core, { host: 'serve', version: options.version, cartageCommand: { node: process.execPath, script: path.join(projectRoot(), 'bin', 'cartage.js') } });
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes, perMessageDeflate: false });
  const clients = new Set<WebSocket>();

  const send = (ws: WebSocket, message: ServeMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const stopEvents = service.on((...[event, payload]: ServiceEvent) => {
    // The listener's tuple and the message pair the same event with the same payload.
    const message = { event, payload } as ServeEvent;
    const text = JSON.stringify(message);
    for (const ws of clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (event === 'tasks.progress' && ws.bufferedAmount > maxBufferedBytes) continue;
      ws.send(text);
    }
  });

  const answer = async (ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> => {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary');
      msg = JSON.parse(String(data));
    } catch {
      send(ws, refused(null, 'Cartage could not read that message: send JSON text such as {"id": 1, "channel": "app.info", "input": {}}.'));
      return;
    }
    const request = serveRequest.safeParse(msg);
    if (!request.success) {
      // Answered under its id when that much of it can be read, so the page knows which request failed.
      const id = serveRequest.shape.id.safeParse((msg as { id?: unknown } | null)?.id);
      send(ws, refused(id.success ? id.data : null, 'A request needs an "id" (a number or text) and a "channel" (such as "cart.get"); nothing was done.'));
      return;
    }
    const { id, channel, input } = request.data;
    send(ws, { id, result: await service.handle(channel, input ?? {}) });
  };

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('message', (data, isBinary) => {
      answer(ws, data, isBinary).catch((err: unknown) => core.log.error(`serve: answering a page failed: ${(err as Error).stack ?? String(err)}`));
    });
    ws.on('close', () => clients.delete(ws));
    // Too large a message closes the connection (1009); the page connects again.
    ws.on('error', (err) => core.log.warn(`serve: a page connection failed: ${err.message}`));
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://cartage.invalid');
    if (url.pathname !== '/api') return refuseUpgrade(socket, 404, 'Not found.');
    if (!hostAllowed(req.headers.host)) return refuseUpgrade(socket, 403, `Connect to http://${served}/ (the address cartage serve printed).`);
    const given = url.searchParams.get('token');
    if (!given || !sameSecret(given, token)) return refuseUpgrade(socket, 401, 'The access token is missing or wrong: open the address cartage serve printed.');
    if (req.headers.origin !== `http://${(req.headers.host ?? '').toLowerCase()}`) {
      return refuseUpgrade(socket, 403, 'Only the page Cartage serves may connect.');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      const hostHeader = (req.headers.host ?? '').toLowerCase();
      if (!hostAllowed(hostHeader)) return plain(res, 403, `Open Cartage at http://${served}/ (the address cartage serve printed).`);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return plain(res, 405, 'Only GET and HEAD are answered here.');
      }
      const rawPath = (req.url ?? '/').split(/[?#]/)[0]!;
      // The page and every file of it only for the holder of the token (a request to the printed
      // address), or of the cookie set from it, so a reload or a new tab after the address lost its token works.
      const given = new URL(req.url ?? '/', 'http://cartage.invalid').searchParams.get('token');
      const byToken = given !== null && sameSecret(given, token);
      const byCookie = !byToken && sameSecret(cookieOf(req, cookieName) ?? '', token);
      if (!byToken && !byCookie) return plain(res, 401, `The access token is missing or wrong: open the address cartage serve printed (http://${served}/?token=...).`);
      if (byToken) res.setHeader('Set-Cookie', `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`);
      if (rawPath === '/bridge.js') return body(req, res, 'text/javascript; charset=utf-8', bridgeScript);
      if (rawPath === '/api') return plain(res, 426, 'This address takes WebSocket connections only.');
      const file = rawPath.startsWith('/') ? staticFile(realRoot, rawPath) : null;
      if (!file) return plain(res, 404, 'Not found.');
      const type = contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      const html = type.startsWith('text/html');
      const stat = fs.statSync(file);
      res.writeHead(200, {
        ...securityHeaders,
        'Content-Type': type,
        'Content-Length': stat.size,
        'Cache-Control': html ? 'no-store' : 'no-cache',
        ...(html ? { 'Content-Security-Policy': csp(hostHeader), 'X-Frame-Options': 'DENY' } : {}),
      });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch (err) {
      core.log.error(`serve: ${req.url ?? ''} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) plain(res, 500, 'Cartage could not answer this; the details are in its log.');
      else res.destroy();
    }
  });

  return {
    url: `http://${served}/?token=${token}`,
    port,
    token,
    async close() {
      stopEvents();
      service.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const ws of clients) ws.close(1001, 'Cartage is stopping.');
      server.closeIdleConnections();
      // A page that does not answer the closing handshake is not waited for.
      const timer = setTimeout(() => {
        for (const ws of clients) ws.terminate();
        server.closeAllConnections();
      }, 1000);
      await closed;
      clearTimeout(timer);
      wss.close();
    },
  };
}

const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The value of one cookie a request carries, or null. */
function cookieOf(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function refused(id: ServeReply['id'], message: string): ServeReply {
  return { id, result: { ok: false, error: { code: 'bad_input', message } } };
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function body(req: http.IncomingMessage, res: http.ServerResponse, type: string, text: string): void {
  res.writeHead(200, { ...securityHeaders, 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Answers a refused WebSocket upgrade with a status and a sentence, then hangs up. */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

async function listen(server: http.Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    switch (err.code) {
      case 'EADDRINUSE':
        throw new CartageError('bad_input', `Port ${port} on ${host} is taken by another program: choose another with --port N (or --port 0 for any free one).`);
      case 'EACCES':
        throw new CartageError('bad_input', `Port ${port} needs special rights on this system: choose one above 1023 with --port.`);
      case 'EADDRNOTAVAIL':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        throw new CartageError('bad_input', `${host} is not an address of this computer: use --host 127.0.0.1 (or 0.0.0.0 for every network).`);
      default:
        throw new CartageError('bad_input', `Cartage could not listen on ${host}:${port} (${err.code ?? err.message}).`);
    }
  });
}

/** This computer's addresses on its networks, for the line that says where to open it from elsewhere. */
export function networkAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => a !== undefined && !a.internal && a.family === 'IPv4')
    .map((a) => a.address);
}
