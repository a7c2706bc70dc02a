import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { ErrorInfo } from '../errors.js';
import { MovedError, type TaskQueue } from '../queue/queue.js';
import type { BulkChange, ChangeOrigin } from '../queue/changes.js';
import type { TaskGroup } from '../queue/states.js';
import type { Task, TaskPatch, TaskSpec } from '../queue/task.js';
import type { Settings } from '../settings.js';
import { assertNever } from '../util/assert-never.js';
import { HttpClient } from '../net/client.js';
import { LostHosts } from './lost-hosts.js';
import { nextState } from './next-state.js';
import type { TransferOutcome } from './outcome.js';
import { ProgressSnapshots, type QueueSnapshot } from './progress.js';
import { RateLimiter } from './rate-limiter.js';
import { recoverPlacing } from './recover-placing.js';
import { RunningTask, type AttemptHooks } from './running.js';
import { partSize } from './transfer.js';

export type { QueueSnapshot, TaskProgress } from './progress.js';

/**
 * What the engine itself has to say. Task changes are not among them: those are the queue's
 * (`queue.changes`), whoever made them.
 */
export interface EngineEvents {
  /** Bytes moved: a snapshot, at most one per `progressIntervalMs` in all. */
  progress: [QueueSnapshot];
  /** The whole queue paused by itself (a full disk) and needs the person. */
  'queue-paused': [ErrorInfo];
  /** Nothing runs and nothing is queued. */
  drained: [];
}

export interface EngineOptions extends AttemptHooks {
  queue: TaskQueue;
  /** Read at every scheduling pass, so changed settings apply at once. */
  settings: () => Settings;
  /** At least this long between progress snapshots (default 200 ms: at most 5 a second). */
  progressIntervalMs?: number;
  random?: () => number;
  /** The network set-up to download with (the Core's, which the sources share); by default one of its own. */
  http?: HttpClient;
}

/**
 * The download engine: a loop over the persistent queue. It fills free slots within the global,
 * per-host and per-group limits, runs one transfer per slot, and turns each outcome into a queue
 * transition. State lives in SQLite; what is here is a cache of what is running.
 */
export class Engine extends EventEmitter<EngineEvents> {
  readonly queue: TaskQueue;
  readonly http: HttpClient;
  private readonly running = new Map<number, RunningTask>();
  private readonly lostHosts: LostHosts;
  private readonly progress: ProgressSnapshots;
  private readonly limiter: RateLimiter;
  private started = false;
  private pumpPending = false;
  private stopping = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAt = 0;

  constructor(private readonly options: EngineOptions) {
    super();
    this.queue = options.queue;
    this.http = options.http ?? new HttpClient(options.settings);
    this.limiter = new RateLimiter(options.settings().speedLimit);
    this.progress = new ProgressSnapshots({
      intervalMs: options.progressIntervalMs ?? 200,
      running: () => this.running.values(),
      totals: () => this.queue.totals(),
      live: () => this.started && !this.stopping,
      emit: (snapshot: QueueSnapshot) => this.emit('progress', snapshot),
    });
    this.lostHosts = new LostHosts({
      probeIntervalMs: () => options.settings().probeIntervalMs,
      onBack: (host) => this.queue.requeueLostToNetwork(host),
      afterRound: () => this.afterChange(),
    });
    // A running task whose row left 'active' (paused or canceled here, or by another process) lets go.
    this.queue.changes.on('task', (t, origin) => this.heard(t, origin));
    this.queue.changes.on('bulk', (e, origin) => this.heardBulk(e, origin));
    // Another process queued or resumed downloads: start them as slots allow.
    this.queue.changes.on('external', () => this.afterChange());
  }

