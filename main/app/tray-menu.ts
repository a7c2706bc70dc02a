// What the tray menu offers for a run status, as plain data: tray.ts turns it into Electron's menu,
// and tests read it without Electron.
import type { RunStatus } from './progress.js';

/** What the menu's items do, supplied by main.ts. */
export interface TrayActions {
  show(): void;
  pauseAll(): void;
  resumeAll(): void;
  cancelAll(): void;
  /** Runs every mirror now (the scheduled ones run by themselves while Cartage runs). */
  runMirrors(): void;
  quit(): void;
}

export type TrayAction = keyof TrayActions;

export type TrayMenuItem = { kind: 'item'; label: string; action: TrayAction; enabled: boolean } | { kind: 'separator' };

const item = (label: string, action: TrayAction, enabled = true): TrayMenuItem => ({ kind: 'item', label, action, enabled });
const separator: TrayMenuItem = { kind: 'separator' };

/** The tray's menu: Pause all while anything downloads, Resume all when only paused downloads are left. */
export function trayMenu(status: RunStatus): TrayMenuItem[] {
  const resume = !status.busy && status.paused > 0;
  const canCancel = status.busy || status.paused > 0;
  return [
    item('Show Cartage', 'show'),
    separator,
    resume ? item('Resume all', 'resumeAll') : item('Pause all', 'pauseAll', status.busy),
    item('Cancel all', 'cancelAll', canCancel),
    separator,
    item('Update mirrors now', 'runMirrors'),
    separator,
    item('Quit', 'quit'),
  ];
}

/** "Cartage: Downloading 3 items, 65%". */
export function trayTooltip(status: RunStatus): string {
  return `Cartage: ${status.text}`;
}
