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
});
