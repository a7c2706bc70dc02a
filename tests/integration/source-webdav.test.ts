import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { CartageError } from '../../main/core/errors.js';
import type { RemoteFile } from '../../main/core/sources/types.js';
import { WebDavSource } from '../../main/core/sources/webdav.js';
import { bytes, fileSha256, settled, sha256, tempDir } from '../helpers/core.js';
import { freePort } from '../helpers/ports.mjs';
import { startApacheWebdav, startPlainHttp, startRcloneWebdav, type TestServer } from '../helpers/webdav-servers.js';

const root = tempDir('cartage-dav-');
const big = bytes(3 * 1024 * 1024 + 17, 5);
const photo = bytes(40_000, 3);
const user = { user: 'ann', pass: 'pä ss:wörd' };

// What the share holds: awkward names at the top, three levels of folders below.
const tree: Record<string, Buffer | string> = {
  'photo one.jpg': photo,
  'ünïcödé name.txt': 'hello',
  '100% #1.txt': 'percent and hash',
  'report..': 'trailing dots',
  'tab\tname.txt': 'control character',
  'sub/big.bin': big,
  'sub/deeper/photo two.jpg': bytes(1_000, 9),
  'sub/deeper/deepest/PHOTO three.JPG': bytes(2_000, 11),
  'sub/deeper/deepest/notes.txt': 'not a photo',
};
const topBytes = ['photo one.jpg', 'ünïcödé name.txt', '100% #1.txt', 'report..', 'tab\tname.txt'].reduce(
  (sum, name) => sum + Buffer.byteLength(tree[name]!),
  0,
);

const servers: Record<string, TestServer> = {};

beforeAll(async () => {
  for (const [name, content] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  const [rclone, rcloneAuth, apache, apacheAuth, plain] = await Promise.all([
    startRcloneWebdav(root),
    startRcloneWebdav(root, user),
    startApacheWebdav(root),
    startApacheWebdav(root, user),
    startPlainHttp(),
  ]);
  Object.assign(servers, { rclone, rcloneAuth, apache, apacheAuth, plain });
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  fs.rmSync(root, { recursive: true, force: true });
});

async function caught(p: Promise<unknown>): Promise<CartageError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CartageError) return err;
    throw err;
  }
  throw new Error('expected a CartageError');
}

async function collect(it: AsyncIterable<RemoteFile>): Promise<RemoteFile[]> {
  const out: RemoteFile[] = [];
  for await (const f of it) out.push(f);
  return out;
}

