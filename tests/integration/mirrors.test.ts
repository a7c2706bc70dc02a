import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { MemorySecretStore } from '../../main/core/secrets.js';
import { bytes, tempDir } from '../helpers/core.js';
import { startImmich, type FakeAsset, type FakeImmich } from '../helpers/immich-server.js';
import { startApacheWebdav, type TestServer } from '../helpers/webdav-servers.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** Every file under a folder, as relative paths, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile()).sort();
}

const originals = (server: FakeImmich): number => server.requests().filter((r) => r.path.endsWith('/original')).length;

function asset(i: number, extra: Partial<FakeAsset> = {}): FakeAsset {
  return { originalFileName: `IMG_${i}.JPG`, bytes: bytes(1000 + i, i), fileCreatedAt: `2024-0${1 + (i % 3)}-1${i % 9}T10:00:00.000Z`, ...extra };
}

interface Setup {
  core: Core;
  server: FakeImmich;
  dir: string;
  trashed: string[];
  open(): Core;
}

async function immichMirror(
  assets: FakeAsset[],
  options: { applyDeletions?: boolean; sidecars?: boolean } = {},
  albums: { albumName: string; assetIds: string[] }[] = [],
): Promise<Setup & { mirrorId: number }> {
  const server = await startImmich({ assets, albums });
  const dataDir = tempDir();
  const secrets = new MemorySecretStore();
  const trashed: string[] = [];
  const trashDir = tempDir();
  const open = (): Core => {
    const core = new Core({
      dataDir,
      secrets,
      engine: { random: () => 0.5 },
      trash: (paths) => {
        for (const p of paths) {
          trashed.push(p);
          fs.renameSync(p, path.join(trashDir, path.basename(p)));
        }
        return Promise.resolve();
      },
    });
    stops.push(async () => {
      await core.close().catch(() => undefined);
    });
    return core;
  };
  const core = open();
  stops.push(() => server.stop());
  await core.sources.add({ kind: 'immich', url: server.url, apiKey: server.apiKey, name: 'photos' });
  const dir = tempDir();
  const m = core.mirrors.add({ ref: 'photos?', dir, layout: 'date', ...options });
  return { core, server, dir, trashed, open, mirrorId: m.id };
}

async function runOnce(core: Core, id: number) {
  core.startEngine();
  return core.mirrors.whenDone(await core.mirrors.run(id));
}

