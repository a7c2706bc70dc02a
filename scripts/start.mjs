// `npm start`: build the Electron app into out/ and open it. Where Electron's binary is missing (it
// is downloaded at install, which needs the internet), say so in one sentence and point to the
// headless commands, which need no Electron. `--build-only` builds and stops (for packaging).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root, tsc } from './tsc.mjs';

const buildOnly = process.argv.includes('--build-only');
const electron = buildOnly ? null : electronBinary();
if (!buildOnly && !electron) {
  console.error(
    'Cartage: the Electron binary is not installed on this machine, so the window cannot open; the headless commands work without it: npx cartage get URL, npx cartage run, npx cartage queue (see README.md).',
  );
  process.exit(1);
}
if (!build()) process.exit(1);
const sqliteBinding = electron ? sqliteForElectron() : null;
if (electron) {
  // `electron .` reads package.json "main"; without it, start the compiled entry itself.
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const target = pkg.main ? root : path.join(root, 'out', 'main', 'app', 'main.js');
  const env = { ...process.env, ...(sqliteBinding ? { CARTAGE_SQLITE_BINDING: sqliteBinding } : {}) };
  const child = spawn(electron, [target, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
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

/** main + core (ESM), the preload (CommonJS, for the sandbox), the renderer's script and page, in out/. */
function build() {
  const built =
    tsc('tsconfig.app.json') &&
    tsc('tsconfig.preload.json') &&
    // The renderer's script lands beside its page: out/renderer/index.html loads ./src/main.js.
    tsc('tsconfig.web.json', '--noEmit', 'false', '--outDir', 'out', '--rootDir', '.');
  if (!built) {
    console.error('Cartage: building the app failed (compiler output above).');
    return false;
  }
  mkdirSync(path.join(root, 'out', 'renderer'), { recursive: true });
  copyFileSync(path.join(root, 'renderer', 'index.html'), path.join(root, 'out', 'renderer', 'index.html'));
  return true;
}

/**
 * better-sqlite3 for Electron's ABI, built in out/native/ so the copy in node_modules stays the one
 * Node (the CLI, the tests) loads. prebuild-install fetches Electron's prebuilt binary; node-gyp
 * compiles it when there is none. Returns the .node file, or null (the app then says what failed).
 */
function sqliteForElectron() {
  const require = createRequire(path.join(root, 'package.json'));
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const target = path.join(root, 'out', 'native', 'better-sqlite3');
  const binding = path.join(target, 'build', 'Release', 'better_sqlite3.node');
  const marker = path.join(target, 'electron-version');
  if (existsSync(binding) && existsSync(marker) && readFileSync(marker, 'utf8') === electronVersion) return binding;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps']) {
    if (existsSync(path.join(source, entry))) cpSync(path.join(source, entry), path.join(target, entry), { recursive: true });
  }
  const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
  const attempts = [
    [bin('prebuild-install'), ['--runtime=electron', `--target=${electronVersion}`]],
    [bin('node-gyp'), ['rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers']],
  ];
  for (const [command, args] of attempts) {
    const r = spawnSync(command, args, { cwd: target, stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status === 0 && existsSync(binding)) {
      writeFileSync(marker, electronVersion);
      return binding;
    }
  }
  console.error('Cartage: could not build the SQLite module for Electron (see above); the window will say so. The headless commands still work: npx cartage ...');
  return null;
}
