import { EventEmitter } from 'node:events';
import path from 'node:path';
import { prepared, type Db } from '../db/connection.js';
import type { Engine } from '../engine/engine.js';
import { CartageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TaskQueue } from '../queue/queue.js';
import { terminalStates } from '../queue/states.js';
import { parseRef } from '../sources/refs.js';
import type { SourceRegistry } from '../sources/registry.js';
import { assertWritableFolder } from '../util/folders.js';
import { MirrorRunSteps, type TrashFn } from './mirror-run.js';
import { nextRunAt, type MirrorRow, type MirrorView, type RunRow, type RunView, toMirrorView, toRunView } from './mirror-views.js';
import { createRun, moveRun } from './run-store.js';

export type { MirrorView, RunView, TrashFn };

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
  private readonly steps: MirrorRunSteps;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly queue: TaskQueue,
    private readonly sources: SourceRegistry,
    private readonly log: Logger,
    trash: TrashFn,
  ) {
    super();
    this.steps = new MirrorRunSteps(db, engine, queue, sources, log, trash);
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

  /** Follows the queue's changes, finishes runs a crash or a stop interrupted, and starts scheduled runs. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.queue.changes.on('task', (t) => {
      if (terminalStates.includes(t.state)) this.settleTask(t.id);
    });
    this.queue.changes.on('bulk', (e) => {
      if (terminalStates.includes(e.state)) for (const id of e.ids) this.settleTask(id);
    });
    // A mirror added or changed by `cartage mirror add|set` next to the app: its schedule holds at once.
    this.queue.changes.on('external', () => this.reschedule());
    // A run that crashed while listing never saw the whole scope: it ends as interrupted (nothing
    // is deleted on its account); its queued downloads are taken over by the next run.
    moveRun(this.db, null, 'enumerating', 'interrupted');
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
      moveRun(this.db, earlier, 'downloading', 'interrupted');
    }
    if (this.active.has(id)) throw new CartageError('engine_busy', `Mirror ${id} is already running.`);
    this.active.add(id);
    const runId = createRun(this.db, id);
    try {
      const listed = await this.steps.enumerateAndQueue(m, runId);
      this.steps.markDeletions(m, runId, listed);
      await this.steps.applyDeletions(m, runId);
      moveRun(this.db, runId, 'enumerating', 'downloading');
      this.engine.wake();
      this.maybeFinish(runId);
      return runId;
    } catch (err) {
      moveRun(this.db, runId, 'enumerating', 'failed', (err as Error).message);
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
    // Only rows change here: the engine hears the moves and stops or starts the transfers.
    if (ids.length) this.queue.control(ids, verb);
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

  /** A run's download ended: recorded, and the run ends when it was the last. */
  private settleTask(taskId: number): void {
    const runId = this.steps.settleTask(taskId);
    if (runId !== null) this.maybeFinish(runId);
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
    const run = prepared(this.db, 'SELECT state, mirror_id FROM mirror_runs WHERE id = ?').get(runId) as Pick<RunRow, 'state' | 'mirror_id'>;
    if (run.state !== 'downloading') {
      if (run.state === 'enumerating') this.emitSoon(runId);
      return;
    }
    // An index lookup, not a count: this runs for every download that ends.
    if (prepared(this.db, 'SELECT 1 FROM mirror_run_tasks WHERE run_id = ? AND processed = 0 LIMIT 1').get(runId)) {
      this.emitSoon(runId);
      return;
    }
    moveRun(this.db, runId, 'downloading', 'completed');
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

