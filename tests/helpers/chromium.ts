// Debian's Chromium, driven by Playwright, on the page `cartage serve` serves: the set-up the
// end-to-end tests share.
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasChromium = fs.existsSync(chromiumPath);
/** Why a Chromium test is skipped where there is none. */
export const noChromium = `skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;

const asRoot = process.getuid?.() === 0;

/**
 * Chromium on `url`, once the app says it is ready (body[data-ready]), in a 1280×800 window in
 * British English and UTC (`context` adds to that); errors in its console and uncaught errors in
 * the page are pushed onto `problems`, for the test to find none.
 */
export async function openServedPage(url: string, problems: string[], context: BrowserContextOptions = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    // Chromium's sandbox cannot start as root (a CI container); Playwright gives each launch its own profile folder.
    chromiumSandbox: !asRoot,
    args: [...(asRoot ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC', ...context });
    ctx.setDefaultTimeout(20_000);
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(url);
    await page.locator('body[data-ready="true"]').waitFor();
    return { browser, page };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
