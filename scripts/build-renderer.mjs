// Builds the renderer into out/renderer/: index.html, app.js and app.css (minified, with source
// maps, for Chromium 120+) and the icon. Electron loads this folder from disk, and `cartage serve`
// serves it (adding bridge.js). Run with `npm run build:renderer`.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'out', 'renderer');

/** Files copied beside the bundle as they are: [from (under the project), to (under out/renderer)]. */
const statics = [
  ['renderer/index.html', 'index.html'],
  ['resources/icon.png', 'icon.png'],
];

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

try {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: 'renderer/src/main.tsx' },
    outdir: outDir,
    bundle: true,
    // A classic script (not a module): the page loads from file:// in Electron, where modules are refused.
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    tsconfig: 'tsconfig.web.json',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  for (const [from, to] of statics) {
    const source = path.join(root, from);
    if (existsSync(source)) copyFileSync(source, path.join(outDir, to));
    else if (from.endsWith('.html')) throw new Error(`${from} is missing.`);
  }
  const outputs = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, meta]) => `${path.relative(root, path.resolve(root, file))} (${(meta.bytes / 1000).toFixed(0)} kB)`);
  console.log(`Renderer built: ${outputs.join(', ')}, out/renderer/index.html`);
} catch (err) {
  console.error(`Cartage: building the renderer failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
