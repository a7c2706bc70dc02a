import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cartage, projectRoot, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';

const outer = tempDir('cartage-serve-');
const site = path.join(outer, 'site');
const dataDir = tempDir();
const page = '<!doctype html><html><head><script src="bridge.js"></script><script type="module" src="app.js"></script></head><body>Cartage</body></html>\n';
const version = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

let run: ReturnType<typeof cartage>;
let port: number;
let origin: string;
let token: string;
let stdout = '';

beforeAll(async () => {
  fs.mkdirSync(path.join(site, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), page);
  fs.writeFileSync(path.join(site, 'app.js'), 'window.started = true;\n');
  fs.writeFileSync(path.join(site, 'style.css'), 'body { color: black }\n');
  fs.writeFileSync(path.join(site, 'sub', 'inner.txt'), 'inner\n');
  fs.writeFileSync(path.join(site, '.hidden'), 'hidden\n');
  // Beside the served folder: what a path traversal would reach.
  fs.writeFileSync(path.join(outer, 'secret.txt'), 'secret\n');
  // No --port: it listens on a free port of its own choosing and prints it, so no other process can take it first.
  run = cartage(['serve', '--dir', site, '--data-dir', dataDir]);
  const address = await new Promise<string>((resolve, reject) => {
    run.child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^Cartage is serving on (http:\/\/\S+)$/m.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void run.then((r) => reject(new Error(`cartage serve ended early (${r.code}): ${r.stderr}`)));
  });
  const url = new URL(address);
  port = Number(url.port);
  origin = url.origin;
  token = url.searchParams.get('token')!;
});

afterAll(async () => {
  if (run.child.exitCode === null && run.child.signalCode === null) {
    run.child.kill('SIGKILL');
    await run;
  }
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request sent as written: no URL normalisation on the way (fetch would resolve '..' itself). It
 * carries the cookie the page got with the token unless told otherwise.
 */
function request(rawPath: string, options: { method?: string; host?: string; cookie?: string | null } = {}): Promise<Answer> {
  const cookie = options.cookie === undefined ? `cartage-${port}=${token}` : options.cookie;
  const headers = { host: options.host ?? `127.0.0.1:${port}`, ...(cookie !== null ? { cookie } : {}) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status a refused WebSocket upgrade was answered with. */
function upgradeStatus(query: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api${query}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('the connection was accepted')));
    ws.on('error', () => undefined);
  });
}