describe('an Immich library mirrored on disk', () => {
  it('copies everything, then nothing, then exactly what was added or changed', async () => {
    const s = await immichMirror([asset(1), asset(2), asset(3), asset(4)]);
    const first = await runOnce(s.core, s.mirrorId);
    expect(first).toMatchObject({ state: 'completed', newFiles: 4, changed: 0, unchanged: 0, failed: 0, deleted: 0 });
    expect(tree(s.dir)).toEqual(['2024/2024-01/IMG_3.JPG', '2024/2024-02/IMG_1.JPG', '2024/2024-02/IMG_4.JPG', '2024/2024-03/IMG_2.JPG']);
    expect(originals(s.server)).toBe(4);

    const second = await runOnce(s.core, s.mirrorId);
    expect(second).toMatchObject({ state: 'completed', newFiles: 0, changed: 0, unchanged: 4 });
    expect(originals(s.server)).toBe(4);

    for (const i of [5, 6, 7]) s.server.addAsset(asset(i));
    const changedId = s.server.assetIds[1]!;
    s.server.updateAsset(changedId, { bytes: bytes(5000, 99) });
    const third = await runOnce(s.core, s.mirrorId);
    expect(third).toMatchObject({ state: 'completed', newFiles: 3, changed: 1, unchanged: 3 });
    expect(originals(s.server)).toBe(8);
    expect(fs.readFileSync(path.join(s.dir, '2024/2024-03/IMG_2.JPG')).equals(bytes(5000, 99))).toBe(true);
    expect(tree(s.dir).filter((p) => p.includes('(1)'))).toEqual([]);
    expect(s.server.violations()).toEqual([]);
  });

  it('recognises its files on disk when its records are lost: nothing downloaded, nothing duplicated', async () => {
    const s = await immichMirror([asset(1), asset(2), asset(3)]);
    await runOnce(s.core, s.mirrorId);
    const before = tree(s.dir);
    s.core.db.prepare('DELETE FROM mirror_files').run();
    const again = await runOnce(s.core, s.mirrorId);
    expect(again).toMatchObject({ newFiles: 0, changed: 0, unchanged: 3 });
    expect(originals(s.server)).toBe(3);
    expect(tree(s.dir)).toEqual(before);
  });

  it('never touches a file the person put in the folder, even one with a name from the source', async () => {
    const s = await immichMirror([asset(1), asset(2)], { applyDeletions: true });
    fs.mkdirSync(path.join(s.dir, '2024/2024-02'), { recursive: true });
    const mine = path.join(s.dir, '2024/2024-02/IMG_1.JPG');
    fs.writeFileSync(mine, 'my own edit');
    fs.writeFileSync(path.join(s.dir, 'notes.txt'), 'mine');
    const run = await runOnce(s.core, s.mirrorId);
    expect(run).toMatchObject({ newFiles: 2, deleted: 0 });
    expect(fs.readFileSync(mine, 'utf8')).toBe('my own edit');
    expect(fs.readFileSync(path.join(s.dir, '2024/2024-02/IMG_1 (1).JPG')).equals(bytes(1001, 1))).toBe(true);
    expect(fs.readFileSync(path.join(s.dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(s.trashed).toEqual([]);
  });

  it("keeps a copy the person edited: the source's new version lands beside it", async () => {
    const s = await immichMirror([asset(1)]);
    await runOnce(s.core, s.mirrorId);
    const copy = path.join(s.dir, '2024/2024-02/IMG_1.JPG');
    fs.writeFileSync(copy, 'retouched by hand');
    s.server.updateAsset(s.server.assetIds[0]!, { bytes: bytes(4000, 42) });
    const run = await runOnce(s.core, s.mirrorId);
    expect(run.failures).toEqual([expect.objectContaining({ name: '2024/2024-02/IMG_1.JPG', reason: expect.stringContaining('Changed here since the mirror wrote it') })]);
    expect(fs.readFileSync(copy, 'utf8')).toBe('retouched by hand');
    expect(fs.readFileSync(path.join(s.dir, '2024/2024-02/IMG_1 (1).JPG')).equals(bytes(4000, 42))).toBe(true);
  });

  it('never reports a file it cannot download right now as deleted, nor trashes it', async () => {
    const s = await immichMirror([asset(1), asset(2)], { applyDeletions: true });
    await runOnce(s.core, s.mirrorId);
    s.server.updateAsset(s.server.assetIds[0]!, { isOffline: true });
    const run = await runOnce(s.core, s.mirrorId);
    expect(run).toMatchObject({ deleted: 0, failed: 1, failures: [expect.objectContaining({ name: 'IMG_1.JPG', reason: expect.stringMatching(/^Offline/) })] });
    expect(s.trashed).toEqual([]);
    expect(tree(s.dir)).toContain('2024/2024-02/IMG_1.JPG');
  });

  it('reports deletions on the source, and moves its own copies to the trash only when asked', async () => {
    const kept = await immichMirror([asset(1), asset(2)]);
    await runOnce(kept.core, kept.mirrorId);
    kept.server.removeAsset(kept.server.assetIds[0]!);
    const report = await runOnce(kept.core, kept.mirrorId);
    expect(report).toMatchObject({ deleted: 1, deletions: [{ path: '2024/2024-02/IMG_1.JPG', action: 'kept' }] });
    expect(tree(kept.dir)).toContain('2024/2024-02/IMG_1.JPG');

    const applied = await immichMirror([asset(1), asset(2)], { applyDeletions: true });
    await runOnce(applied.core, applied.mirrorId);
    applied.server.removeAsset(applied.server.assetIds[0]!);
    const gone = await runOnce(applied.core, applied.mirrorId);
    expect(gone).toMatchObject({ deleted: 1, deletions: [{ action: 'moved to the trash' }] });
    expect(applied.trashed).toEqual([path.join(applied.dir, '2024/2024-02/IMG_1.JPG')]);
    expect(tree(applied.dir)).toEqual(['2024/2024-03/IMG_2.JPG']);
  });

  it('keeps a live photo together and writes sidecars when asked', async () => {
    const motionId = '0b7c1e2a-1111-4c3d-9e8f-aaaaaaaaaaaa';
    const s = await immichMirror(
      [asset(1, { id: 'a1b2c3d4-0000-4000-8000-000000000001', livePhotoVideoId: motionId, isFavorite: true }), { id: motionId, originalFileName: 'IMG_1.MOV', bytes: bytes(3000, 7), fileCreatedAt: '2024-02-11T10:00:00.000Z' }],
      { sidecars: true },
      [{ albumName: 'Best of', assetIds: ['a1b2c3d4-0000-4000-8000-000000000001'] }],
    );
    await runOnce(s.core, s.mirrorId);
    expect(tree(s.dir)).toEqual(['2024/2024-02/IMG_1.JPG', '2024/2024-02/IMG_1.JPG.json', '2024/2024-02/IMG_1.MOV', '2024/2024-02/IMG_1.MOV.json']);
    const side = JSON.parse(fs.readFileSync(path.join(s.dir, '2024/2024-02/IMG_1.JPG.json'), 'utf8')) as Record<string, unknown>;
    expect(side).toMatchObject({ source: 'photos', name: 'IMG_1.JPG', favorite: true, albums: ['Best of'], takenAt: expect.stringMatching(/^2024-02-11/) });
  });

  it('finishes a run a crash interrupted, without downloading anything twice', async () => {
    const s = await immichMirror([asset(1), asset(2), asset(3)]);
    // The run lists and queues, then the process dies before any download (the engine never ran)...
    const runId = await s.core.mirrors.run(s.mirrorId);
    s.core.db.prepare("UPDATE mirror_runs SET state = 'enumerating' WHERE id = ?").run(runId);
    const tasks = (s.core.db.prepare('SELECT count(*) FROM tasks').pluck().get() as number);
    await s.core.close();
    // ...and the next start marks that run interrupted; a new run takes its downloads over.
    const core = s.open();
    core.startEngine();
    expect(core.mirrors.runView(runId).state).toBe('interrupted');
    const next = await core.mirrors.whenDone(await core.mirrors.run(s.mirrorId));
    expect(next).toMatchObject({ state: 'completed', newFiles: 3, failed: 0 });
    expect(core.db.prepare('SELECT count(*) FROM tasks').pluck().get()).toBe(tasks);
    expect(tree(s.dir)).toHaveLength(3);
    expect(originals(s.server)).toBe(3);
  });

  it('refuses to remove a source a mirror keeps, and changes nothing', async () => {
    const s = await immichMirror([asset(1)]);
    const [record] = s.core.sources.list();
    await expect(s.core.sources.remove('photos')).rejects.toThrow('The source "photos" is kept by mirror 1; remove that mirror first');
    expect(s.core.sources.list()).toEqual([record]);
    expect(await s.core.secrets.get(`source:${record!.id}`)).toBe(s.server.apiKey);
  });

  it('pauses a run: its downloads wait, and the run ends once they are resumed', async () => {
    const s = await immichMirror([asset(1), asset(2), asset(3)]);
    const runId = await s.core.mirrors.run(s.mirrorId);
    const paused = s.core.mirrors.pause(s.mirrorId);
    expect(paused).toMatchObject({ id: runId, state: 'downloading', pending: 3, paused: 3 });
    s.core.startEngine();
    expect(s.core.mirrors.runView(runId)).toMatchObject({ state: 'downloading', paused: 3 });
    expect(() => s.core.mirrors.pause(999)).toThrow('There is no mirror 999');
    s.core.mirrors.resume(s.mirrorId);
    expect(await s.core.mirrors.whenDone(runId)).toMatchObject({ state: 'completed', newFiles: 3, paused: 0 });
    expect(() => s.core.mirrors.resume(s.mirrorId)).toThrow('is not running; there is nothing to resume');
  });

  it('finishes the downloads of a run that had listed everything before the crash', async () => {
    const s = await immichMirror([asset(1), asset(2)]);
    const runId = await s.core.mirrors.run(s.mirrorId);
    await s.core.close();
    const core = s.open();
    core.startEngine();
    expect(await core.mirrors.whenDone(runId)).toMatchObject({ state: 'completed', newFiles: 2 });
    expect(tree(s.dir)).toHaveLength(2);
  });
});

describe('a schedule changed next to the running app', () => {
  it('holds at once: a mirror made due by another process runs without waiting for a restart', async () => {
    const { core, mirrorId, open } = await immichMirror([asset(1)]);
    core.startEngine();
    const ran = new Promise<void>((resolve) =>
      core.mirrors.on('run', (r) => {
        if (r.mirrorId === mirrorId && r.state === 'completed') resolve();
      }),
    );
    // The CLI's `cartage mirror set 1 --every 1h` on a mirror made long ago: it is due now.
    const cli = open();
    cli.db.prepare('UPDATE mirrors SET created_at = 0 WHERE id = ?').run(mirrorId);
    cli.mirrors.update(mirrorId, { everyMs: 3_600_000 });
    await ran;
    expect(core.mirrors.get(mirrorId).lastRun).toMatchObject({ state: 'completed', newFiles: 1 });
  });
});

describe('a WebDAV folder mirrored recursively', () => {
  it('copies the tree by folder, then only the file that changed', async () => {
    const root = tempDir('cartage-dav-');
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'top.txt'), 'top');
    fs.writeFileSync(path.join(root, 'a', 'one.jpg'), bytes(2000, 1));
    fs.writeFileSync(path.join(root, 'a', 'b', 'two.jpg'), bytes(3000, 2));
    // Apache reads the folder afresh each time (rclone caches its listings for minutes).
    const dav: TestServer = await startApacheWebdav(root);
    stops.push(() => dav.stop());
    const core = new Core({ dataDir: tempDir(), secrets: new MemorySecretStore(), engine: { random: () => 0.5 } });
    stops.push(() => core.close());
    await core.sources.add({ kind: 'webdav', url: dav.url, name: 'nas' });
    const dir = tempDir();
    const m = core.mirrors.add({ ref: 'nas:a', dir, layout: 'folders', recursive: true });
    expect(await runOnce(core, m.id)).toMatchObject({ newFiles: 2, unchanged: 0 });
    expect(tree(dir)).toEqual(['b/two.jpg', 'one.jpg']);
    expect(await runOnce(core, m.id)).toMatchObject({ newFiles: 0, changed: 0, unchanged: 2 });
    fs.writeFileSync(path.join(root, 'a', 'b', 'two.jpg'), bytes(3500, 3));
    expect(await runOnce(core, m.id)).toMatchObject({ newFiles: 0, changed: 1, unchanged: 1 });
    expect(fs.readFileSync(path.join(dir, 'b', 'two.jpg')).equals(bytes(3500, 3))).toBe(true);
  });
});

describe('a WebDAV folder (no checksums) and the files already on disk', () => {
  const past = new Date('2020-01-02T03:04:05Z');

  /** A share of two files last changed in 2020, a mirror of it with --apply-deletions, and what went to the trash. */
  async function davMirror(): Promise<{ core: Core; root: string; dir: string; id: number; trashed: string[] }> {
    const root = tempDir('cartage-dav-');
    fs.mkdirSync(path.join(root, 'a'));
    fs.writeFileSync(path.join(root, 'a', 'one.jpg'), bytes(2000, 1));
    fs.writeFileSync(path.join(root, 'a', 'two.jpg'), bytes(3000, 2));
    for (const f of ['one.jpg', 'two.jpg']) fs.utimesSync(path.join(root, 'a', f), past, past);
    const dav: TestServer = await startApacheWebdav(root);
    stops.push(() => dav.stop());
    const trashed: string[] = [];
    const trashDir = tempDir();
    const core = new Core({
      dataDir: tempDir(),
      secrets: new MemorySecretStore(),
      engine: { random: () => 0.5 },
      trash: (paths) => {
        for (const p of paths) {
          trashed.push(p);
          fs.renameSync(p, path.join(trashDir, path.basename(p)));
        }
        return Promise.resolve();
      },
    });
    stops.push(() => core.close());
    await core.sources.add({ kind: 'webdav', url: dav.url, name: 'nas' });
    const dir = tempDir();
    const m = core.mirrors.add({ ref: 'nas:a', dir, layout: 'folders', applyDeletions: true });
    return { core, root, dir, id: m.id, trashed };
  }

  it("does not take a person's file of the same size for its own, and never trashes it", async () => {
    const s = await davMirror();
    // The person's own file where the mirror would put two.jpg: same size, other bytes, written today.
    const mine = path.join(s.dir, 'two.jpg');
    fs.writeFileSync(mine, bytes(3000, 9));
    const first = await runOnce(s.core, s.id);
    expect(first).toMatchObject({ state: 'completed', newFiles: 2, unchanged: 0 });
    expect(fs.readFileSync(mine).equals(bytes(3000, 9))).toBe(true);
    expect(fs.readFileSync(path.join(s.dir, 'two (1).jpg')).equals(bytes(3000, 2))).toBe(true);

    fs.rmSync(path.join(s.root, 'a', 'two.jpg'));
    const after = await runOnce(s.core, s.id);
    expect(after).toMatchObject({ deleted: 1, deletions: [{ path: 'two (1).jpg', action: 'moved to the trash' }] });
    expect(s.trashed).toEqual([path.join(s.dir, 'two (1).jpg')]);
    expect(fs.readFileSync(mine).equals(bytes(3000, 9))).toBe(true);
  });

  it('recognises its own copies after its records are lost, by size and the modification time it gave them', async () => {
    const s = await davMirror();
    expect(await runOnce(s.core, s.id)).toMatchObject({ newFiles: 2 });
    // Each copy carries the source's modification time.
    expect(fs.statSync(path.join(s.dir, 'one.jpg')).mtime.toISOString()).toBe(past.toISOString());
    s.core.db.prepare('DELETE FROM mirror_files').run();
    expect(await runOnce(s.core, s.id)).toMatchObject({ newFiles: 0, changed: 0, unchanged: 2 });
    expect(tree(s.dir)).toEqual(['one.jpg', 'two.jpg']);
  });

  it('keeps a copy the person replaced when the source deletes it: only what the mirror wrote goes to the trash', async () => {
    const s = await davMirror();
    await runOnce(s.core, s.id);
    fs.writeFileSync(path.join(s.dir, 'one.jpg'), 'my own picture now');
    fs.rmSync(path.join(s.root, 'a', 'one.jpg'));
    fs.rmSync(path.join(s.root, 'a', 'two.jpg'));
    // A file that stays on the source: a listing left empty is refused, not read as two deletions.
    fs.writeFileSync(path.join(s.root, 'a', 'three.jpg'), bytes(100, 3));
    const run = await runOnce(s.core, s.id);
    expect(run).toMatchObject({ newFiles: 1, deleted: 2 });
    expect(run.deletions).toEqual(
      expect.arrayContaining([
        { path: 'one.jpg', action: 'kept: changed here since the mirror wrote it' },
        { path: 'two.jpg', action: 'moved to the trash' },
      ]),
    );
    expect(s.trashed).toEqual([path.join(s.dir, 'two.jpg')]);
    expect(fs.readFileSync(path.join(s.dir, 'one.jpg'), 'utf8')).toBe('my own picture now');
  });
});

describe('cartage mirror', () => {
  it('adds, runs twice (the second downloads nothing) and lists a mirror with its last report', async () => {
    const { cartage } = await import('../helpers/cli.js');
    const server = await startImmich({ assets: [asset(1), asset(2)] });
    stops.push(() => server.stop());
    const data = tempDir();
    const keyFile = path.join(tempDir(), 'key');
    fs.writeFileSync(keyFile, server.apiKey);
    expect((await cartage(['source', 'add', 'immich', server.url, '--api-key-file', keyFile, '--name', 'photos', '--data-dir', data])).code).toBe(0);
    const dir = tempDir();
    const add = await cartage(['mirror', 'add', 'photos?', '--to', dir, '--layout', 'date', '--every', '6h', '--data-dir', data]);
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain('Mirror 1: photos? into');
    const first = await cartage(['mirror', 'run', '1', '--data-dir', data]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('completed: 2 new, 0 changed, 0 unchanged, 0 failed, 0 deleted on the source');
    const second = await cartage(['mirror', 'run', '--all', '--json', '--data-dir', data]);
    expect(JSON.parse(second.stdout)).toMatchObject({ runs: [{ state: 'completed', newFiles: 0, unchanged: 2 }] });
    const ls = await cartage(['mirror', 'ls', '--data-dir', data]);
    expect(ls.stdout).toMatch(/photos\? -> .* \[date, every 6 h; last run .*: completed, next /);
    const bad = await cartage(['mirror', 'add', 'photos?', '--to', dir, '--every', 'often', '--data-dir', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--every takes a duration such as 30m, 6h or 1d');
    expect(tree(dir)).toHaveLength(2);

    // Changed in place: the schedule goes to manual, the last report stays.
    const set = await cartage(['mirror', 'set', '1', '--manual', '--sidecars', '--data-dir', data]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toMatch(/^Changed mirror 1\.\n +1 {2}photos\? -> .* \[date, manual; last run .*: completed\]\n$/);
    for (const [args, sentence] of [
      [['1'], 'Say what to change'],
      [['1', '--sidecars', '--no-sidecars'], '--sidecars and --no-sidecars say opposite things'],
      [['1', '--every', '2h', '--manual'], '--every and --manual say opposite things'],
      [['x', '--manual'], 'Give the id of one mirror'],
    ] as const) {
      const r = await cartage(['mirror', 'set', ...args, '--data-dir', data]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(sentence);
    }
    const missing = await cartage(['mirror', 'set', '7', '--manual', '--data-dir', data]);
    expect(missing.stderr).toContain('There is no mirror 7');
    expect(JSON.parse((await cartage(['mirror', 'ls', '--json', '--data-dir', data])).stdout)).toMatchObject({
      mirrors: [{ id: 1, everyMs: null, sidecars: true, applyDeletions: false, lastRun: { state: 'completed', unchanged: 2 } }],
    });
  });
});
