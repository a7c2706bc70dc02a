import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartage, whileRunning, type CliResult } from '../helpers/cli.js';
import { bytes, listDir, tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { cartageKilledAt, links, needsStrace, noStrace, unlinks } from '../helpers/strace.js';

// Kills at moments chosen at random among the links and unlinks of placing files (where a kill
// used to leave "name (1)" copies), and pauses and cancels from another process while many small
// files finish: every file on disk is recorded, and none is downloaded twice or copied.

/** Kills per loop: modest here so the suite stays quick; CARTAGE_KILLS raises it. */
const kills = Number(process.env.CARTAGE_KILLS ?? 20);
const root = tempDir('cartage-www-');
// Enough that a pause from another process (a second or so to start) comes while most are still to do.
const many = Array.from({ length: 2000 }, (_, i) => ({ name: `f${String(i + 1).padStart(4, '0')}.bin`, body: bytes(500 + 3 * i, 1_000 + i) }));
const share = Array.from({ length: 30 }, (_, i) => ({ name: `IMG_${i + 1}.jpg`, body: bytes(2_000 + 97 * i, 2_000 + i) }));
let nginx: Nginx;

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'many'));
  for (const f of many) fs.writeFileSync(path.join(root, 'many', f.name), f.body);
  fs.mkdirSync(path.join(root, 'share'));
  for (const f of share) fs.writeFileSync(path.join(root, 'share', f.name), f.body);
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx?.stop();
});

/** A seeded generator, so a failing loop can be replayed from the seed in its message. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tasks(data: string): { state: string; path: string; placing: string | null }[] {
  const db = new Database(path.join(data, 'cartage.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM tasks ORDER BY id').all() as { state: string; final_path: string; placing?: string | null }[];
    return rows.map((r) => ({ state: r.state, path: r.final_path, placing: r.placing ?? null }));
  } finally {
    db.close();
  }
}

/** The paths placing these files touches: each part and its final name. */
function placing(dir: string, files: { name: string }[]): string[] {
  return files.flatMap((f) => [path.join(dir, f.name), path.join(dir, `${f.name}.cartage-part`)]);
}

function expectFiles(dir: string, files: { name: string; body: Buffer }[], why: string): void {
  expect(listDir(dir), why).toEqual(files.map((f) => f.name).sort());
  for (const f of files) expect(fs.readFileSync(path.join(dir, f.name)).equals(f.body), `${why}: ${f.name}`).toBe(true);
}

/** Resolves once `n` files are at their final names in `dir`; fails if the run ends first. */
async function filesPlaced(run: Promise<CliResult>, dir: string, n: number): Promise<void> {
  let ended = false;
  void run.then(() => (ended = true));
  const placed = (): number => fs.readdirSync(dir).filter((f) => !f.endsWith('.cartage-part')).length;
  await whileRunning(
    run,
    'get',
    (async () => {
      while (!ended && placed() < n) await new Promise((r) => setTimeout(r, 5));
    })(),
  );
}

