import type { Statement, Transaction } from 'better-sqlite3';
import path from 'node:path';
import type { Db } from '../db/connection.js';
import { CartageError, type ErrorInfo } from '../errors.js';
import { folderListing, freePath, nameFromUrl, pathInside, safeFileName } from '../naming.js';
import type { ConflictPolicy } from '../settings.js';
import { TaskChanges, type ChangedRow } from './changes.js';
import { groupForName } from './groups.js';
import { assertTransition, controllable, controlTarget, statesLeadingTo, taskStates, type TaskControl, type TaskGroup, type TaskState } from './states.js';
import { patchColumns, taskFromRow, type Task, type TaskPatch, type TaskRow, type TaskSpec } from './task.js';

export type StateCounts = Record<TaskState, number>;

/** A queued task as the scheduler sees it. */
export interface RunnableTask {
  id: number;
  host: string;
  group: TaskGroup;
}

export interface QueueTotals {
  counts: StateCounts;
  /** Bytes on disk and total over tasks that are not canceled. */
  bytesDone: number;
  bytesTotal: number;
}

/** Suffix of the part file a download is written to before it is verified and renamed. */
export const partSuffix = '.cartage-part';

/** Why a sealed task cannot be tried again, after its name. */
export const sealedReason =
  'was for a zip that is already written or was canceled; put it back on the download list (Put back on the list, in Downloads, or "cartage cart put-back") to fetch it again.';

const pageSize = 500;

/** What each control resets with its move: a resume or a retry starts counting attempts again. */
const controlResets: Record<TaskControl, TaskPatch> = {
  pause: {},
  resume: { attempts: 0, nextAttemptAt: 0, error: null },
  retry: { attempts: 0, checksumFailures: 0, nextAttemptAt: 0, error: null },
  cancel: {},
};

/**
 * The persistent task queue. Every state change is a checked transition in a transaction, announced
 * on `changes` (with the changes other processes make); the engine asks it for a page of runnable
 * work at a time and never loads the queue whole.
 */
export class TaskQueue {
  /** The one stream of task changes: this process's as they are made, other processes' as they are seen. */
  readonly changes: TaskChanges = new TaskChanges(this);
  private readonly byId: Statement<[number], TaskRow>;
  private readonly pathTaken: Statement<[string], { one: number }>;
  private readonly liveUnder: Statement<[string, string], { one: number }>;
  private readonly insert: Statement<unknown[]>;
  private readonly statements = new Map<string, Statement<unknown[], unknown>>();

  constructor(readonly db: Db) {
    this.byId = db.prepare('SELECT * FROM tasks WHERE id = ?');
    this.pathTaken = db.prepare(
      "SELECT 1 AS one FROM tasks WHERE final_path = ? AND state IN ('queued', 'active', 'paused', 'failed') LIMIT 1",
    );
    this.liveUnder = db.prepare(
      "SELECT 1 AS one FROM tasks WHERE final_path >= ? AND final_path < ? AND state IN ('queued', 'active', 'paused', 'failed') LIMIT 1",
    );
    this.transitionTx = db.transaction((id: number, to: TaskState, patch: TaskPatch, now: number, from?: TaskState): Task => {
      const row = this.byId.get(id);
      if (!row) throw new CartageError('not_found', `There is no task ${id} in the queue.`);
      if (from && row.state !== from) throw new MovedError(taskFromRow(row));
      // Its file is being placed: a pause or a cancel cannot undo a finished file.
      if (row.placing !== null && (to === 'paused' || to === 'canceled')) throw new FinishingError(taskFromRow(row));
      assertTransition(id, row.state, to);
      if (row.sealed && to === 'queued') {
        throw new CartageError('illegal_transition', `"${row.name}" ${sealedReason}`);
      }
      const { sql, values } = patchSql(patch);
      const updated = this.stmt(`UPDATE tasks SET state = ?, updated_at = ?${sql} WHERE id = ? RETURNING *`).get(to, now, ...values, id) as TaskRow;
      return taskFromRow(updated);
    });
    this.moveEachTx = db.transaction((ids: readonly number[], from: TaskState, to: TaskState, now: number): Task[] =>
      ids.flatMap((id) => this.moveFrom(id, from, to, {}, now) ?? []),
    );
    this.insert = db.prepare(`
      INSERT INTO tasks (source_ref, url, name, dir, final_path, temp_path, grp, host, state, expected_bytes,
                         checksum_algo, checksum, created_at, updated_at, conflict)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`);
  }

