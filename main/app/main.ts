// The Electron shell: one window, a tray icon and notifications over the same core the CLI runs.
// Thin on purpose (ARCHITECTURE.md): it wires Electron to the core's Service, and reading it is its
// test, since Electron cannot run on our build machines. The other files of main/app each do one
// part: window, ipc, tray, notifications, power, secrets, security, prefs.
import { app, dialog, nativeImage, session, shell, type BrowserWindow } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appCartageCommand, refreshLauncher } from '../core/browser-hosts.js';
import { Core } from '../core/core.js';
import { sqliteBindingFor } from '../core/db/connection.js';
import { CartageError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { defaultDataDir } from '../core/paths.js';
import { FileSecretStore } from '../core/secrets.js';
import { Service } from '../core/service/service.js';
import { assertNever } from '../core/util/assert-never.js';
import { request, type AppEvent, type AppService } from './contract.js';
import { registerIpc } from './ipc.js';
import { openWebLink, showOnDisk } from './links.js';
import { createAppLog } from './log.js';
import { Notifier } from './notifications.js';
import { SleepBlocker } from './power.js';
import { Preferences } from './prefs.js';
import { RunTracker, type RunStatus } from './progress.js';
import { keychainCipher } from './secrets.js';
import { guardWebContents, lockDownSession } from './security.js';
import { AppTray } from './tray.js';
import { bringToFront, createMainWindow } from './window.js';

// Paths relative to this compiled file (out/main/app/main.js), the same in a checkout and in the package.
const file = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const preloadFile = file('../../preload/index.js');
const pageFile = file('../../renderer/index.html');
const trayIconFile = file('../../../resources/tray.png');
const appIconFile = file('../../../resources/icon.png');
// `npm start` builds better-sqlite3 for Electron here; a package has it rebuilt in node_modules.
const devSqliteBinding = file('../../native/better-sqlite3/build/Release/better_sqlite3.node');
// The CLI compiled beside main: the browser's native host runs it in this app's binary, as Node.
const cliFile = file('../headless/cli.js');

// The CLI's data folder (CARTAGE_DATA_DIR, else the platform's per-user folder), so both share one
// queue; set before anything reads userData (the single-instance lock, electron-store, the logs).
app.setPath('userData', defaultDataDir());
app.setAppLogsPath();
app.enableSandbox();
if (process.platform === 'win32') app.setAppUserModelId('app.cartage.desktop');
const log = createAppLog(app.getPath('logs'));
guardWebContents(log);

interface Running {
  core: Core;
  service: Service;
  prefs: Preferences;
  tray: AppTray;
  notifier: Notifier;
  detach: (() => void)[];
}

let running: Running | null = null;
let window: BrowserWindow | null = null;
let quitting = false;
const tracker = new RunTracker();
const sleep = new SleepBlocker();

// A second Cartage would fight the first over the queue: it hands its links to the first and quits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    showWindow();
    addLinks(argv);
  });
  app.whenReady().then(start).catch(fail);
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  fs.mkdirSync(dataDir, { recursive: true });
  lockDownSession(session.defaultSession, path.dirname(pageFile), log);
  const nativeBinding = sqliteBindingFor(process.env) ?? (!app.isPackaged && fs.existsSync(devSqliteBinding) ? devSqliteBinding : undefined);
  const cartageCommand = appCartageCommand({
    execPath: process.execPath,
    cli: cliFile,
    packaged: app.isPackaged,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  try {
    refreshLauncher(dataDir, cartageCommand);
  } catch (err) {
    log.warn(`The browser extension may not reach this Cartage: its launcher could not be updated (${err instanceof Error ? err.message : String(err)}).`);
  }
  const core = new Core({
    dataDir,
    secrets: new FileSecretStore(dataDir, keychainCipher(log)),
    trash: async (paths) => {
      for (const p of paths) await shell.trashItem(p);
    },
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  const service = new Service(core, {
    host: 'electron',
    version: app.getVersion(),
    openExternal: async (url: string) => {
      if (!openWebLink(url)) throw new CartageError('bad_input', 'Only web addresses (http or https) can be opened.');
    },
    reveal: (target: string) => showOnDisk(target),
    cartageCommand,
  });
  const prefs = new Preferences();
  const notifier = new Notifier({
    icon: nativeImage.createFromPath(appIconFile),
    showWindow,
    windowVisible: () => window !== null && window.isVisible() && !window.isMinimized(),
    log,
  });
  const trayIcon = nativeImage.createFromPath(trayIconFile);
  // macOS's menu bar takes 16 pt icons; the 32 px image is its @2x.
  const tray = new AppTray(process.platform === 'darwin' ? trayIcon.resize({ width: 16, height: 16 }) : trayIcon, {
    show: showWindow,
    pauseAll: () => void run(service, 'tasks.pauseAll'),
    resumeAll: () => void run(service, 'tasks.resumeAll'),
    cancelAll: () => void cancelAll(service),
    runMirrors: () => void runMirrors(service),
    quit: () => app.quit(),
  });
  tray.render(tracker.status);
  // Handlers before the page loads: its first requests come as it starts.
  const detach = [registerIpc({ service, contents: () => window?.webContents ?? null, pageFile, log }), service.on(onEvent)];
  running = { core, service, prefs, tray, notifier, detach };

  const engine = core.runOrFollow(() => log.info('the other Cartage process stopped; this one now runs the queue'));
  if (!engine.ok) {
    void dialog.showMessageBox({
      type: 'info',
      message: `Another Cartage process (pid ${engine.pid}) is working through the queue. This window shows its progress, and takes the downloads over when it stops.`,
    });
  }
  openWindow();
  // Where downloads were when the app last stopped: the tray and the taskbar show it before any event.
  const queue = await request(service, 'tasks.list', { limit: 1 });
  if (queue.ok) showStatus(tracker.update(queue.value.totals));
  addLinks(process.argv.slice(1));
}

/** The core's events, as the tray, the taskbar, the power-save blocker and notifications show them. */
function onEvent(name: AppEvent['name'], payload: unknown): void {
  if (!running) return;
  const event = { name, payload } as AppEvent;
  switch (event.name) {
    case 'tasks.progress': {
      const wasBusy = tracker.status.busy;
      const status = tracker.update(event.payload.totals);
      showStatus(status);
      if (status.busy && !wasBusy) running.notifier.runStarted(status);
      return;
    }
    case 'tasks.changed':
      running.notifier.taskChanged(event.payload);
      return;
    case 'deliveries.changed':
      running.notifier.deliveryChanged(event.payload);
      return;
    case 'queue.paused':
      running.notifier.queuePaused(event.payload);
      return;
    case 'mirrors.changed':
      running.notifier.mirrorRun(event.payload);
      return;
    case 'cart.changed':
      return;
    default:
      assertNever(event, 'event');
  }
}

function showStatus(status: RunStatus): void {
  running?.tray.render(status);
  sleep.set(status.busy);
  if (!window || window.isDestroyed()) return;
  // -1 removes the bar; 2 shows an indeterminate one while no size is known.
  window.setProgressBar(status.busy ? (status.fraction ?? 2) : -1, { mode: status.busy ? (status.fraction === null ? 'indeterminate' : 'normal') : 'none' });
}

function openWindow(): void {
  if (!running) return;
  const win = createMainWindow({ preload: preloadFile, page: pageFile, icon: nativeImage.createFromPath(appIconFile), prefs: running.prefs });
  win.on('close', (event) => {
    // Downloads go on in the tray when the person wants that; Quit (tray, menu, OS) closes for real.
    if (quitting || !running || !tracker.status.busy || !running.core.settings.get().keepRunningInTray) return;
    event.preventDefault();
    win.hide();
    if (!running.prefs.trayNoticeShown) {
      running.prefs.markTrayNoticeShown();
      running.notifier.keptInTray(tracker.status);
    }
  });
  win.on('closed', () => {
    if (window === win) window = null;
  });
  window = win;
  showStatus(tracker.status);
}

function showWindow(): void {
  if (!running) return;
  if (!window || window.isDestroyed()) openWindow();
  else bringToFront(window);
}

/** http(s) links in a launch's arguments go to the download list. */
function addLinks(argv: readonly string[]): void {
  if (!running) return;
  const links = argv.filter((a) => /^https?:\/\//i.test(a) && URL.canParse(a));
  if (links.length === 0) return;
  void run(running.service, 'cart.add', { refs: links });
}

async function cancelAll(service: AppService): Promise<void> {
  const { response } = await dialog.showMessageBox({
    type: 'warning',
    message: 'Cancel every download?',
    detail: 'Files already downloaded stay where they are; the rest are not downloaded.',
    buttons: ['Cancel all', 'Keep downloading'],
    defaultId: 1,
    cancelId: 1,
  });
  if (response === 0) await run(service, 'tasks.cancelAll');
}

/** Every mirror, one after another; each run's report comes back as a notification. */
async function runMirrors(service: AppService): Promise<void> {
  const mirrors = await request(service, 'mirrors.list', {});
  if (!mirrors.ok) return;
  for (const m of mirrors.value) await run(service, 'mirrors.run', { id: m.id });
}

/** A request from the shell itself; a refusal goes to the log (the window shows its own). */
async function run(
  service: AppService,
  channel: 'tasks.pauseAll' | 'tasks.resumeAll' | 'tasks.cancelAll' | 'cart.add' | 'mirrors.run',
  input: unknown = {},
): Promise<void> {
  const result = await request(service, channel, input);
  if (!result.ok) log.warn(`${channel} from the shell was refused: [${result.error.code}] ${result.error.message}`);
}

// Close the database only after the engine has put its rows in order; then quit for real.
let closing = false;
app.on('before-quit', (event) => {
  quitting = true;
  if (!running || closing) return;
  event.preventDefault();
  closing = true;
  const r = running;
  running = null;
  shutDown(r, log).then(
    () => app.quit(),
    (err: unknown) => {
      log.error(`Closing the queue failed: ${err instanceof Error ? err.message : String(err)}`);
      app.exit(1);
    },
  );
});

async function shutDown(r: Running, logger: Logger): Promise<void> {
  for (const undo of r.detach) undo();
  r.tray.destroy();
  sleep.set(false);
  r.service.close();
  await r.core.close();
  logger.info('Cartage closed its queue and quit.');
}

app.on('window-all-closed', () => {
  // Reached only when the window really closed (not into the tray); macOS apps stay in the dock.
  if (process.platform !== 'darwin') app.quit();
});

app.on('activate', () => showWindow());

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  log.error(`Cartage could not start: ${message}`);
  dialog.showErrorBox('Cartage could not start', message);
  app.exit(1);
}
