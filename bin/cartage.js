#!/usr/bin/env node
// The `cartage` command: the compiled headless CLI, bundled into one file (scripts/build-cli.mjs),
// or as tsc wrote it where it could not be bundled. `npm install` builds it (scripts/postinstall.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundled = fileURLToPath(new URL('../dist/cartage.mjs', import.meta.url));
const cli = existsSync(bundled) ? bundled : fileURLToPath(new URL('../dist/main/headless/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('cartage: Cartage is not built yet; run "npm install" (or "npm run build") in its folder first.\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
await main();
