import { EventEmitter } from 'node:events';
import http from 'node:http';
import type net from 'node:net';

export interface RequestRecord {
  method: string;
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  headers: http.IncomingHttpHeaders;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, attempt: number) => void;

/**
 * A small HTTP server for what nginx will not do on demand: drop connections, ignore Range, change
 * ETags, answer from the wrong offset, 416, 429, 503, drip slowly, cut bodies short, send error pages.
 * Each test routes paths to handlers; every request is recorded.
 */
export class FaultServer extends EventEmitter {
  readonly requests: RequestRecord[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly attempts = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private inflight = 0;
  /** Most requests in flight at once, and per path prefix, for the limit tests. */
  maxInflight = 0;
  private server: http.Server;
  port = 0;

  constructor() {
    super();
    this.server = http.createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      this.requests.push({ method: req.method ?? 'GET', path, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, headers: req.headers });
      const attempt = (this.attempts.get(path) ?? 0) + 1;
      this.attempts.set(path, attempt);
      this.inflight += 1;
      this.maxInflight = Math.max(this.maxInflight, this.inflight);
      res.once('close', () => (this.inflight -= 1));
      this.emit('request', this.inflight);
      const handler = this.routes.get(path);
      if (!handler) {
        res.writeHead(404).end('not found');
        return;
      }
      handler(req, res, attempt);
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get inFlight(): number {
    return this.inflight;
  }

  /** Resolves when at least `count` requests are in flight at once. */
  whenInFlight(count: number): Promise<void> {
    if (this.inflight >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const on = (n: number): void => {
        if (n < count) return;
        this.off('request', on);
        resolve();
      };
      this.on('request', on);
    });
  }

  url(path: string, host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  route(path: string, handler: Handler): string {
    this.routes.set(path, handler);
    return this.url(path);
  }

  requestsFor(path: string): RequestRecord[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Stops listening and cuts every open connection: the network is "lost". */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port: the network is "back". */
  async restart(): Promise<void> {
    const port = this.port;
    this.server = http.createServer(this.server.listeners('request')[0] as http.RequestListener);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await this.start(port);
  }
}

/**
 * Serves `body` the way a correct server does: ETag, Last-Modified, Range with If-Range, 416.
 * Options bend it for the fault tests.
 */
export function serveFile(
  body: Buffer,
  opts: { etag?: string; contentType?: string; lastModified?: string; ignoreRange?: boolean; weakOnly?: boolean } = {},
): Handler {
  const etag = opts.etag ?? '"v1"';
  const lastModified = opts.lastModified ?? 'Mon, 02 Nov 2026 10:00:00 GMT';
  return (req, res) => {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': opts.contentType ?? 'application/octet-stream',
      'last-modified': lastModified,
      // A server that ignores ranges says so (none).
      ...(opts.ignoreRange ? {} : { 'accept-ranges': 'bytes' }),
    };
    if (!opts.weakOnly) headers.etag = etag;
    const range = req.headers.range?.match(/^bytes=(\d+)-$/);
    const ifRange = req.headers['if-range'];
    const validatorOk = !ifRange || ifRange === etag || ifRange === lastModified;
    if (range && !opts.ignoreRange && validatorOk) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        ...headers,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'content-length': body.length - start,
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(body);
  };
}
