import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connection.js';
import type { Engine } from '../engine/engine.js';
import { CartageError } from '../errors.js';
import type { Logger } from '../log.js';
import { safeFileName } from '../naming.js';
import type { TaskQueue } from '../queue/queue.js';
import { terminalStates } from '../queue/states.js';
import type { ChecksumAlgo, TaskSpec } from '../queue/task.js';
import { parseRef, queryText, trimSlashes } from '../sources/refs.js';
import { sourceRefOf, type SourceRegistry } from '../sources/registry.js';
import { ImmichSource } from '../sources/immich.js';
import type { RemoteFile, Source } from '../sources/types.js';
import { assertNever } from '../util/assert-never.js';
import { assertWritableFolder } from '../util/folders.js';
import { nextRunAt, type MirrorRow, type MirrorView, type RunRow, type RunView, toMirrorView, toRunView } from './mirror-views.js';

export type { MirrorView, RunView };

export interface NewMirror {
  /** `SOURCE[:PATH]` or `SOURCE?FILTERS` (an Immich search; `photos?` is the whole library). */
  ref: string;
  dir: string;
  layout: 'folders' | 'date';
  recursive?: boolean;
  everyMs?: number | null;
  sidecars?: boolean;
  applyDeletions?: boolean;
}

/** What can change in a mirror without making it another mirror. */
export interface MirrorPatch {
  everyMs?: number | null;
  sidecars?: boolean;
  applyDeletions?: boolean;
}

/** Deleting on the source moves the mirror's copy to the system trash, never unlinks it. */
export type TrashFn = (paths: string[]) => Promise<void>;

const maxListed = 1_000;

/**
 * Mirrors: a source scope kept copied into a folder, incrementally. A run enumerates every page,
 * queues only what is new or changed (known by remote id plus checksum, or size and ETag /
 * Last-Modified; after a lost record, by the file on disk), never overwrites or deletes a file it
 * did not write, and ends with a kept report. Runs survive crashes: their tasks are in the queue,
 * and what a completed task means is recorded beside it.
 */
