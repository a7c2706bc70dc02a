// The desktop app's Settings connect a browser: the launcher they write runs the app's own binary as
// Node on the CLI it ships. Electron cannot run here, so a stand-in plays its two roles: with
// ELECTRON_RUN_AS_NODE=1 it is Node (exec node), without it it is the app opening its window (it
// writes down that it was opened, and with what). Paths have spaces and quotes, as real ones may.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCartageCommand, refreshLauncher } from '../../main/core/browser-hosts.js';
import { Core } from '../../main/core/core.js';
import { Service } from '../../main/core/service/service.js';
import { nativeHostName } from '../../preload/browser.js';
import { projectRoot } from '../helpers/cli.js';
import { bytes, tempDir } from '../helpers/core.js';
import { startHostProgram } from '../helpers/native-host.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const www = tempDir('cartage-www-');
const photo = bytes(120_000, 3);
const cli = path.join(projectRoot, 'dist', 'main', 'headless', 'cli.js');

beforeAll(async () => {
  fs.writeFileSync(path.join(www, 'photo.jpg'), photo);
  nginx = await startNginx(www);
});
afterAll(async () => {
  await nginx.stop();
});

/** The app's binary as it behaves: Node under ELECTRON_RUN_AS_NODE=1, else the app (which notes its opening). */
function fakeElectron(dir: string, opened: string): string {
  const file = path.join(dir, 'cartage');
  fs.mkdirSync(dir, { recursive: true });
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    file,
    `#!/bin/sh\nif [ "$ELECTRON_RUN_AS_NODE" = 1 ]; then exec ${q(process.execPath)} "$@"; fi\nprintf 'opened with [%s] ELECTRON_RUN_AS_NODE=[%s]\\n' "$*" "$ELECTRON_RUN_AS_NODE" >> ${q(opened)}\n`,
    { mode: 0o755 },
  );
  return file;
}

function queueOf(data: string): string[] {
  const core = new Core({ dataDir: data });
  try {
    return core.queue.page(0, 100).map((t) => t.state);
  } finally {
    void core.close();
  }
}

describe("the app's Settings connect a browser to the app's own binary, run as Node", () => {
  const home = tempDir('cartage-home-');
  const saved = { HOME: process.env.HOME, XDG: process.env.XDG_CONFIG_HOME };
  beforeAll(() => {
    process.env.HOME = home;
    delete process.env.XDG_CONFIG_HOME;
  });
  afterAll(() => {
    process.env.HOME = saved.HOME;
    if (saved.XDG !== undefined) process.env.XDG_CONFIG_HOME = saved.XDG;
  });

  it('writes a launcher that answers the extension, downloads with no Node on the line, opens the app, and follows the app when it moves', async () => {
    const top = tempDir("cartage app's ");
    const opened = path.join(top, 'opened.log');
    const data = path.join(top, 'user "data"');
    const downloads = path.join(top, 'my downloads');
    fs.mkdirSync(downloads);
    const core = new Core({ dataDir: data });
    core.settings.update({ downloadDir: downloads });
    // A module that does not exist: under Node (this stand-in) the CLI must not try to load it.
    const nativeBinding = path.join(top, 'electron build', 'better_sqlite3.node');
    const appAt = (dir: string): ReturnType<typeof appCartageCommand> =>
      appCartageCommand({ execPath: fakeElectron(dir, opened), cli, nativeBinding, packaged: true });
    const app = new Service(core, { host: 'electron', version: '0', cartageCommand: appAt(path.join(top, 'Cartage "1.0"')) });
    try {
      const on = await app.handle('browser.connect', { browser: 'firefox', connected: true });
      const manifestFile = path.join(home, '.mozilla', 'native-messaging-hosts', `${nativeHostName}.json`);
      expect(on).toMatchObject({ ok: true, value: [{ connected: false }, { connected: false }, { browser: 'firefox', connected: true, manifest: manifestFile }] });
      const launcher = (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { path: string }).path;
      expect(fs.statSync(launcher).mode & 0o777).toBe(0o700);

      // As Firefox starts it: the manifest's path and the extension's id; with no Node to be found on PATH.
      const noNode = { PATH: path.join(top, 'no programs here') };
      const host = startHostProgram(launcher, [manifestFile, 'send-to@cartage.app'], noNode);
      expect(await host.ask({ type: 'hello' })).toMatchObject({ ok: true, value: { app: 'cartage' } });
      expect(await host.ask({ type: 'download', downloads: [{ url: nginx.url('photo.jpg') }] })).toMatchObject({ ok: true, value: { taskIds: [1] } });
      expect(await host.ask({ type: 'open' })).toEqual({ ok: true, value: { opened: 'app', url: null } });
      expect(await host.end()).toMatchObject({ code: 0, stderr: '' });
      // The queue ran in `cartage run`, started by the host through the same binary as Node.
      await expect.poll(() => queueOf(data)).toEqual(['completed']);
      expect(fs.readFileSync(path.join(downloads, 'photo.jpg')).equals(photo)).toBe(true);
      // The app was started as the app, not as Node.
      await expect.poll(() => (fs.existsSync(opened) ? fs.readFileSync(opened, 'utf8') : '')).toBe('opened with [] ELECTRON_RUN_AS_NODE=[]\n');

      // Updated into another folder: the old binary is gone, and the app, as it starts, points the launcher at the new one.
      fs.rmSync(path.join(top, 'Cartage "1.0"'), { recursive: true });
      expect(refreshLauncher(data, appAt(path.join(top, "Cartage 1.1 'new'")))).toBe(true);
      const again = startHostProgram(launcher, ['chrome-extension://cbgihljfnmdfccgpjlecjhdlaejfneap/'], noNode);
      expect(await again.ask({ type: 'hello' })).toMatchObject({ ok: true });
      expect(await again.end()).toMatchObject({ code: 0 });
    } finally {
      await core.close();
    }
  });
});
