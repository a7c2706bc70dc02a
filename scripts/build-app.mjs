// `npm run build:app`: the Electron app in out/, as `npm start` and electron-builder take it.
//   out/main      main/app and the core it runs, compiled by tsc (ESM, like the rest of the project)
//   out/preload   preload/index.ts bundled by esbuild into one CommonJS script: Electron runs a
//                 sandboxed preload as a plain script that may require 'electron' and nothing local
//   out/renderer  the page, built by `npm run build:renderer`
// `--electron-sqlite` also builds better-sqlite3 for Electron's ABI into out/native (npm start and
// the end-to-end test do; a package has electron-builder rebuild it in place).
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, tsc } from './tsc.mjs';

const require = createRequire(path.join(root, 'package.json'));

/** Builds main, the preload and the renderer into out/; false (after saying why) when one fails. */
export async function buildApp() {
  if (!tsc('tsconfig.app.json')) {
    console.error('Cartage: compiling the main process failed (compiler output above).');
    return false;
  }
  return (await bundlePreload()) && buildRenderer();
}

/**
 * preload/index.ts with bridge.ts and channels.ts in one CommonJS file, requiring only 'electron'.
 * api.ts is imported for types only, so zod stays out; the metafile proves it, or the build fails.
 */
export async function bundlePreload() {
  const { build } = await import('esbuild');
  const outfile = path.join(root, 'out', 'preload', 'index.js');
  let result;
  try {
    result = await build({
      absWorkingDir: root,
      entryPoints: ['preload/index.ts'],
      outfile,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'es2023',
      external: ['electron'],
      metafile: true,
      logLevel: 'warning',
      banner: { js: '// Built by scripts/build-app.mjs from preload/index.ts: do not edit.' },
    });
  } catch {
    console.error('Cartage: bundling the preload failed (esbuild output above).');
    return false;
  }
  const problems = preloadProblems(result.metafile);
  if (problems.length > 0) {
    rmSync(outfile, { force: true });
    console.error(`Cartage: the preload bundle is not fit for a sandbox: ${problems.join('; ')}.`);
    return false;
  }
  return true;
}

/** What a sandboxed preload may not hold: files outside preload/ (zod, any package) or a require of anything but 'electron'. */
function preloadProblems(metafile) {
  const problems = [];
  for (const input of Object.keys(metafile.inputs)) {
    if (!input.startsWith('preload/') || input.includes('node_modules')) problems.push(`it bundles ${input}`);
  }
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.path !== 'electron') problems.push(`it requires "${imported.path}"`);
    }
  }
  return problems;
}

/** The page: the renderer's own build script when there is one, else the bare page (a window without views). */
function buildRenderer() {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (pkg.scripts?.['build:renderer']) {
    const npm = process.env.npm_execpath;
    const run = npm?.endsWith('.js') || npm?.endsWith('.cjs')
      ? spawnSync(process.execPath, [npm, 'run', 'build:renderer'], { cwd: root, stdio: 'inherit' })
      : spawnSync('npm', ['run', 'build:renderer'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (run.status === 0) return true;
    console.error(`Cartage: building the renderer failed (${run.error?.message ?? 'output above'}).`);
    return false;
  }
  console.warn('Cartage: package.json has no "build:renderer" script yet; the window will show the bare page.');
  mkdirSync(path.join(root, 'out', 'renderer'), { recursive: true });
  copyFileSync(path.join(root, 'renderer', 'index.html'), path.join(root, 'out', 'renderer', 'index.html'));
  return true;
}

/**
 * better-sqlite3 for Electron's ABI, built in out/native/ so the copy in node_modules stays the one
 * Node (the CLI, the tests) loads. prebuild-install fetches Electron's prebuilt binary; node-gyp
 * compiles it when there is none. Returns the .node file, or null (the app then says what failed).
 */
export function sqliteForElectron() {
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

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const ok = args.includes('--preload-only') ? await bundlePreload() : await buildApp();
  if (!ok) process.exit(1);
  if (args.includes('--electron-sqlite') && !sqliteForElectron()) process.exit(1);
}
