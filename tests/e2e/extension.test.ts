// The browser extension end to end: Debian's Chromium loads the built extension (extension/dist/
// chromium) with a fresh user-data folder whose NativeMessagingHosts holds the manifest that
// `cartage browser install --user-data-dir` wrote, on pages a real nginx serves. Context menus
// cannot be clicked by a script, so their handler is called in the service worker; everything after
// it is real: the browser's native messaging starts `cartage native-host`, which queues the file or
// fills the download list, and starts `cartage run`, whose files must land byte-identical.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { isAlive } from '../../main/core/lock.js';
import { cartage, projectRoot } from '../helpers/cli.js';
import { bytes, tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const extensionDir = path.join(projectRoot, 'extension', 'dist', 'chromium');
const hasChromium = fs.existsSync(chromiumPath);
const skipReason = `skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (!hasChromium) console.warn(`tests/e2e/extension.test.ts ${skipReason}.`);

const files: Record<string, Buffer> = {
  'album/IMG_0001.jpg': bytes(120_000, 1),
  'album/IMG_0002.jpg': bytes(90_000, 2),
  'docs/report.pdf': bytes(60_000, 3),
  'docs/notes.zip': bytes(30_000, 4),
  'clips/trip.mp4': bytes(200_000, 5),
  'private/paper.pdf': bytes(40_000, 6),
  'slow/big.bin': bytes(1_500_000, 7),
  'slow/takeover.bin': bytes(700_000, 8),
  'slow/kept.bin': bytes(300_000, 9),
};

const page = `<!doctype html><html><head><title>Holiday files</title></head><body>
<h1>Holiday files</h1>
<p id="photos">Photos: <a href="album/IMG_0001.jpg">first photo</a> and <a href="album/IMG_0002.jpg">second photo</a>.</p>
<p><a href="docs/report.pdf">The report</a>, <a href="docs/notes.zip">notes</a>, <a href="javascript:void(0)">a script</a>, <a href="mailto:ann@example.org">mail</a>.</p>
<p><img src="album/IMG_0002.jpg" alt="Beach"> <video src="clips/trip.mp4"></video></p>
<p><a href="private/paper.pdf">members' paper</a> <a href="slow/big.bin">big file</a></p>
<p><a id="takeover" href="slow/takeover.bin" download>take over</a> <a id="kept" href="slow/kept.bin" download>kept by the browser</a></p>
</body></html>`;

/** The service worker's globals these tests use (the file is type-checked without the extension's types). */
interface Sw {
  cartage: { onMenu(id: string, info: Record<string, unknown>, tab?: unknown): Promise<{ ok: boolean; message: string }> };
  chrome: {
    tabs: { query(q: { url: string }): Promise<{ id: number; url: string }[]> };
    storage: { local: { set(v: unknown): Promise<void> } };
    downloads: {
      onChanged: { addListener(fn: (d: { id: number; error?: { current?: string }; state?: { current?: string } }) => void): void };
      search(q: { url: string }): Promise<{ id: number; state: string; error?: string }[]>;
    };
  };
  seen: Record<string, number>;
}

function readQueue(data: string): { id: number; name: string; state: string; createdAt: number; finalPath: string; url: string }[] {
  const core = new Core({ dataDir: data });
  try {
    return core.queue.page(0, 1000);
  } finally {
    void core.close();
  }
}

function readCart(data: string): string[] {
  const core = new Core({ dataDir: data });
  try {
    return core.cart.view().items.map((i) => i.name);
  } finally {
    void core.close();
  }
}

describe.skipIf(!hasChromium)(`The extension in Chromium${hasChromium ? '' : ` (${skipReason})`}`, { timeout: 90_000 }, () => {
  let nginx: Nginx;
  let context: BrowserContext;
  let sw: Worker;
  let tab: Page;
  let tabId: number;
  const www = tempDir('cartage-www-');
  const data = tempDir('cartage-data-');
  const downloads = tempDir('cartage-downloads-');
  const profile = tempDir('cartage-chromium-');
  const problems: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} is missing: run "npm run build" first.`);
    for (const [name, body] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(www, name)), { recursive: true });
      fs.writeFileSync(path.join(www, name), body);
    }
    fs.writeFileSync(path.join(www, 'index.html'), page);
    nginx = await startNginx(www, {
      serverConfig: [
        // Slow enough that a download is seen under way, and that the browser's copy is still running when Cartage answers.
        'location /slow/ { limit_rate 250k; }',
        'location /private/ { if ($http_cookie !~ "session=members-only") { return 403; } }',
      ].join('\n    '),
    });
    const core = new Core({ dataDir: data });
    core.settings.update({ downloadDir: downloads, cartLimit: 6 });
    await core.close();
    const install = await cartage(['browser', 'install', '--chromium', '--user-data-dir', profile, '--data-dir', data]);
    expect(install.stderr).toBe('');

    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--load-extension=${extensionDir}`,
        `--disable-extensions-except=${extensionDir}`,
      ],
    });
    sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    expect(sw.url()).toBe('chrome-extension://cbgihljfnmdfccgpjlecjhdlaejfneap/background.js');
    await context.addCookies([{ name: 'session', value: 'members-only', domain: '127.0.0.1', path: '/' }]);
    tab = await context.newPage();
    tab.on('pageerror', (e) => problems.push(e.message));
    await tab.goto(nginx.url('index.html'));
    tabId = await sw.evaluate(async (url) => (await (globalThis as unknown as Sw).chrome.tabs.query({ url }))[0]!.id, nginx.url('index.html'));
  });

  afterAll(async () => {
    await context?.close();
    await nginx?.stop();
    // The queue runner the host started ends by itself once the queue is empty; a serve started by "Open Cartage" does not.
    const served = path.join(data, 'browser-serve.json');
    if (fs.existsSync(served)) {
      const { pid } = JSON.parse(fs.readFileSync(served, 'utf8')) as { pid: number };
      if (isAlive(pid)) process.kill(pid, 'SIGTERM');
    }
    expect(problems).toEqual([]);
  });

  const menu = (id: 'download' | 'list', info: Record<string, unknown>, withTab = false): Promise<{ ok: boolean; message: string }> =>
    sw.evaluate(
      async ([id, info, tabId]) => {
        const g = globalThis as unknown as Sw;
        return g.cartage.onMenu(id, { menuItemId: id, editable: false, ...info }, tabId === null ? undefined : { id: tabId });
      },
      [id, { pageUrl: nginx.url('index.html'), ...info }, withTab ? tabId : null] as const,
    );

  const landed = async (name: string, body: Buffer): Promise<void> => {
    await expect.poll(() => readQueue(data).find((t) => t.url === nginx.url(name))?.state).toBe('completed');
    const task = readQueue(data).find((t) => t.url === nginx.url(name))!;
    expect(path.dirname(task.finalPath)).toBe(downloads);
    expect(fs.readFileSync(task.finalPath).equals(body)).toBe(true);
  };

  it('"Download with Cartage" on a link queues it into the default folder, byte-identical', async () => {
    const result = await menu('download', { linkUrl: nginx.url('docs/report.pdf') });
    expect(result).toEqual({ ok: true, message: `Cartage is downloading the file into ${downloads}.` });
    await landed('docs/report.pdf', files['docs/report.pdf']!);
  });

  it("a link behind the site's sign-in downloads with the browser's cookies", async () => {
    expect((await menu('download', { linkUrl: nginx.url('private/paper.pdf') })).ok).toBe(true);
    await landed('private/paper.pdf', files['private/paper.pdf']!);
    const secrets = path.join(data, 'secrets.json');
    await expect.poll(() => (fs.existsSync(secrets) ? fs.readFileSync(secrets, 'utf8') : '')).not.toContain('members-only');
  });

  it('"Add to the Cartage download list" on an image, a video, and the links of a selection', async () => {
    expect(await menu('list', { srcUrl: nginx.url('clips/trip.mp4'), mediaType: 'video' })).toEqual({ ok: true, message: 'Added 1 file.' });
    await tab.evaluate(() => {
      const g = globalThis as unknown as { document: { getElementById(id: string): unknown }; getSelection(): { selectAllChildren(n: unknown): void } };
      g.getSelection().selectAllChildren(g.document.getElementById('photos'));
    });
    expect(await menu('list', { selectionText: 'Photos: first photo and second photo.', frameId: 0 }, true)).toEqual({ ok: true, message: 'Added 2 files.' });
    expect(readCart(data)).toEqual(['trip.mp4', 'IMG_0001.jpg', 'IMG_0002.jpg']);
  });

  it('the popup lists the page\'s links by type and adds the chosen ones to the list, all or nothing within its limit', async () => {
    const popup = await context.newPage();
    popup.on('pageerror', (e) => problems.push(e.message));
    await popup.goto(`chrome-extension://cbgihljfnmdfccgpjlecjhdlaejfneap/popup.html?tab=${tabId}`);
    await popup.getByRole('button', { name: 'Add links on this page…' }).click();
    await expect.poll(() => popup.getByRole('heading', { name: /^Links on this page/ }).textContent()).toBe('Links on this page (9)');

    await popup.getByRole('combobox', { name: 'Type' }).selectOption('Documents');
    await expect.poll(() => popup.getByRole('list', { name: 'Links' }).getByRole('checkbox').count()).toBe(2);
    await popup.getByRole('combobox', { name: 'Type' }).selectOption('All');
    await popup.getByRole('textbox', { name: 'Extensions' }).fill('*.pdf, zip');
    await expect.poll(() => popup.getByRole('list', { name: 'Links' }).getByRole('checkbox').count()).toBe(3);
    await popup.getByRole('checkbox', { name: /report\.pdf/ }).check();
    await popup.getByRole('checkbox', { name: /notes\.zip/ }).check();
    await popup.getByRole('button', { name: 'Add 2 links to the download list' }).click();
    await expect.poll(() => readCart(data)).toEqual(['trip.mp4', 'IMG_0001.jpg', 'IMG_0002.jpg', 'report.pdf', 'notes.zip']);
    await expect.poll(() => popup.getByRole('status').textContent()).toBe('Added 2 files.');

    // One place is left of 6: four new links are refused whole, and the list stays as it was.
    await popup.getByRole('textbox', { name: 'Extensions' }).fill('');
    await popup.getByRole('checkbox', { name: 'Select all shown' }).check();
    await popup.getByRole('button', { name: 'Add 9 links to the download list' }).click();
    await expect
      .poll(() => popup.getByRole('status').textContent())
      .toBe(
        'This batch of 9 links has 4 new files (and 5 already in the list), but the list has 1 place left of 6: nothing was added. Remove some files, check out the list, or raise the limit in the settings.',
      );
    expect(readCart(data)).toEqual(['trip.mp4', 'IMG_0001.jpg', 'IMG_0002.jpg', 'report.pdf', 'notes.zip']);
    await popup.close();
  });

  it('the popup shows the queue\'s progress while a file downloads, and when it is done', async () => {
    expect((await menu('download', { linkUrl: nginx.url('slow/big.bin') })).ok).toBe(true);
    const popup = await context.newPage();
    popup.on('pageerror', (e) => problems.push(e.message));
    await popup.goto(`chrome-extension://cbgihljfnmdfccgpjlecjhdlaejfneap/popup.html?tab=${tabId}`);
    const downloading = popup.getByRole('list', { name: 'Downloading now' }).getByRole('listitem').filter({ hasText: /^big\.bin: \d+% of 1\.5 MB$/ });
    await expect.poll(() => downloading.count()).toBe(1);
    expect(await popup.getByRole('progressbar', { name: 'All downloads' }).isVisible()).toBe(true);
    await expect.poll(() => popup.locator('#queue-summary').textContent(), { timeout: 40_000 }).toMatch(/^Nothing is downloading \(3 files done\)\.$/);
    await landed('slow/big.bin', files['slow/big.bin']!);
    await popup.close();
  });

  it('"Open Cartage" opens the interface in a tab when no app is installed, from a cartage serve it starts once', async () => {
    const popup = await context.newPage();
    popup.on('pageerror', (e) => problems.push(e.message));
    await popup.goto(`chrome-extension://cbgihljfnmdfccgpjlecjhdlaejfneap/popup.html?tab=${tabId}`);
    const opened = context.waitForEvent('page');
    await popup.getByRole('button', { name: 'Open Cartage' }).click();
    const app = await opened;
    await app.waitForLoadState();
    expect(app.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await expect.poll(() => app.title()).toBe('Cartage');
    const { pid } = JSON.parse(fs.readFileSync(path.join(data, 'browser-serve.json'), 'utf8')) as { pid: number };
    expect(isAlive(pid)).toBe(true);
    // A second click goes to the same one.
    const again = context.waitForEvent('page');
    await popup.getByRole('button', { name: 'Open Cartage' }).click();
    expect(new URL((await again).url()).origin).toBe(new URL(app.url()).origin);
    await app.close();
    await popup.close();
  });

  it("takes the browser's download over only once Cartage has queued it; unreachable, the browser keeps it", async () => {
    await sw.evaluate(async () => {
      const g = globalThis as unknown as Sw;
      g.seen = {};
      g.chrome.downloads.onChanged.addListener((d) => {
        if (d.error?.current === 'USER_CANCELED') g.seen.canceledAt = Date.now();
        if (d.state?.current === 'complete') g.seen.completedAt = Date.now();
      });
      await g.chrome.storage.local.set({ takeover: { enabled: true, minSizeMb: 0, types: 'bin' } });
    });
    await tab.locator('#takeover').click();
    await expect.poll(() => sw.evaluate(() => (globalThis as unknown as Sw).seen.canceledAt ?? 0)).toBeGreaterThan(0);
    const canceledAt = await sw.evaluate(() => (globalThis as unknown as Sw).seen.canceledAt!);
    const task = readQueue(data).find((t) => t.url === nginx.url('slow/takeover.bin'));
    expect(task).toBeDefined();
    expect(task!.createdAt).toBeLessThanOrEqual(canceledAt);
    await landed('slow/takeover.bin', files['slow/takeover.bin']!);

    // Cartage gone from this browser: the download goes on in the browser, and the queue has nothing of it.
    const uninstall = await cartage(['browser', 'uninstall', '--chromium', '--user-data-dir', profile, '--data-dir', data]);
    expect(uninstall.stdout).toBe('Chromium: removed\n');
    await tab.locator('#kept').click();
    await expect
      .poll(() => sw.evaluate(async (url) => (await (globalThis as unknown as Sw).chrome.downloads.search({ url }))[0]?.state ?? 'none', nginx.url('slow/kept.bin')))
      .toBe('complete');
    expect(readQueue(data).some((t) => t.url === nginx.url('slow/kept.bin'))).toBe(false);
    // The browser's own copy, whole (held while Cartage was asked, then let go on).
    const [kept] = await sw.evaluate(async (url) => (await (globalThis as unknown as Sw).chrome.downloads.search({ url })) as unknown as { filename: string }[], nginx.url('slow/kept.bin'));
    expect(fs.readFileSync(kept!.filename).equals(files['slow/kept.bin']!)).toBe(true);
  });
});

