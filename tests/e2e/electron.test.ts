// The Electron app end to end, through Playwright's Electron driver: the real window, preload,
// IPC sender checks and core. It needs Electron's binary, which cannot be downloaded on our build
// machines (TOOLCHAIN.md), so there it is skipped and says why; on a developer's machine (and under
// xvfb-run on a Linux without a display) it runs. The same views are tested in Chromium against
// `cartage serve` on every machine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ElectronApplication, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartageBridge } from '../../preload/api.js';
import { nativeHostName } from '../../preload/browser.js';
import { projectRoot } from '../helpers/cli.js';
import { startHostProgram } from '../helpers/native-host.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

/** Electron's executable when the package and its downloaded binary are both there. */
function electronBinary(): string | null {
  try {
    const binary = createRequire(path.join(projectRoot, 'package.json'))('electron') as unknown;
    if (typeof binary !== 'string') return null;
    fs.accessSync(binary, fs.constants.X_OK);
    return binary;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const skipReason =
  'skipped: no Electron binary on this machine (node_modules/electron has none; it is downloaded at install, which needs the internet)';
if (!binary) console.warn(`tests/e2e/electron.test.ts ${skipReason}.`);

describe.skipIf(!binary)(`the Electron app${binary ? '' : ` (${skipReason})`}`, () => {
  let temp: string;
  let server: Nginx;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    // main, the bundled preload, the renderer, and better-sqlite3 built for Electron's ABI.
    const build = spawnSync(process.execPath, ['scripts/build-app.mjs', '--electron-sqlite'], { cwd: projectRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build:app failed (output above)');
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-electron-'));
    const photos = path.join(temp, 'www', 'holiday');
    fs.mkdirSync(photos, { recursive: true });
    fs.writeFileSync(path.join(photos, 'beach.jpg'), Buffer.alloc(300_000, 7));
    fs.writeFileSync(path.join(photos, 'notes.txt'), 'sand, sea, sun\n');
    fs.mkdirSync(path.join(temp, 'saved'));
    server = await startNginx(path.join(temp, 'www'));

    const { _electron } = await import('@playwright/test');
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'ELECTRON_RUN_AS_NODE'));
    app = await _electron.launch({
      executablePath: binary!,
      // Chromium's own sandbox cannot start as root (a CI container); the page's sandbox is Electron's and stays on.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), projectRoot],
      // A home of its own: connecting a browser in Settings writes the manifests there.
      env: { ...env, CARTAGE_DATA_DIR: path.join(temp, 'data'), HOME: path.join(temp, 'home'), XDG_CONFIG_HOME: '' },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await server?.stop();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it('opens one locked-down window titled Cartage, with the bridge and without Node', async () => {
    expect(await page.title()).toBe('Cartage');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.getTitle()))).toEqual(['Cartage']);
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as unknown as { cartage: CartageBridge }).cartage.cart.add)).toBe('function');
    // A request through the preload passes main's sender check and the contract.
    const info = await page.evaluate(() => (globalThis as unknown as { cartage: CartageBridge }).cartage.app.info());
    expect(info).toMatchObject({ ok: true, value: { dataDir: path.join(temp, 'data') } });
  });

  it('adds a web folder, checks it out as a zip, and delivers it', async () => {
    const views = page.getByRole('navigation', { name: 'Views' });
    await views.getByRole('button', { name: 'Sources' }).click();
    await page.getByRole('button', { name: 'Add a source' }).click();
    await page.getByRole('radio', { name: 'Web folder' }).check();
    await page.getByRole('textbox', { name: /^Address/ }).fill(server.url('holiday/'));
    await page.getByRole('textbox', { name: /^Name/ }).fill('holiday');
    await page.getByRole('button', { name: 'Connect' }).click();

    await page.getByRole('button', { name: 'Browse holiday' }).click();
    await page.getByRole('button', { name: /^Add all files in .* to the list$/ }).click();
    await views.getByRole('button', { name: /^Download list/ }).click();
    await page.getByRole('button', { name: 'Download…' }).click();
    await page.getByRole('radio', { name: 'One zip file' }).check();
    await page.getByRole('textbox', { name: /^Name of the zip file/ }).fill('holiday');
    await page.getByRole('textbox', { name: /^Save in/ }).fill(path.join(temp, 'saved'));
    await page.getByRole('button', { name: 'Start download' }).click();

    await views.getByRole('button', { name: 'Downloads' }).click();
    await page.getByRole('article', { name: /^holiday/ }).getByText(/saved to/).waitFor({ timeout: 60_000 });
    const zip = fs.readFileSync(path.join(temp, 'saved', 'holiday.zip'));
    // The end-of-central-directory record counts the entries: the two files of the folder.
    const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(end).toBeGreaterThan(0);
    expect(zip.readUInt16LE(end + 10)).toBe(2);
  });

  it("connects Firefox from Settings: the launcher runs this Electron as Node on the CLI beside main, with its SQLite module", async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const section = page.getByRole('group', { name: 'Browser extension' });
    await section.getByRole('button', { name: 'Connect Firefox' }).click();
    await section.getByText('Firefox: connected').waitFor();
    const manifestFile = path.join(temp, 'home', '.mozilla', 'native-messaging-hosts', `${nativeHostName}.json`);
    const launcher = (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { path: string }).path;
    const script = fs.readFileSync(launcher, 'utf8');
    expect(script).toContain("ELECTRON_RUN_AS_NODE='1'");
    expect(script).toContain(`exec '${binary!}' '${path.join(projectRoot, 'out', 'main', 'headless', 'cli.js')}' native-host`);
    // As Firefox starts it, where no Node is on PATH: the host opens the queue's database to answer.
    const host = startHostProgram(launcher, [manifestFile, 'send-to@cartage.app'], { PATH: path.join(temp, 'no programs here') });
    expect(await host.ask({ type: 'progress' })).toMatchObject({ ok: true, value: { active: [] } });
    expect(await host.end()).toMatchObject({ code: 0 });
  });
});
