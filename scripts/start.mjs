// `npm start`: build the Electron app into out/ (scripts/build-app.mjs) and open it. Where Electron's
// binary is missing (it is downloaded at install, which needs the internet), say so in one sentence
// and point to the headless commands, which need no Electron. `--build-only` builds and stops.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildApp, sqliteForElectron } from './build-app.mjs';
import { root } from './tsc.mjs';

const buildOnly = process.argv.includes('--build-only');
const electron = buildOnly ? null : electronBinary();
if (!buildOnly && !electron) {
  console.error(
    'Cartage: the Electron binary is not installed on this machine, so the window cannot open; the headless commands work without it: npx cartage get URL, npx cartage run, npx cartage queue (see README.md).',
  );
  process.exit(1);
}
if (!(await buildApp())) process.exit(1);
if (electron) {
  const sqliteBinding = sqliteForElectron();
  const env = { ...process.env, ...(sqliteBinding ? { CARTAGE_SQLITE_BINDING: sqliteBinding } : {}) };
  // Set in the environment, it would start Electron as plain Node, without a window.
  delete env.ELECTRON_RUN_AS_NODE;
  // `electron .` reads package.json "main" (out/main/app/main.js).
  const args = process.argv.slice(2).filter((a) => a !== '--build-only');
  const child = spawn(electron, [root, ...args], { cwd: root, stdio: 'inherit', env });
  child.on('error', (err) => {
    console.error(`Cartage: Electron could not start (${err.message}).`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** The path of Electron's executable, or null when the package or its downloaded binary is missing. */
function electronBinary() {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
