// The core's events as the contract's (preload/api.ts Events): progress as a snapshot at most five
// times a second, settled states at once, and a bulk change (pause all, a delivery canceled) as one
// snapshot instead of a message per task (invariant 6).
import type { EventName, Events } from '../../../preload/api.js';
import type { Core } from '../core.js';
import type { DeliveryView } from '../delivery/deliveries.js';
import type { RunView } from '../sync/mirrors.js';
import type { QueueSnapshot, TaskProgress } from '../engine/engine.js';
import type { ErrorInfo } from '../errors.js';
import type { QueueTotals } from '../queue/queue.js';
import { settledStates, type TaskState } from '../queue/states.js';
import type { Task } from '../queue/task.js';
import { SpeedMeter } from '../engine/speed.js';
import type { DeliveryDto } from '../../../preload/api.js';
import { cartDto, deliveryDto, taskDto, totalsDto } from './dto.js';

/** One event and its payload, as a tuple the listener can switch on. */
export type ServiceEvent = { [E in EventName]: [event: E, payload: Events[E]] }[EventName];
export type ServiceListener = (...event: ServiceEvent) => void;

/** More task changes than this in one control become a snapshot, not a message each. */
const bulkLimit = 100;

/** Active tasks shown in a snapshot (the engine runs at most 64 at once). */
const activeShown = 100;

/** Queue totals are counted over the whole table: at most once a second unless a bulk change moved them. */
const totalsMaxAgeMs = 1000;

/**
 * Follows the queue's changes, the engine's progress and the deliveries, and hands their events to
 * listeners in the contract's shapes. Changes short of a settled state (a task queued again, a
 * delivery's progress) are coalesced per id and sent with the next snapshot; the snapshot itself
 * comes at most once per `intervalMs`.
 */
export class ServiceEvents {
  /** Each running delivery's speed, measured on its own bytes (see deliveryOut). */
  private readonly deliverySpeeds = new Map<number, SpeedMeter>();
  private readonly listeners = new Set<ServiceListener>();
  private readonly detach: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private progressDirty = false;
  private live = new Map<number, TaskProgress>();
  private engineTotals: QueueTotals | null = null;
  private ownTotals: { at: number; value: QueueTotals } | null = null;
  /** A bulk change moved many tasks: count again rather than trust a snapshot from before it. */
  private totalsStale = false;
  private readonly pendingTasks = new Map<number, TaskState>();
  private readonly pendingDeliveries = new Map<number, DeliveryView>();
  /** The engine's bytes moved since the last flush: the deliveries of its running tasks are sent again. */
  private liveMoved = false;
  /** The delivery of each running task (null: none), remembered while it runs. */
  private readonly deliveryOfLive = new Map<number, number | null>();
  private quiet = 0;
  /** Task changes held back during a control; null once there are too many to send one by one. */
  private quietTasks: Map<number, Task> | null = null;
  private closed = false;

  constructor(
    private readonly core: Core,
    private readonly intervalMs = 200,
  ) {
    const { engine, deliveries } = core;
    const changes = core.queue.changes;
    const onTask = (t: Task): void => this.onTask(t);
    const onBulk = (): void => {
      this.totalsStale = true;
      this.progressDirty = true;
      this.schedule();
    };
    const onProgress = (s: QueueSnapshot): void => {
      this.live = new Map(s.tasks.map((t) => [t.id, t]));
      this.engineTotals = s.totals;
      this.progressDirty = true;
      this.liveMoved = true;
      this.schedule();
    };
    const onQueuePaused = (e: ErrorInfo): void => this.emit('queue.paused', { code: e.code, message: e.message });
    const onDelivery = (d: DeliveryView): void => this.delivery(d);
    // Mirror runs change seldom (a file at a time at most): each report goes out as it is.
    const onMirrorRun = (r: RunView): void => this.emit('mirrors.changed', r);
    changes.on('task', onTask);
    changes.on('bulk', onBulk);
    engine.on('progress', onProgress);
    engine.on('queue-paused', onQueuePaused);
    deliveries.on('delivery', onDelivery);
    core.mirrors.on('run', onMirrorRun);
    this.detach.push(
      () => core.mirrors.off('run', onMirrorRun),
      () => changes.off('task', onTask),
      () => changes.off('bulk', onBulk),
      () => engine.off('progress', onProgress),
      () => engine.off('queue-paused', onQueuePaused),
      () => deliveries.off('delivery', onDelivery),
    );
  }

