import path from 'node:path';
import { parseArgs } from 'node:util';
import { browserName, browsers, install, uninstall, type Browser } from '../../core/browser-hosts.js';
import type { Io } from '../session.js';
import { UsageError } from '../usage.js';

/**
 * `cartage browser install|uninstall [--chromium] [--chrome] [--firefox] [--user-data-dir DIR]
 * [--extension-id ID] [--app PROGRAM]`: lets the browsers start `cartage native-host` for the extension (or stops it).
 */
export function browserCommand(args: string[], io: Io, dataDir: string): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      chromium: { type: 'boolean', default: false },
      chrome: { type: 'boolean', default: false },
      firefox: { type: 'boolean', default: false },
      'user-data-dir': { type: 'string' },
      'extension-id': { type: 'string', multiple: true },
      app: { type: 'string' },
    },
  });
  const [action, ...extra] = positionals;
  if (action !== 'install' && action !== 'uninstall') {
    throw new UsageError(`"cartage browser" takes install or uninstall${action ? `, not "${action}"` : ''}; see "cartage help".`);
  }
  if (extra.length) throw new UsageError(`"cartage browser ${action}" takes no "${extra[0]}"; name browsers with --chromium, --chrome or --firefox.`);
  const ids = values['extension-id'] ?? [];
  for (const id of ids) if (!/^[a-p]{32}$/.test(id)) throw new UsageError(`--extension-id takes a Chromium extension id (32 letters a to p), not "${id}".`);
  const chosen = browsers.filter((b) => values[b]);
  const targets: Browser[] = chosen.length ? chosen : [...browsers];
  const userDataDir = values['user-data-dir'] !== undefined ? path.resolve(io.cwd, values['user-data-dir']) : undefined;
  const opts = { dataDir, env: io.env, ...(userDataDir ? { userDataDir } : {}), extensionIds: ids };
  if (action === 'install') {
    // "Open Cartage" starts this program (the desktop app) when given; otherwise a cartage serve.
    const app = values.app !== undefined ? path.resolve(io.cwd, values.app) : undefined;
    const cartage = { node: process.execPath, script: process.argv[1] ?? '', ...(app ? { env: { CARTAGE_APP: app } } : {}) };
    for (const b of targets) io.stdout.write(`${browserName(b)}: ${install(b, { ...opts, cartage })}\n`);
    io.stdout.write('The extension can now reach Cartage. Load it from extension/dist/ (see the README), then right-click a link: "Download with Cartage".\n');
    return 0;
  }
  for (const b of targets) io.stdout.write(`${browserName(b)}: ${uninstall(b, opts) ? 'removed' : 'was not installed'}\n`);
  return 0;
}
