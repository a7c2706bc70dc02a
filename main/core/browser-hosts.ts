import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { browserKinds, chromiumExtensionId, firefoxExtensionId, nativeHostName, type BrowserKind } from '../../preload/browser-limits.js';
import { sqliteBindingVariable } from './db/connection.js';
import { CartageError } from './errors.js';
import { assertNever } from './util/assert-never.js';

// Where the browsers look for Cartage's native messaging host, per user: written by
// `cartage browser install` and by the Settings of the app and of `cartage serve`.

/** How to start `cartage` again: the program, the script it runs, and what it needs in its environment. */
export interface CartageCommand {
  node: string;
  script: string;
  /** Set for the launcher (ELECTRON_RUN_AS_NODE when the app's own binary runs the command). */
  env?: Record<string, string>;
}

export const browsers = browserKinds;
export type Browser = BrowserKind;

const names: Record<Browser, string> = { chromium: 'Chromium', chrome: 'Google Chrome', firefox: 'Firefox' };

export interface InstallOptions {
  dataDir: string;
  cartage: CartageCommand;
  /** Chromium's --user-data-dir, when the browser runs with one: the manifest goes in its NativeMessagingHosts. */
  userDataDir?: string;
  /** Another extension id allowed to call (a build from a store, whose id differs from the unpacked one). */
  extensionIds?: string[];
  home?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

/** The per-user folder where a browser looks for native messaging hosts. */
export function manifestDir(browser: Browser, opts: Pick<InstallOptions, 'userDataDir' | 'home' | 'platform' | 'env'> = {}): string {
  const home = opts.home ?? os.homedir();
  const platform = opts.platform ?? process.platform;
  if (opts.userDataDir && browser !== 'firefox') return path.join(opts.userDataDir, 'NativeMessagingHosts');
  if (platform === 'win32') {
    throw new CartageError(
      'bad_input',
      `On Windows the browsers find native hosts through the registry, which "cartage browser install" does not write yet; the Cartage installer will.`,
    );
  }
  const mac = platform === 'darwin';
  const config = (opts.env ?? process.env).XDG_CONFIG_HOME || path.join(home, '.config');
  switch (browser) {
    case 'chromium':
      return mac ? path.join(home, 'Library', 'Application Support', 'Chromium', 'NativeMessagingHosts') : path.join(config, 'chromium', 'NativeMessagingHosts');
    case 'chrome':
      return mac ? path.join(home, 'Library', 'Application Support', 'Google', 'Chrome', 'NativeMessagingHosts') : path.join(config, 'google-chrome', 'NativeMessagingHosts');
    case 'firefox':
      return mac ? path.join(home, 'Library', 'Application Support', 'Mozilla', 'NativeMessagingHosts') : path.join(home, '.mozilla', 'native-messaging-hosts');
    default:
      return assertNever(browser, 'browser');
  }
}

/** Where the manifest of this browser goes. */
export function manifestPath(browser: Browser, opts: Pick<InstallOptions, 'userDataDir' | 'home' | 'platform' | 'env'> = {}): string {
  return path.join(manifestDir(browser, opts), `${nativeHostName}.json`);
}

/** The program the manifests name: browsers start it without arguments of ours, so it carries them. */
export function launcherPath(dataDir: string): string {
  return path.join(dataDir, 'browser', 'cartage-native-host');
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The launcher's text: a shell script that starts `cartage native-host` on this data folder with the
 * browser's own arguments after ours (Chromium passes the extension's origin; Firefox the manifest's
 * path and the extension's id; the host ignores both).
 */
export function launcherScript(dataDir: string, cartage: CartageCommand): string {
  const env = Object.entries(cartage.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`);
  return [
    '#!/bin/sh',
    '# Started by the browser for the Cartage extension; Cartage writes it (cartage browser install, or its Settings).',
    ...(env.length ? [`export ${env.join(' ')}`] : []),
    `exec ${quote(cartage.node)} ${quote(cartage.script)} native-host --data-dir ${quote(dataDir)} "$@"`,
    '',
  ].join('\n');
}

/** Writes the launcher when its text changed (another program or folder); only its owner may run or read it. */
function writeLauncher(dataDir: string, cartage: CartageCommand): boolean {
  const launcher = launcherPath(dataDir);
  const text = launcherScript(dataDir, cartage);
  let changed = true;
  try {
    changed = fs.readFileSync(launcher, 'utf8') !== text;
  } catch {
    // None yet.
  }
  if (changed) {
    fs.mkdirSync(path.dirname(launcher), { recursive: true });
    fs.writeFileSync(launcher, text, { mode: 0o700 });
  }
  // writeFileSync's mode applies to a new file only: an older launcher (0755) gets it now.
  fs.chmodSync(launcher, 0o700);
  return changed;
}

/**
 * Points an existing launcher at this Cartage, for the app to call as it starts: an app that moved
 * or was updated (another program path) keeps the browsers connected. Where no browser is connected
 * there is no launcher, and none is written. True when it was rewritten.
 */
export function refreshLauncher(dataDir: string, cartage: CartageCommand): boolean {
  if (!fs.existsSync(launcherPath(dataDir))) return false;
  return writeLauncher(dataDir, cartage);
}

/**
 * Where the desktop app's files are, for the launcher to run its own Electron binary as Node. An
 * AppImage's files are in a mount that lasts while the app runs, at another path each time: there
 * the launcher works while the app runs, and the app points it at the new mount as it starts.
 */
export interface AppPaths {
  /** process.execPath: the app's Electron binary. */
  execPath: string;
  /** The CLI the app ships (out/main/headless/cli.js; inside app.asar in a package, which Electron as Node reads). */
  cli: string;
  /** better-sqlite3 built for Electron when it is not the one in node_modules (`npm start`). */
  nativeBinding?: string;
  /** A package (not `npm start`): its binary alone opens the app, so the extension's "Open Cartage" may start it. */
  packaged: boolean;
}

/**
 * How the browser starts the app's own `cartage`, with no terminal and no Node installed: the app's
 * Electron binary run as Node (ELECTRON_RUN_AS_NODE) on the CLI it ships, loading the SQLite module
 * the app loads (Node's build in node_modules would not load in Electron).
 */
export function appCartageCommand(app: AppPaths): CartageCommand {
  return {
    node: app.execPath,
    script: app.cli,
    env: {
      ELECTRON_RUN_AS_NODE: '1',
      ...(app.nativeBinding ? { [sqliteBindingVariable]: app.nativeBinding } : {}),
      ...(app.packaged ? { CARTAGE_APP: app.execPath } : {}),
    },
  };
}

/** Writes the launcher and one browser's manifest; returns the manifest's path. */
export function install(browser: Browser, opts: InstallOptions): string {
  const target = manifestPath(browser, opts);
  const launcher = launcherPath(opts.dataDir);
  writeLauncher(opts.dataDir, opts.cartage);
  const base = { name: nativeHostName, description: 'Cartage: downloads sent from the browser', path: launcher, type: 'stdio' };
  const manifest =
    browser === 'firefox'
      ? { ...base, allowed_extensions: [firefoxExtensionId] }
      : { ...base, allowed_origins: [chromiumExtensionId, ...(opts.extensionIds ?? [])].map((id) => `chrome-extension://${id}/`) };
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
  return target;
}

/** Removes one browser's manifest; false when there was none. The launcher goes with the last one. */
export function uninstall(browser: Browser, opts: Omit<InstallOptions, 'cartage'>): boolean {
  const target = manifestPath(browser, opts);
  const existed = fs.existsSync(target);
  fs.rmSync(target, { force: true });
  if (!opts.userDataDir && installed(opts).length === 0) fs.rmSync(launcherPath(opts.dataDir), { force: true });
  return existed;
}

/** Which browsers have Cartage's manifest now. */
export function installed(opts: Pick<InstallOptions, 'userDataDir' | 'home' | 'platform' | 'env'> = {}): Browser[] {
  return browsers.filter((b) => fs.existsSync(manifestPath(b, opts)));
}

export function browserName(b: Browser): string {
  return names[b];
}
