// A researcher takes a Synapse project home, in Chromium against `cartage serve` and a fake Synapse
// whose every request and answer is checked against Synapse's OpenAPI description: add the source
// with a personal access token, browse a project (each folder's count and size from Synapse), add a
// folder (its restricted files stay, with a way to request access), import the Synapse download
// list, check out one zip that unzip accepts, and see the delivered file leave the list on Synapse.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, stopServe } from '../helpers/cartage-serve.js';
import { hasChromium, openServedPage } from '../helpers/chromium.js';
import { studyLibrary } from '../helpers/synapse-library.js';
import { startSynapse, type FakeSynapse } from '../helpers/synapse-server.js';

describe.skipIf(!hasChromium)('Synapse in Chromium against cartage serve', { timeout: 60_000 }, () => {
  let temp: string;
  let saved: string;
  let fake: FakeSynapse;
  let cartage: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const views = () => page.getByRole('navigation', { name: 'Views' });
  const notice = (text: string | RegExp): Locator => page.getByRole('status').filter({ hasText: text });
  const cartEntries = (): Locator => page.getByRole('list', { name: 'Files in the download list' }).getByRole('listitem');
  const goTo = async (view: string | RegExp) => {
    await views().getByRole('button', { name: view }).click();
    await expect.poll(() => views().getByRole('button', { name: view }).getAttribute('aria-current')).toBe('page');
  };

  beforeAll(async () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-e2e-syn-'));
    saved = path.join(temp, 'Research');
    fs.mkdirSync(saved);
    const lib = studyLibrary();
    lib.downloadList = [{ fileEntityId: 'syn121', versionNumber: 1, addedOn: '2025-06-01T10:00:00.000Z' }];
    fake = await startSynapse(lib);
    cartage = await serve(path.join(temp, 'data'));
    ({ browser, page } = await openServedPage(cartage.url, problems));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (cartage) await stopServe(cartage.child);
    if (fake) {
      expect(fake.violations()).toEqual([]);
      await fake.stop();
    }
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it('takes a project home: browse, add a folder, import the Synapse list, one zip, and the list on Synapse tidied', async () => {
    await goTo('Sources');
    await page.getByRole('button', { name: 'Add a source' }).click();
    await page.getByRole('radio', { name: 'Synapse' }).check();
    await page.getByRole('textbox', { name: /^Address/ }).fill(fake.url);
    await page.getByLabel(/^Personal access token/).fill(fake.token);
    await page.getByRole('textbox', { name: /^Name/ }).fill('syn');
    await page.getByRole('button', { name: 'Connect' }).click();
    await notice('Connected to syn as ada.').waitFor();

    await page.getByRole('button', { name: 'Browse syn' }).click();
    await page.getByRole('button', { name: 'Open Heart Study' }).click();
    const raw = page.locator('.entry.folder').filter({ has: page.getByRole('button', { name: 'Open Raw data' }) });
    await expect.poll(() => raw.textContent()).toContain('6 files, 550 kB');
    await page.getByRole('button', { name: 'Add folder Raw data' }).click();
    await notice(/Added 6 files; 4 cannot be downloaded/).waitFor();

    await goTo(/^Download list/);
    await expect.poll(() => cartEntries().count()).toBe(6);
    const genomes = cartEntries().filter({ hasText: 'genomes.vcf' });
    await genomes.getByText(/access requirement \(9605690\) you have not met yet/).waitFor();
    await genomes.getByRole('button', { name: 'Request access for genomes.vcf' }).waitFor();

    await page.getByRole('button', { name: 'Import the Synapse list of syn' }).click();
    await notice(/Added 1 file/).waitFor();
    await expect.poll(() => cartEntries().count()).toBe(7);

    await page.getByRole('button', { name: 'Download…', exact: true }).click();
    const checkout = page.getByRole('form', { name: 'Download' });
    await checkout.getByRole('radio', { name: 'One zip file' }).check();
    await checkout.getByRole('textbox', { name: /^Name of the zip file/ }).fill('Heart');
    await checkout.getByRole('textbox', { name: /^Save in/ }).fill(saved);
    await expect.poll(() => checkout.locator('.plan-summary').textContent()).toMatch(/^3 files, /);
    await page.getByRole('button', { name: 'Start download' }).click();
    const card = page.getByRole('article', { name: 'Heart.zip' });
    await card.getByText(/saved to/).waitFor({ timeout: 30_000 });
    await expect.poll(() => card.textContent()).toContain('3 of 3 files done');

    const zip = path.join(saved, 'Heart.zip');
    const test = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(test.stdout).toMatch(/No errors detected/);
    const out = path.join(temp, 'unzipped');
    spawnSync('unzip', ['-q', zip, '-d', out]);
    for (const [id, name] of [['syn111', 'ecg-001.csv'], ['syn112', 'ecg-002.csv'], ['syn121', 'later.csv']]) {
      expect(createHash('md5').update(fs.readFileSync(path.join(out, name!))).digest('hex')).toBe(fake.library.entities.get(id!)!.md5);
    }
    // The restricted files stay in the list; the delivered file left the list on Synapse.
    await goTo(/^Download list/);
    await expect.poll(() => cartEntries().count()).toBe(4);
    await expect.poll(() => fake.library.downloadList.length).toBe(0);
    expect(problems).toEqual([]);
  });
});
