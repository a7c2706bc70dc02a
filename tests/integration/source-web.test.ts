import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { maxNameBytes } from '../../main/core/naming.js';
import { WebSource } from '../../main/core/sources/web.js';
import type { RemoteFile } from '../../main/core/sources/types.js';
import { startApache, type Apache } from '../helpers/apache.js';
import { nginxBinary, startNginx, type Nginx } from '../helpers/nginx.js';
import { freePort, waitForPort } from '../helpers/ports.mjs';
import { readOr } from '../helpers/processes.js';
import { startRclone, type Rclone } from '../helpers/rclone.js';

// A 246-byte name (ext4 allows 255): longer than Cartage's 200-byte limit, so it must be shortened.
const longName = `${'é'.repeat(120)}-long.txt`;
const files: Record<string, string> = {
  'a b.txt': 'hello',
  'ünïcode é.jpg': 'x'.repeat(3000),
  '100% real.bin': 'y'.repeat(1234),
  [longName]: 'long',
  'sub/Deep one.txt': '1',
  'sub/inner/deep two.txt': '22',
  'sub/inner/third/DEEP three.txt': '333',
  'sub/inner/third/other.txt': '4444',
};
const bigCount = 20_000;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-index-'));
const stops: (() => Promise<void>)[] = [];
const servers: Record<string, string> = {};
let nginx: Nginx;

beforeAll(async () => {
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), body);
  }
  fs.mkdirSync(path.join(root, 'big'));
  for (let i = 0; i < bigCount; i += 1) fs.writeFileSync(path.join(root, 'big', `file-${String(i).padStart(5, '0')}.bin`), i % 7 === 0 ? 'ab' : '');
  const [ng, json, apache, fancy, rclone, python] = await Promise.all([
    startNginx(root),
    startNginxJson(root),
    startApache(root),
    startApache(root, { fancy: true }),
    startRclone('http', root),
    startPython(root),
  ]);
  nginx = ng;
  servers['nginx-html'] = `http://127.0.0.1:${ng.port}/`;
  servers['nginx-json'] = json.base;
  servers.apache = `http://127.0.0.1:${(apache as Apache).port}/`;
  servers['apache-fancy'] = `http://127.0.0.1:${(fancy as Apache).port}/`;
  servers.rclone = (rclone as Rclone).base;
  servers.python = python.base;
  stops.push(ng.stop, json.stop, apache.stop, fancy.stop, rclone.stop, python.stop);
});

afterAll(async () => {
  await Promise.all(stops.map((s) => s()));
  fs.rmSync(root, { recursive: true, force: true });
});

const formats = ['nginx-html', 'nginx-json', 'apache', 'apache-fancy', 'rclone', 'python'];

describe.each(formats)('a %s listing', (format) => {
  it('lists files with their names and exact sizes, and sub-folders as folders', async () => {
    const source = new WebSource({ url: servers[format]! });
    const listing = await source.list('');
    const byName = new Map(listing.files.map((f) => [f.name, f]));
    expect(listing.files).toHaveLength(4);
    expect(listing.folders.map((f) => f.path).sort()).toEqual(['big', 'sub']);
    expect(byName.get('a b.txt')).toMatchObject({ size: 5, group: 'other', folder: '', access: { downloadable: true } });
    expect(byName.get('ünïcode é.jpg')).toMatchObject({ size: 3000, group: 'image' });
    expect(byName.get('100% real.bin')).toMatchObject({ size: 1234 });
    const long = listing.files.find((f) => f.name.startsWith('éé'))!;
    expect(Buffer.byteLength(long.name)).toBeLessThanOrEqual(maxNameBytes);
    expect(long.name).toMatch(/\.txt$/);
    expect(long.size).toBe(4);
    // The id is a URL that fetches exactly that file.
    const res = await fetch(byName.get('100% real.bin')!.id);
    expect((await res.text()).length).toBe(1234);
    for (const f of listing.files) expect(f.modified?.getUTCFullYear()).toBe(new Date().getUTCFullYear());
  });

  it('summarises a folder with its count and total size', async () => {
    const source = new WebSource({ url: servers[format]! });
    expect(await source.summary('sub/inner/third')).toEqual({ folder: 'sub/inner/third', files: 2, bytes: 7, unknownSizes: 0 });
  });

  it('finds files across three levels of sub-folders, case-insensitively', async () => {
    const source = new WebSource({ url: servers[format]! });
    const found: RemoteFile[] = [];
    for await (const f of source.query('deep')) found.push(f);
    expect(found.map((f) => `${f.folder}/${f.name}`).sort()).toEqual(
      ['sub/Deep one.txt', 'sub/inner/deep two.txt', 'sub/inner/third/DEEP three.txt'].sort(),
    );
    expect(found.map((f) => f.size).sort()).toEqual([1, 2, 3]);
  });
});

