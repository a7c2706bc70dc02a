import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { cartage, type CliResult } from '../helpers/cli.js';
import { bytes, listDir, sha256, tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { cartageKilledAfter, cartageKilledAt, links, needsStrace, noStrace, syncs, unlinks, writes, type SyscallAt } from '../helpers/strace.js';

// A kill at each step of placing a finished file, then the recovery (killed once more where it
// touches the files), then a run that ends: one final file, whole, recorded, nothing else left.

const root = tempDir('cartage-www-');
const one = bytes(8_000, 11); // one write of the part: its first write is its last
const album = Array.from({ length: 30 }, (_, i) => ({ name: `IMG_${String(i + 1).padStart(2, '0')}.bin`, body: bytes(1_000 + 150 * i, 100 + i) }));
let nginx: Nginx;

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'one'));
  fs.writeFileSync(path.join(root, 'one', 'a.bin'), one);
  fs.mkdirSync(path.join(root, 'album'));
  for (const f of album) fs.writeFileSync(path.join(root, 'album', f.name), f.body);
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx?.stop();
});

function rows<T>(data: string, sql: string): T[] {
  const db = new Database(path.join(data, 'cartage.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function identity(file: string): { ino: number; sha: string } | null {
  if (!fs.existsSync(file)) return null;
  return { ino: fs.statSync(file).ino, sha: sha256(fs.readFileSync(file)) };
}

function expectKilled(r: CliResult): void {
  expect(r.signal, `not killed: ${r.stdout}${r.stderr}`).toBe('SIGKILL');
}

/** Where a step kills: `at` (on entering the call) or `after` (just after it, once its effect is on disk). */
type Step = { step: string; at: SyscallAt; after?: () => boolean };

describe.skipIf(noStrace !== null)(needsStrace('cartage get killed at each step of placing the file'), () => {
  const steps = (dir: string): Step[] => {
    const part = path.join(dir, 'a.bin.cartage-part');
    const final = path.join(dir, 'a.bin');
    return [
      { step: 'the last write of the part', at: { syscalls: writes, paths: [part] } },
      { step: 'the fsync of the part', at: { syscalls: syncs, paths: [part] } },
      { step: 'the link to the final name', at: { syscalls: links, paths: [final] } },
      { step: 'the unlink of the part', at: { syscalls: unlinks, paths: [part] } },
      { step: 'the database commit, after the unlink', at: { syscalls: unlinks, paths: [part] }, after: () => fs.existsSync(final) && !fs.existsSync(part) },
    ];
  };

  for (const { step } of steps('/')) {
    it(`recovers from a kill at ${step}: one whole a.bin, recorded, never rewritten or fetched twice`, async () => {
      const data = tempDir();
      const dir = tempDir();
      const { at, after } = steps(dir).find((s) => s.step === step)!;
      const part = path.join(dir, 'a.bin.cartage-part');
      const final = path.join(dir, 'a.bin');
      const args = ['get', nginx.url('one/a.bin'), '--dir', dir, '--data-dir', data];
      const logged = nginx.log().length;
      expectKilled(after ? await cartageKilledAfter(args, at, after) : await cartageKilledAt(args, at));
      const placed = identity(final);

      // The recovery, killed where it touches the part or the final file (if it does).
      const recovery = await cartageKilledAt(['run', '--data-dir', data], { syscalls: [...writes, ...links, ...unlinks], paths: [part, final] });
      if (recovery.signal === null) expect(recovery.code, recovery.stderr).toBe(0);
      const last = await cartage(['run', '--data-dir', data]);
      expect(last.stderr).toBe('');
      expect(last.code).toBe(0);

      expect(listDir(dir)).toEqual(['a.bin']);
      expect(fs.readFileSync(final).equals(one)).toBe(true);
      expect(rows(data, 'SELECT state, final_path AS path, placing FROM tasks')).toEqual([{ state: 'completed', path: final, placing: null }]);
      if (placed && placed.sha === sha256(one)) {
        // Placed whole before the kill: the recovery adopted it, and did not download it again.
        expect(identity(final)).toEqual(placed);
        const gets = nginx.log().slice(logged).filter((e) => e.uri === '/one/a.bin' && e.status === 200);
        expect(gets).toHaveLength(1);
      }
    });
  }
});

describe.skipIf(noStrace !== null)(needsStrace('cartage checkout of a zip killed at each step of placing it'), () => {
  const steps = (dir: string): Step[] => {
    const temp = path.join(dir, 'k.zip.cartage-part');
    const final = path.join(dir, 'k.zip');
    const staging = path.join(dir, '.k.zip.cartage-1');
    return [
      { step: 'a write of the zip', at: { syscalls: writes, paths: [temp] } },
      { step: 'the fsync after its last write', at: { syscalls: syncs, paths: [temp] } },
      { step: 'the link to the final name', at: { syscalls: links, paths: [final] } },
      { step: 'the unlink of the temp file', at: { syscalls: unlinks, paths: [temp] } },
      { step: 'the database commit, after the unlink', at: { syscalls: unlinks, paths: [temp] }, after: () => fs.existsSync(final) && !fs.existsSync(temp) },
      { step: 'the removal of the staging folder', at: { syscalls: unlinks, paths: [staging, ...album.map((f) => path.join(staging, f.name))] } },
    ];
  };

  for (const { step } of steps('/')) {
    it(`recovers from a kill at ${step}: one whole k.zip, recorded, no copy, no staging left`, async () => {
      const data = tempDir();
      const dir = tempDir();
      const { at, after } = steps(dir).find((s) => s.step === step)!;
      const temp = path.join(dir, 'k.zip.cartage-part');
      const final = path.join(dir, 'k.zip');
      const staging = path.join(dir, '.k.zip.cartage-1');
      expect((await cartage(['cart', 'add', nginx.url('album/'), '--data-dir', data])).code).toBe(0);
      const args = ['checkout', '--zip', 'k', '--dir', dir, '--yes', '--data-dir', data];
      expectKilled(after ? await cartageKilledAfter(args, at, after) : await cartageKilledAt(args, at));
      const placed = identity(final);

      const touched = [temp, final, staging, ...album.map((f) => path.join(staging, f.name))];
      const recovery = await cartageKilledAt(['run', '--data-dir', data], { syscalls: [...writes, ...links, ...unlinks], paths: touched });
      if (recovery.signal === null) expect(recovery.code, recovery.stderr).toBe(0);
      const last = await cartage(['run', '--data-dir', data]);
      expect(last.stderr).toBe('');
      expect(last.code).toBe(0);

      expect(listDir(dir)).toEqual(['k.zip']);
      execFileSync('unzip', ['-tq', final]);
      const out = tempDir();
      execFileSync('unzip', ['-q', final, '-d', out]);
      expect(listDir(out)).toEqual(album.map((f) => f.name));
      for (const f of album) expect(fs.readFileSync(path.join(out, f.name)).equals(f.body), f.name).toBe(true);
      expect(rows(data, 'SELECT state, zip_path AS path, placing, staging_dir AS staging FROM deliveries')).toEqual([
        { state: 'completed', path: final, placing: null, staging: null },
      ]);
      if (placed) {
        let whole = true;
        try {
          execFileSync('unzip', ['-tq', final]);
        } catch {
          whole = false;
        }
        // In place and whole before the kill: adopted as it was, never written again.
        if (whole) expect(identity(final)).toEqual(placed);
      }
    });
  }
});

describe.skipIf(noStrace !== null)(needsStrace('a pause or a cancel of a file already placed'), () => {
  for (const verb of ['pause', 'cancel'] as const) {
    it(`${verb} keeps the file, says so, and the task is recorded completed`, async () => {
      const data = tempDir();
      const dir = tempDir();
      const part = path.join(dir, 'a.bin.cartage-part');
      const final = path.join(dir, 'a.bin');
      // Killed between the link and the removal of the part's name: a.bin is whole at its place.
      expectKilled(await cartageKilledAt(['get', nginx.url('one/a.bin'), '--dir', dir, '--data-dir', data], { syscalls: unlinks, paths: [part] }));
      const placed = identity(final);
      expect(placed?.sha).toBe(sha256(one));

      const r = await cartage([verb, '1', '--data-dir', data]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`Task 1 (a.bin) had finished downloading and is being saved as ${final}; it was kept.\n${verb === 'pause' ? 'Paused' : 'Canceled'} 0 downloads.\n`);
      const run = await cartage(['run', '--data-dir', data]);
      expect(run.code, run.stderr).toBe(0);
      expect(listDir(dir)).toEqual(['a.bin']);
      expect(identity(final)).toEqual(placed);
      expect(rows(data, 'SELECT state, placing FROM tasks')).toEqual([{ state: 'completed', placing: null }]);
    });
  }
});

describe.skipIf(noStrace !== null)(needsStrace('a cancel of a zip already placed'), () => {
  it('is refused with the reason; the zip stays, and the next run records the delivery completed', async () => {
    const data = tempDir();
    const dir = tempDir();
    const temp = path.join(dir, 'k.zip.cartage-part');
    const final = path.join(dir, 'k.zip');
    expect((await cartage(['cart', 'add', nginx.url('album/'), '--data-dir', data])).code).toBe(0);
    expectKilled(await cartageKilledAt(['checkout', '--zip', 'k', '--dir', dir, '--yes', '--data-dir', data], { syscalls: unlinks, paths: [temp] }));
    const placed = identity(final);
    const core = new Core({ dataDir: data });
    try {
      await expect(core.deliveries.cancel(1)).rejects.toThrow(`The zip "k.zip" is finished and being saved as ${final}; it was kept, not canceled.`);
    } finally {
      await core.close();
    }
    const run = await cartage(['run', '--data-dir', data]);
    expect(run.code, run.stderr).toBe(0);
    expect(listDir(dir)).toEqual(['k.zip']);
    expect(identity(final)).toEqual(placed);
    expect(rows(data, 'SELECT state FROM deliveries')).toEqual([{ state: 'completed' }]);
  });
});
