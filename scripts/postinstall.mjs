// After `npm install` / `npm ci` in this folder: fetch Electron's binary if we can, then build the
// headless CLI so `npx cartage` works at once. Electron's own install script is denied in
// package.json "allowScripts" because it fails the whole install without internet; here a failed
// download costs one line and the install goes on, since everything but the window works without it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildCli } from './build-cli.mjs';
import { root, tsc } from './tsc.mjs';

fetchElectron();
if (!tsc('tsconfig.build.json')) {
  console.error('Cartage: building the command-line tool failed (compiler output above).');
  process.exit(1);
}
if (!(await buildCli())) process.exit(1);

function fetchElectron() {
  const install = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(install)) return; // Installed without dev dependencies: no app to start here.
  const skip = ['ELECTRON_SKIP_BINARY_DOWNLOAD', 'CI'].find((name) => isSet(process.env[name]));
  if (skip) {
    console.log(`Cartage: skipped the Electron binary download (${skip} is set); the headless commands (npx cartage ...) work without it.`);
    return;
  }
  const run = spawnSync(process.execPath, [install], { cwd: path.dirname(install), stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (run.status === 0) return;
  // install.js prints a stack; its first line (e.g. "RequestError: getaddrinfo ENOTFOUND github.com") is the reason.
  const reason = (run.stderr ?? '').trim().split('\n')[0] || run.error?.message || `exit code ${run.status}`;
  console.log(
    `Cartage: the Electron binary could not be downloaded (${reason}); the headless commands (npx cartage ...) work without it, and npm start will say so.`,
  );
}

function isSet(value) {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
