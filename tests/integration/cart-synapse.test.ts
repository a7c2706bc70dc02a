import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/core.js';
import { bytes, tempDir, testCores } from '../helpers/core.js';
import { studyLibrary } from '../helpers/synapse-library.js';
import { startSynapse, type FakeSynapse } from '../helpers/synapse-server.js';

let fake: FakeSynapse;
const cores = testCores();

beforeAll(async () => {
  const lib = studyLibrary();
  lib.add({ id: 'syn140', name: 'Big', type: 'folder', parentId: 'syn100' });
  lib.add({ id: 'syn141', name: 'big.bin', type: 'file', parentId: 'syn140', content: bytes(3_000_000, 9) });
  lib.add({ id: 'syn150', name: 'Corrupt', type: 'folder', parentId: 'syn100' });
  lib.add({ id: 'syn151', name: 'bad.csv', type: 'file', parentId: 'syn150', content: bytes(10_000, 5), md5: '0123456789abcdef0123456789abcdef' });
  fake = await startSynapse(lib);
});
afterEach(async () => {
  expect(fake.violations()).toEqual([]);
  await cores.closeAll();
});
afterAll(async () => {
  await fake.stop();
});

async function coreWithSynapse(settings = {}): Promise<Core> {
  const core = cores.make(settings);
  await core.sources.add({ kind: 'synapse', url: fake.url, token: fake.token, name: 'syn' });
  return core;
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

describe('the download list with a Synapse project', () => {
  it('takes a folder (not its sub-folder) and checks it out as a zip unzip accepts: MD5s verified, restricted files stay with their reasons', async () => {
    const core = await coreWithSynapse();
    const added = await core.cart.add(['syn:syn100/Raw data']);
    expect(added).toMatchObject({ added: 6, restricted: 4 });
    const items = core.cart.view().items;
    expect(items.map((i) => i.name).sort()).toEqual(['ecg-001.csv', 'ecg-002.csv', 'genomes.vcf', 'notes.txt', 'paper.html', 'scans.tar']);
    const genomes = items.find((i) => i.name === 'genomes.vcf')!;
    expect(genomes.access).toMatchObject({ downloadable: false, restriction: 'access_requirement' });
    expect(genomes.href).toBe('https://www.synapse.org/#!AccessRequirement:AR_ID=9605690&TYPE=ENTITY&ID=syn113');
    expect(items.find((i) => i.name === 'ecg-001.csv')!.checksum).toEqual({ algo: 'md5-hex', value: md5(fake.library.entities.get('syn111')!.content!) });

    core.startEngine();
    const dir = tempDir();
    const { deliveryId, plan } = core.checkout({ kind: 'zip', name: 'Heart', dir, layout: 'flat' });
    expect(plan).toMatchObject({ files: 2, bytes: 500_000 });
    expect(await core.deliveries.whenSettled(deliveryId)).toMatchObject({ state: 'completed', progress: { done: 2, failed: 0 } });
    const zip = path.join(dir, 'Heart.zip');
    execFileSync('unzip', ['-tq', zip]);
    const out = tempDir();
    execFileSync('unzip', ['-q', zip, '-d', out]);
    expect(md5(fs.readFileSync(path.join(out, 'ecg-001.csv')))).toBe(fake.library.entities.get('syn111')!.md5);
    expect(core.queue.page().every((t) => t.checksumAlgo === 'md5-hex' && t.state === 'completed')).toBe(true);
    expect(core.cart.view().items.map((i) => i.name).sort()).toEqual(['genomes.vcf', 'notes.txt', 'paper.html', 'scans.tar']);
    // Pre-signed URLs were asked for at request time and never stored; no token went to the storage host.
    expect(fs.readFileSync(path.join(core.options.dataDir, 'cartage.db')).includes('X-Amz-Signature')).toBe(false);
    expect(fake.storage.requests().every((r) => r.authorization === null)).toBe(true);
  });

  it('resumes with a Range request after the pre-signed URL expired mid-download (a 403 from the storage host)', async () => {
    const core = await coreWithSynapse();
    await core.cart.add(['syn:syn141']);
    const handle = fake.library.entities.get('syn141')!.fileHandleId!;
    fake.storage.cutOnce(handle, 1_000_000, true);
    core.startEngine();
    const dir = tempDir();
    const before = fake.storage.requests().length;
    const { deliveryId } = core.checkout({ kind: 'files', dir, layout: 'flat' });
    expect(await core.deliveries.whenSettled(deliveryId)).toMatchObject({ state: 'completed', progress: { done: 1 } });
    const seen = fake.storage.requests().slice(before).filter((r) => r.handleId === handle);
    expect(seen.map((r) => [r.status, r.range])).toEqual([
      [200, null],
      [403, 'bytes=1000000-'],
      [206, 'bytes=1000000-'],
    ]);
    expect(md5(fs.readFileSync(path.join(dir, 'big.bin')))).toBe(fake.library.entities.get('syn141')!.md5);
  });

  it('never puts a file whose MD5 does not match at its final path', async () => {
    const core = await coreWithSynapse();
    await core.cart.add(['syn:syn100/Corrupt']);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'files', dir, layout: 'flat' });
    expect(await core.deliveries.whenSettled(deliveryId)).toMatchObject({ progress: { failed: 1 } });
    const [task] = core.queue.page();
    expect(task).toMatchObject({ state: 'failed', error: { code: 'checksum_mismatch' } });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes every row of a view query, across pages', async () => {
    const core = await coreWithSynapse();
    const r = await core.cart.add(["syn?SELECT * FROM syn130 WHERE name LIKE '%.csv'"]);
    expect(r).toMatchObject({ added: 3, restricted: 0 });
    expect(core.cart.view().items.map((i) => i.name)).toEqual(['ecg-001.csv', 'ecg-002.csv', 'later.csv']);
    const pages = fake.requests().filter((q) => q.path === '/repo/v1/entity/syn130/table/query/async/start');
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.map((q) => (q.body as { query: { sql: string; offset: number } }).query)).toEqual([
      { sql: "SELECT * FROM syn130 WHERE name LIKE '%.csv'", offset: 0, limit: 100 },
      { sql: "SELECT * FROM syn130 WHERE name LIKE '%.csv'", offset: 2, limit: 100 },
    ]);
    expect(fake.requests().some((q) => q.path.startsWith('/repo/v1/entity/syn130/table/query/async/get/') && q.status === 202)).toBe(true);
  });

  it('says a syn id does not exist, and leaves the list as it was', async () => {
    const core = await coreWithSynapse();
    await core.cart.add(['syn:syn121']);
    await expect(core.cart.add(['syn:syn111', 'syn:syn404'])).rejects.toThrow('There is no syn404 on Synapse, or it was deleted (404).');
    await expect(core.cart.add(['syn:syn100/No such folder'])).rejects.toThrow('There is no file or folder "No such folder" in "syn100" of this source.');
    expect(core.cart.view().items.map((i) => i.name)).toEqual(['later.csv']);
  });

  it('refuses a folder over the list’s limit, and leaves the list as it was', async () => {
    const core = await coreWithSynapse({ cartLimit: 3 });
    await core.cart.add(['syn:syn121']);
    const before = fake.requests().length;
    await expect(core.cart.add(['syn:syn100/Raw data'])).rejects.toThrow('"syn:syn100/Raw data" holds 6 files (as its source counts them), but the list has 2 places left of 3: nothing was added.');
    expect(core.cart.view().items.map((i) => i.name)).toEqual(['later.csv']);
    // Refused on Synapse's count: no file of the folder was looked at.
    expect(fake.requests().slice(before).filter((q) => q.path.startsWith('/repo/v1/restrictionInformation') || q.path === '/file/v1/fileHandle/batch')).toEqual([]);
    // A view is not counted ahead: its rows are listed, then counted (later.csv is there already).
    await core.cart.add(['syn:syn121.1']);
    await expect(core.cart.add(['syn:syn100/All ECGs'])).resolves.toMatchObject({ added: 2, alreadyThere: 1 });
  });
});

describe('a mirror of a Synapse folder', () => {
  it('copies the folder and its sub-folders, reports the files it may not fetch with their reasons, then finds nothing new', async () => {
    const core = await coreWithSynapse();
    core.startEngine();
    const dir = tempDir();
    const m = core.mirrors.add({ ref: 'syn:syn110', dir, layout: 'folders', recursive: true });
    const run = async () => core.mirrors.whenDone(await core.mirrors.run(m.id));
    const first = await run();
    expect(first).toMatchObject({ newFiles: 3, failed: 4 });
    expect(first.failures.map((f) => f.name).sort()).toEqual(['genomes.vcf', 'notes.txt', 'paper.html', 'scans.tar']);
    expect(fs.readdirSync(dir).sort()).toEqual(['Later', 'ecg-001.csv', 'ecg-002.csv']);
    expect(md5(fs.readFileSync(path.join(dir, 'Later', 'later.csv')))).toBe(fake.library.entities.get('syn121')!.md5);
    expect(await run()).toMatchObject({ newFiles: 0, changed: 0, unchanged: 3, failed: 4 });
  });
});
