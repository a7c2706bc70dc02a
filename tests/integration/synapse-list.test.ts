import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynapseSource } from '../../main/core/sources/synapse.js';
import { cartage } from '../helpers/cli.js';
import { bytes, tempDir, testCores } from '../helpers/core.js';
import { AR_ID, studyLibrary } from '../helpers/synapse-library.js';
import { startSynapse, type FakeSynapse } from '../helpers/synapse-server.js';

let fake: FakeSynapse;
let stuck: FakeSynapse;

beforeAll(async () => {
  const lib = studyLibrary();
  lib.add({ id: 'syn151', name: 'bad.csv', type: 'file', parentId: 'syn110', content: bytes(10_000, 5), md5: '0123456789abcdef0123456789abcdef' });
  const addedOn = '2025-06-01T10:00:00.000Z';
  lib.downloadList = ['syn111', 'syn112', 'syn113', 'syn114', 'syn151'].map((id) => ({ fileEntityId: id, versionNumber: 1, addedOn }));
  [fake, stuck] = await Promise.all([startSynapse(lib), startSynapse(studyLibrary(), { jobPolls: Infinity })]);
});
afterAll(async () => {
  expect(fake.violations()).toEqual([]);
  expect(stuck.violations()).toEqual([]);
  await Promise.all([fake.stop(), stuck.stop()]);
});

const onServerList = (): string[] => fake.library.downloadList.map((i) => i.fileEntityId).sort();

describe('the Synapse download list', () => {
  const data = tempDir();

  it('comes into the Cartage list with Synapse’s flags, and says what the files left on Synapse wait for', async () => {
    const add = await cartage(['source', 'add', 'synapse', fake.url, '--token-env', 'T', '--name', 'syn', '--data-dir', data], { env: { T: fake.token } });
    expect(add.code).toBe(0);
    const r = await cartage(['cart', 'import', 'syn', '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Added 4 files; 1 cannot be downloaded');
    expect(r.stdout).toContain(`On Synapse, still waiting: 1 file needs access requirement ${AR_ID} met (request access at https://www.synapse.org/#!AccessRequirement:AR_ID=${AR_ID})`);
    // The list query is an asynchronous job, polled past its 202.
    expect(fake.requests().some((q) => q.path.startsWith('/repo/v1/download/list/query/async/get/') && q.status === 202)).toBe(true);
    const items = (JSON.parse((await cartage(['cart', 'ls', '--json', '--data-dir', data])).stdout) as { items: { name: string; access: { restriction: string | null } }[] }).items;
    expect(items.map((i) => [i.name, i.access.restriction])).toEqual([
      ['ecg-001.csv', null],
      ['ecg-002.csv', null],
      ['paper.html', 'external_link'],
      ['bad.csv', null],
    ]);
    expect(onServerList()).toEqual(['syn111', 'syn112', 'syn113', 'syn114', 'syn151']);
  });

  it('loses, on Synapse, the files Cartage delivered and verified, and only those', async () => {
    const dir = tempDir();
    const r = await cartage(['checkout', '--files', '--dir', dir, '--yes', '--data-dir', data]);
    expect(r.code).toBe(1); // bad.csv failed its MD5
    expect(fs.readdirSync(dir).sort()).toEqual(['ecg-001.csv', 'ecg-002.csv']);
    expect(fs.existsSync(path.join(dir, 'bad.csv'))).toBe(false);
    // Delivered: gone from Synapse's list. Failed, not fetched or waiting for access: still there.
    expect(onServerList()).toEqual(['syn113', 'syn114', 'syn151']);
  });

  it('stays as it is on Synapse when the setting is off', async () => {
    const cores = testCores();
    const core = cores.make({ synapseRemoveDelivered: false });
    await core.sources.add({ kind: 'synapse', url: fake.url, token: fake.token, name: 'syn' });
    fake.library.downloadList.push({ fileEntityId: 'syn121', versionNumber: 1, addedOn: '2025-06-02T10:00:00.000Z' });
    await core.cart.add(['syn:syn121']);
    core.startEngine();
    const { deliveryId } = core.checkout({ kind: 'files', dir: tempDir(), layout: 'flat' });
    expect(await core.deliveries.whenSettled(deliveryId)).toMatchObject({ state: 'completed' });
    await cores.closeAll();
    expect(onServerList()).toContain('syn121');
  });

  it('gives up on a job that does not finish, after a bounded time, polling less and less often', async () => {
    const source = new SynapseSource({ url: stuck.url, token: () => Promise.resolve(stuck.token), polling: { timeoutMs: 400, firstDelayMs: 10, maxDelayMs: 80 } });
    await expect(source.downloadList()).rejects.toThrow('Synapse did not finish reading your download list within 400 ms (it was still working on it); nothing was changed. Try again later.');
    const polls = stuck.requests().filter((q) => q.path.startsWith('/repo/v1/download/list/query/async/get/'));
    expect(polls.length).toBeGreaterThan(2);
    expect(polls.length).toBeLessThan(12);
  });
});
