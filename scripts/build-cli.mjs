// Bundles the compiled headless CLI (dist/main/headless/cli.js, from tsc) into one file,
// dist/cartage.mjs, which bin/cartage.js runs. Loading about 340 modules one by one (resolving,
// reading and linking each) was most of what `cartage get` cost before its first request: 0.35 s
// of CPU for one small file; bundled, 0.19 s. Packages that read files of their own beside their code
// stay outside the bundle: better-sqlite3 (its native addon), trash (its helper programs) and
// esbuild (its binary; `cartage serve` builds its page script with it).
// Run by `npm run build` and after `npm install`. Without esbuild (installed without dev
// dependencies) nothing is bundled, and bin/cartage.js runs tsc's output as it is.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Writes dist/cartage.mjs from dist/main/headless/cli.js; returns false when it failed (true when esbuild is not installed). */
export async function buildCli() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.log('Cartage: esbuild is not installed, so the command-line tool is not bundled; it works as it is, and starts a little slower.');
    return true;
  }
  try {
    await esbuild.build({
      entryPoints: [path.join(root, 'dist', 'main', 'headless', 'cli.js')],
      outfile: path.join(root, 'dist', 'cartage.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['better-sqlite3', 'trash', 'electron', 'esbuild'],
      // The CommonJS packages in the bundle (yazl, proper-lockfile, ws...) call require for Node's own modules.
      banner: { js: "import { createRequire as cartageRequire } from 'node:module'; const require = cartageRequire(import.meta.url);" },
      logLevel: 'error',
    });
    return true;
  } catch (err) {
    console.error(`Cartage: bundling the command-line tool failed: ${err.message}`);
    return false;
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url && !(await buildCli())) process.exit(1);
