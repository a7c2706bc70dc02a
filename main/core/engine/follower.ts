import type { Deliveries } from '../delivery/deliveries.js';
import type { TaskQueue } from '../queue/queue.js';
import { terminalStates, type TaskState } from '../queue/states.js';
import type { Engine, TaskProgress } from './engine.js';
import { etaMs, SpeedMeter } from './speed.js';

export interface FollowerOptions {
  queue: TaskQueue;
  /** Its events are sent as if this process ran the downloads: the window shows them the same way. */
  engine: Engine;
  deliveries: Deliveries;
  /** Tries to take the queue lock; true once this process holds it (and has started the engine). */
  takeOver: () => boolean;
  /** A look that failed (the database busy, the lock unreadable); the next look tries again. */
  onError: (err: unknown) => void;
  intervalMs?: number;
}

/** More changed tasks than this in one look are sent as one bulk change, not a message each. */
const bulkLimit = 200;

/** Active tasks shown in a progress snapshot (as many as the engine shows). */
const activeShown = 100;

/**
 * What a window shows while another Cartage process (a `cartage run` in a terminal) holds the
 * queue: that process's task changes, deliveries and progress, read from the rows it writes (the
 * bytes on disk are recorded about once a second). The moment that process stops, this one takes
 * the queue over, so downloads started here never wait for a restart.
 */
export class QueueFollower {
  private timer: NodeJS.Timeout | null = null;
  private dataVersion = -1;
  /** Tasks changed at or after this time are looked at on the next tick. */
  private since = Date.now();
  /** Rows already seen at the boundary time, by id (their updated_at and state), so none is sent twice. */
  private sent = new Map<number, string>();
  private readonly meters = new Map<number, SpeedMeter>();
  /** The last state sent of each task not yet finished. */
  private readonly states = new Map<number, TaskState>();
  /** Deliveries whose views were sent and may still change. */
  private readonly openDeliveries = new Map<number, string>();

  constructor(private readonly options: FollowerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        this.options.onError(err);
      }
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
    for (const id of this.options.deliveries.openIds()) this.openDeliveries.set(id, JSON.stringify(this.options.deliveries.get(id)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look: take the queue if it is free, else send what the other process changed since the last look. */
  tick(): void {
    if (!this.timer) return;
    if (this.options.takeOver()) {
      this.stop();
      return;
    }
    const version = this.options.queue.db.pragma('data_version', { simple: true }) as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.sendTaskChanges();
    this.sendDeliveries();
    this.sendProgress();
  }

  private sendTaskChanges(): void {
    const { queue, engine } = this.options;
    const changed = queue.changedSince(this.since).filter((t) => this.sent.get(t.id) !== `${t.updatedAt}:${t.state}`);
    if (changed.length === 0) return;
    const newest = changed.at(-1)!.updatedAt;
    if (newest > this.since) {
      this.since = newest;
      this.sent = new Map();
    }
    for (const t of changed) if (t.updatedAt === newest) this.sent.set(t.id, `${t.updatedAt}:${t.state}`);
    if (changed.length > bulkLimit) {
      // A pause all or a cancel all over there: a bulk change per state, and the window counts again.
      const byState = new Map<TaskState, number[]>();
      for (const t of changed) {
        const ids = byState.get(t.state);
        if (ids) ids.push(t.id);
        else byState.set(t.state, [t.id]);
      }
      this.states.clear();
      for (const [state, ids] of byState) engine.emit('bulk', { ids, state });
      return;
    }
    for (const { id, state } of changed) {
      // A row also changes when its bytes are recorded: only a new state is news.
      if (this.states.get(id) === state) continue;
      if (terminalStates.includes(state)) this.states.delete(id);
      else this.states.set(id, state);
      const task = queue.get(id);
      if (task) engine.emit('task', task);
    }
  }

  private sendDeliveries(): void {
    const { deliveries } = this.options;
    for (const id of deliveries.openIds()) if (!this.openDeliveries.has(id)) this.openDeliveries.set(id, '');
    for (const [id, last] of this.openDeliveries) {
      const view = deliveries.get(id);
      const text = JSON.stringify(view);
      if (text === last) continue;
      deliveries.emit('delivery', view);
      if (view.state === 'running' || view.state === 'assembling') this.openDeliveries.set(id, text);
      else this.openDeliveries.delete(id);
    }
  }

  private sendProgress(): void {
    const { queue, engine } = this.options;
    const active = queue.page(0, activeShown, ['active']);
    const tasks: TaskProgress[] = [];
    let speed = 0;
    for (const t of active) {
      let meter = this.meters.get(t.id);
      if (!meter) this.meters.set(t.id, (meter = new SpeedMeter(5000)));
      meter.sample(t.bytesOnDisk);
      const bps = meter.bytesPerSecond();
      speed += bps;
      tasks.push({ id: t.id, name: t.name, bytes: t.bytesOnDisk, total: t.totalBytes, speed: bps, etaMs: etaMs(t.bytesOnDisk, t.totalBytes, bps) });
    }
    const shown = new Set(active.map((t) => t.id));
    for (const id of this.meters.keys()) if (!shown.has(id)) this.meters.delete(id);
    engine.emit('progress', { tasks, totals: { ...queue.totals(), speed } });
  }
}