describe.each(['nginx-html', 'nginx-json'])('a %s folder of 20,000 files', (format) => {
  it('lists every entry with its size from the listing alone', async () => {
    const before = nginx.log().length;
    const source = new WebSource({ url: servers[format]! });
    const summary = await source.summary('big');
    expect(summary).toEqual({ folder: 'big', files: bigCount, bytes: 2 * Math.ceil(bigCount / 7), unknownSizes: 0 });
    if (format === 'nginx-html') await vi.waitFor(() => expect(nginx.log().length - before).toBe(1), { timeout: 10_000 }); // one GET, no HEADs
  });
});

describe('what is not a listing', () => {
  let fake: http.Server;
  let fakeBase = '';
  beforeAll(async () => {
    fake = http.createServer((req, res) => {
      if (req.url === '/page/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><head><title>Welcome</title></head><body><a href="x.zip">x</a></body></html>');
      } else if (req.url === '/empty/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end();
      } else {
        res.writeHead(404);
        res.end('no');
      }
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    fakeBase = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => fake.close(() => r())));

  it('refuses an ordinary web page with a sentence that says so', async () => {
    const source = new WebSource({ url: `${fakeBase}page/` });
    await expect(source.list('')).rejects.toMatchObject({
      code: 'bad_input',
      message: `${fakeBase}page/ is not a folder listing Cartage can read (it looks like an ordinary web page); open it in the browser, or give the address of a folder.`,
    });
  });

  it('refuses an empty page', async () => {
    await expect(new WebSource({ url: `${fakeBase}empty/` }).list('')).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringContaining('the server sent an empty page'),
    });
  });

  it('says a missing folder was not found', async () => {
    await expect(new WebSource({ url: servers['nginx-html']! }).list('no such folder')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('was not found (404)'),
    });
  });

  it('says a server that is down refused the connection', async () => {
    const port = await freePort();
    await expect(new WebSource({ url: `http://127.0.0.1:${port}/files/` }).list('')).rejects.toMatchObject({
      code: 'network',
      message: expect.stringContaining('refused the connection'),
    });
  });

  it('refuses a folder path that climbs out with ..', async () => {
    await expect(new WebSource({ url: servers['nginx-html']! }).list('sub/../..')).rejects.toMatchObject({ code: 'bad_input' });
  });

  it('sends credentials from the address as a header and resolves files with them', async () => {
    const source = new WebSource({ url: servers['nginx-html']!.replace('http://', 'http://me:s3cret@') });
    const { files } = await source.list('');
    expect(files[0]!.id).not.toContain('s3cret');
    const resolved = await source.resolve(files[0]!);
    expect(resolved.headers.authorization).toBe(`Basic ${Buffer.from('me:s3cret').toString('base64')}`);
  });
});

/** nginx with `autoindex_format json` (the shared helper serves HTML listings). */
async function startNginxJson(dir: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-nginx-json-'));
  const conf = path.join(prefix, 'nginx.conf');
  // Another process can take the free port before nginx binds it: then try another, as tests/helpers/nginx.ts does.
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    fs.writeFileSync(
      conf,
      `${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off; master_process off; worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${port}; root ${dir}; location / { autoindex on; autoindex_format json; } }
}
`,
    );
    const child = spawn(nginxBinary(), ['-p', prefix, '-e', `${prefix}/error.log`, '-c', conf], { stdio: 'ignore' });
    if (await waitForPort(port, child)) return { base: `http://127.0.0.1:${port}/`, stop: () => stopChild(child, prefix) };
    child.kill('SIGKILL');
    if (!/Address already in use/.test(readOr(`${prefix}/error.log`))) throw new Error(`nginx (json) did not start: ${readOr(`${prefix}/error.log`)}`);
  }
  throw new Error('nginx (json) could not find a free port');
}

/** python3 -m http.server on port 0: it binds a free port itself and prints it ("Serving HTTP on 127.0.0.1 port N"). */
async function startPython(dir: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / port (\d+) /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`python3 -m http.server did not start (exit ${code}): ${out}`)));
  });
  return { base: `http://127.0.0.1:${port}/`, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess, dir?: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
