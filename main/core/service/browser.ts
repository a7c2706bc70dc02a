import fs from 'node:fs';
import type { BrowserHostDto, ParsedInput } from '../../../preload/api.js';
import { browserName, browsers, install, manifestPath, uninstall, type CartageCommand } from '../browser-hosts.js';
import type { Core } from '../core.js';
import { Refusal } from './refusal.js';

/** Which browsers' extension can reach Cartage now. */
export function browserStatus(): BrowserHostDto[] {
  return browsers.map((browser) => {
    let manifest: string | null = null;
    try {
      const file = manifestPath(browser);
      if (fs.existsSync(file)) manifest = file;
    } catch {
      // A platform whose browsers Cartage cannot set up (Windows): not connected.
    }
    return { browser, name: browserName(browser), connected: manifest !== null, manifest };
  });
}

/** Connects or disconnects one browser: the same as `cartage browser install|uninstall --BROWSER`. */
export function connectBrowser(core: Core, cartage: CartageCommand | undefined, input: ParsedInput<'browser.connect'>): BrowserHostDto[] {
  if (!cartage) {
    throw new Refusal({ code: 'unsupported', message: `Connect the browser from a terminal: cartage browser install --${input.browser}` });
  }
  const dataDir = core.options.dataDir;
  if (input.connected) install(input.browser, { dataDir, cartage });
  else uninstall(input.browser, { dataDir });
  return browserStatus();
}