  /** Starts the loop: downloads left active by a crash go back to the queue, then work begins. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    // Before anything is queued again: a file a crash left half placed is told from the disk.
    recoverPlacing(this.queue);
    this.queue.recoverActive();
    this.lostHosts.start(this.queue.hostsLostToNetwork());
    this.pump();
  }

  /** Stops every transfer (their part files stay, their tasks go back to the queue) and the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.lostHosts.stop();
    const pending = [...this.running.values()];
    for (const r of pending) r.abort('stop');
    await Promise.all(pending.map((r) => r.done));
    // Cleared after the transfers settled, since settling schedules work of its own.
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.progress.stop();
    this.http.close();
    this.started = false;
  }

  /** Resolves once nothing is running and nothing is queued (waiting retries included). */
  whenDrained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.once('drained', resolve));
  }

  /**
   * While another process runs the queue, its progress (read from its rows by the follower) is what
   * this engine reports: the window shows it the same way.
   */
  reportFollowed(snapshot: QueueSnapshot): void {
    this.emit('progress', snapshot);
  }

  /** Resolves once those of `ids` running now have let go (a file being placed is placed first). */
  async whenLetGo(ids: readonly number[]): Promise<void> {
    await Promise.all(ids.map((id) => this.running.get(id)?.done));
  }

  /** Ids of the tasks running now. */
  activeIds(): number[] {
    return [...this.running.keys()];
  }

  /** Looks at the queue again: tasks were queued by someone else (a checkout) in this process. */
  wake(): void {
    this.afterChange();
  }

  /** Queues downloads and starts them as slots allow. */
  add(specs: readonly TaskSpec[]): number[] {
    const ids = this.queue.enqueue(specs, this.options.settings().conflictPolicy);
    this.afterChange();
    return ids;
  }

  // The controls are the queue's (only rows change); the engine hears the moves on the stream and
  // stops, cleans up or starts transfers. These give the queue the true count of a running
  // segmented download's bytes, and start what a resume queued before returning.

  pause(ids: readonly number[]): Task[] {
    return this.controlled(this.queue.control(ids, 'pause', (t) => this.bytesOnDisk(t)));
  }

  resume(ids: readonly number[]): Task[] {
    return this.controlled(this.queue.control(ids, 'resume', (t) => this.bytesOnDisk(t)));
  }

  retry(ids: readonly number[]): Task[] {
    return this.controlled(this.queue.control(ids, 'retry', (t) => this.bytesOnDisk(t)));
  }

  cancel(ids: readonly number[]): Task[] {
    return this.controlled(this.queue.control(ids, 'cancel', (t) => this.bytesOnDisk(t)));
  }

  /** Pauses every queued and running download; part files are kept. */
  pauseAll(reason?: ErrorInfo): number[] {
    return this.controlled(this.queue.controlAll('pause', reason));
  }

  resumeAll(): number[] {
    return this.controlled(this.queue.controlAll('resume'));
  }

  /** Tries every failed download again, from its part file where there is one. */
  retryAll(): number[] {
    return this.controlled(this.queue.controlAll('retry'));
  }

  cancelAll(): number[] {
    return this.controlled(this.queue.controlAll('cancel'));
  }

  private controlled<T>(moved: T): T {
    this.afterChange();
    return moved;
  }

  /**
   * A task moved, by this engine, a person's control (here or in a delivery or a mirror), or another
   * process: a running one whose row left 'active' lets go; a canceled one not running loses its
   * part file (a running one's goes when it has let go); one queued again by a control is started.
   */
  private heard(task: Task, origin: ChangeOrigin): void {
    if (task.state === 'active') return;
    const r = this.running.get(task.id);
    if (r) r.abort('control');
    else if (task.state === 'canceled' && origin === 'here') fs.rmSync(task.tempPath, { force: true });
    if (task.state === 'queued' && task.attempts === 0) this.pumpSoon();
  }

  /** Many tasks moved at once: as `heard`, for each (a cancel of all removes the parts of those not running). */
  private heardBulk(change: BulkChange, origin: ChangeOrigin): void {
    if (change.state === 'active') return;
    if (change.state === 'queued') this.pumpSoon();
    if (this.running.size === 0 && (change.state !== 'canceled' || origin !== 'here')) return;
    for (const id of change.ids) {
      const r = this.running.get(id);
      if (r) r.abort('control');
      else if (change.state === 'canceled' && origin === 'here') {
        const t = this.queue.get(id);
        if (t) fs.rmSync(t.tempPath, { force: true });
      }
    }
  }

  /** Looks at the queue once the current change is done (moves heard on the stream come in bursts). */
  private pumpSoon(): void {
    if (this.pumpPending || !this.started) return;
    this.pumpPending = true;
    setImmediate(() => {
      this.pumpPending = false;
      this.afterChange();
    });
  }

  private afterChange(): void {
    this.progress.invalidateTotals();
    this.pump();
    this.progress.schedule();
  }

  /** Fills free slots with runnable tasks, oldest first, within every limit. */
  private pump(): void {
    if (!this.started || this.stopping) return;
    const s = this.options.settings();
    if (this.limiter.bytesPerSecond !== s.speedLimit) this.limiter.setRate(s.speedLimit);
    const now = Date.now();
    while (this.running.size < s.maxConcurrent) {
      const hosts = new Map<string, number>();
      const groups = new Map<TaskGroup, number>();
      for (const r of this.running.values()) {
        // A file fetched in segments holds one connection to its host per segment.
        hosts.set(r.task.host, (hosts.get(r.task.host) ?? 0) + r.connections);
        groups.set(r.task.group, (groups.get(r.task.group) ?? 0) + 1);
      }
      const busyHosts = [...hosts].filter(([, n]) => n >= s.maxPerHost).map(([h]) => h);
      const busyGroups = [...groups].filter(([, n]) => n >= s.maxPerGroup).map(([g]) => g);
      const wanted = s.maxConcurrent - this.running.size;
      const candidates = this.queue.runnable(wanted, now, busyHosts, busyGroups);
      const chosen: number[] = [];
      for (const task of candidates) {
        if (chosen.length >= wanted) break;
        if ((hosts.get(task.host) ?? 0) >= s.maxPerHost || (groups.get(task.group) ?? 0) >= s.maxPerGroup) continue;
        hosts.set(task.host, (hosts.get(task.host) ?? 0) + 1);
        groups.set(task.group, (groups.get(task.group) ?? 0) + 1);
        chosen.push(task.id);
      }
      // The pass's launches in one transaction; one another process paused or canceled since the
      // query is left be (not returned).
      for (const task of this.queue.transitionEach(chosen, 'queued', 'active', now)) this.launch(task, s);
      // A short page means there is nothing more to find this pass.
      if (chosen.length === 0 || candidates.length < wanted) break;
    }
    // With every slot busy a wake-up would find no room; the next finished transfer pumps again.
    if (this.running.size < s.maxConcurrent) this.scheduleWake(now);
    if (this.isDrained()) this.emit('drained');
  }

  private isDrained(): boolean {
    if (this.running.size > 0) return false;
    return !this.queue.hasPending();
  }

  private scheduleWake(now: number): void {
    if (this.stopping) return;
    const at = this.queue.nextWake(now);
    if (at === null) return;
    if (this.wakeTimer && this.wakeAt <= at) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.pump();
    }, Math.max(0, at - now));
  }

  /** Runs a task just moved to active. */
  private launch(task: Task, settings: Settings): void {
    const r = new RunningTask(task, {
      queue: this.queue,
      http: this.http,
      limiter: this.limiter,
      headersFor: this.options.headersFor,
      urlFor: this.options.urlFor,
      tlsFor: this.options.tlsFor,
      refusalFor: this.options.refusalFor,
      moved: () => this.progress.schedule(),
      roomOnHost: (self) => this.roomOnHost(self),
      connectionsClosed: () => this.pump(),
    });
    this.running.set(task.id, r);
    r.done = r.run(settings).then(
      (outcome) => this.settle(r, outcome),
      (err: unknown) => this.settle(r, { kind: 'failed', error: { code: 'http_error', message: String(err) } }),
    );
  }

  /** Connections to a running task's host that the per-host limit leaves it, its own included. */
  private roomOnHost(self: RunningTask): number {
    let others = 0;
    for (const r of this.running.values()) if (r !== self && r.task.host === self.task.host) others += r.connections;
    return this.options.settings().maxPerHost - others;
  }

  private settle(r: RunningTask, outcome: TransferOutcome): void {
    this.running.delete(r.task.id);
    try {
      this.apply(r, outcome);
    } catch (err) {
      // A transition refused here means the row moved under us (another process); the row wins.
      // Anything else is a bug: the task must not stay "active" with nothing running it.
      if ((err as { code?: string }).code !== 'illegal_transition') this.failUnexpectedly(r.task, err);
    }
    // Transfers that end together (their last writes done in one turn of the loop) free their
    // slots for one scheduling pass: one query for runnable work and one transaction of launches.
    this.pumpSoon();
  }

  /** Turns an attempt's outcome into the task's next state. */
  private apply(r: RunningTask, outcome: TransferOutcome): void {
    try {
      this.applyOutcome(r, outcome);
    } catch (err) {
      if (!(err instanceof MovedError)) throw err;
      const current = err.task;
      if (outcome.kind === 'completed') {
        // The file is at its place: nothing undoes that, and it is never downloaded again.
        this.queue.completePlaced(current.id, outcome.finalPath, outcome.bytes);
        return;
      }
      // Paused or canceled while running, here or from another process: the row already says so.
      if (current.state === 'canceled') fs.rmSync(current.tempPath, { force: true });
      // The last bytes were flushed after the pause was recorded: keep the count true, and the
      // validator that makes them resumable.
      this.queue.letGo(current.id, current.state === 'paused' ? { ...r.learnt, bytesOnDisk: this.bytesOnDisk(current, r) } : {});
    }
  }

  /** The transition for an outcome, made only if the task is still active (else `MovedError`). */
  private applyOutcome(r: RunningTask, outcome: TransferOutcome): void {
    const current = r.task;
    const now = Date.now();
    const next = nextState(current, outcome, {
      now,
      settings: this.options.settings(),
      bytesOnDisk: outcome.kind === 'completed' ? outcome.bytes : this.bytesOnDisk(current, r),
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    // What the attempt learnt goes in with the state change, so a retry resumes with the right validator;
    // the intent to place goes with whatever came of it (set only when there was one: an index update saved).
    const placing: TaskPatch = r.placing ? { placing: null } : {};
    this.queue.transition(current.id, next.to, { ...r.learnt, ...next.patch, ...placing }, now, 'active');
    const then = next.then;
    switch (then.kind) {
      case 'none':
        return;
      case 'watch-host':
        this.lostHosts.watch(then.host, then.url);
        return;
      case 'pause-queue':
        this.pauseAll(then.reason);
        this.emit('queue-paused', then.cause);
        return;
      default:
        assertNever(then, 'aftermath');
    }
  }

  private bytesOnDisk(task: Task, r = this.running.get(task.id)): number {
    // A part written by segments has holes: its size is not its count of bytes.
    return r?.segmented ? r.bytes : partSize(task.tempPath);
  }

  private failUnexpectedly(task: Task, err: unknown): void {
    try {
      this.queue.transition(task.id, 'failed', {
        error: { code: 'http_error', message: `${task.name} stopped on an unexpected error: ${(err as Error).message ?? String(err)}` },
      });
    } catch {
      // The task has already ended; nothing more to do.
    }
  }
}