  /** Subscribes; returns the function that unsubscribes. */
  on(fn: ServiceListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** What the engine's last snapshot said of a running task (bytes, speed, time left). */
  liveOf(id: number): TaskProgress | undefined {
    return this.live.get(id);
  }

  /**
   * A delivery as the window shows it. Its speed is measured on the delivery's own bytes: small files
   * finish before their own meters can say anything, so the sum of its running files' speeds would
   * read 0 B/s while a zip of many of them moves.
   */
  deliveryOut(d: DeliveryView): DeliveryDto {
    const dto = deliveryDto(d, (id) => this.liveOf(id));
    if (d.state !== 'running' && d.state !== 'assembling') {
      this.deliverySpeeds.delete(d.id);
      return dto;
    }
    let meter = this.deliverySpeeds.get(d.id);
    if (!meter) this.deliverySpeeds.set(d.id, (meter = new SpeedMeter()));
    meter.sample(dto.progress.bytesDone);
    const measured = meter.bytesPerSecond();
    if (measured <= 0) return dto;
    const left = Math.max(0, dto.progress.bytesTotal - dto.progress.bytesDone);
    return { ...dto, speed: measured, eta: Math.round((left / measured) * 1000) };
  }

  /**
   * Runs a control that may move many tasks at once (pause 50,000 of them, cancel a delivery):
   * their changes go out as a message each when there are a few, else as one snapshot.
   */
  async quietly<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.quiet++ === 0) this.quietTasks = new Map();
    try {
      return await fn();
    } finally {
      if (--this.quiet === 0) {
        const moved = this.quietTasks;
        this.quietTasks = null;
        for (const t of moved?.values() ?? []) this.onTask(t);
        this.totalsStale = true;
        this.progressDirty = true;
        this.schedule();
      }
    }
  }

  /** The download list changed (an edit, a checkout): sent at once. */
  cartChanged(): void {
    this.emit('cart.changed', cartDto(this.core.cart.view()));
  }

  /** A delivery changed: its end at once, its progress with the next snapshot. */
  delivery(d: DeliveryView): void {
    if (d.state === 'completed' || d.state === 'canceled') {
      this.pendingDeliveries.delete(d.id);
      this.emit('deliveries.changed', this.deliveryOut(d));
      return;
    }
    this.pendingDeliveries.set(d.id, d);
    this.schedule();
  }

  /** Stops following the core; nothing is sent after this. */
  close(): void {
    this.closed = true;
    for (const off of this.detach.splice(0)) off();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
    this.pendingTasks.clear();
    this.pendingDeliveries.clear();
  }

  private onTask(t: Task): void {
    this.progressDirty = true;
    if (this.quiet > 0) {
      // Past the limit only the snapshot tells: keeping 100,000 rows only to drop them costs memory.
      if (this.quietTasks && !this.quietTasks.has(t.id) && this.quietTasks.size >= bulkLimit) this.quietTasks = null;
      this.quietTasks?.set(t.id, t);
      return;
    }
    // A settled state is what a person waits for: sent the moment the task reaches it.
    if (settledStates.includes(t.state)) {
      this.pendingTasks.delete(t.id);
      this.emit('tasks.changed', taskDto(t, undefined, this.core.deliveries.zipOfTask(t.id)));
    } else {
      this.pendingTasks.set(t.id, t.state);
    }
    this.schedule();
  }

  private emit(...event: ServiceEvent): void {
    if (this.closed) return;
    for (const fn of [...this.listeners]) {
      try {
        fn(...event);
      } catch (err) {
        this.core.log.error(`an event listener failed on ${event[0]}: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = this.lastFlushAt + this.intervalMs - performance.now();
    // A millisecond more than needed: timers may fire a little early by the monotonic clock.
    this.timer = setTimeout(() => this.flush(), wait > 0 ? Math.ceil(wait) + 1 : 0);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = null;
    if (this.closed) return;
    const now = performance.now();
    if (now - this.lastFlushAt < this.intervalMs) {
      this.schedule();
      return;
    }
    for (const [id, state] of [...this.pendingTasks]) {
      this.pendingTasks.delete(id);
      // Read again: a later change (sent at once, or in a bulk) may have overtaken this one.
      const t = this.core.queue.get(id);
      if (t && t.state === state) this.emit('tasks.changed', taskDto(t, this.live.get(id), this.core.deliveries.zipOfTask(id)));
    }
    for (const id of this.movingDeliveries()) {
      // Read now: its bytes and speed are those of the snapshot going out with it.
      const d = this.core.deliveries.get(id);
      if (d.state === 'running' || d.state === 'assembling') this.pendingDeliveries.set(id, d);
    }
    for (const d of [...this.pendingDeliveries.values()]) {
      this.pendingDeliveries.delete(d.id);
      this.emit('deliveries.changed', this.deliveryOut(d));
    }
    if (this.progressDirty) {
      this.progressDirty = false;
      this.emit('tasks.progress', this.snapshot());
    }
    // Counted from the end: however long reading the rows took, the next flush is a full interval after this one's events.
    this.lastFlushAt = performance.now();
  }

  /** Deliveries with a file the engine's last snapshot saw moving, once per snapshot. */
  private movingDeliveries(): Set<number> {
    const ids = new Set<number>();
    if (!this.liveMoved) return ids;
    this.liveMoved = false;
    for (const taskId of this.deliveryOfLive.keys()) if (!this.live.has(taskId)) this.deliveryOfLive.delete(taskId);
    for (const taskId of this.live.keys()) {
      let d = this.deliveryOfLive.get(taskId);
      if (d === undefined) this.deliveryOfLive.set(taskId, (d = this.core.deliveries.deliveryOfTask(taskId)));
      if (d !== null) ids.add(d);
    }
    return ids;
  }

  /** The running tasks (with the engine's live bytes and speed) and the queue's totals. */
  snapshot(): Events['tasks.progress'] {
    const tasks = this.core.queue.page(0, activeShown, ['active']).map((t) => taskDto(t, this.live.get(t.id), this.core.deliveries.zipOfTask(t.id)));
    return { tasks, totals: totalsDto(this.totals()) };
  }

  private totals(): QueueTotals {
    const fromEngine = this.engineTotals;
    this.engineTotals = null;
    const now = Date.now();
    if (this.totalsStale) {
      this.totalsStale = false;
      this.ownTotals = { at: now, value: this.core.queue.totals() };
    } else if (fromEngine) {
      this.ownTotals = { at: now, value: fromEngine };
    } else if (!this.ownTotals || now - this.ownTotals.at >= totalsMaxAgeMs) {
      this.ownTotals = { at: now, value: this.core.queue.totals() };
    }
    return this.ownTotals.value;
  }
}