describe.each(['rclone', 'apache'])('WebDAV source against a real %s', (which) => {
  const source = (): WebDavSource => new WebDavSource({ url: servers[which]!.url });
  // rclone shows a control character in a name as its Unicode picture (U+2409); Apache sends it as is.
  const tabName = which === 'rclone' ? 'tab\u2409name.txt' : 'tab_name.txt';

  it('lists the files of the root with sizes, ETags, modified times and types, and its sub-folders', async () => {
    const listing = await source().list('/');
    expect(listing.folder).toBe('/');
    expect(listing.folders).toEqual([{ kind: 'folder', path: '/sub', name: 'sub', modified: expect.any(Date) }]);
    const byName = new Map(listing.files.map((f) => [f.name, f]));
    expect([...byName.keys()].sort()).toEqual(['100% #1.txt', 'photo one.jpg', 'report', tabName, 'ünïcödé name.txt'].sort());
    const jpg = byName.get('photo one.jpg')!;
    expect(jpg).toMatchObject({ kind: 'file', size: photo.length, folder: '/', group: 'image', contentType: 'image/jpeg', access: { downloadable: true } });
    expect(jpg.etag).toMatch(/^(W\/)?"/);
    expect(Math.abs(jpg.modified!.getTime() - fs.statSync(path.join(root, 'photo one.jpg')).mtime.getTime())).toBeLessThan(2000);
    expect(byName.get('ünïcödé name.txt')).toMatchObject({ size: 5, group: 'other' });
  });

  it('gives URLs that fetch the right bytes for names with spaces, unicode, % and #', async () => {
    const listing = await source().list('');
    for (const [name, raw] of [
      ['100% #1.txt', '100% #1.txt'],
      ['ünïcödé name.txt', 'ünïcödé name.txt'],
      [tabName, 'tab\tname.txt'],
    ]) {
      const file = listing.files.find((f) => f.name === name)!;
      const resolved = await source().resolve(file);
      expect(resolved.headers).toEqual({});
      const res = await fetch(resolved.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(tree[raw!]);
    }
  });

  it('lists a sub-folder and the folders below it', async () => {
    const sub = await source().list('/sub');
    expect(sub.folder).toBe('/sub');
    expect(sub.files.map((f) => [f.name, f.size, f.folder])).toEqual([['big.bin', big.length, '/sub']]);
    expect(sub.folders.map((f) => f.path)).toEqual(['/sub/deeper']);
    const deepest = await source().list('sub/deeper/deepest/');
    expect(deepest.files.map((f) => f.name).sort()).toEqual(['PHOTO three.JPG', 'notes.txt']);
  });

  it('sums the files directly in a folder', async () => {
    expect(await source().summary('/')).toEqual({ folder: '/', files: 5, bytes: topBytes, unknownSizes: 0 });
    expect(await source().summary('/sub')).toEqual({ folder: '/sub', files: 1, bytes: big.length, unknownSizes: 0 });
  });

  it('finds files across three levels of folders, case-insensitively', async () => {
    const found = await collect(source().query('PHOTO'));
    expect(found.map((f) => `${f.folder}|${f.name}`).sort()).toEqual([
      '/sub/deeper/deepest|PHOTO three.JPG',
      '/sub/deeper|photo two.jpg',
      '/|photo one.jpg',
    ]);
  });

  it('stops a search at its depth bound and refuses one past its entry bound', async () => {
    const shallow = new WebDavSource({ url: servers[which]!.url, maxQueryDepth: 1 });
    expect((await collect(shallow.query('photo'))).map((f) => f.name)).toEqual(['photo one.jpg']);
    const small = new WebDavSource({ url: servers[which]!.url, maxQueryEntries: 4 });
    const err = await caught(collect(small.query('x')));
    expect(err.code).toBe('bad_input');
    expect(err.message).toMatch(/stopped after 4 files and folders/);
  });

  it('says a folder is not there', async () => {
    const err = await caught(source().list('/no such folder'));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('no%20such%20folder');
  });

  it('refuses a folder path with ..', async () => {
    expect((await caught(source().list('/sub/../..'))).code).toBe('bad_input');
  });
});

describe.each(['rcloneAuth', 'apacheAuth'])('WebDAV source with Basic auth (%s)', (which) => {
  it('lists with the right user name and password, sending them only as a header', async () => {
    const src = new WebDavSource({ url: servers[which]!.url, username: user.user, password: user.pass });
    const listing = await src.list('/');
    expect(listing.files).toHaveLength(5);
    const resolved = await src.resolve(listing.files.find((f) => f.name === 'photo one.jpg')!);
    expect(resolved.url).not.toContain('@');
    expect(resolved.url).not.toContain(encodeURIComponent(user.pass));
    expect(resolved.headers).toEqual({ authorization: `Basic ${Buffer.from(`${user.user}:${user.pass}`).toString('base64')}` });
    expect(resolved.expectedBytes).toBe(photo.length);
    expect(JSON.stringify(src)).not.toContain(user.pass);
  });

  it('says the user name or password was refused, without repeating the password', async () => {
    const url = servers[which]!.url;
    const err = await caught(new WebDavSource({ url, username: user.user, password: 'wrong' }).list('/'));
    expect(err.code).toBe('auth');
    expect(err.message).toBe(`The WebDAV share at ${url} refused the user name or password; check them and sign in again.`);
    expect((await caught(new WebDavSource({ url }).list('/'))).code).toBe('auth');
  });
});

describe('WebDAV source: the engine downloads what it resolves', () => {
  let core: Core | null = null;
  afterEach(async () => {
    await core?.close();
    core = null;
  });

  it('downloads a file byte for byte from rclone with the auth header resolve() built', async () => {
    const src = new WebDavSource({ url: servers.rcloneAuth!.url, username: user.user, password: user.pass });
    const file = (await src.list('/sub')).files.find((f) => f.name === 'big.bin')!;
    const resolved = await src.resolve(file);
    core = new Core({ dataDir: tempDir(), engine: { headersFor: () => resolved.headers, random: () => 0.5 } });
    core.settings.update({ retryBaseMs: 10, retryMaxMs: 50, probeIntervalMs: 50 });
    const dir = tempDir();
    const [id] = core.queue.enqueue([{ url: resolved.url, dir, name: file.name, expectedBytes: resolved.expectedBytes ?? undefined }]);
    core.startEngine();
    const task = await settled(core.engine, id!);
    expect(task.state).toBe('completed');
    expect(fileSha256(path.join(dir, 'big.bin'))).toBe(sha256(big));
  });

  it('fails without the header, so the download above really used it', async () => {
    const src = new WebDavSource({ url: servers.rcloneAuth!.url });
    const res = await fetch(new URL('sub/big.bin', src.base));
    expect(res.status).toBe(401);
  });
});

describe('WebDAV source: servers that are not WebDAV shares', () => {
  it('says a server that is down cannot be reached, naming the host', async () => {
    const port = await freePort();
    const err = await caught(new WebDavSource({ url: `http://127.0.0.1:${port}/dav/` }).list('/'));
    expect(err.code).toBe('network');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it('says a plain web server does not answer WebDAV (405 to PROPFIND)', async () => {
    const url = servers.plain!.url;
    const err = await caught(new WebDavSource({ url }).list('/'));
    expect(err.code).toBe('bad_input');
    expect(err.message).toBe(`${url} does not answer WebDAV (PROPFIND); check that it is the address of a WebDAV share.`);
  });

  it('says a server answering PROPFIND with a web page does not answer WebDAV', async () => {
    const url = `${servers.plain!.url}html/`;
    const err = await caught(new WebDavSource({ url }).list('/'));
    expect(err.code).toBe('bad_input');
    expect(err.message).toMatch(/does not answer WebDAV \(PROPFIND\)/);
  });

  it('does not follow a redirect to another host with the password', async () => {
    const url = `${servers.plain!.url}moved/`;
    const err = await caught(new WebDavSource({ url, username: 'ann', password: 'secret' }).list('/'));
    expect(err.code).toBe('bad_input');
    expect(err.message).toMatch(/sends Cartage to another server \(http:\/\/localhost:9\)/);
    expect(err.message).not.toContain('secret');
  });

  it('refuses an address that is not http(s), and moves credentials out of the address', () => {
    expect(() => new WebDavSource({ url: 'ftp://example.com/' })).toThrow(CartageError);
    expect(() => new WebDavSource({ url: 'not a url' })).toThrow(CartageError);
    const src = new WebDavSource({ url: 'http://ann:secret@127.0.0.1:1/share' });
    expect(src.base.href).toBe('http://127.0.0.1:1/share/');
  });
});
