import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertWritableFolder, removeStaleProbes } from '../../main/core/util/folders.js';
import { projectRoot } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';
import { needsStrace, nodeKilledAt, noStrace, unlinks } from '../helpers/strace.js';

// The check that a chosen folder takes files writes there: it must leave nothing behind, even
// when the process is killed in the middle of it (the built dist/ is what the killed process runs).

describe('a folder checked for writing', () => {
  it('is made, and left empty', () => {
    const dir = path.join(tempDir(), 'a', 'b');
    assertWritableFolder(dir, 'choose another folder');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('is refused in one sentence when a file is in the way', () => {
    const file = path.join(tempDir(), 'file');
    fs.writeFileSync(file, 'x');
    expect(() => assertWritableFolder(path.join(file, 'sub'), 'choose another folder')).toThrow(/^Cannot write to .*file\/sub \(ENOTDIR\); choose another folder\.$/);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it.skipIf(noStrace)(needsStrace('keeps nothing when the process is killed as it would remove its probe'), async () => {
    const dir = tempDir();
    const folders = path.join(projectRoot, 'dist/main/core/util/folders.js');
    const script = `import { assertWritableFolder } from ${JSON.stringify(folders)}; assertWritableFolder(${JSON.stringify(dir)}, 'x');`;
    // Where the probe has a name, this kills the process with it on disk; an unnamed probe is never unlinked.
    await nodeKilledAt(script, { syscalls: unlinks });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('removes the named probes of processes that are gone, and no other file', () => {
    const dir = tempDir();
    const gone = Number(execFileSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' }));
    for (const name of [`.cartage-write-test-${gone}`, `.cartage-write-test-${process.pid}`, '.cartage-write-test-x', 'photo.jpg']) fs.writeFileSync(path.join(dir, name), '');
    removeStaleProbes(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['.cartage-write-test-x', `.cartage-write-test-${process.pid}`, 'photo.jpg'].sort());
  });
});
