// The whole app end to end in a real browser: Debian's Chromium, driven by Playwright, against the
// built `cartage serve` and a real nginx. A person's afternoon: add a web folder, browse it, drag a
// folder onto the download list, remove one entry, check out as a zip, watch it download, and find
// the zip on disk holding exactly the files left in the list. Each main view is photographed on the
// way, into .reports/screenshots/ (kept by CI) and, with UPDATE_SCREENSHOTS=1, into docs/screenshots/
// (shown in README.md). The page is only ever waited on, never slept on; any console error fails.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, stopServe } from '../helpers/cartage-serve.js';
import { hasChromium, noChromium as skipReason, openServedPage } from '../helpers/chromium.js';
import { projectRoot } from '../helpers/cli.js';
import { startImmich, type FakeImmich } from '../helpers/immich-server.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

if (!hasChromium) console.warn(`tests/e2e/browser.test.ts ${skipReason}.`);

const reportShots = path.join(projectRoot, '.reports', 'screenshots');
const docsShots = path.join(projectRoot, 'docs', 'screenshots');
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';

/** The photos on the web folder: a few hundred KB of random bytes each, so a corrupt byte shows. */
const photos = ['IMG_0001.JPG', 'IMG_0002.JPG', 'IMG_0003.JPG', 'IMG_0004.JPG'];
const removed = 'IMG_0002.JPG';
const kept = photos.filter((p) => p !== removed);
/** The walk of many files and a large one: the zip's files, and the large file's size (about 20 s at 3 MB/s). */
const manyFiles = 60;
const filmBytes = 60_000_000;