describe('the extension as built for the stores', () => {
  const dist = path.join(projectRoot, 'extension', 'dist');
  const unzip = (zip: string, file: string): string => {
    const r = spawnSync('unzip', ['-p', path.join(dist, zip), file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`unzip -p ${zip} ${file} failed (${r.status}): ${r.stderr} (run "npm run build"; apt-get install unzip)`);
    return r.stdout;
  };

  it('packs one zip per browser from one code base: Chromium with its key and service worker, Firefox with its id and event page', () => {
    const chromiumManifest = JSON.parse(unzip('cartage-chromium.zip', 'manifest.json')) as Record<string, unknown>;
    const firefoxManifest = JSON.parse(unzip('cartage-firefox.zip', 'manifest.json')) as Record<string, unknown>;
    const version = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(chromiumManifest).toMatchObject({ manifest_version: 3, version, background: { service_worker: 'background.js' }, key: expect.any(String) });
    expect(firefoxManifest).toMatchObject({ manifest_version: 3, version, background: { scripts: ['background.js'] }, browser_specific_settings: { gecko: { id: 'send-to@cartage.app' } } });
    expect(firefoxManifest).not.toHaveProperty('key');
    expect(unzip('cartage-firefox.zip', 'background.js')).toBe(unzip('cartage-chromium.zip', 'background.js'));
    for (const file of ['popup.html', 'popup.js', 'options.html', 'options.js', 'icon.png']) expect(unzip('cartage-firefox.zip', file).length).toBeGreaterThan(0);
  });
});

