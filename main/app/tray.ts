// The tray icon: overall progress in its tooltip, and a menu to show the window, pause, resume or
// cancel everything, and quit (the only way out while downloads go on in the tray).
import { Menu, Tray, type NativeImage } from 'electron';
import type { RunStatus } from './progress.js';
import { trayMenu, trayTooltip, type TrayActions } from './tray-menu.js';

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
    const tooltip = trayTooltip(status);
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
    const items = trayMenu(status);
    const key = JSON.stringify(items);
    if (key === this.menuKey) return;
    this.menuKey = key;
    this.tray.setContextMenu(
      Menu.buildFromTemplate(
        items.map((i) =>
          i.kind === 'separator' ? { type: 'separator' as const } : { label: i.label, enabled: i.enabled, click: () => this.actions[i.action]() },
        ),
      ),
    );
  }

  destroy(): void {
    this.tray.destroy();
  }
}
