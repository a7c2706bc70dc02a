// The tray icon: overall progress in its tooltip, and a menu to show the window, pause, resume or
// cancel everything, and quit (the only way out while downloads go on in the tray).
import { Menu, Tray, type NativeImage } from 'electron';
import type { RunStatus } from './progress.js';

export interface TrayActions {
  show(): void;
  pauseAll(): void;
  resumeAll(): void;
  cancelAll(): void;
  /** Runs every mirror now (the scheduled ones run by themselves while Cartage runs). */
  runMirrors(): void;
  quit(): void;
}

/** The tray icon and its menu, redrawn only when what they show changes. */
export class AppTray {
  private readonly tray: Tray;
  private tooltip = '';
  private menuKey = '';

  constructor(
    icon: NativeImage,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(icon);
    // Windows and macOS report a click on the icon; on Linux the menu's first item does this.
    this.tray.on('click', () => actions.show());
  }

  render(status: RunStatus): void {
    const tooltip = `Cartage: ${status.text}`;
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
    // Pause all while anything is downloading; Resume all when only paused downloads are left.
    const resume = !status.busy && status.paused > 0;
    const canCancel = status.busy || status.paused > 0;
    const key = `${status.busy}|${resume}|${canCancel}`;
    if (key === this.menuKey) return;
    this.menuKey = key;
    const a = this.actions;
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Cartage', click: () => a.show() },
        { type: 'separator' },
        resume ? { label: 'Resume all', click: () => a.resumeAll() } : { label: 'Pause all', enabled: status.busy, click: () => a.pauseAll() },
        { label: 'Cancel all', enabled: canCancel, click: () => a.cancelAll() },
        { type: 'separator' },
        { label: 'Update mirrors now', click: () => a.runMirrors() },
        { type: 'separator' },
        { label: 'Quit', click: () => a.quit() },
      ]),
    );
  }

  destroy(): void {
    this.tray.destroy();
  }
}
