import { EventEmitter } from 'node:events';
import { terminalStates, type TaskState } from './states.js';
import type { Task } from './task.js';

/** Who made a change: this process, or another one on the same database (the CLI next to the app). */
export type ChangeOrigin = 'here' | 'elsewhere';

/** Many tasks moved to one state at once (pause all, cancel all, the network back). */
export interface BulkChange {
  ids: number[];
  state: TaskState;
}

export interface TaskChangeEvents {
  /** A task changed state (or was sealed); sent at once, never throttled. */
  task: [task: Task, origin: ChangeOrigin];
  /** Many tasks changed state at once. */
  bulk: [change: BulkChange, origin: ChangeOrigin];
  /**
   * Another process wrote to the database (any table), after its task changes were sent: anything
   * read from it may be stale.
   */
  external: [];
}

/** A task row's state and stamp, as the look at other processes' changes reads it. */
export interface ChangedRow {
  id: number;
  state: TaskState;
  updatedAt: number;
}

/** What the stream reads from the queue when another process may have changed it. */
export interface ChangeSource {
  /** SQLite's data_version: it moves only when another connection commits. */
  dataVersion(): number;
  changedSince(since: number): ChangedRow[];
  get(id: number): Task | undefined;
}

/** Longer than a write waits for SQLite's lock (busy_timeout, 5 s), so no late commit is missed. */
const lookBackMs = 10_000;

/** More changes than this from another process in one look are sent as a bulk change per state. */
const bulkLimit = 200;

/**
 * The one stream of task changes. The queue announces every change it makes here as it makes it;
 * while watching, changes another process made are read from the rows (only when SQLite's
 * data_version says that process committed something) and come out of the same stream, once each.
 */
export class TaskChanges extends EventEmitter<TaskChangeEvents> {
  /**
   * The last state announced of each task (by either side) and the row's stamp then: what a look
   * at the rows must not announce again. Kept for the look-back, and while the task is active
   * (its row is stamped again each time its bytes are recorded).
   */
  private readonly announced = new Map<number, { state: TaskState; at: number }>();
  /** Ranges of task ids queued here, with their stamp (see rememberQueued). */
  private readonly queued: { first: number; last: number; at: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private dataVersion = 0;
  /** When the last check began: anything committed later was stamped after this, less the look-back. */
  private checkedAt = 0;

  constructor(private readonly source: ChangeSource) {
    super();
    // Every part of the core listens here (engine, deliveries, mirrors, the log, the service's
    // events, a command's wait, and a test's): many listeners are the design, not a leak.
    this.setMaxListeners(100);
  }

  /** This process changed one task. */
  announce(task: Task): void {
    this.announced.set(task.id, { state: task.state, at: task.updatedAt });
    this.emit('task', task, 'here');
  }

  /** This process moved many tasks to one state, stamped `at`. */
  announceBulk(ids: number[], state: TaskState, at: number): void {
    if (ids.length === 0) return;
    this.remember(ids, state, at);
    this.emit('bulk', { ids, state }, 'here');
  }

  /** Rows this process wrote without a change worth announcing: not news when read back. */
  remember(ids: readonly number[], state: TaskState, at: number): void {
    for (const id of ids) this.announced.set(id, { state, at });
  }

  /**
   * Tasks `first` to `last` were queued here at `at`: not news when read back. Kept as one range,
   * not an entry each: 100,000 queued at once would otherwise cost a map of 100,000.
   */
  rememberQueued(first: number, last: number, at: number): void {
    if (last >= first) this.queued.push({ first, last, at });
  }

  /** Looks for other processes' changes every `intervalMs` (the timer never keeps the process alive). */
  start(intervalMs: number, onError: (err: unknown) => void): void {
    if (this.timer) return;
    this.checkedAt = Date.now();
    this.dataVersion = this.source.dataVersion();
    this.timer = setInterval(() => {
      try {
        this.check();
      } catch (err) {
        onError(err);
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check: one pragma; the changed rows are read only when another process committed. */
  check(): void {
    const startedAt = Date.now();
    const version = this.source.dataVersion();
    const since = this.checkedAt - lookBackMs;
    if (version !== this.dataVersion) {
      this.look(since);
      // Only once all was sent: a look that failed is tried again at the next check.
      this.dataVersion = version;
    }
    this.checkedAt = startedAt;
    this.forgetBefore(since);
  }

  private look(since: number): void {
    // A row is stamped before its transaction waits for the write lock, so it may be committed
    // after a later stamp was seen: look back further than any such wait, and skip what was sent.
    const news = this.source.changedSince(since).filter((r) => this.isNews(r));
    for (const r of news) this.announced.set(r.id, { state: r.state, at: r.updatedAt });
    if (news.length > bulkLimit) {
      // A pause all or a cancel all over there: a bulk change per state.
      const byState = new Map<TaskState, number[]>();
      for (const r of news) {
        const ids = byState.get(r.state);
        if (ids) ids.push(r.id);
        else byState.set(r.state, [r.id]);
      }
      for (const [state, ids] of byState) this.emit('bulk', { ids, state }, 'elsewhere');
    } else {
      for (const r of news) {
        const task = this.source.get(r.id);
        if (task) this.emit('task', task, 'elsewhere');
      }
    }
    this.emit('external');
  }

  /**
   * A row also changes when its bytes are recorded: only a new state is news, or a new stamp on a
   * task that has ended (sealed over there).
   */
  private isNews(r: ChangedRow): boolean {
    const last = this.announced.get(r.id);
    if (!last) return !(r.state === 'queued' && this.queued.some((q) => r.id >= q.first && r.id <= q.last && r.updatedAt === q.at));
    if (last.state !== r.state) return true;
    return terminalStates.includes(r.state) && last.at !== r.updatedAt;
  }

  private forgetBefore(since: number): void {
    for (let i = this.queued.length - 1; i >= 0; i--) if (this.queued[i]!.at < since) this.queued.splice(i, 1);
    for (const [id, last] of this.announced) if (last.at < since && last.state !== 'active') this.announced.delete(id);
  }
}