  /**
   * Queues downloads in one transaction and returns their ids. Each gets a final path that no other
   * queued download claims; with the `rename` policy, one that no file on disk has either.
   */
  enqueue(specs: readonly TaskSpec[], policy: ConflictPolicy = 'rename', now = Date.now()): number[] {
    const parsed = specs.map((spec) => {
      let url: URL;
      try {
        url = new URL(spec.url);
      } catch {
        throw new CartageError('bad_input', `"${spec.url}" is not a web address Cartage can download; nothing was queued.`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new CartageError('bad_input', `"${spec.url}" uses ${url.protocol.slice(0, -1)}, which Cartage does not download (only http and https); nothing was queued.`);
      }
      // No credentials in the queue (invariant 4): a user and password in the URL are the caller's to keep.
      url.username = '';
      url.password = '';
      // Strings, not the URL object: a batch of 100,000 would hold 50 MB of them.
      return { spec, href: url.href, host: url.host, name: spec.name ? safeFileName(spec.name) : nameFromUrl(url) };
    });
    const claimed = new Set<string>();
    // Many downloads of one name in a batch: start each search after the last number handed out.
    const nextNumber = new Map<string, number>();
    // Asking the database about every path is needed only in folders where live tasks already claim some.
    const liveFolders = new Map<string, boolean>();
    const taken = (full: string): boolean => {
      if (claimed.has(full)) return true;
      const dir = path.dirname(full);
      let live = liveFolders.get(dir);
      if (live === undefined) {
        const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
        const end = prefix.slice(0, -1) + String.fromCharCode(path.sep.charCodeAt(0) + 1);
        live = this.liveUnder.get(prefix, end) !== undefined;
        liveFolders.set(dir, live);
      }
      return live && this.pathTaken.get(full) !== undefined;
    };
    const exists = folderListing();
    const resolvedDirs = new Map<string, string>();
    const run = this.db.transaction(() =>
      parsed.map(({ spec, href, host, name }) => {
        let dir = resolvedDirs.get(spec.dir);
        if (dir === undefined) {
          dir = path.resolve(spec.dir);
          resolvedDirs.set(spec.dir, dir);
        }
        const key = path.join(dir, name);
        const from = nextNumber.get(key) ?? 0;
        const own = spec.conflict ?? policy;
        const finalPath =
          own === 'rename' || from > 0 ? freePath(dir, name, taken, from, exists) : firstUnclaimed(dir, name, taken, exists);
        nextNumber.set(key, from + 1);
        claimed.add(finalPath);
        const info = this.insert.run(
          spec.sourceRef ?? 'url',
          href,
          path.basename(finalPath),
          dir,
          finalPath,
          finalPath + partSuffix,
          spec.group ?? groupForName(name),
          host,
          spec.expectedBytes ?? null,
          spec.checksum?.algo ?? null,
          spec.checksum?.value ?? null,
          now,
          now,
          spec.conflict ?? null,
        );
        return Number(info.lastInsertRowid);
      }),
    );
    const ids = run.immediate();
    if (ids.length) this.changes.rememberQueued(ids[0]!, ids.at(-1)!, now);
    return ids;
  }

  /** Prepared once, reused: preparing SQL on every call costs more than running it. */
  private stmt<R = unknown>(sql: string): Statement<unknown[], R> {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st as Statement<unknown[], R>;
  }

  get(id: number): Task | undefined {
    const row = this.byId.get(id);
    return row ? taskFromRow(row) : undefined;
  }

  /** Tasks after `afterId`, in id order, optionally only in some states: one page. */
  page(afterId = 0, limit = pageSize, states?: readonly TaskState[]): Task[] {
    const filter = states ? `AND state IN (${states.map(() => '?').join(',')})` : '';
    const rows = this.stmt(`SELECT * FROM tasks WHERE id > ? ${filter} ORDER BY id LIMIT ?`)
      .all(afterId, ...(states ?? []), limit) as TaskRow[];
    return rows.map(taskFromRow);
  }

  /** Tasks changed at or after `since` (ms), oldest change first: what another process did. */
  changedSince(since: number): ChangedRow[] {
    return this.stmt<ChangedRow>(
      'SELECT id, state, updated_at AS updatedAt FROM tasks WHERE updated_at >= ? ORDER BY updated_at, id',
    ).all(since);
  }

  /** SQLite's data_version: it moves only when another connection (another process) commits. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Every task, page by page, so memory stays flat however long the queue is. */
  *iterate(states?: readonly TaskState[]): Generator<Task> {
    let after = 0;
    for (;;) {
      const page = this.page(after, pageSize, states);
      if (page.length === 0) return;
      yield* page;
      after = page.at(-1)!.id;
    }
  }

  totals(): QueueTotals {
    const counts = Object.fromEntries(taskStates.map((s) => [s, 0])) as StateCounts;
    const rows = this.stmt(
        `SELECT state, COUNT(*) AS n, SUM(bytes_on_disk) AS done, SUM(COALESCE(total_bytes, expected_bytes, 0)) AS total
         FROM tasks GROUP BY state`,
      )
      .all() as { state: TaskState; n: number; done: number; total: number }[];
    let bytesDone = 0;
    let bytesTotal = 0;
    for (const r of rows) {
      counts[r.state] = r.n;
      if (r.state === 'canceled') continue;
      bytesDone += r.done;
      bytesTotal += r.total;
    }
    return { counts, bytesDone, bytesTotal };
  }

  /**
   * Up to `limit` queued tasks whose time has come, oldest first, skipping hosts and groups that
   * are at their limits. One indexed query: the queue is never read whole.
   */
  runnable(limit: number, now: number, busyHosts: readonly string[], busyGroups: readonly TaskGroup[]): RunnableTask[] {
    const hostFilter = busyHosts.length ? `AND host NOT IN (${busyHosts.map(() => '?').join(',')})` : '';
    const groupFilter = busyGroups.length ? `AND grp NOT IN (${busyGroups.map(() => '?').join(',')})` : '';
    // Only what scheduling needs: the row itself comes back from the transition that starts it.
    return this.stmt<RunnableTask>(
      `SELECT id, host, grp AS "group" FROM tasks WHERE state = 'queued' AND next_attempt_at <= ? ${hostFilter} ${groupFilter} ORDER BY id LIMIT ?`,
    ).all(now, ...busyHosts, ...busyGroups, limit);
  }

  /** Whether any task is queued or active. */
  hasPending(): boolean {
    return this.stmt("SELECT 1 FROM tasks WHERE state IN ('queued', 'active') LIMIT 1").get() !== undefined;
  }

  /** When the earliest queued task waiting for its backoff becomes runnable, if any. */
  nextWake(now: number): number | null {
    const row = this.stmt(
        "SELECT next_attempt_at AS at FROM tasks INDEXED BY tasks_waiting WHERE state = 'queued' AND next_attempt_at > 0 AND next_attempt_at > ? ORDER BY next_attempt_at LIMIT 1",
      )
      .get(now) as { at: number } | undefined;
    return row?.at ?? null;
  }

  /**
   * Moves one task to a new state, with the fields that change with it. Illegal moves throw; with
   * `from`, so does a task no longer in that state (a `MovedError` carrying the row as it is).
   */
  transition(id: number, to: TaskState, patch: TaskPatch = {}, now = Date.now(), from?: TaskState): Task {
    const task = (from && this.moveFrom(id, from, to, patch, now)) || this.transitionTx.immediate(id, to, patch, now, from);
    this.changes.announce(task);
    return task;
  }

  /**
   * Moves a task known to be in `from` (the engine's launches and outcomes) in one conditional
   * statement, with no transaction around a read first: the move is checked once, and the guards
   * on the row are conditions. Undefined when no row changed; the caller then reads the row, in a
   * transaction, to say why (or to make the move, if the row came back meanwhile).
   */
  private moveFrom(id: number, from: TaskState, to: TaskState, patch: TaskPatch, now: number): Task | undefined {
    assertTransition(id, from, to);
    const { sql, values } = patchSql(patch);
    const row = this.stmt<TaskRow>(
      `UPDATE tasks SET state = ?, updated_at = ?${sql} WHERE id = ? AND state = ?${guardsInto(to)} RETURNING *`,
    ).get(to, now, ...values, id, from);
    return row && taskFromRow(row);
  }

  /**
   * Moves each of `ids` that is still in `from` to `to`, in one transaction (the engine's launches
   * of one scheduling pass), and announces them once it is committed. A task moved meanwhile by
   * someone else is left as it is and not returned.
   */
  transitionEach(ids: readonly number[], from: TaskState, to: TaskState, now = Date.now()): Task[] {
    const moved = this.moveEachTx.immediate(ids, from, to, now);
    for (const task of moved) this.changes.announce(task);
    return moved;
  }

  private readonly moveEachTx: Transaction<(ids: readonly number[], from: TaskState, to: TaskState, now: number) => Task[]>;

  private readonly transitionTx: Transaction<(id: number, to: TaskState, patch: TaskPatch, now: number, from?: TaskState) => Task>;

  /**
   * Records what an active download learnt (bytes on disk, validators, totals). Returns false, and
   * changes nothing, if the task is no longer in one of `states` (paused or canceled from elsewhere).
   */
  record(id: number, patch: TaskPatch, states: readonly TaskState[] = ['active'], now = Date.now()): boolean {
    const { sql, values } = patchSql(patch);
    const info = this.stmt(`UPDATE tasks SET updated_at = ?${sql} WHERE id = ? AND state IN (${states.map(() => '?').join(',')})`)
      .run(now, ...values, id, ...states);
    return info.changes === 1;
  }

  /**
   * A person's control (pause, resume, retry, cancel) of some tasks: each that can make the move is
   * moved, with what the move resets; tasks already past it, sealed ones asked to run again, and
   * files being placed (they complete whatever was asked) are left alone and not returned. Only rows
   * change here: the engine hears the moves on the stream and stops, cleans up or starts the
   * transfers. `bytesOnDisk` gives the true count of a task's bytes, when the caller knows it.
   */
  control(ids: readonly number[], verb: TaskControl, bytesOnDisk?: (task: Task) => number, now = Date.now()): Task[] {
    const from = controllable(verb, 'named');
    const to = controlTarget[verb];
    const moved: Task[] = [];
    for (const id of ids) {
      const task = this.get(id);
      if (!task || !from.includes(task.state) || (task.sealed && to === 'queued')) continue;
      try {
        moved.push(this.transition(id, to, { ...controlResets[verb], ...(bytesOnDisk ? { bytesOnDisk: bytesOnDisk(task) } : {}) }, now));
      } catch (err) {
        if (err instanceof FinishingError) continue;
        throw err;
      }
    }
    return moved;
  }

  /** One control of every task it can move (a retry of all leaves the skipped ones); the ids moved. */
  controlAll(verb: TaskControl, reason?: ErrorInfo, now = Date.now()): number[] {
    return this.transitionAll(controllable(verb, 'all'), controlTarget[verb], { ...controlResets[verb], ...(reason ? { error: reason } : {}) }, now);
  }

  /**
   * A transfer let go of a task moved under it (paused or canceled, here or by another process):
   * records what it flushed last if the task is still paused, and announces the row as it is now,
   * so that whoever showed it running (a window's last snapshot) shows it as it is.
   */
  letGo(id: number, flushed: TaskPatch, now = Date.now()): void {
    if (Object.keys(flushed).length) this.record(id, flushed, ['paused'], now);
    const task = this.get(id);
    if (task) this.changes.announce(task);
  }

  /**
   * Moves every task in one of `from` (restricted to legal moves) to `to`, in one statement.
   * Returns the ids moved.
   */
  transitionAll(from: readonly TaskState[], to: TaskState, patch: TaskPatch = {}, now = Date.now()): number[] {
    const legal = from.filter((s) => statesLeadingTo(to).includes(s));
    if (legal.length === 0) return [];
    const { sql, values } = patchSql(patch);
    // Files being placed are finished, and sealed tasks stay as they are: both are left alone.
    const rows = this.stmt(
        `UPDATE tasks SET state = ?, updated_at = ?${sql} WHERE state IN (${legal.map(() => '?').join(',')})${guardsInto(to)} RETURNING id`,
      )
      .all(to, now, ...values, ...legal) as { id: number }[];
    const ids = rows.map((r) => r.id);
    this.changes.announceBulk(ids, to, now);
    return ids;
  }

  /**
   * The zip these tasks' files were for is written or canceled: they stay as they are for good.
   * The failed and skipped ones are announced (sealing takes their Retry away); the others could
   * not be tried again anyway. Called inside the caller's transaction, as its last write.
   */
  seal(ids: readonly number[], now = Date.now()): void {
    const st = this.stmt<TaskRow>('UPDATE tasks SET sealed = 1, updated_at = ? WHERE id = ? RETURNING *');
    const rows = this.db.transaction(() => ids.flatMap((id) => st.all(now, id)))();
    for (const row of rows) {
      if (row.state === 'failed' || row.state === 'skipped') this.changes.announce(taskFromRow(row));
      else this.changes.remember([row.id], row.state, now);
    }
  }

  /** Tasks whose verified file was being placed (at most a few: one per transfer that was finishing). */
  placingTasks(): Task[] {
    return (this.stmt('SELECT * FROM tasks INDEXED BY tasks_placing WHERE placing IS NOT NULL ORDER BY id').all() as TaskRow[]).map(taskFromRow);
  }

  /**
   * Records a task whose file is at its final path as completed, whatever a pause or a cancel said
   * meanwhile: the file is there, and a finished file is never downloaded again.
   */
  completePlaced(id: number, finalPath: string, bytes: number, now = Date.now()): Task | undefined {
    const row = this.stmt(
      `UPDATE tasks SET state = 'completed', placing = NULL, final_path = ?, bytes_on_disk = ?, total_bytes = ?, completed_at = ?,
              error_code = NULL, error_message = NULL, updated_at = ?
       WHERE id = ? AND state != 'completed' RETURNING *`,
    ).get(finalPath, bytes, bytes, now, now, id) as TaskRow | undefined;
    if (!row) return undefined;
    const task = taskFromRow(row);
    this.changes.announce(task);
    return task;
  }

  /** On start: downloads that were running when Cartage stopped go back to the queue. */
  recoverActive(now = Date.now()): number {
    return this.transitionAll(['active'], 'queued', { nextAttemptAt: 0 }, now).length;
  }

  /** Hosts with downloads that failed because the network was lost, one URL each to probe. */
  hostsLostToNetwork(): { host: string; url: string }[] {
    return this.stmt("SELECT host, MIN(url) AS url FROM tasks WHERE state = 'failed' AND error_code = 'network' AND sealed = 0 GROUP BY host")
      .all() as { host: string; url: string }[];
  }

  /** The network to `host` is back: its downloads that failed for the lost network are queued again. */
  requeueLostToNetwork(host: string, now = Date.now()): number[] {
    const rows = this.stmt(
        `UPDATE tasks SET state = 'queued', attempts = 0, next_attempt_at = 0, error_code = NULL, error_message = NULL, updated_at = ?
         WHERE state = 'failed' AND error_code = 'network' AND host = ? AND sealed = 0 RETURNING id`,
      )
      .all(now, host) as { id: number }[];
    const ids = rows.map((r) => r.id);
    this.changes.announceBulk(ids, 'queued', now);
    return ids;
  }
}

/** The task's file is being placed at its final path: it is finished, and cannot be paused or canceled. */
export class FinishingError extends Error {
  constructor(readonly task: Task) {
    super(`${task.name} has finished downloading and is being saved as ${task.placing ?? task.finalPath}.`);
  }
}

/** The task was moved by someone else (a pause, a cancel, another process) before this change. */
export class MovedError extends Error {
  constructor(readonly task: Task) {
    super(`Task ${task.id} is ${task.state} now.`);
  }
}

function firstUnclaimed(dir: string, name: string, taken: (full: string) => boolean, exists: (full: string) => boolean): string {
  const direct = pathInside(dir, name);
  return taken(direct) ? freePath(dir, name, taken, 0, exists) : direct;
}

/**
 * The row's own guards on a move to `to`, as conditions: a file being placed is finished (no pause
 * or cancel undoes it), and a sealed task is never queued again.
 */
function guardsInto(to: TaskState): string {
  if (to === 'paused' || to === 'canceled') return ' AND placing IS NULL';
  if (to === 'queued') return ' AND sealed = 0';
  return '';
}

function patchSql(patch: TaskPatch): { sql: string; values: unknown[] } {
  let sql = '';
  const values: unknown[] = [];
  for (const [key, column] of Object.entries(patchColumns) as [keyof typeof patchColumns, string][]) {
    if (patch[key] === undefined) continue;
    sql += `, ${column} = ?`;
    values.push(patch[key]);
  }
  if (patch.error !== undefined) {
    sql += ', error_code = ?, error_message = ?';
    values.push(patch.error?.code ?? null, patch.error?.message ?? null);
  }
  return { sql, values };
}
