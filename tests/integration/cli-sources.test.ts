import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartage } from '../helpers/cli.js';
import { bytes, listDir, tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { startRcloneWebdav, type TestServer } from '../helpers/webdav-servers.js';

let nginx: Nginx;
let dav: TestServer;
const root = tempDir('cartage-www-');
const photo = bytes(40_000, 7);
const clip = bytes(90_000, 8);
const password = 'dav-secret-9f2c';

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'trip', 'day 2'), { recursive: true });
  fs.writeFileSync(path.join(root, 'trip', 'photo.jpg'), photo);
  fs.writeFileSync(path.join(root, 'trip', 'clip.mp4'), clip);
  fs.writeFileSync(path.join(root, 'trip', 'day 2', 'later.jpg'), bytes(1000, 9));
  fs.writeFileSync(path.join(root, 'readme.txt'), 'hello');
  [nginx, dav] = await Promise.all([startNginx(root), startRcloneWebdav(root, { user: 'ann', pass: password })]);
});
afterAll(async () => {
  await Promise.all([nginx.stop(), dav.stop()]);
});

describe('cartage source, ls, summary, search and get with a web folder', () => {
  const data = tempDir();

  it('adds a web folder, lists it, and keeps it for later commands', async () => {
    const add = await cartage(['source', 'add', 'web', nginx.url(''), '--name', 'www', '--data-dir', data]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('Added the source "www"');
    const ls = await cartage(['source', 'ls', '--json', '--data-dir', data]);
    expect(JSON.parse(ls.stdout)).toEqual({ sources: [expect.objectContaining({ name: 'www', kind: 'web', url: nginx.url('') })] });
  });

  it('lists a folder: sub-folders, then files with sizes', async () => {
    const r = await cartage(['ls', 'www:trip', '--data-dir', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/folder .*day 2\/ +-> +www:trip\/day 2/);
    expect(r.stdout).toMatch(/40 kB .*photo\.jpg/);
    expect(r.stdout).toMatch(/^1 folder, 2 files, 130 kB$/m);
    const json = JSON.parse((await cartage(['ls', 'www:trip', '--json', '--data-dir', data])).stdout) as { files: { name: string; size: number }[] };
    expect(json.files.map((f) => [f.name, f.size]).sort()).toEqual([
      ['clip.mp4', 90_000],
      ['photo.jpg', 40_000],
    ]);
  });

  it('summarises a folder without its sub-folders', async () => {
    const r = await cartage(['summary', 'www:trip', '--json', '--data-dir', data]);
    expect(JSON.parse(r.stdout)).toEqual({ folder: 'trip', files: 2, bytes: 130_000, unknownSizes: 0 });
  });

  it('searches by name across sub-folders', async () => {
    const r = await cartage(['search', 'www', '--name', 'later', '--json', '--data-dir', data]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { files: { name: string; folder: string }[]; summary: { files: number } };
    expect(out.files.map((f) => `${f.folder}/${f.name}`)).toEqual(['trip/day 2/later.jpg']);
    const bad = await cartage(['search', 'www', '--type', 'video', '--data-dir', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('searched by name only');
  });

  it('gets the files directly in a folder, not those of its sub-folders', async () => {
    const dir = tempDir();
    const r = await cartage(['get', 'www:trip', '--dir', dir, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(listDir(dir)).toEqual(['clip.mp4', 'photo.jpg']);
    expect(fs.readFileSync(path.join(dir, 'clip.mp4')).equals(clip)).toBe(true);
  });

  it('gets one file by its path in the source', async () => {
    const dir = tempDir();
    const r = await cartage(['get', 'www:trip/day 2/later.jpg', '--dir', dir, '--data-dir', data]);
    expect(r.code).toBe(0);
    expect(listDir(dir)).toEqual(['later.jpg']);
  });

  it('says clearly what is wrong with a reference, and exits 2', async () => {
    const none = await cartage(['ls', 'nosuch', '--data-dir', data]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('There is no source called "nosuch"; the sources are www.');
    const missing = await cartage(['ls', 'www:trip/nope', '--data-dir', data]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('There is no file or folder "nope" in "trip"');
    const dup = await cartage(['source', 'add', 'web', nginx.url(''), '--name', 'WWW', '--data-dir', data]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('There is already a source called "WWW"');
  });

  it('saves nothing when the folder is not a listing or the server is down', async () => {
    const fresh = tempDir();
    const notListing = await cartage(['source', 'add', 'web', nginx.url('readme.txt'), '--data-dir', fresh]);
    expect(notListing.code).not.toBe(0);
    expect(notListing.stderr).toMatch(/cartage: /);
    const down = await cartage(['source', 'add', 'web', 'http://127.0.0.1:9/', '--data-dir', fresh]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('refused the connection');
    expect(JSON.parse((await cartage(['source', 'ls', '--json', '--data-dir', fresh])).stdout)).toEqual({ sources: [] });
  });
});

describe('a WebDAV share with a password', () => {
  it('keeps the password in the secret store only, and downloads with it', async () => {
    const data = tempDir();
    const add = await cartage(['source', 'add', 'webdav', dav.url, '--name', 'nas', '--user', 'ann', '--password-env', 'NAS_PW', '--data-dir', data], {
      env: { NAS_PW: password },
    });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const dir = tempDir();
    const get = await cartage(['get', 'nas:trip', '--dir', dir, '--data-dir', data]);
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'photo.jpg')).equals(photo)).toBe(true);
    // The password is in the 0600 secret store, and in no other file of the data folder.
    for (const name of fs.readdirSync(data, { recursive: true }) as string[]) {
      const file = path.join(data, name);
      if (!fs.statSync(file).isFile()) continue;
      const text = fs.readFileSync(file).toString('latin1');
      expect(text.includes(password), name).toBe(name === 'secrets.json');
    }
    expect(fs.statSync(path.join(data, 'secrets.json')).mode & 0o777).toBe(0o600);
    const rm = await cartage(['source', 'rm', 'nas', '--data-dir', data]);
    expect(rm.code).toBe(0);
    expect(fs.readFileSync(path.join(data, 'secrets.json'), 'utf8')).not.toContain(password);
  });

  it('refuses a wrong password, a password on the command line, or a missing variable; saves nothing', async () => {
    const data = tempDir();
    const wrong = await cartage(['source', 'add', 'webdav', dav.url, '--user', 'ann', '--password-env', 'PW', '--data-dir', data], { env: { PW: 'nope' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401|sign in|password/i);
    const inline = await cartage(['source', 'add', 'webdav', dav.url, '--user', 'ann', '--password', password, '--data-dir', data]);
    expect(inline.code).toBe(2);
    const unset = await cartage(['source', 'add', 'webdav', dav.url, '--user', 'ann', '--password-env', 'UNSET_VAR_X', '--data-dir', data]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('The environment variable UNSET_VAR_X is not set');
    expect(JSON.parse((await cartage(['source', 'ls', '--json', '--data-dir', data])).stdout)).toEqual({ sources: [] });
    expect(fs.existsSync(path.join(data, 'secrets.json'))).toBe(false);
  });
});