export class Mirrors extends EventEmitter<{ run: [RunView] }> {
  private started = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly active = new Set<number>();
  /** Runs of an earlier process whose downloads this one finishes, by mirror. */
  private readonly resumed = new Map<number, number>();
  private readonly pendingEmits = new Set<number>();
  private emitTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly queue: TaskQueue,
    private readonly sources: SourceRegistry,
    private readonly log: Logger,
    private readonly trash: TrashFn,
  ) {
    super();
  }

  add(input: NewMirror): MirrorView {
    const ref = parseRef(input.ref);
    if (ref.kind === 'url') throw new CartageError('bad_input', 'A mirror keeps a source you added (cartage source add), not an address: add the source first.');
    const record = this.sources.get(ref.source);
    if (!path.isAbsolute(input.dir)) throw new CartageError('bad_input', `Give the mirror's folder as a full path, not "${input.dir}".`);
    if (input.everyMs != null && input.everyMs < 60_000) throw new CartageError('bad_input', 'A mirror runs at most once a minute.');
    assertWritableFolder(path.resolve(input.dir), 'choose another folder for the mirror');
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO mirrors (source_id, scope_kind, scope, recursive, dir, layout, every_ms, sidecars, apply_deletions, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          record.id,
          ref.kind,
          ref.kind === 'query' ? ref.query : ref.path,
          input.recursive ? 1 : 0,
          path.resolve(input.dir),
          input.layout,
          input.everyMs ?? null,
          input.sidecars ? 1 : 0,
          input.applyDeletions ? 1 : 0,
          Date.now(),
        ).lastInsertRowid,
    );
    this.reschedule();
    return this.get(id);
  }

  /**
   * Changes when a mirror runs, whether it writes sidecars, and whether it applies deletions, keeping
   * its records and its reports. What it copies and where are its identity: change those by adding
   * a mirror (the files already there are taken up, not fetched again).
   */
  update(id: number, patch: MirrorPatch): MirrorView {
    this.row(id);
    if (patch.everyMs != null && patch.everyMs < 60_000) throw new CartageError('bad_input', 'A mirror runs at most once a minute.');
    const sets: string[] = [];
    const values: (number | null)[] = [];
    if (patch.everyMs !== undefined) {
      sets.push('every_ms = ?');
      values.push(patch.everyMs);
    }
    if (patch.sidecars !== undefined) {
      sets.push('sidecars = ?');
      values.push(patch.sidecars ? 1 : 0);
    }
    if (patch.applyDeletions !== undefined) {
      sets.push('apply_deletions = ?');
      values.push(patch.applyDeletions ? 1 : 0);
    }
    if (sets.length) this.db.prepare(`UPDATE mirrors SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    this.reschedule();
    return this.get(id);
  }

  list(): MirrorView[] {
    return (this.db.prepare('SELECT * FROM mirrors ORDER BY id').all() as MirrorRow[]).map((m) => this.view(m));
  }

  get(id: number): MirrorView {
    return this.view(this.row(id));
  }

  remove(id: number): MirrorView {
    const view = this.get(id);
    if (this.active.has(id)) throw new CartageError('engine_busy', `Mirror ${id} is running; wait for it to finish, then remove it.`);
    this.db.transaction(() => {
      const runs = this.db.prepare('SELECT id FROM mirror_runs WHERE mirror_id = ?').pluck().all(id) as number[];
      for (const r of runs) this.db.prepare('DELETE FROM mirror_run_tasks WHERE run_id = ?').run(r);
      this.db.prepare('DELETE FROM mirror_runs WHERE mirror_id = ?').run(id);
      this.db.prepare('DELETE FROM mirror_files WHERE mirror_id = ?').run(id);
      this.db.prepare('DELETE FROM mirrors WHERE id = ?').run(id);
    })();
    return view;
  }

  /** The kept report of a run. */
  runView(runId: number): RunView {
    const row = this.db.prepare('SELECT * FROM mirror_runs WHERE id = ?').get(runId) as RunRow | undefined;
    if (!row) throw new CartageError('not_found', `There is no mirror run ${runId}.`);
    return toRunView(row, this.pendingCount(runId), this.pausedCount(runId));
  }

  /** Follows the engine, finishes runs a crash or a stop interrupted, and starts scheduled runs. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.engine.on('task', (t) => {
      if (terminalStates.includes(t.state)) this.settleTask(t.id);
    });
    this.engine.on('bulk', (e) => {
      if (terminalStates.includes(e.state)) for (const id of e.ids) this.settleTask(id);
    });
    // A mirror added or changed by `cartage mirror add|set` next to the app: its schedule holds at once.
    this.engine.on('external', () => this.reschedule());
    // A run that crashed while listing never saw the whole scope: it ends as interrupted (nothing
    // is deleted on its account); its queued downloads are taken over by the next run.
    this.db.prepare("UPDATE mirror_runs SET state = 'interrupted', ended_at = ? WHERE state = 'enumerating'").run(Date.now());
    const downloading = this.db.prepare("SELECT id, mirror_id FROM mirror_runs WHERE state = 'downloading'").all() as { id: number; mirror_id: number }[];
    for (const { id: runId, mirror_id } of downloading) {
      // Its downloads go on; a run asked for now takes them over (see run()).
      this.active.add(mirror_id);
      this.resumed.set(mirror_id, runId);
      const tasks = this.db.prepare('SELECT task_id FROM mirror_run_tasks WHERE run_id = ? AND processed = 0').pluck().all(runId) as number[];
      for (const t of tasks) this.settleTask(t);
      this.maybeFinish(runId);
    }
    this.reschedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = null;
    this.started = false;
  }

  /** Runs a mirror: lists the scope, queues what is new or changed, and resolves with the run id once listing ended. */
  async run(id: number): Promise<number> {
    const m = this.row(id);
    const earlier = this.resumed.get(id);
    if (earlier !== undefined) {
      // A run an earlier process left downloading: the new run lists afresh and takes its downloads over.
      this.resumed.delete(id);
      this.active.delete(id);
      this.db.prepare("UPDATE mirror_runs SET state = 'interrupted', ended_at = ? WHERE id = ? AND state = 'downloading'").run(Date.now(), earlier);
    }
    if (this.active.has(id)) throw new CartageError('engine_busy', `Mirror ${id} is already running.`);
    this.active.add(id);
    const runId = Number(this.db.prepare("INSERT INTO mirror_runs (mirror_id, state, started_at) VALUES (?, 'enumerating', ?)").run(id, Date.now()).lastInsertRowid);
    try {
      const listed = await this.enumerateAndQueue(m, runId);
      this.markDeletions(m, runId, listed);
      await this.applyDeletions(m, runId);
      this.db.prepare("UPDATE mirror_runs SET state = 'downloading' WHERE id = ?").run(runId);
      this.engine.wake();
      this.maybeFinish(runId);
      return runId;
    } catch (err) {
      this.db.prepare("UPDATE mirror_runs SET state = 'failed', ended_at = ?, error = ? WHERE id = ?").run(Date.now(), (err as Error).message, runId);
      this.active.delete(id);
      this.emit('run', this.runView(runId));
      throw err;
    }
  }

  /** Pauses the downloads of a mirror's current run (their partial files are kept); the run waits. */
  pause(id: number): RunView {
    return this.control(id, 'pause');
  }

  /** Resumes a paused run's downloads. */
  resume(id: number): RunView {
    return this.control(id, 'resume');
  }

  private control(id: number, verb: 'pause' | 'resume'): RunView {
    const m = this.get(id);
    const run = m.lastRun;
    if (!run || (run.state !== 'downloading' && run.state !== 'enumerating')) {
      throw new CartageError('illegal_transition', `Mirror ${id} is not running; there is nothing to ${verb}.`);
    }
    const ids = this.db
      .prepare(
        `SELECT mrt.task_id FROM mirror_run_tasks mrt JOIN tasks t ON t.id = mrt.task_id
         WHERE mrt.run_id = ? AND mrt.processed = 0 AND t.state IN (${verb === 'pause' ? "'queued', 'active'" : "'paused'"})`,
      )
      .pluck()
      .all(run.id) as number[];
    if (ids.length) {
      if (verb === 'pause') this.engine.pause(ids);
      else this.engine.resume(ids);
    }
    const view = this.runView(run.id);
    this.emit('run', view);
    return view;
  }

  /** Resolves when a run has ended (completed, failed or interrupted), with its report. */
  whenDone(runId: number): Promise<RunView> {
    const now = this.runView(runId);
    if (now.state !== 'enumerating' && now.state !== 'downloading') return Promise.resolve(now);
    return new Promise((resolve) => {
      const on = (r: RunView): void => {
        if (r.id === runId && r.state !== 'enumerating' && r.state !== 'downloading') {
          this.off('run', on);
          resolve(r);
        }
      };
      this.on('run', on);
    });
  }

  /** Lists the scope and queues what is new or changed; returns how many files were listed. */
  private async enumerateAndQueue(m: MirrorRow, runId: number): Promise<number> {
    let listed = 0;
    const record = this.sources.get(String(m.source_id));
    const source = this.sources.source(record);
    const counts = { unchanged: 0, failed: 0 };
    const failures: { name: string; reason: string }[] = [];
    const batch: { spec: TaskSpec; remoteId: string; kind: 'new' | 'changed'; file: RemoteFile; sidecar: string | null }[] = [];
    // Row updates of unchanged files are written 1,000 to a transaction: one commit per file
    // would cost more than the whole comparison.
    const writes: (() => void)[] = [];
    const flushWrites = (): void => {
      if (!writes.length) return;
      this.db.transaction(() => writes.forEach((w) => w()))();
      writes.length = 0;
    };
    const flush = (): void => {
      flushWrites();
      if (!batch.length) return;
      const ids = this.queue.enqueue(batch.map((b) => b.spec));
      const insert = this.db.prepare(
        'INSERT INTO mirror_run_tasks (task_id, run_id, remote_id, kind, size, checksum, etag, modified, sidecar) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.db.transaction(() =>
        batch.forEach((b, i) =>
          insert.run(ids[i]!, runId, b.remoteId, b.kind, b.file.size, b.file.checksum?.value ?? null, b.file.etag, b.file.modified?.getTime() ?? null, b.sidecar),
        ),
      )();
      batch.length = 0;
      this.engine.wake();
    };
    const seen = this.db.prepare('UPDATE mirror_files SET last_seen_run = ? WHERE mirror_id = ? AND remote_id = ?');
    const recordOf = this.db.prepare('SELECT * FROM mirror_files WHERE mirror_id = ? AND remote_id = ?');
    const adopt = this.db.prepare(
      'INSERT OR REPLACE INTO mirror_files (mirror_id, remote_id, rel_path, size, checksum, etag, modified, last_seen_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const earlierTask = this.db.prepare(
      `SELECT mrt.task_id FROM mirror_run_tasks mrt JOIN mirror_runs r ON r.id = mrt.run_id
       WHERE r.mirror_id = ? AND mrt.remote_id = ? AND mrt.processed = 0`,
    );
    // Sidecars of Immich files name their albums: one listing per album, before the run.
    const albums = m.sidecars && source instanceof ImmichSource ? await source.albumNamesByAsset() : null;
    for await (const file of this.enumerate(source, m)) {
      const folders = mirrorFolders(file, m);
      for (const part of file.motion ? [file, file.motion] : [file]) {
        listed += 1;
        const rec = recordOf.get(m.id, part.id) as FileRecord | undefined;
        // Still listed, even if it cannot be downloaded now: never reported (or trashed) as deleted.
        if (rec) writes.push(() => seen.run(runId, m.id, part.id));
        if (!part.access.downloadable) {
          counts.failed += 1;
          if (failures.length < maxListed) failures.push({ name: part.name, reason: part.access.reason ?? 'It cannot be downloaded.' });
          continue;
        }
        const rel = [...folders, part.name].join('/');
        let kind: 'new' | 'changed' = 'new';
        let ours = true;
        if (rec) {
          const onDisk = statSize(path.join(m.dir, rec.rel_path));
          if (onDisk !== null && sameRemote(rec, part) && (rec.size === null || onDisk === rec.size)) {
            counts.unchanged += 1;
            if (writes.length >= 1000) flushWrites();
            continue;
          }
          kind = onDisk === null ? 'new' : 'changed';
          // The copy on disk is no longer the one the mirror wrote (the person edited or replaced
          // it): it is kept, and the source's version lands beside it under a numbered name.
          ours = onDisk !== null && rec.size !== null && onDisk === rec.size;
        } else {
          // No record (a reinstall, a lost database): the file on disk is ours if it matches.
          const target = path.join(m.dir, rel);
          if (matchesOnDisk(target, part)) {
            writes.push(() => adopt.run(m.id, part.id, rel, part.size, part.checksum?.value ?? null, part.etag, part.modified?.getTime() ?? null, runId));
            counts.unchanged += 1;
            if (writes.length >= 1000) flushWrites();
            continue;
          }
        }
        // A download an interrupted run queued is taken over, not queued twice.
        const earlier = earlierTask.get(m.id, part.id) as { task_id: number } | undefined;
        if (earlier) {
          this.db.prepare('UPDATE mirror_run_tasks SET run_id = ? WHERE task_id = ?').run(runId, earlier.task_id);
          continue;
        }
        const dir = kind === 'changed' && rec ? path.dirname(path.join(m.dir, rec.rel_path)) : path.join(m.dir, ...folders);
        const name = kind === 'changed' && rec ? path.basename(rec.rel_path) : part.name;
        if (kind === 'changed' && !ours) {
          if (failures.length < maxListed) failures.push({ name: rec!.rel_path, reason: 'Changed here since the mirror wrote it: kept, and the source\'s version saved beside it.' });
        }
        batch.push({
          remoteId: part.id,
          kind,
          file: part,
          sidecar: m.sidecars ? JSON.stringify(sidecarOf(part, file, record.name, albums?.get(file.id) ?? null)) : null,
          spec: {
            url: (await source.resolve(part)).url,
            dir,
            name,
            group: part.group,
            sourceRef: sourceRefOf(record, part.id),
            // Only a file this mirror wrote is replaced; anything else in the folder is left alone.
            conflict: kind === 'changed' && ours ? 'overwrite' : 'rename',
            ...(part.size !== null ? { expectedBytes: part.size } : {}),
            ...(part.checksum ? { checksum: part.checksum } : {}),
          },
        });
        if (batch.length >= 500) flush();
      }
    }
    flush();
    this.db
      .prepare('UPDATE mirror_runs SET unchanged = unchanged + ?, failed = failed + ?, failures = ? WHERE id = ?')
      .run(counts.unchanged, counts.failed, JSON.stringify(failures), runId);
    return listed;
  }

  private async *enumerate(source: Source, m: MirrorRow): AsyncGenerator<RemoteFile> {
    if (m.scope_kind === 'query') {
      yield* source.query(queryText(source, m.scope));
      return;
    }
    const pending = [m.scope];
    const visited = new Set(pending);
    while (pending.length) {
      const folder = pending.shift()!;
      const listing = await source.list(folder);
      yield* listing.files;
      if (!m.recursive) continue;
      for (const sub of listing.folders) {
        if (visited.has(sub.path)) continue;
        visited.add(sub.path);
        pending.push(sub.path);
      }
    }
  }

  /** Files this mirror holds that the source no longer lists: reported, and removed only if asked. */
  private markDeletions(m: MirrorRow, runId: number, filesListed: number): void {
    const gone = this.db.prepare('SELECT rel_path, size, checksum FROM mirror_files WHERE mirror_id = ? AND last_seen_run < ?').all(m.id, runId) as GoneRecord[];
    if (filesListed === 0 && gone.length > 0) {
      // An empty answer (a server that lists an album another way, a key that sees nothing) is not
      // proof that everything went: the run stops before it reports or trashes anything.
      throw new CartageError(
        'http_error',
        `The source listed no files for this mirror, which holds ${gone.length} from earlier runs; an empty listing is not taken as everything deleted, so nothing was reported deleted or moved to the trash. If everything really was removed on the source, remove this mirror (its files stay on disk).`,
      );
    }
    const listed = gone.slice(0, maxListed).map((g) => ({
      path: g.rel_path,
      action: !m.apply_deletions ? 'kept' : trashable(path.join(m.dir, g.rel_path), g) !== false ? 'moved to the trash' : 'kept: changed here since the mirror wrote it',
    }));
    this.db.prepare('UPDATE mirror_runs SET deleted = ?, deletions = ? WHERE id = ?').run(gone.length, JSON.stringify(listed), runId);
  }

  private async applyDeletions(m: MirrorRow, runId: number): Promise<void> {
    if (!m.apply_deletions) return;
    const gone = this.db.prepare('SELECT remote_id, rel_path, size, checksum FROM mirror_files WHERE mirror_id = ? AND last_seen_run < ?').all(m.id, runId) as (GoneRecord & {
      remote_id: string;
    })[];
    // Only the very file the mirror wrote and recorded goes to the trash: one the person replaced
    // since is kept (and no longer the mirror's).
    const existing = gone.map((g) => path.join(m.dir, g.rel_path)).filter((p, i) => trashable(p, gone[i]!) === true);
    if (existing.length) await this.trash(existing);
    const del = this.db.prepare('DELETE FROM mirror_files WHERE mirror_id = ? AND remote_id = ?');
    this.db.transaction(() => gone.forEach((g) => del.run(m.id, g.remote_id)))();
  }

  /** Records what a finished download of a run means: the file is now the mirror's, or it failed. */
  private settleTask(taskId: number): void {
    const row = this.db
      .prepare(
        `SELECT mrt.*, t.state, t.final_path, t.error_message, t.name, t.conflict, r.mirror_id, m.dir
         FROM mirror_run_tasks mrt JOIN tasks t ON t.id = mrt.task_id JOIN mirror_runs r ON r.id = mrt.run_id JOIN mirrors m ON m.id = r.mirror_id
         WHERE mrt.task_id = ? AND mrt.processed = 0`,
      )
      .get(taskId) as SettleRow | undefined;
    if (!row || !terminalStates.includes(row.state)) return;
    this.db.transaction(() => {
      if (row.state === 'completed') {
        // The copy takes the source's modification time: what tells it from a person's file of the same size after a reinstall.
        if (row.modified !== null) setModified(row.final_path, row.modified, this.log);
        const rel = path.relative(row.dir, row.final_path).split(path.sep).join('/');
        this.db
          .prepare('INSERT OR REPLACE INTO mirror_files (mirror_id, remote_id, rel_path, size, checksum, etag, modified, last_seen_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(row.mirror_id, row.remote_id, rel, row.size ?? statSize(row.final_path), row.checksum, row.etag, row.modified, row.run_id);
        const column = row.kind === 'new' ? 'new_files' : 'changed';
        this.db.prepare(`UPDATE mirror_runs SET ${column} = ${column} + 1, bytes = bytes + ? WHERE id = ?`).run(statSize(row.final_path) ?? 0, row.run_id);
        if (row.sidecar) writeSidecar(row.final_path, row.sidecar, row.conflict === 'overwrite', this.log);
      } else {
        const run = this.db.prepare('SELECT failures FROM mirror_runs WHERE id = ?').get(row.run_id) as { failures: string };
        const failures = JSON.parse(run.failures) as { name: string; reason: string }[];
        if (failures.length < maxListed) failures.push({ name: row.name, reason: row.error_message ?? row.state });
        this.db.prepare('UPDATE mirror_runs SET failed = failed + 1, failures = ? WHERE id = ?').run(JSON.stringify(failures), row.run_id);
      }
      this.db.prepare('UPDATE mirror_run_tasks SET processed = 1 WHERE task_id = ?').run(taskId);
    })();
    this.maybeFinish(row.run_id);
  }

  private pendingCount(runId: number): number {
    return (this.db.prepare('SELECT count(*) FROM mirror_run_tasks WHERE run_id = ? AND processed = 0').pluck().get(runId) as number) ?? 0;
  }

  private pausedCount(runId: number): number {
    return this.db
      .prepare("SELECT count(*) FROM mirror_run_tasks mrt JOIN tasks t ON t.id = mrt.task_id WHERE mrt.run_id = ? AND mrt.processed = 0 AND t.state = 'paused'")
      .pluck()
      .get(runId) as number;
  }

  private maybeFinish(runId: number): void {
    const run = this.db.prepare('SELECT state, mirror_id FROM mirror_runs WHERE id = ?').get(runId) as Pick<RunRow, 'state' | 'mirror_id'>;
    if (run.state !== 'downloading') {
      if (run.state === 'enumerating') this.emitSoon(runId);
      return;
    }
    // An index lookup, not a count: this runs for every download that ends.
    if (this.db.prepare('SELECT 1 FROM mirror_run_tasks WHERE run_id = ? AND processed = 0 LIMIT 1').get(runId)) {
      this.emitSoon(runId);
      return;
    }
    this.db.prepare("UPDATE mirror_runs SET state = 'completed', ended_at = ? WHERE id = ?").run(Date.now(), runId);
    this.active.delete(run.mirror_id);
    if (this.resumed.get(run.mirror_id) === runId) this.resumed.delete(run.mirror_id);
    this.pendingEmits.delete(runId);
    const view = this.runView(runId);
    this.log.info(`mirror #${run.mirror_id} run ${runId}: ${view.newFiles} new, ${view.changed} changed, ${view.unchanged} unchanged, ${view.failed} failed, ${view.deleted} deleted on the source`);
    this.emit('run', view);
    this.reschedule();
  }

  /** A run's progress goes out at most four times a second (its counts cost a query); its end at once. */
  private emitSoon(runId: number): void {
    this.pendingEmits.add(runId);
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      const ids = [...this.pendingEmits];
      this.pendingEmits.clear();
      for (const id of ids) this.emit('run', this.runView(id));
    }, 250);
    this.emitTimer.unref();
  }

  /** Starts the runs that are due, and sets a timer for the next one (only while started). */
  private reschedule(): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    let next = Infinity;
    for (const m of this.list()) {
      if (m.nextRunAt === null || this.active.has(m.id)) continue;
      if (m.nextRunAt <= now) {
        this.run(m.id).catch((err: unknown) => this.log.warn(`scheduled run of mirror #${m.id} failed: ${(err as Error).message}`));
      } else next = Math.min(next, m.nextRunAt);
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => this.reschedule(), Math.min(next - now, 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private row(id: number): MirrorRow {
    const row = this.db.prepare('SELECT * FROM mirrors WHERE id = ?').get(id) as MirrorRow | undefined;
    if (!row) throw new CartageError('not_found', `There is no mirror ${id} (see "cartage mirror ls").`);
    return row;
  }

  private view(m: MirrorRow): MirrorView {
    const last = this.db.prepare('SELECT * FROM mirror_runs WHERE mirror_id = ? ORDER BY id DESC LIMIT 1').get(m.id) as RunRow | undefined;
    let sourceName = `#${m.source_id}`;
    try {
      sourceName = this.sources.get(String(m.source_id)).name;
    } catch {
      // The source was removed: the mirror says so by its id.
    }
    return toMirrorView(m, sourceName, last ? toRunView(last, this.pendingCount(last.id), this.pausedCount(last.id)) : null, nextRunAt(m, last ?? null));
  }
}

interface FileRecord {
  rel_path: string;
  size: number | null;
  checksum: string | null;
  etag: string | null;
  modified: number | null;
}

interface SettleRow {
  task_id: number;
  run_id: number;
  remote_id: string;
  kind: 'new' | 'changed';
  size: number | null;
  checksum: string | null;
  etag: string | null;
  modified: number | null;
  sidecar: string | null;
  state: (typeof terminalStates)[number] | 'queued' | 'active' | 'paused';
  final_path: string;
  error_message: string | null;
  name: string;
  conflict: string | null;
  mirror_id: number;
  dir: string;
}

/** Where a file goes under the mirror's folder: its folder below the scope, or its capture month. */
export function mirrorFolders(file: RemoteFile, m: Pick<MirrorRow, 'layout' | 'scope_kind' | 'scope'>): string[] {
  if (m.layout === 'date') {
    const when = file.takenAt ?? file.modified;
    if (!when) return ['undated'];
    const year = String(when.getUTCFullYear());
    return [year, `${year}-${String(when.getUTCMonth() + 1).padStart(2, '0')}`];
  }
  if (m.scope_kind !== 'path') return [];
  // Sources write paths with or without a leading slash (WebDAV: '/a/b'; web folders: 'a/b').
  const scope = trimSlashes(m.scope);
  const folder = trimSlashes(file.folder);
  const below = scope ? (folder.startsWith(`${scope}/`) ? folder.slice(scope.length + 1) : '') : folder;
  return below
    .split('/')
    .filter((s) => s && s !== '.' && s !== '..')
    .map((s) => safeFileName(s));
}

/** The source still describes the file the record holds. */
function sameRemote(rec: FileRecord, f: RemoteFile): boolean {
  if (rec.checksum !== null && f.checksum) return rec.checksum === f.checksum.value;
  if (rec.size !== null && f.size !== null && rec.size !== f.size) return false;
  if (rec.etag !== null && f.etag !== null) return rec.etag === f.etag;
  if (rec.modified !== null && f.modified) return rec.modified === f.modified.getTime();
  return rec.size !== null && rec.size === f.size;
}

/** Modification times within this are the same: FAT keeps them to 2 s, HTTP's Last-Modified to 1 s. */
const sameTimeMs = 2000;

/**
 * A file already in the folder, with no record of it (a reinstall, a lost database), is taken as
 * the mirror's copy only on evidence: the source's checksum, or else its size and its modification
 * time, which the mirror sets to the source's when it writes a file. Size alone could take a
 * person's own file, which --apply-deletions would later move to the trash.
 */
function matchesOnDisk(file: string, f: RemoteFile): boolean {
  const st = statFile(file);
  if (!st || f.size === null || st.size !== f.size) return false;
  if (f.checksum) return digestOf(file, f.checksum.algo) === f.checksum.value;
  return f.modified !== null && Math.abs(st.mtimeMs - f.modified.getTime()) < sameTimeMs;
}

interface GoneRecord {
  rel_path: string;
  size: number | null;
  checksum: string | null;
}

/**
 * Whether a recorded file deleted on the source may go to the trash: true when it is still the
 * file the mirror wrote (its recorded size, and checksum when one was recorded), false when it
 * is another file now, null when nothing is there.
 */
function trashable(file: string, rec: GoneRecord): boolean | null {
  const st = statFile(file);
  if (!st) return null;
  if (rec.size === null || st.size !== rec.size) return false;
  if (rec.checksum === null) return true;
  // mirror_files keeps the value only: a SHA-256 is 64 hex digits, Immich's SHA-1 is base64.
  return digestOf(file, /^[0-9a-f]{64}$/.test(rec.checksum) ? 'sha256-hex' : 'sha1-base64') === rec.checksum;
}

/** Sets a file's modification time (ms since 1970); a file system that refuses is logged, not fatal. */
function setModified(file: string, ms: number, log: Logger): void {
  try {
    fs.utimesSync(file, new Date(), new Date(ms));
  } catch (err) {
    log.warn(`could not set the modification time of ${file}: ${(err as Error).message}`);
  }
}

function statFile(file: string): fs.Stats | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/** A file's checksum written as the source writes it. */
function digestOf(file: string, algo: ChecksumAlgo): string {
  switch (algo) {
    case 'sha1-base64':
      return hashFile(file, 'sha1', 'base64');
    case 'sha256-hex':
      return hashFile(file, 'sha256', 'hex');
    case 'md5-hex':
      return hashFile(file, 'md5', 'hex');
    default:
      return assertNever(algo, 'checksum algorithm');
  }
}

function statSize(file: string): number | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

function hashFile(file: string, name: 'sha1' | 'sha256' | 'md5', encoding: 'base64' | 'hex'): string {
  const hash = createHash(name);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest(encoding);
}

function sidecarOf(part: RemoteFile, item: RemoteFile, source: string, albums: string[] | null): Record<string, unknown> {
  return {
    source,
    id: part.id,
    name: part.name,
    takenAt: (item.takenAt ?? item.modified)?.toISOString() ?? null,
    livePhotoOf: part === item ? null : item.name,
    ...(albums ? { albums } : {}),
    ...(item.metadata ?? {}),
  };
}

/**
 * Writes `FILE.json` whole or not at all (a temporary file, then a rename). Only a sidecar of a
 * file the mirror replaced may replace one; otherwise an existing `.json` (the person's, or one
 * mirrored from the source) is left alone.
 */
function writeSidecar(file: string, json: string, replace: boolean, log: Logger): void {
  const target = `${file}.json`;
  const temp = `${target}.cartage-part`;
  try {
    // A new file, never one a crash left linked to a sidecar in place (writing through it would change that one).
    fs.rmSync(temp, { force: true });
    fs.writeFileSync(temp, `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    if (replace) fs.renameSync(temp, target);
    else {
      fs.linkSync(temp, target);
      fs.rmSync(temp);
    }
  } catch (err) {
    fs.rmSync(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') log.info(`kept ${target}: the mirror did not write it`);
    else log.warn(`could not write the sidecar of ${file}: ${(err as Error).message}`);
  }
}
