import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartage } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';
import { AR_ID, studyLibrary } from '../helpers/synapse-library.js';
import { makeToken, startSynapse, type FakeSynapse } from '../helpers/synapse-server.js';

let fake: FakeSynapse;
const viewOnly = makeToken(['view']);
const expired = makeToken(['view', 'download'], Math.floor(Date.now() / 1000) - 3600);
const revoked = { ...makeToken(), revoked: true };

beforeAll(async () => {
  fake = await startSynapse(studyLibrary(), { tokens: [makeToken(), viewOnly, expired, revoked] });
});
afterAll(async () => {
  expect(fake.violations()).toEqual([]);
  await fake.stop();
});

const add = (data: string, token: string, ...extra: string[]) =>
  cartage(['source', 'add', 'synapse', fake.url, '--token-env', 'SYN_TOKEN', '--name', 'syn', ...extra, '--data-dir', data], { env: { SYN_TOKEN: token } });

describe('a Synapse source', () => {
  const data = tempDir();

  it('is added with a personal access token, checked with the server, and kept in the secret store only', async () => {
    const r = await add(data, fake.token);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Added the source "syn"');
    expect(r.stdout).toContain('signed in as ada');
    expect(fake.requests().some((q) => q.path === '/repo/v1/userProfile' && q.authorization === `Bearer ${fake.token}`)).toBe(true);
    const db = fs.readFileSync(path.join(data, 'cartage.db'));
    expect(db.includes(Buffer.from(fake.token))).toBe(false);
    expect(fs.readFileSync(path.join(data, 'secrets.json'), 'utf8')).toContain(fake.token);
  });

  it('lists the projects, then a project with each folder’s count and total size from the server', async () => {
    const top = await cartage(['ls', 'syn', '--data-dir', data]);
    expect(top.stdout).toMatch(/Heart Study\/\s+->\s+syn:syn100$/m);
    expect(top.stdout).toMatch(/Shared Atlas\/\s+->\s+syn:syn200/);
    const project = await cartage(['ls', 'syn:syn100', '--json', '--data-dir', data]);
    const listing = JSON.parse(project.stdout) as { folders: { name: string; path: string; count: number; bytes: number }[] };
    expect(listing.folders).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Raw data', path: 'syn100/Raw data', count: 6, bytes: 550_008 }), expect.objectContaining({ name: 'All ECGs', path: 'syn100/All ECGs' })]),
    );
    const counted = fake.requests().filter((q) => q.path === '/repo/v1/entity/children' && (q.body as { includeSumFileSizes?: boolean }).includeSumFileSizes);
    expect(counted.map((q) => (q.body as { parentId: string }).parentId)).toContain('syn110');
  });

  it('lists a folder’s files with sizes, and says why some cannot be downloaded', async () => {
    const before = fake.requests().length;
    const r = await cartage(['ls', 'syn:syn100/Raw data', '--json', '--data-dir', data]);
    // Restrictions and file handles are asked for in batches, not file by file.
    const asked = fake.requests().slice(before).map((q) => q.path);
    expect(asked.filter((p) => p.startsWith('/repo/v1/restrictionInformation'))).toEqual(['/repo/v1/restrictionInformation/batch']);
    expect(asked.filter((p) => p === '/file/v1/fileHandle/batch')).toHaveLength(1);
    expect(r.stderr).toBe('');
    const files = (JSON.parse(r.stdout) as { files: { name: string; size: number | null; restriction: string | null; reason: string | null; href: string }[] }).files;
    const by = Object.fromEntries(files.map((f) => [f.name, f]));
    expect(by['ecg-001.csv']).toMatchObject({ size: 300_000, restriction: null });
    expect(by['genomes.vcf']).toMatchObject({ restriction: 'access_requirement', href: `https://www.synapse.org/#!AccessRequirement:AR_ID=${AR_ID}&TYPE=ENTITY&ID=syn113` });
    expect(by['genomes.vcf']!.reason).toMatch(/access requirement \(9605690\) you have not met yet: request access/);
    expect(by['paper.html']).toMatchObject({ restriction: 'external_link' });
    expect(by['scans.tar']).toMatchObject({ restriction: 'unsupported_protocol' });
    expect(by['scans.tar']!.reason).toMatch(/SFTP server \(sftp.example.org\).*cannot be downloaded in bulk/);
    expect(by['notes.txt']).toMatchObject({ restriction: 'not_allowed' });
  });

  it('sums a folder with one request to the server', async () => {
    const before = fake.requests().length;
    const r = await cartage(['summary', 'syn:syn100/Raw data', '--json', '--data-dir', data]);
    expect(JSON.parse(r.stdout)).toEqual({ folder: 'syn100/Raw data', files: 6, bytes: 550_008, unknownSizes: 0 });
    const children = fake.requests().slice(before).filter((q) => q.path === '/repo/v1/entity/children' && (q.body as { includeTotalChildCount?: boolean }).includeTotalChildCount);
    expect(children).toHaveLength(1);
  });

  it('downloads a file by its id, and a folder’s own files, with cartage get', async () => {
    const dir = tempDir();
    const r = await cartage(['get', 'syn:syn111', 'syn:syn100/Raw data/Later', '--dir', dir, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['ecg-001.csv', 'later.csv']);
    expect(createHash('md5').update(fs.readFileSync(path.join(dir, 'ecg-001.csv'))).digest('hex')).toBe(fake.library.entities.get('syn111')!.md5);
  });

  it('says so when a syn id does not exist', async () => {
    const r = await cartage(['ls', 'syn:syn404', '--data-dir', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('There is no syn404 on Synapse, or it was deleted');
  });
});

describe('a Synapse token that will not do', () => {
  it.each([
    ['a wrong token', 'not-a-token', /not a Synapse personal access token.*--token-file or --token-env/],
    ['a revoked token', revoked.token, /refused the access token \(401: Invalid access token\): it is wrong, revoked or expired/],
    ['an expired token', expired.token, /expired on \d{4}-\d\d-\d\d: create a new one/],
    ['a token without the download permission', viewOnly.token, /lacks the download permission.*View and Download/],
  ])('refuses %s in a sentence, and keeps nothing', async (_what, token, sentence) => {
    const data = tempDir();
    const r = await add(data, token);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(sentence);
    expect(JSON.parse((await cartage(['source', 'ls', '--json', '--data-dir', data])).stdout)).toEqual({ sources: [] });
    expect(fs.existsSync(path.join(data, 'secrets.json')) ? fs.readFileSync(path.join(data, 'secrets.json'), 'utf8') : '').not.toContain(token);
  });
});