async function connect(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** The next message passing `test`. */
function nextMessage(ws: WebSocket, test: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData): void => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (test(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

async function ask(ws: WebSocket, message: unknown, id: unknown): Promise<unknown> {
  const reply = nextMessage(ws, (m) => 'result' in m && m.id === id);
  ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  return (await reply).result;
}

describe('cartage serve', () => {
  it('prints the address with a 32-byte token, on 127.0.0.1', () => {
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const res = await request('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toBe(page);
    expect((await request('/index.html')).headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('answers the page, its scripts and its files only with the token, or the cookie set from it', async () => {
    for (const p of ['/', '/index.html', '/bridge.js', '/app.js', '/style.css', '/sub/inner.txt', '/nothing.js', '/../secret.txt']) {
      for (const cookie of [null, `cartage-${port}=${token.slice(0, -2)}xx`, `cartage-${port + 1}=${token}`, `other=1`]) {
        const res = await request(p, { cookie });
        expect([p, cookie, res.status]).toEqual([p, cookie, 401]);
        expect(res.body).toMatch(/^The access token is missing or wrong: open the address cartage serve printed/);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      expect((await request(`${p}?token=${token.slice(0, -2)}xx`, { cookie: null })).status).toBe(401);
    }
    // The printed address: the page, and a cookie for the files it loads, the page only can read (HttpOnly) and send (SameSite).
    const first = await request(`/?token=${token}`, { cookie: null });
    expect(first.status).toBe(200);
    expect(first.body).toBe(page);
    expect(first.headers['set-cookie']).toEqual([`cartage-${port}=${token}; Path=/; HttpOnly; SameSite=Strict`]);
    const cookie = first.headers['set-cookie']![0]!.split(';')[0]!;
    for (const p of ['/', '/bridge.js', '/app.js']) expect([p, (await request(p, { cookie: `a=b; ${cookie}` })).status]).toEqual([p, 200]);
  });

  it('serves the page\'s files with their content types', async () => {
    expect(await request('/app.js')).toMatchObject({ status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    expect(await request('/style.css')).toMatchObject({ status: 200, headers: { 'content-type': 'text/css; charset=utf-8' } });
    expect(await request('/sub/inner.txt?x=1')).toMatchObject({ status: 200, body: 'inner\n', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });

  it('answers 404 to a path out of the folder, a directory and a hidden file', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/sub/..%5c..%5csecret.txt', '/sub/', '/sub', '/.hidden', '/nothing.js', '/%zz']) {
      const res = await request(p);
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.body).not.toContain('secret');
    }
  });

  it('refuses other methods and other Host names', async () => {
    expect((await request('/', { method: 'POST' })).status).toBe(405);
    expect((await request('/', { host: `rebound.example:${port}` })).status).toBe(403);
  });

  it('serves /bridge.js: a script that builds window.cartage over the WebSocket, from the token in the address', async () => {
    const res = await request('/bridge.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // Run the script as a page would, with the `ws` client standing in for the browser's WebSocket.
    const stored = new Map<string, string>();
    const replaced: string[] = [];
    const sockets: WebSocket[] = [];
    let left = false;
    class PageSocket extends WebSocket {
      static override readonly OPEN = WebSocket.OPEN;
      constructor(url: string) {
        super(url, { origin });
        sockets.push(this);
        // A browser's WebSocket reports errors as events; `ws` throws them when nobody listens.
        this.on('error', () => undefined);
      }
    }
    const page = {
      location: { protocol: 'http:', host: `127.0.0.1:${port}`, pathname: '/', search: `?token=${token}&view=cart`, hash: '#top' },
      history: { replaceState: (_d: unknown, _u: string, url: string) => replaced.push(url) },
      sessionStorage: { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => stored.set(k, v) },
      WebSocket: PageSocket,
      URLSearchParams,
      // The page is left at the end of this test: it must not reconnect from then on.
      setTimeout: (fn: () => void, ms: number) => (left ? undefined : setTimeout(fn, ms)),
      console,
    };
    try {
      vm.runInNewContext(res.body, page);
      const bridge = (page as unknown as { cartage: { app: { info(): Promise<unknown> }; cart: { get(): Promise<unknown> } } }).cartage;
      expect(JSON.parse(JSON.stringify(await bridge.app.info()))).toEqual({ ok: true, value: { version, dataDir } });
      expect(JSON.parse(JSON.stringify(await bridge.cart.get()))).toMatchObject({ ok: true, value: { items: [] } });
      expect(stored.get('cartage.token')).toBe(token);
      expect(replaced).toEqual(['/?view=cart#top']);
      expect(sockets).toHaveLength(1);
    } finally {
      left = true;
      for (const ws of sockets) ws.terminate();
    }
  });

  it('refuses a WebSocket without the token, with a wrong one, or from another origin', async () => {
    expect(await upgradeStatus('', { origin })).toBe(401);
    expect(await upgradeStatus('?token=', { origin })).toBe(401);
    expect(await upgradeStatus(`?token=${token.slice(0, -2)}xx`, { origin })).toBe(401);
    expect(await upgradeStatus(`?token=${token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`?token=${token}`, { origin: `http://localhost:${port}` })).toBe(403);
    expect(await upgradeStatus(`?token=${token}`, {})).toBe(403);
  });

  it('answers requests with the token from the served origin: app.info, and the empty list', async () => {
    const ws = await connect();
    try {
      expect(await ask(ws, { id: 1, channel: 'app.info', input: {} }, 1)).toEqual({ ok: true, value: { version, dataDir } });
      expect(await ask(ws, { id: 'two', channel: 'cart.get', input: {} }, 'two')).toEqual({
        ok: true,
        value: { items: [], totals: { files: 0, bytes: 0, unknownSizes: 0, deliverable: 0, restricted: 0 }, limit: 100, locked: false },
      });
    } finally {
      ws.close();
    }
  });

  it('answers a message that is not JSON, or not a request, with an error, and goes on', async () => {
    const ws = await connect();
    try {
      expect(await ask(ws, 'this is not json', null)).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringMatching(/not.*JSON|JSON text/) } });
      expect(await ask(ws, { channel: 'app.info' }, null)).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('"id"') } });
      expect(await ask(ws, { id: 3, input: {} }, 3)).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('"channel"') } });
      expect(await ask(ws, { id: 4, channel: 'app.nothing', input: {} }, 4)).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('no request called "app.nothing"') } });
      expect(await ask(ws, { id: 5, channel: 'tasks.pause', input: { ids: 'all' } }, 5)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      expect(await ask(ws, { id: 6, channel: 'app.info', input: {} }, 6)).toMatchObject({ ok: true });
      // JSON that is not an object, an id of the wrong type, a channel that is not text, and binary: each one answer, and the connection goes on.
      for (const odd of ['null', '[1, 2]', '"app.info"']) {
        expect(await ask(ws, odd, null)).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('"id"') } });
      }
      expect(await ask(ws, { id: { n: 1 }, channel: 'app.info', input: {} }, null)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      expect(await ask(ws, { id: 'eleven', channel: 11, input: {} }, 'eleven')).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('"channel"') } });
      const binary = nextMessage(ws, (m) => 'result' in m && m.id === null);
      ws.send(Buffer.from(JSON.stringify({ id: 12, channel: 'app.info', input: {} })));
      expect((await binary).result).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('JSON text') } });
      expect(await ask(ws, { id: 13, channel: 'app.info' }, 13)).toEqual({ ok: true, value: { version, dataDir } });
    } finally {
      ws.close();
    }
  });

  it('pushes events to the page as {event, payload}', async () => {
    const ws = await connect();
    try {
      const changed = nextMessage(ws, (m) => m.event === 'cart.changed');
      expect(await ask(ws, { id: 7, channel: 'cart.clear', input: {} }, 7)).toMatchObject({ ok: true });
      expect(await changed).toEqual({ event: 'cart.changed', payload: expect.objectContaining({ items: [] }) });
    } finally {
      ws.close();
    }
  });

  it('closes a connection that sends a message over 4 MiB', async () => {
    const ws = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ id: 8, channel: 'cart.add', input: { refs: ['x'.repeat(4_300_000)] } }));
    expect(await closed).toBe(1009);
    const again = await connect();
    expect(await ask(again, { id: 9, channel: 'app.info', input: {} }, 9)).toMatchObject({ ok: true });
    again.close();
  });

  it('stops cleanly on SIGTERM', async () => {
    run.child.kill('SIGTERM');
    const r: CliResult = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Stopped serving');
  });
});

describe('cartage serve without a built page', () => {
  it('says to build it, in one sentence, and exits 2', async () => {
    const empty = tempDir();
    const r = await cartage(['serve', '--port', '0', '--dir', empty, '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cartage: There is no built page in ${empty} (no index.html): build it with "npm run build:renderer", or give its folder with --dir.\n`);
  });
});
