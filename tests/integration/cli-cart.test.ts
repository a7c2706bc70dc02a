import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartage } from '../helpers/cli.js';
import { bytes, listDir, tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'album'));
  for (let i = 1; i <= 3; i += 1) fs.writeFileSync(path.join(root, 'album', `IMG_000${i}.JPG`), bytes(20_000 * i, i));
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx.stop();
});

describe('cartage cart, checkout and deliveries', () => {
  const data = tempDir();

  it('collects a folder, shows the list, removes an entry', async () => {
    const add = await cartage(['cart', 'add', nginx.url('album/'), '--data-dir', data]);
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('Added 3 files.\n');
    const again = await cartage(['cart', 'add', nginx.url('album/IMG_0001.JPG'), '--data-dir', data]);
    expect(again.stdout).toBe('Nothing new was added; 1 file was already in the list.\n');
    const ls = JSON.parse((await cartage(['cart', 'ls', '--json', '--data-dir', data])).stdout) as { items: { id: number; name: string }[]; totals: { files: number; bytes: number } };
    expect(ls.totals).toMatchObject({ files: 3, bytes: 120_000 });
    const third = ls.items.find((i) => i.name === 'IMG_0003.JPG')!;
    const rm = await cartage(['cart', 'rm', String(third.id), '--data-dir', data]);
    expect(rm.stdout).toBe('Removed 1 entry from the list.\n');
    const text = await cartage(['cart', 'ls', '--data-dir', data]);
    expect(text.stdout).toMatch(/^2 of 100 places used, 60 kB; 2 will be downloaded\.$/m);
  });

  it('asks before checking out, and without a terminal says to add --yes; nothing changes', async () => {
    const dir = tempDir();
    const r = await cartage(['checkout', '--zip', 'Album', '--dir', dir, '--data-dir', data]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^Check out 2 files, 60 kB, into .*Album\.zip; .* free there\.$/m);
    expect(r.stderr).toContain('Add --yes');
    expect(listDir(dir)).toEqual([]);
    expect(JSON.parse((await cartage(['cart', 'ls', '--json', '--data-dir', data])).stdout).totals.files).toBe(2);
  });

  it('checks out as one zip, downloads it, and reports the delivery', async () => {
    const dir = tempDir();
    const r = await cartage(['checkout', '--zip', 'Album', '--dir', dir, '--yes', '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`saved to ${path.join(dir, 'Album.zip')}`);
    expect(listDir(dir)).toEqual(['Album.zip']);
    expect(execFileSync('unzip', ['-Z1', path.join(dir, 'Album.zip')]).toString().split('\n').filter(Boolean).sort()).toEqual(['IMG_0001.JPG', 'IMG_0002.JPG']);
    execFileSync('unzip', ['-tq', path.join(dir, 'Album.zip')]);
    const list = JSON.parse((await cartage(['deliveries', '--json', '--data-dir', data])).stdout) as { deliveries: { state: string; target: string; progress: { done: number } }[] };
    expect(list.deliveries).toEqual([expect.objectContaining({ state: 'completed', target: path.join(dir, 'Album.zip'), progress: expect.objectContaining({ done: 2 }) })]);
    expect((await cartage(['cart', 'ls', '--data-dir', data])).stdout).toContain('The download list is empty');
    // Every file arrived: nothing to put back, and the list stays empty.
    const back = await cartage(['cart', 'put-back', '1', '--data-dir', data]);
    expect(back.stderr).toContain('Every file of "Album.zip" arrived; there is nothing to put back on the list.');
    expect(back.code).not.toBe(0);
    expect((await cartage(['cart', 'ls', '--data-dir', data])).stdout).toContain('The download list is empty');
  });

  it('says which delivery to put back, in one sentence', async () => {
    const none = await cartage(['cart', 'put-back', '--data-dir', data]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Give the number of one delivery (see "cartage deliveries").');
    const missing = await cartage(['cart', 'put-back', '99', '--data-dir', data]);
    expect(missing.stderr).toContain('There is no delivery 99');
  });

  it('refuses bad checkout options with one sentence', async () => {
    const both = await cartage(['checkout', '--zip', 'A', '--files', '--dir', tempDir(), '--data-dir', data]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Choose one: --zip NAME');
    const layout = await cartage(['checkout', '--files', '--dir', tempDir(), '--layout', 'random', '--data-dir', data]);
    expect(layout.code).toBe(2);
    expect(layout.stderr).toContain('--layout is flat, folders or date');
    const empty = await cartage(['checkout', '--files', '--dir', tempDir(), '--yes', '--data-dir', data]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('The download list is empty');
  });
});
