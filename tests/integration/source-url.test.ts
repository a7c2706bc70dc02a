import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CartageError } from '../../main/core/errors.js';
import { head, sourceHttp } from '../../main/core/net/http.js';
import { UrlSource } from '../../main/core/sources/url.js';
import { freePort } from '../helpers/ports.mjs';

/** Every request server B received, with its Authorization and x-api-key headers. */
const seenByB: { url: string; authorization?: string; apiKey?: string }[] = [];
let a = '';
let b = '';
const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  // No keep-alive: close() then returns at once.
  server.keepAliveTimeout = 1;
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  b = await serve((req, res) => {
    seenByB.push({ url: req.url ?? '', authorization: req.headers.authorization, apiKey: req.headers['x-api-key'] as string | undefined });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '10' });
    res.end(req.method === 'HEAD' ? undefined : '0123456789');
  });
  a = await serve((req, res) => {
    const url = req.url ?? '';
    const send = (status: number, headers: http.OutgoingHttpHeaders, body = '') => {
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url === '/to-b') return send(302, { location: `${b}/landed` });
    if (url === '/report') return send(200, { 'content-type': 'application/pdf', 'content-length': '5', 'content-disposition': `attachment; filename*=UTF-8''Caf%C3%A9%20report%2F..%2Fevil.pdf; filename="fallback.pdf"` });
    if (url === '/plain-cd') return send(200, { 'content-length': '3', 'content-disposition': 'attachment; filename="quoted \\"name\\".txt"' });
    if (url === '/page') return send(200, { 'content-type': 'text/html; charset=utf-8' }, '<html></html>');
    if (url === '/private') return send(401, { 'www-authenticate': 'Basic realm="x"' });
    if (url === '/forbidden') return send(403, {});
    if (url === '/auth-check') return send(req.headers.authorization ? 200 : 401, { 'content-length': '7' }, 'private');
    if (url === '/no-head.bin') {
      if (req.method === 'HEAD') return send(405, { allow: 'GET' });
      if (req.headers.range === 'bytes=0-0') return send(206, { 'content-range': 'bytes 0-0/123456', 'content-length': '1', etag: '"v1"' }, 'x');
      return send(200, { 'content-length': '123456' }, 'x'.repeat(123456));
    }
    if (url === '/photo.jpg') return send(200, { 'content-type': 'image/jpeg', 'content-length': '2048', etag: '"abc"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
    return send(404, {});
  });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('credentials and redirects', () => {
  it('never sends Authorization or an API key to another host after a redirect', async () => {
    seenByB.length = 0;
    const res = await sourceHttp.get(`${a}/to-b`, { headers: { authorization: 'Bearer secret', 'x-api-key': 'key' } });
    expect(res.statusCode).toBe(200);
    const fromUrl = await sourceHttp.get(`${a.replace('http://', 'http://me:pw@')}/to-b`);
    expect(fromUrl.statusCode).toBe(200);
    expect(seenByB).toHaveLength(2);
    for (const req of seenByB) expect(req).toEqual({ url: '/landed', authorization: undefined, apiKey: undefined });
  });

  it('sends the credentials of a link with user and password at resolve time, not in its id', async () => {
    const source = new UrlSource([`${a.replace('http://', 'http://me:pw@')}/auth-check`]);
    const [file] = (await source.list('')).files;
    expect(file).toMatchObject({ id: `${a}/auth-check`, size: 7, access: { downloadable: true } });
    expect((await source.resolve(file!)).headers).toEqual({ authorization: `Basic ${Buffer.from('me:pw').toString('base64')}` });
  });
});

describe('plain links', () => {
  it('takes size, type and validators from HEAD', async () => {
    const { files } = await new UrlSource([`${a}/photo.jpg`]).list('');
    expect(files[0]).toMatchObject({ name: 'photo.jpg', size: 2048, contentType: 'image/jpeg', etag: '"abc"', group: 'image', folder: '' });
    expect(files[0]!.modified?.toISOString()).toBe('2015-10-21T07:28:00.000Z');
  });

  it('falls back to a one-byte ranged GET when HEAD is refused, and reads the total from Content-Range', async () => {
    const info = await head(`${a}/no-head.bin`);
    expect(info).toMatchObject({ status: 206, size: 123456, etag: '"v1"' });
    const { files } = await new UrlSource([`${a}/no-head.bin`]).list('');
    expect(files[0]).toMatchObject({ name: 'no-head.bin', size: 123456, access: { downloadable: true } });
  });

  it('honours Content-Disposition names (RFC 5987 first) and makes them safe', async () => {
    const { files } = await new UrlSource([`${a}/report`, `${a}/plain-cd`]).list('');
    expect(files.map((f) => f.name)).toEqual(['Café report_.._evil.pdf', 'quoted _name_.txt']);
  });

  it('marks web pages, sign-in pages, missing files and other protocols as not downloadable, with reasons', async () => {
    const source = new UrlSource([`${a}/page`, `${a}/private`, `${a}/forbidden`, `${a}/gone`, 'ftp://example.org/file.iso', 'mailto:me@example.org']);
    const { files } = await source.list('');
    expect(files.map((f) => [f.access.downloadable, f.access.restriction])).toEqual([
      [false, 'web_page'],
      [false, 'needs_sign_in'],
      [false, 'needs_sign_in'],
      [false, null],
      [false, 'unsupported_protocol'],
      [false, 'unsupported_protocol'],
    ]);
    expect(files[3]!.access.reason).toMatch(/^not found \(404\)/);
    expect(files[4]!.access.reason).toContain('ftp:');
  });

  it('lists a link to a server that is down with a reason, without failing the others', async () => {
    const port = await freePort();
    const { files } = await new UrlSource([`http://127.0.0.1:${port}/x.bin`, `${a}/photo.jpg`]).list('');
    expect(files[0]!.access).toMatchObject({ downloadable: false, reason: expect.stringContaining('refused the connection') });
    expect(files[1]!.access.downloadable).toBe(true);
  });

  it('reads links from text: comments, blank lines, commas and spaces, duplicates once', async () => {
    const source = UrlSource.fromText(`# my links\n\n${a}/photo.jpg, ${a}/report\n  ${a}/photo.jpg\n<${a}/no-head.bin>\n`);
    const summary = await source.summary('');
    expect(summary).toEqual({ folder: '', files: 3, bytes: 2048 + 5 + 123456, unknownSizes: 0 });
    const found = [];
    for await (const f of source.query('CAFÉ')) found.push(f.name);
    expect(found).toEqual(['Café report_.._evil.pdf']);
  });

  it('refuses text with a word that is not an address, naming the line', () => {
    expect(() => UrlSource.fromText(`${a}/photo.jpg\nhello there`)).toThrow(CartageError);
    expect(() => UrlSource.fromText(`${a}/photo.jpg\nhello there`)).toThrow(/Line 2 has "hello"/);
    expect(() => UrlSource.fromText('# nothing\n')).toThrow(/no web addresses/);
  });
});
