// The Electron shell: one window over the same core the CLI runs. Thin on purpose (see
// ARCHITECTURE.md): reading this file is its test, since Electron cannot run on our build machines.
// The real UI, its IPC and the tray come later; this only starts the engine and shows the window.
import { app, BrowserWindow, dialog } from 'electron';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Core } from '../core/core.js';
import { defaultDataDir } from '../core/paths.js';

// Paths are relative to this compiled file (out/main/app/main.js), in a checkout and in the package.
const preloadPath = fileURLToPath(new URL('../../preload/index.js', import.meta.url));
const pagePath = fileURLToPath(new URL('../../renderer/index.html', import.meta.url));

let core: Core | null = null;
let window: BrowserWindow | null = null;

// The CLI's data folder (CARTAGE_DATA_DIR, else the platform's per-user folder), so both share one
// queue. Electron would otherwise name it after package.json "name" (lower case). Set before the
// single-instance lock, which lives in this folder.
app.setPath('userData', defaultDataDir());

// A second Cartage would fight the first over the queue: hand its focus request to the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.whenReady().then(start).catch(fail);
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  fs.mkdirSync(dataDir, { recursive: true });
  // `npm start` builds better-sqlite3 for Electron beside the Node build the CLI uses (see scripts/start.mjs);
  // a packaged app has it rebuilt in place by electron-builder.
  const nativeBinding = process.env.CARTAGE_SQLITE_BINDING;
  core = new Core({ dataDir, ...(nativeBinding ? { nativeBinding } : {}) });
  const engine = core.startEngine();
  if (!engine.ok) {
    void dialog.showMessageBox({
      type: 'info',
      message: `Another Cartage process (pid ${engine.pid}) is working through the queue; this window will not start downloads until it stops.`,
    });
  }
  window = createWindow();
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    title: 'Cartage',
    show: false,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      // The preload reads the version from here: a sandboxed preload cannot read package.json.
      additionalArguments: [`--cartage-version=${app.getVersion()}`],
    },
  });
  // The renderer has no network of its own (invariant 5): no navigation, no new windows.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    window = null;
  });
  void win.loadFile(pagePath);
  return win;
}

// Close the database only after the engine has put its rows in order; then quit for real.
let closing = false;
app.on('before-quit', (event) => {
  if (!core || closing) return;
  event.preventDefault();
  closing = true;
  const c = core;
  core = null;
  c.close().then(
    () => app.quit(),
    (err: unknown) => {
      console.error('Cartage: closing the queue failed:', err);
      app.exit(1);
    },
  );
});

app.on('window-all-closed', () => {
  // The tray will keep downloads going later; until then, closing the window quits (except on macOS).
  if (process.platform !== 'darwin') app.quit();
});

app.on('activate', () => {
  if (core && !window) window = createWindow();
});

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  dialog.showErrorBox('Cartage could not start', message);
  app.exit(1);
}
