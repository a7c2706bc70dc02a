// The Settings' browser section in Debian's Chromium against `cartage serve`: a person connects
// Firefox to Cartage and disconnects it again, by the buttons' names, and the launcher the section
// wrote answers the extension as the browser would start it. The manifests go under a home folder
// of the test's own (HOME), never the real one. The Electron app's window is the same page; its own
// run of this is in electron.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeHostName } from '../../preload/browser.js';
import { serve, stopServe } from '../helpers/cartage-serve.js';
import { startHostProgram } from '../helpers/native-host.js';

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const hasChromium = fs.existsSync(chromiumPath);
const skipReason = `skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (!hasChromium) console.warn(`tests/e2e/settings-browser.test.ts ${skipReason}.`);
const asRoot = process.getuid?.() === 0;

describe.skipIf(!hasChromium)(`Settings: Browser extension${hasChromium ? '' : ` (${skipReason})`}`, { timeout: 60_000 }, () => {
  let temp: string;
  let cartage: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-e2e-'));
    cartage = await serve(path.join(temp, 'data'), { HOME: path.join(temp, 'home'), XDG_CONFIG_HOME: '' });
    browser = await chromium.launch({ executablePath: chromiumPath, chromiumSandbox: !asRoot, args: [...(asRoot ? ['--no-sandbox'] : []), '--disable-gpu'] });
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(cartage.url);
    await page.locator('body[data-ready="true"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (cartage) await stopServe(cartage.child);
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it('connects Firefox, whose launcher then answers the extension, and disconnects it', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const section = page.getByRole('group', { name: 'Browser extension' });
    await section.getByText('Firefox: not connected').waitFor();
    await section.getByRole('button', { name: 'Connect Firefox' }).click();
    await section.getByText('Firefox: connected').waitFor();
    await section.getByText('Chromium: not connected').waitFor();

    const manifestFile = path.join(temp, 'home', '.mozilla', 'native-messaging-hosts', `${nativeHostName}.json`);
    const launcher = (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { path: string }).path;
    const host = startHostProgram(launcher, [manifestFile, 'send-to@cartage.app']);
    expect(await host.ask({ type: 'hello' })).toMatchObject({ ok: true, value: { app: 'cartage' } });
    expect(await host.end()).toMatchObject({ code: 0 });

    await section.getByRole('button', { name: 'Disconnect Firefox' }).click();
    await section.getByText('Firefox: not connected').waitFor();
    expect(fs.existsSync(manifestFile)).toBe(false);
    expect(problems).toEqual([]);
  });
});