/** The little of the page's DOM that functions run in the page use (this file is type-checked without DOM types). */
interface PageGlobals {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${command} could not run (${r.error.message}): apt-get install unzip (.ci/run does this).`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe.skipIf(!hasChromium)(`Cartage in Chromium against cartage serve and nginx${hasChromium ? '' : ` (${skipReason})`}`, { timeout: 60_000 }, () => {
  let temp: string;
  let www: string;
  let saved: string;
  let server: Nginx;
  let immich: FakeImmich;
  let cartage: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const shots: string[] = [];
  // The steps are one story: once one fails, the rest are skipped instead of failing on its account.
  let broken = false;

  /** One step of the story; it fails on any console error or page error raised while it ran. */
  function step(name: string, body: () => Promise<void>, timeout = 60_000): void {
    it(name, async (ctx) => {
      if (broken) ctx.skip();
      try {
        await body();
        expect(problems, 'errors in the browser console').toEqual([]);
      } catch (e) {
        broken = true;
        // What the window showed when the step failed, beside the other screenshots CI keeps.
        const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 60);
        await page?.screenshot({ path: path.join(reportShots, `failed-${slug}.png`) }).catch(() => undefined);
        throw e;
      }
    }, timeout);
  }

  /** Photographs the window for the test results and, when asked, for the README. */
  async function shoot(name: string): Promise<void> {
    const file = path.join(reportShots, `${name}.png`);
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    if (updateDocs) fs.copyFileSync(file, path.join(docsShots, `${name}.png`));
    shots.push(name);
  }

  const views = () => page.getByRole('navigation', { name: 'Views' });
  const goTo = async (view: string | RegExp) => {
    await views().getByRole('button', { name: view }).click();
    await expect.poll(() => views().getByRole('button', { name: view }).getAttribute('aria-current')).toBe('page');
  };
  const cartEntries = (): Locator => page.getByRole('list', { name: 'Files in the download list' }).getByRole('listitem');
  const notice = (text: string | RegExp): Locator => page.getByRole('status').filter({ hasText: text });

  beforeAll(async () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-e2e-'));
    www = path.join(temp, 'www');
    fs.mkdirSync(path.join(www, 'holiday', 'raw'), { recursive: true });
    fs.mkdirSync(path.join(www, 'documents'), { recursive: true });
    photos.forEach((name, i) => fs.writeFileSync(path.join(www, 'holiday', name), randomBytes(300_000 + i * 50_000)));
    // A sub-folder: a folder's reference is its own files, so these stay behind.
    fs.writeFileSync(path.join(www, 'holiday', 'raw', 'IMG_0001.CR2'), randomBytes(120_000));
    fs.writeFileSync(path.join(www, 'documents', 'packing-list.txt'), 'sun cream\ntowels\n');
    // A zip's worth of small files, and one large file that takes seconds at the speed limit.
    fs.mkdirSync(path.join(www, 'many'));
    for (let i = 1; i <= manyFiles; i++) fs.writeFileSync(path.join(www, 'many', `scan-${i}.png`), randomBytes(110_000));
    fs.mkdirSync(path.join(www, 'film'));
    fs.writeFileSync(path.join(www, 'film', 'film.mkv'), Buffer.alloc(filmBytes, 7));
    saved = path.join(temp, 'Pictures');
    fs.mkdirSync(saved);
    fs.mkdirSync(reportShots, { recursive: true });
    if (updateDocs) fs.mkdirSync(docsShots, { recursive: true });

    server = await startNginx(www);
    // A photo library (the fake Immich: Immich cannot run here), for previews and the grid.
    const shots = ['IMG_2041.JPG', 'IMG_2042.JPG', 'IMG_2043.JPG', 'IMG_2044.JPG', 'IMG_2045.JPG', 'VID_2046.MP4'];
    immich = await startImmich({
      assets: shots.map((name, i) => ({ id: randomUUID(), originalFileName: name, bytes: randomBytes(20_000 + i), fileCreatedAt: `2024-07-0${i + 1}T10:00:00.000Z` })),
    });
    cartage = await serve(path.join(temp, 'data'));
    ({ browser, page } = await openServedPage(cartage.url, problems, { deviceScaleFactor: 1, colorScheme: 'light' }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (cartage) await stopServe(cartage.child);
    await server?.stop();
    await immich?.stop();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
    if (shots.length) console.info(`screenshots in ${reportShots}${updateDocs ? ` and ${docsShots}` : ''}: ${shots.join(', ')}`);
  });

  step('opens on the served page with the bridge, in the light theme', async () => {
    expect(await page.title()).toBe('Cartage');
    // bridge.js takes the token out of the address once it has it.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    expect(await page.locator('html').getAttribute('data-theme')).toBe('system');
    await page.getByRole('heading', { name: 'Browse', level: 2 }).waitFor();
  });

  step('adds the nginx folder as a web-folder source through the Sources view', async () => {
    await goTo('Sources');
    await page.getByRole('button', { name: 'Add a source' }).click();
    await page.getByRole('radio', { name: 'Web folder' }).check();
    await page.getByRole('textbox', { name: /^Address/ }).fill(server.url(''));
    await page.getByRole('textbox', { name: /^Name/ }).fill('photos');
    await page.getByRole('button', { name: 'Connect' }).click();
    const card = page.getByRole('article', { name: 'photos' });
    await card.waitFor();
    await expect.poll(() => card.textContent()).toContain(server.url(''));
    await notice('Connected to photos.').waitFor();
    // The form closes once connected.
    await page.getByRole('button', { name: 'Connect' }).waitFor({ state: 'detached' });
    await shoot('sources');
  });

  step('browses the source to holiday: four photos and a sub-folder', async () => {
    await page.getByRole('button', { name: 'Browse photos' }).click();
    await page.getByRole('button', { name: 'Open holiday' }).click();
    await page.getByRole('navigation', { name: 'Folder path' }).getByText('holiday').waitFor();
    const files = page.getByRole('list', { name: 'Files' }).getByRole('listitem');
    await expect.poll(() => files.allTextContents()).toHaveLength(4);
    for (const name of photos) await page.getByRole('button', { name: `Add ${name}` }).waitFor();
    await page.getByRole('button', { name: 'Open raw' }).waitFor();
    await page.getByText(/^This folder: 4 files/).waitFor();
    await shoot('browse');
  });

  step('drags the holiday folder onto the download list: its four photos, not the sub-folder', async () => {
    // Back up one level, where holiday is a row that can be dragged.
    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('button', { name: 'photos' }).click();
    const row = page.locator('.entry.folder').filter({ has: page.getByRole('button', { name: 'Open holiday' }) });
    const list = page.getByRole('region', { name: 'Download list' });
    await list.getByText('Your download list is empty.', { exact: false }).waitFor();
    await row.dragTo(list);
    await expect.poll(() => cartEntries().count()).toBe(4);
    await expect.poll(() => cartEntries().allTextContents()).toEqual(photos.map((p) => expect.stringContaining(p)));
    await expect.poll(() => views().getByRole('button', { name: /^Download list/ }).textContent()).toBe('Download list4 files');
    await goTo(/^Download list/);
    await expect.poll(() => cartEntries().count()).toBe(4);
    await shoot('cart');
  });

  step('removes one entry from the download list', async () => {
    await page.getByRole('button', { name: `Remove ${removed}` }).click();
    await notice(`Removed ${removed} from the list.`).waitFor();
    await expect.poll(() => cartEntries().allTextContents()).toEqual(kept.map((p) => expect.stringContaining(p)));
    await expect.poll(() => page.getByRole('region', { name: 'Download list' }).locator('.limit').textContent()).toBe('3 / 100');
  });

  step('saves a speed limit in Settings, slow enough to watch the progress', async () => {
    await goTo('Settings');
    await page.getByRole('spinbutton', { name: /^Speed limit/ }).fill('0.5');
    await page.getByRole('spinbutton', { name: 'Connections for one large file' }).fill('2');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await notice('Settings saved.').waitFor();
    // Saved, not only typed: the view shows the stored settings when it comes back.
    await goTo(/^Download list/);
    await goTo('Settings');
    await expect.poll(() => page.getByRole('spinbutton', { name: 'Connections for one large file' }).inputValue()).toBe('2');
    // Saving scrolled the form to its button: show it from the top.
    await page.locator('main').evaluate((main) => main.scrollTo(0, 0));
    await shoot('settings');
  });

  step('shows the download list in the dark theme, and goes back to the system theme', async () => {
    await page.getByRole('radio', { name: 'Dark' }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    await goTo(/^Download list/);
    await shoot('cart-dark');
    await goTo('Settings');
    await page.getByRole('radio', { name: 'Same as the system' }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('html[data-theme="system"]').waitFor({ state: 'attached' });
  });

  step('plans the checkout as one zip named Holiday in a folder typed in', async () => {
    await goTo(/^Download list/);
    await page.getByRole('button', { name: 'Download…', exact: true }).click();
    const checkout = page.getByRole('form', { name: 'Download' });
    await checkout.getByRole('radio', { name: 'One zip file' }).check();
    await checkout.getByRole('textbox', { name: /^Name of the zip file/ }).fill('Holiday');
    await checkout.getByRole('textbox', { name: /^Save in/ }).fill(saved);
    const summary = checkout.locator('.plan-summary');
    await expect.poll(() => summary.textContent()).toMatch(new RegExp(`^3 files, .* to ${path.join(saved, 'Holiday.zip').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await checkout.getByText(/free, .* needed \(the files, and the zip until it is complete\)$/).waitFor();
    await shoot('checkout');
  });

  step('starts the delivery, shows its progress in Downloads, and completes it', async () => {
    await page.getByRole('button', { name: 'Start download' }).click();
    // Starting moves to the Downloads view.
    await expect.poll(() => views().getByRole('button', { name: 'Downloads' }).getAttribute('aria-current')).toBe('page');
    const card = page.getByRole('article', { name: 'Holiday.zip' });
    await card.waitFor();
    // At 0.5 MB/s the three photos (1.15 MB) take over two seconds, with a snapshot every 200 ms:
    // the bar is there to watch. Checked at every frame the page draws, so no value can slip by.
    const bar = card.getByRole('progressbar', { name: 'Holiday.zip progress' });
    await bar.waitFor();
    const partway = await page.waitForFunction(
      () => {
        const { document } = globalThis as unknown as PageGlobals;
        const value = document.querySelector('[role="progressbar"][aria-label="Holiday.zip progress"]')?.getAttribute('aria-valuenow');
        return value && Number(value) >= 10 && Number(value) <= 90 ? Number(value) : null;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    expect(await partway.jsonValue()).toBeGreaterThanOrEqual(10);
    await shoot('downloads-progress');
    await card.getByText(/saved to/).waitFor({ timeout: 30_000 });
    await bar.waitFor({ state: 'detached' });
    expect(await card.locator('code.path').textContent()).toBe(path.join(saved, 'Holiday.zip'));
    await expect.poll(() => card.textContent()).toContain('3 of 3 files done');
    await card.getByRole('button', { name: /^Show in folder/ }).waitFor();
    // The delivered files leave the download list.
    await expect.poll(() => views().getByRole('button', { name: /^Download list/ }).textContent()).toBe('Download list');
    await shoot('downloads');
  });

  step('leaves a zip on disk with exactly the three remaining photos, byte for byte', async () => {
    const zip = path.join(saved, 'Holiday.zip');
    expect(fs.readdirSync(saved)).toEqual(['Holiday.zip']);
    expect(run('unzip', ['-Z1', zip]).split('\n').filter(Boolean).sort()).toEqual(kept);
    expect(run('unzip', ['-t', zip])).toMatch(/No errors detected/);
    const out = path.join(temp, 'unzipped');
    run('unzip', ['-q', zip, '-d', out]);
    for (const name of kept) expect(fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(path.join(www, 'holiday', name))), name).toBe(true);
  });

  /** Opens a folder of the photos source from its top. */
  const openFolder = async (name: string) => {
    await goTo('Browse');
    const top = page.getByRole('navigation', { name: 'Folder path' }).getByRole('button', { name: 'photos' });
    if (await top.count()) await top.click();
    await page.getByRole('button', { name: `Open ${name}` }).click();
    await page.getByRole('navigation', { name: 'Folder path' }).getByText(name).waitFor();
  };

  /** Checks the whole download list out, as files or as a zip, into `dir`. */
  const checkOut = async (kind: 'files' | 'zip', dir: string, name?: string) => {
    await goTo(/^Download list/);
    await page.getByRole('button', { name: 'Download…', exact: true }).click();
    const checkout = page.getByRole('form', { name: 'Download' });
    await checkout.getByRole('radio', { name: kind === 'zip' ? 'One zip file' : 'Files in a folder' }).check();
    if (name) await checkout.getByRole('textbox', { name: /^Name of the/ }).fill(name);
    await checkout.getByRole('textbox', { name: /^Save in/ }).fill(dir);
    // The plan line says where the files land: a named files delivery makes its own folder.
    const target = kind === 'zip' ? path.join(dir, `${name}.zip`) : name ? path.join(dir, name) : dir;
    await expect.poll(() => checkout.locator('.plan-summary').textContent()).toMatch(new RegExp(` ${kind === 'zip' ? 'to' : 'into'} ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await page.getByRole('button', { name: 'Start download' }).click();
    await expect.poll(() => views().getByRole('button', { name: 'Downloads' }).getAttribute('aria-current')).toBe('page');
  };

  /** The figures line of a delivery card: "1.2 MB / 40 MB", "3 of 60 files done", the speed. */
  const figures = (card: Locator) => card.locator('.task-figures').textContent().then((t) => t ?? '');
  const bytesOf = (text: string): number => {
    const m = /^([\d.]+) (B|kB|MB|GB)/.exec(text);
    if (!m) throw new Error(`no byte count in "${text}"`);
    return Number(m[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as 'B'];
  };
  /** Rows of the Files list that say Downloading (the list draws the rows in view; the totals count them all). */
  const downloadingRows = () => page.getByRole('list', { name: 'Files downloading' }).getByRole('listitem').filter({ hasText: 'Downloading' });

  step('downloads a 60-file zip beside a large file at a speed limit: bytes grow, speed shows, and nothing stays downloading', async () => {
    await goTo('Settings');
    await page.getByRole('spinbutton', { name: /^Speed limit/ }).fill('3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await notice('Settings saved.').waitFor();

    await openFolder('film');
    await page.getByRole('button', { name: 'Add film.mkv' }).click();
    await notice(/film\.mkv|Added/).waitFor();
    // Once in the list, the file says so instead of offering Add again.
    await page.getByLabel('film.mkv is in the download list').waitFor();
    expect(await page.getByRole('button', { name: 'Add film.mkv' }).count()).toBe(0);
    const films = path.join(temp, 'Films');
    await checkOut('files', films, 'Films');
    const filmCard = page.getByRole('article', { name: 'Films' });
    await filmCard.waitFor();

    await openFolder('many');
    // In people's order, whatever the server's: scan-2 before scan-10 (nginx lists scan-10 first).
    const rows = page.getByRole('list', { name: 'Files' }).getByRole('listitem');
    await expect.poll(async () => (await rows.allTextContents()).slice(0, 3)).toEqual([expect.stringContaining('scan-1.png'), expect.stringContaining('scan-2.png'), expect.stringContaining('scan-3.png')]);
    await page.getByRole('button', { name: 'Add all files in many to the list' }).click();
    await expect.poll(() => views().getByRole('button', { name: /^Download list/ }).textContent()).toBe(`Download list${manyFiles} files`);
    await checkOut('zip', saved, 'Many');
    const zipCard = page.getByRole('article', { name: 'Many.zip' });
    await zipCard.waitFor();

    // The large file's card: its bytes grow while they move, with a speed above zero.
    const first = bytesOf(await figures(filmCard));
    await expect.poll(async () => bytesOf(await figures(filmCard)), { timeout: 20_000 }).toBeGreaterThan(first);
    const second = bytesOf(await figures(filmCard));
    await expect.poll(async () => bytesOf(await figures(filmCard)), { timeout: 20_000 }).toBeGreaterThan(second);
    // A speed above zero while the bytes move (the card read "0 B/s" all along before).
    await expect.poll(() => figures(filmCard)).toMatch(/(?<![\d.])(?!0 B\/s)\d[\d.]* (B|kB|MB)\/s/);
    await shoot('downloads-running');

    // The zip ends: none of its files is left downloading, now or after the snapshots that follow.
    await zipCard.getByText(/saved to/).waitFor({ timeout: 40_000 });
    await expect.poll(() => zipCard.textContent()).toContain(`${manyFiles} of ${manyFiles} files done`);
    const totalsLine = page.locator('.overall p');
    const settled = async () => {
      expect(await totalsLine.textContent()).toMatch(/^1 downloading, 0 waiting/);
      expect(await downloadingRows().allTextContents()).toEqual([expect.stringContaining('film.mkv')]);
    };
    await settled();
    // Two more snapshots of the large file's progress, then the same again: no older snapshot overtook the end.
    const now = bytesOf(await figures(filmCard));
    await expect.poll(async () => bytesOf(await figures(filmCard))).toBeGreaterThan(now);
    const later = bytesOf(await figures(filmCard));
    await expect.poll(async () => bytesOf(await figures(filmCard))).toBeGreaterThan(later);
    await settled();
  });

  step('cancels everything: the one-file delivery says canceled and can put its file back on the list', async () => {
    await page.getByRole('button', { name: 'Cancel all' }).click();
    await page.getByRole('button', { name: 'Cancel all downloads' }).click();
    const filmCard = page.getByRole('article', { name: 'Films' });
    await expect.poll(() => filmCard.textContent()).toMatch(/Canceled/);
    expect(await filmCard.textContent()).not.toMatch(/saved to/);
    await expect.poll(() => downloadingRows().count()).toBe(0);
    await filmCard.getByRole('button', { name: /back on the download list$/ }).click();
    await notice(/film\.mkv|Added|back/i).waitFor();
    await expect.poll(() => views().getByRole('button', { name: /^Download list/ }).textContent()).toBe('Download list1 file');
    // Names carry no decoration: the disclosure's arrow is drawn, not read.
    await goTo('Downloads');
    const snapshot = await page.locator('h3.disclosure-heading').ariaSnapshot();
    expect(snapshot).toMatch(/button "Finished \(\d+\)"/);
  });

  step('shows an Immich album\'s photos with their previews, in a list and in a grid', async () => {
    await goTo('Sources');
    await page.getByRole('button', { name: 'Add a source' }).click();
    await page.getByRole('radio', { name: 'Immich' }).check();
    await page.getByRole('textbox', { name: /^Address/ }).fill(immich.url);
    await page.getByLabel(/^API key/).fill(immich.apiKey);
    await page.getByRole('textbox', { name: /^Name/ }).fill('family');
    await page.getByRole('button', { name: 'Connect' }).click();
    // Focus goes to the new source's card, not to the page.
    const card = page.getByRole('article', { name: 'family' });
    await expect.poll(() => card.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.getByRole('button', { name: 'Browse family' }).click();
    await page.getByRole('button', { name: /^Open timeline$/i }).click();
    await page.getByRole('button', { name: /^Open 2024-07/ }).click();
    const previews = page.getByRole('list', { name: 'Files' }).getByRole('img', { name: /^Preview of / });
    await expect.poll(() => previews.count()).toBe(6);
    // Each one a picture the browser could draw, from a data: URL (no key, no address of the server).
    await expect.poll(() => previews.evaluateAll((imgs) => imgs.every((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0))).toBe(true);
    for (const src of await previews.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''))) {
      expect(src).toMatch(/^data:image\/png;base64,/);
      expect(src).not.toContain(immich.apiKey);
    }
    await page.getByRole('group', { name: 'Show files as' }).getByRole('button', { name: 'Grid' }).click();
    await expect.poll(() => page.locator('.file-grid .tile img').count()).toBe(6);
    await shoot('browse-grid');
  });

  step('shows the Mirrors view when the window has one', async () => {
    const mirrors = views().getByRole('button', { name: 'Mirrors' });
    if ((await mirrors.count()) === 0) {
      console.info('tests/e2e/browser.test.ts: no Mirrors view in the navigation yet; no mirrors.png.');
      return;
    }
    await goTo('Mirrors');
    await page.getByRole('heading', { name: /Mirrors/, level: 2 }).waitFor();
    await shoot('mirrors');
  });
});