describe.skipIf(noStrace !== null)(needsStrace('killed at random moments of placing files'), () => {
  // A loop of whole runs: its time is the count of runs, not a wait.
  it(`a get of 24 small files, killed ${kills} times, is finished by "cartage run" with no copy and every file recorded`, { timeout: kills * 10_000 }, async () => {
    const seed = Date.now() % 100_000;
    const rnd = random(seed);
    const files = many.slice(0, 24);
    let killed = 0;
    for (let run = 0; run < kills; run += 1) {
      const data = tempDir();
      const dir = tempDir();
      // Counted per thread, on the files' own paths only (not the command's probe of the folder).
      const at = { syscalls: rnd() < 0.5 ? links : unlinks, paths: placing(dir, files), when: 1 + Math.floor(rnd() * 4) };
      const why = `seed ${seed}, run ${run}: killed at ${at.syscalls[0]} #${at.when}`;
      const first = await cartageKilledAt(['get', ...files.map((f) => nginx.url(`many/${f.name}`)), '--dir', dir, '--concurrency', '8', '--data-dir', data], at);
      if (first.signal === 'SIGKILL') killed += 1;
      const after = await cartage(['run', '--data-dir', data]);
      expect(after.code, `${why}: ${after.stderr}`).toBe(0);
      expectFiles(dir, files, why);
      expect(tasks(data), why).toEqual(files.map((f) => ({ state: 'completed', path: path.join(dir, f.name), placing: null })));
    }
    // Most runs were killed (a run whose threads never reached the count chosen ends by itself).
    expect(killed).toBeGreaterThan(kills / 2);
  });

  it(`a mirror run of 30 files, killed ${kills} times, leaves no copy: the next run completes it`, { timeout: kills * 10_000 }, async () => {
    const seed = Date.now() % 100_000;
    const rnd = random(seed);
    // One data folder with the source and the mirror, copied fresh for each run; one folder, emptied.
    const template = tempDir();
    const dir = tempDir();
    expect((await cartage(['source', 'add', 'web', nginx.url('share/'), '--name', 'share', '--data-dir', template])).code).toBe(0);
    expect((await cartage(['mirror', 'add', 'share', '--to', dir, '--data-dir', template])).code).toBe(0);
    let killed = 0;
    for (let run = 0; run < kills; run += 1) {
      const data = tempDir();
      fs.cpSync(template, data, { recursive: true });
      for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
      const at = { syscalls: rnd() < 0.5 ? links : unlinks, paths: placing(dir, share), when: 1 + Math.floor(rnd() * 4) };
      const why = `seed ${seed}, run ${run}: killed at ${at.syscalls[0]} #${at.when}`;
      if ((await cartageKilledAt(['mirror', 'run', '1', '--data-dir', data], at)).signal === 'SIGKILL') killed += 1;
      const again = await cartage(['mirror', 'run', '1', '--json', '--data-dir', data]);
      expect(again.code, `${why}: ${again.stderr}`).toBe(0);
      expect((JSON.parse(again.stdout) as { runs: { state: string; failed: number }[] }).runs[0], why).toMatchObject({ state: 'completed', failed: 0 });
      expectFiles(dir, share, why);
    }
    expect(killed).toBeGreaterThan(kills / 2);
  });
});

describe('pause --all and cancel --all while many small files finish', () => {
  for (const verb of ['pause', 'cancel'] as const) {
    it(`${verb} --all from another process: every file on disk is recorded completed, and none is downloaded again`, async () => {
      const data = tempDir();
      const dir = tempDir();
      const logged = nginx.log().length;
      const get = cartage(['get', ...many.map((f) => nginx.url(`many/${f.name}`)), '--dir', dir, '--concurrency', '8', '--data-dir', data]);
      await filesPlaced(get, dir, 10);
      const control = await cartage([verb, '--all', '--data-dir', data]);
      expect(control.code, control.stderr).toBe(0);
      await get;

      const onDisk = listDir(dir).filter((f) => !f.endsWith('.cartage-part'));
      const rows = tasks(data);
      const completed = rows.filter((t) => t.state === 'completed').map((t) => path.basename(t.path)).sort();
      // Every file at its place is recorded as completed, and every completed one is there.
      expect(onDisk).toEqual(completed);
      expect(rows.filter((t) => t.placing !== null)).toEqual([]);
      expect(onDisk.length).toBeLessThan(many.length);
      if (verb === 'cancel') {
        expect(listDir(dir)).toEqual(onDisk);
        return;
      }
      expect((await cartage(['resume', '--all', '--data-dir', data])).code).toBe(0);
      const rest = await cartage(['run', '--data-dir', data]);
      expect(rest.code, rest.stderr).toBe(0);
      expectFiles(dir, many, 'after resume');
      // Those already placed when the pause came were not asked for again.
      const again = nginx.log().slice(logged).filter((e) => e.status === 200 && onDisk.includes(path.basename(e.uri)));
      expect(again).toHaveLength(onDisk.length);
    });
  }
});
