import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.js';

async function lint(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: projectRoot });
  const [result] = await eslint.lintText(code, { filePath: path.join(projectRoot, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('process boundaries, checked by lint', () => {
  it('forbids importing electron in main/core and main/headless', async () => {
    expect(await lint('main/core/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([
      'no-restricted-imports: \'electron\' import is restricted from being used. main/core and main/headless run without Electron: keep Electron in main/app.',
    ]);
    expect((await lint('main/headless/x.ts', "import Store from 'electron-store';\nexport const s = Store;\n"))[0]).toMatch(/^no-restricted-imports/);
  });

  it('allows electron in main/app', async () => {
    expect(await lint('main/app/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });

  it('allows raw IPC only in main/app/ipc.ts and preload/index.ts', async () => {
    const ipcMain = "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n";
    const ipcRenderer = "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n";
    expect(await lint('main/app/ipc.ts', ipcMain)).toEqual([]);
    expect(await lint('preload/index.ts', ipcRenderer)).toEqual([]);
    expect(await lint('main/app/tray.ts', ipcMain)).toEqual([
      "no-restricted-imports: 'ipcMain' import from 'electron' is restricted. IPC goes through main/app/ipc.ts and preload/index.ts only: use the contract's named verbs (window.cartage).",
    ]);
    expect((await lint('preload/other.ts', ipcRenderer))[0]).toMatch(/^no-restricted-imports: 'ipcRenderer' import from 'electron' is restricted/);
    // Reaching it through the module object is the same channel by another name.
    expect(await lint('main/app/window.ts', "import * as electron from 'electron';\nexport const i = electron.ipcMain;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports: \* import is invalid because 'ipcMain' and 'ipcRenderer' from 'electron' are restricted/),
      expect.stringMatching(/^no-restricted-syntax: IPC goes through/),
    ]);
    expect(await lint('main/app/window.ts', "import electron from 'electron';\nconst { ipcMain } = electron;\nexport const i = ipcMain;\n")).toEqual([
      expect.stringMatching(/^no-restricted-syntax: IPC goes through/),
    ]);
    // Other Electron modules stay allowed in main/app.
    expect(await lint('main/app/tray.ts', "import { Tray } from 'electron';\nexport const t = Tray;\n")).toEqual([]);
  });

  it('keeps the layers pointing one way: the core reaches no host, headless no app, the renderer no main', async () => {
    const coreToHeadless = await lint('main/core/cart/x.ts', "import { run } from '../../headless/session.js';\nexport const r = run;\n");
    expect(coreToHeadless).toEqual([expect.stringMatching(/^no-restricted-imports: '..\/..\/headless\/session.js' import is restricted .*main\/core is below the hosts/)]);
    expect(await lint('main/core/x.ts', "import { trayMenu } from '../app/tray-menu.js';\nexport const t = trayMenu;\n")).toEqual([
      expect.stringMatching(/main\/core is below the hosts/),
    ]);
    // The core still has no Electron, with the new patterns beside the old.
    expect((await lint('main/core/x.ts', "import { app } from 'electron';\nexport const a = app;\n"))[0]).toMatch(/run without Electron/);
    expect(await lint('main/headless/x.ts', "import { trayMenu } from '../app/tray-menu.js';\nexport const t = trayMenu;\n")).toEqual([
      expect.stringMatching(/main\/headless runs without Electron: it may not import main\/app/),
    ]);
    expect(await lint('main/headless/x.ts', "import { Core } from '../core/core.js';\nexport const c = Core;\n")).toEqual([]);
    expect(await lint('main/app/x.ts', "import { Core } from '../core/core.js';\nexport const c = Core;\n")).toEqual([]);
    expect(await lint('renderer/src/x.ts', "import { Core } from '../../main/core/core.js';\nexport const c = Core;\n")).toEqual([
      expect.stringMatching(/The renderer knows main only through the contract/),
    ]);
    expect(await lint('renderer/src/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toEqual([expect.stringMatching(/The renderer has no Node/)]);
    expect(await lint('renderer/src/x.ts', "import type { TaskDto } from '../../preload/api';\nexport type T = TaskDto;\n")).toEqual([]);
    expect(await lint('renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports: 'ipcRenderer' import from 'electron' is restricted/),
    ]);
  });

  it('keeps the network layer below the engine and the sources that share it', async () => {
    expect(await lint('main/core/net/x.ts', "import { Engine } from '../engine/engine.js';\nexport const e = Engine;\n")).toEqual([
      expect.stringMatching(/main\/core\/net is the one network layer/),
    ]);
    expect(await lint('main/core/net/x.ts', "import { WebDavSource } from '../sources/webdav.js';\nexport const w = WebDavSource;\n")).toEqual([
      expect.stringMatching(/main\/core\/net is the one network layer/),
    ]);
    expect((await lint('main/core/net/x.ts', "import { app } from 'electron';\nexport const a = app;\n"))[0]).toMatch(/run without Electron/);
    expect(await lint('main/core/net/x.ts', "import { CartageError } from '../errors.js';\nexport const c = CartageError;\n")).toEqual([]);
    expect(await lint('main/core/engine/x.ts', "import { HttpClient } from '../net/client.js';\nexport const h = HttpClient;\n")).toEqual([]);
  });
});
