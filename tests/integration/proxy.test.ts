import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cartage } from '../helpers/cli.js';
import { bytes, settled, tempDir, testCores } from '../helpers/core.js';
import { startImmich, type FakeImmich } from '../helpers/immich-server.js';
import { startHttpsNginx, type TestCertificate } from '../helpers/nginx-tls.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { proxyOutgoingAddress, startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';
import { startApacheWebdav, type TestServer } from '../helpers/webdav-servers.js';

// A mandatory proxy: the servers let in only the address tinyproxy connects out from (127.0.0.2),
// so a request that does not go through the proxy is refused (403), and the proxy's log shows
// every one that did.
const onlyThroughProxy = `allow ${proxyOutgoingAddress}; deny all;`;

const cores = testCores();
let proxy: Tinyproxy;
let web: Nginx;
let secure: Nginx & { certificate: TestCertificate };
let dav: TestServer;
let immich: FakeImmich;
const webRoot = tempDir();
const davRoot = tempDir();

beforeAll(async () => {
  fs.mkdirSync(path.join(webRoot, 'Holidays'));
  fs.writeFileSync(path.join(webRoot, 'Holidays', 'beach.jpg'), bytes(3000, 1));
  fs.writeFileSync(path.join(webRoot, 'notes.txt'), 'proxy me');
  fs.mkdirSync(path.join(davRoot, 'Scans'));
  fs.writeFileSync(path.join(davRoot, 'Scans', 'letter.pdf'), bytes(2000, 2));
  [proxy, web, secure, dav, immich] = await Promise.all([
    startTinyproxy(),
    startNginx(webRoot, { serverConfig: onlyThroughProxy }),
    startHttpsNginx(webRoot, { serverConfig: onlyThroughProxy }),
    startApacheWebdav(davRoot, undefined, { onlyFrom: proxyOutgoingAddress }),
    startImmich({ version: 3, assets: [{ originalFileName: 'IMG_1.JPG', bytes: bytes(500, 3), fileCreatedAt: '2024-05-01T10:00:00.000Z' }] }),
  ]);
});

afterEach(cores.closeAll);

afterAll(async () => {
  await Promise.all([proxy?.stop(), web?.stop(), secure?.stop(), dav?.stop(), immich?.stop()]);
  for (const dir of [webRoot, davRoot, secure?.certificate.dir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('sources behind a mandatory proxy', () => {
  it('adds and browses a web folder through the proxy in the settings, and downloads through it too; without it nothing is added', async () => {
    const direct = cores.make();
    await expect(direct.sources.add({ kind: 'web', url: web.url(''), name: 'files' })).rejects.toMatchObject({ code: 'auth' });
    expect(direct.sources.list()).toEqual([]);
    expect(proxy.requests()).toEqual([]);

    const c = cores.make({ proxy: proxy.url });
    const { record } = await c.sources.add({ kind: 'web', url: web.url(''), name: 'files' });
    const root = await c.sources.source(record).list('');
    expect(root.files.map((f) => [f.name, f.size])).toEqual([['notes.txt', 8]]);
    expect((await c.sources.source(record).list('Holidays')).files.map((f) => f.name)).toEqual(['beach.jpg']);
    expect(proxy.requests()).toEqual(expect.arrayContaining([`GET ${web.url('')}`, `GET ${web.url('Holidays/')}`]));

    // A plain link is probed with a HEAD before it goes on the list: through the proxy as well.
    const added = await c.cart.add([web.url('Holidays/beach.jpg')]);
    expect(added).toMatchObject({ added: 1, restricted: 0 });
    expect(c.cart.view().items[0]).toMatchObject({ size: 3000 });
    expect(proxy.requests()).toContain(`HEAD ${web.url('Holidays/beach.jpg')}`);

    const dir = tempDir();
    const [id] = c.queue.enqueue([{ url: web.url('notes.txt'), dir }]);
    c.startEngine();
    expect((await settled(c.engine, id!)).state).toBe('completed');
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('proxy me');
    expect(proxy.requests()).toContain(`GET ${web.url('notes.txt')}`);
  });

  it('adds and browses a WebDAV share with PROPFIND through the proxy', async () => {
    const direct = cores.make();
    await expect(direct.sources.add({ kind: 'webdav', url: dav.url, name: 'nas' })).rejects.toMatchObject({ code: 'auth' });

    const c = cores.make({ proxy: proxy.url });
    const { record } = await c.sources.add({ kind: 'webdav', url: dav.url, name: 'nas' });
    expect((await c.sources.source(record).list('')).folders.map((f) => f.name)).toEqual(['Scans']);
    expect((await c.sources.source(record).list('Scans')).files.map((f) => [f.name, f.size])).toEqual([['letter.pdf', 2000]]);
    expect(proxy.requests()).toEqual(expect.arrayContaining([`PROPFIND ${dav.url}`, `PROPFIND ${dav.url}Scans/`]));
  });

  it('reaches an Immich server\'s API through the proxy', async () => {
    const before = immich.requests().length;
    const c = cores.make({ proxy: proxy.url });
    const { record } = await c.sources.add({ kind: 'immich', url: immich.url, apiKey: immich.apiKey, name: 'photos' });
    expect((await c.sources.source(record).list('timeline')).folders.map((f) => f.name)).toEqual(['2024-05']);
    const seen = immich.requests().slice(before);
    expect(seen.length).toBeGreaterThan(0);
    // tinyproxy adds its Via header to what it forwards: every call came through it.
    expect(seen.filter((r) => !String(r.headers.via ?? '').includes('tinyproxy'))).toEqual([]);
    expect(proxy.requests().filter((r) => r.startsWith(`GET ${immich.url}/api/`)).length).toBeGreaterThan(0);
  });

  it('adds an https source through a CONNECT tunnel from HTTPS_PROXY, reading and pinning its certificate through it too', async () => {
    const dataDir = tempDir();
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '', no_proxy: '', https_proxy: proxy.url, http_proxy: proxy.url };
    const authority = new URL(secure.url('')).host;
    const tunnels = (): number => proxy.requests().filter((r) => r === `CONNECT ${authority}`).length;
    const refused = await cartage(['source', 'add', 'web', secure.url(''), '--name', 'home', '--data-dir', dataDir], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`--trust-certificate ${secure.certificate.fingerprint256}`);
    // One tunnel for the refused request, one to read the certificate it refused and show it.
    expect(tunnels()).toBe(2);

    const added = await cartage(['source', 'add', 'web', secure.url(''), '--name', 'home', '--trust-certificate', secure.certificate.fingerprint256, '--data-dir', dataDir], { env });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    // One to read the certificate before it is pinned, one for the listing that checks the source.
    expect(tunnels()).toBe(4);
    const listed = await cartage(['ls', 'home:Holidays', '--data-dir', dataDir], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('beach.jpg');
    expect(tunnels()).toBe(5);
    expect(proxy.requests().some((r) => r.includes(`http://${authority}`))).toBe(false);
  });
});
