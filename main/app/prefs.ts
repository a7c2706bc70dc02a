// What the shell remembers for itself (the core's settings live in SQLite): where the window was,
// and whether the person has been told that closing it keeps downloads going in the tray.
// electron-store writes preferences.json in the userData folder (the data folder, see main.ts).
import Store from 'electron-store';
import type { Rectangle } from 'electron';

export interface WindowState {
  /** The window's bounds when not maximized; null until it has been closed once. */
  bounds: Rectangle | null;
  maximized: boolean;
}

interface Shape {
  window: WindowState;
  trayNoticeShown: boolean;
}

/** The shell's preferences; a damaged file is replaced by the defaults. */
export class Preferences {
  private readonly store = new Store<Shape>({
    name: 'preferences',
    defaults: { window: { bounds: null, maximized: false }, trayNoticeShown: false },
    clearInvalidConfig: true,
  });

  windowState(): WindowState {
    const saved = this.store.get('window') as Partial<WindowState> | undefined;
    const b = saved?.bounds;
    const valid = b && [b.x, b.y, b.width, b.height].every((n) => typeof n === 'number' && Number.isFinite(n)) && b.width > 0 && b.height > 0;
    return { bounds: valid ? b : null, maximized: saved?.maximized === true };
  }

  saveWindowState(state: WindowState): void {
    this.store.set('window', state);
  }

  get trayNoticeShown(): boolean {
    return this.store.get('trayNoticeShown') === true;
  }

  markTrayNoticeShown(): void {
    this.store.set('trayNoticeShown', true);
  }
}
