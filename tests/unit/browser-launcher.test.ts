// The launcher the browsers start for the extension, and how the desktop app fills it in: its own
// Electron binary run as Node on the CLI it ships, with the SQLite module built for Electron.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appCartageCommand, install, launcherPath, launcherScript, refreshLauncher, type CartageCommand } from '../../main/core/browser-hosts.js';
import { sqliteBindingFor } from '../../main/core/db/connection.js';
import { tempDir } from '../helpers/core.js';

const modeOf = (file: string): number => fs.statSync(file).mode & 0o777;

/** A program that prints the arguments it got and the variables the launcher set, one a line. */
function argumentPrinter(dir: string): string {
  const file = path.join(dir, `it's "Cartage" App`, 'cartage');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\nprintf "%s\\n" "$@" "as node: $ELECTRON_RUN_AS_NODE" "sqlite: $CARTAGE_SQLITE_BINDING" "app: $CARTAGE_APP"\n', { mode: 0o755 });
  return file;
}

describe('the launcher script', () => {
  it('quotes every path for the shell, so spaces, quotes and dollars reach the program as they are', () => {
    const dir = tempDir();
    const program = argumentPrinter(dir);
    const dataDir = path.join(dir, `data $HOME 'x'`);
    const cartage: CartageCommand = {
      node: program,
      script: path.join(dir, 'cli with `spaces`.js'),
      env: { ELECTRON_RUN_AS_NODE: '1', CARTAGE_SQLITE_BINDING: "/opt/it's here/better_sqlite3.node" },
    };
    fs.mkdirSync(path.dirname(launcherPath(dataDir)), { recursive: true });
    fs.writeFileSync(launcherPath(dataDir), launcherScript(dataDir, cartage), { mode: 0o700 });
    // Firefox's arguments: the manifest's path and the extension's id.
    const run = spawnSync(launcherPath(dataDir), ['/home/ann/.mozilla/native-messaging-hosts/app.cartage.json', 'send-to@cartage.app'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual([
      cartage.script,
      'native-host',
      '--data-dir',
      dataDir,
      '/home/ann/.mozilla/native-messaging-hosts/app.cartage.json',
      'send-to@cartage.app',
      'as node: 1',
      "sqlite: /opt/it's here/better_sqlite3.node",
      'app: ',
      '',
    ]);
  });

  it('sets no variables for a plain Node command', () => {
    expect(launcherScript('/data', { node: '/usr/bin/node', script: '/opt/cartage/bin/cartage.js' })).toBe(
      "#!/bin/sh\n# Started by the browser for the Cartage extension; Cartage writes it (cartage browser install, or its Settings).\nexec '/usr/bin/node' '/opt/cartage/bin/cartage.js' native-host --data-dir '/data' \"$@\"\n",
    );
  });

  it("is written for its owner only (0700), also over an older launcher that others could read", () => {
    const dataDir = tempDir();
    const home = tempDir('cartage-home-');
    fs.mkdirSync(path.dirname(launcherPath(dataDir)), { recursive: true });
    fs.writeFileSync(launcherPath(dataDir), '#!/bin/sh\n', { mode: 0o755 });
    install('firefox', { dataDir, home, platform: 'linux', env: {}, cartage: { node: '/usr/bin/node', script: '/cli.js' } });
    expect(modeOf(launcherPath(dataDir))).toBe(0o700);
    expect(fs.readFileSync(launcherPath(dataDir), 'utf8')).toContain("exec '/usr/bin/node' '/cli.js'");
  });
});

describe('refreshLauncher: the app, as it starts, points the browsers at itself', () => {
  const app = (execPath: string): CartageCommand => appCartageCommand({ execPath, cli: `${path.dirname(execPath)}/resources/app.asar/out/main/headless/cli.js`, packaged: true });

  it('rewrites the launcher of an app that moved or was updated, and only then', () => {
    const dataDir = tempDir();
    const home = tempDir('cartage-home-');
    install('chromium', { dataDir, home, platform: 'linux', env: {}, cartage: app('/opt/Cartage 1.0/cartage') });
    fs.chmodSync(launcherPath(dataDir), 0o755);
    expect(refreshLauncher(dataDir, app('/opt/Cartage 1.1/cartage'))).toBe(true);
    const text = fs.readFileSync(launcherPath(dataDir), 'utf8');
    expect(text).toBe(launcherScript(dataDir, app('/opt/Cartage 1.1/cartage')));
    expect(text).not.toContain('1.0');
    expect(modeOf(launcherPath(dataDir))).toBe(0o700);
    expect(refreshLauncher(dataDir, app('/opt/Cartage 1.1/cartage'))).toBe(false);
  });

  it('writes nothing where no browser was connected', () => {
    const dataDir = tempDir();
    expect(refreshLauncher(dataDir, app('/opt/Cartage/cartage'))).toBe(false);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});

describe("appCartageCommand: the app's own binary, run as Node", () => {
  it('under npm start: Electron from node_modules, the SQLite module built for it, no app to open', () => {
    const binding = '/src/cartage/out/native/better-sqlite3/build/Release/better_sqlite3.node';
    expect(appCartageCommand({ execPath: '/src/cartage/node_modules/electron/dist/electron', cli: '/src/cartage/out/main/headless/cli.js', nativeBinding: binding, packaged: false })).toEqual({
      node: '/src/cartage/node_modules/electron/dist/electron',
      script: '/src/cartage/out/main/headless/cli.js',
      env: { ELECTRON_RUN_AS_NODE: '1', CARTAGE_SQLITE_BINDING: binding },
    });
  });

  it('in a package: the module rebuilt in node_modules, and the binary opens the app', () => {
    expect(appCartageCommand({ execPath: '/opt/Cartage/cartage', cli: '/opt/Cartage/resources/app.asar/out/main/headless/cli.js', packaged: true })).toEqual({
      node: '/opt/Cartage/cartage',
      script: '/opt/Cartage/resources/app.asar/out/main/headless/cli.js',
      env: { ELECTRON_RUN_AS_NODE: '1', CARTAGE_APP: '/opt/Cartage/cartage' },
    });
  });
});

describe("sqliteBindingFor: the CLI loads Electron's SQLite module only inside Electron", () => {
  const env = { CARTAGE_SQLITE_BINDING: '/opt/Cartage/better_sqlite3.node' };
  it('takes the named module in Electron run as Node', () => {
    expect(sqliteBindingFor(env, { electron: '41.7.1' })).toBe('/opt/Cartage/better_sqlite3.node');
    expect(sqliteBindingFor({}, { electron: '41.7.1' })).toBeUndefined();
    expect(sqliteBindingFor({ CARTAGE_SQLITE_BINDING: '' }, { electron: '41.7.1' })).toBeUndefined();
  });

  it("ignores it under Node, whose ABI Electron's build does not match", () => {
    expect(sqliteBindingFor(env, { electron: undefined })).toBeUndefined();
    expect(sqliteBindingFor(env)).toBeUndefined();
  });
});
