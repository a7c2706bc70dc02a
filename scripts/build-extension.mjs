// Builds the browser extension into extension/dist/: one code base, two folders (chromium/ with a
// service worker, firefox/ with an event page and its gecko id) and a zip of each for the stores
// (cartage-chromium.zip, cartage-firefox.zip). Run by `npm run build`, or `npm run build:extension`.
import { build } from 'esbuild';
import { copyFileSync, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const root = fileURLToPath(new URL('..', import.meta.url));
const ext = path.join(root, 'extension');
const dist = path.join(ext, 'dist');
// The Firefox id the native host manifest allows (preload/browser.ts: firefoxExtensionId).
const firefoxId = 'send-to@cartage.app';

/** The manifest for one browser, from extension/manifest.json (written for Chromium). */
function manifestFor(browser, base) {
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  if (browser === 'chromium') return { ...base, version };
  // Firefox: no service worker (an event page instead), no Chromium key, and an id of its own.
  const { key: _key, background: _background, ...rest } = base;
  return {
    ...rest,
    version,
    background: { scripts: ['background.js'] },
    browser_specific_settings: { gecko: { id: firefoxId, strict_min_version: '128.0' } },
  };
}

function zip(folder, target) {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const name of readdirSync(folder).sort()) z.addFile(path.join(folder, name), name, { mtime: new Date(0) });
    z.end();
    z.outputStream.pipe(createWriteStream(target)).on('close', resolve).on('error', reject);
  });
}

rmSync(dist, { recursive: true, force: true });
try {
  const base = JSON.parse(readFileSync(path.join(ext, 'manifest.json'), 'utf8'));
  for (const browser of ['chromium', 'firefox']) {
    const out = path.join(dist, browser);
    mkdirSync(out, { recursive: true });
    await build({
      absWorkingDir: root,
      entryPoints: { background: 'extension/src/background.ts', popup: 'extension/src/popup.ts', options: 'extension/src/options.ts' },
      outdir: out,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['chrome120', 'firefox128'],
      minify: true,
      tsconfig: 'extension/tsconfig.json',
      legalComments: 'none',
      logLevel: 'warning',
    });
    for (const name of readdirSync(path.join(ext, 'static'))) copyFileSync(path.join(ext, 'static', name), path.join(out, name));
    copyFileSync(path.join(root, 'resources', 'icon.png'), path.join(out, 'icon.png'));
    writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifestFor(browser, base), null, 2)}\n`);
    await zip(out, path.join(dist, `cartage-${browser}.zip`));
  }
  console.log('Extension built: extension/dist/chromium, extension/dist/firefox, and their zips');
} catch (err) {
  console.error(`Cartage: building the extension failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
