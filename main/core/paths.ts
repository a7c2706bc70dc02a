import os from 'node:os';
import path from 'node:path';

export const appName = 'Cartage';

/**
 * The per-user data folder, the same one Electron's `app.getPath('userData')` gives the app, so the
 * CLI and the app share one queue. `CARTAGE_DATA_DIR` overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CARTAGE_DATA_DIR) return path.resolve(env.CARTAGE_DATA_DIR);
  const home = os.homedir();
  switch (platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), appName);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', appName);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), appName);
  }
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'cartage.db');
}

export function logDir(dataDir: string): string {
  return path.join(dataDir, 'logs');
}

/** The system's Downloads folder (XDG_DOWNLOAD_DIR on Linux when set), where files go unless the settings say otherwise. */
export function defaultDownloadDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_DOWNLOAD_DIR) return path.resolve(env.XDG_DOWNLOAD_DIR);
  return path.join(os.homedir(), 'Downloads');
}
