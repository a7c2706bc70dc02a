// The one window: locked down (sandboxed, isolated, no Node), placed where it was last time.
import { BrowserWindow, screen, type NativeImage, type Rectangle } from 'electron';
import { windowWebPreferences } from './page-policy.js';
import type { Preferences } from './prefs.js';

export interface MainWindowOptions {
  preload: string;
  page: string;
  icon: NativeImage;
  prefs: Preferences;
}

const defaultSize = { width: 1100, height: 720 };

/** Opens the window on the page; it shows itself once painted, maximized if it was. */
export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const saved = o.prefs.windowState();
  const bounds = saved.bounds && onSomeDisplay(saved.bounds) ? saved.bounds : null;
  const win = new BrowserWindow({
    ...(bounds ?? defaultSize),
    minWidth: 640,
    minHeight: 440,
    title: 'Cartage',
    icon: o.icon,
    show: false,
    webPreferences: windowWebPreferences(o.preload),
  });
  win.once('ready-to-show', () => {
    if (saved.maximized) win.maximize();
    win.show();
  });
  // Saved on every close, including the one that only hides the window into the tray.
  win.on('close', () => {
    if (!win.isDestroyed()) o.prefs.saveWindowState({ bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  });
  void win.loadFile(o.page);
  return win;
}

/** Shows, restores and focuses the window (a second launch, the tray, a notification). */
export function bringToFront(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}

// A window saved on a screen since unplugged would open out of reach: at least 64 px of it must
// fall on a display's work area.
function onSomeDisplay(b: Rectangle): boolean {
  return screen.getAllDisplays().some(({ workArea: w }) => {
    const width = Math.min(b.x + b.width, w.x + w.width) - Math.max(b.x, w.x);
    const height = Math.min(b.y + b.height, w.y + w.height) - Math.max(b.y, w.y);
    return width >= 64 && height >= 64;
  });
}
