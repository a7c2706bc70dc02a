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

/** Longer than a write waits for SQLite's lock (busy_timeout, 5 s), so no late commit is missed. */
const lookBackMs = 10_000;

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
  /** The latest change seen (a row's updated_at); the next look starts a little before it. */
  private newest = Date.now();
  /** When the last look began. */
  private lookedAt = Date.now();
  /** Changes already sent within the look-back, by task: its updated_at and state. */
  private readonly sent = new Map<number, { at: number; key: string }>();
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
      // What the other process did in its last moments (its final states, a delivery it completed)
      // is sent now: the engine taking over sends only what it does itself.
      this.look();
      return;
    }
    const version = this.options.queue.db.pragma('data_version', { simple: true }) as number;
    if (version === this.dataVersion) return;
    this.look();
    // Only once all was sent: a look that failed is tried again at the next tick.
    this.dataVersion = version;
  }

  private look(): void {
    const startedAt = Date.now();
    this.sendTaskChanges();
    this.sendDeliveries();
    this.sendProgress();
    this.lookedAt = startedAt;
  }

  private sendTaskChanges(): void {
    const { queue, engine } = this.options;
    // A row is stamped before its transaction waits for the write lock, so it may be committed
    // after a later stamp was seen: look back further than any such wait, and skip what was sent.
    const rows = queue.changedSince(this.newest - lookBackMs);
    const changed = rows.filter((t) => this.sent.get(t.id)?.key !== `${t.updatedAt}:${t.state}`);
    for (const t of changed) this.sent.set(t.id, { at: t.updatedAt, key: `${t.updatedAt}:${t.state}` });
    if (rows.length) this.newest = Math.max(this.newest, rows.at(-1)!.updatedAt);
    for (const [id, seen] of this.sent) if (seen.at < this.newest - lookBackMs) this.sent.delete(id);
    if (changed.length === 0) return;
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
    // Open ones, and those that ended since the last look (a small one may start and end between two).
    for (const id of deliveries.idsOpenOrEndedSince(this.lookedAt - lookBackMs)) if (!this.openDeliveries.has(id)) this.openDeliveries.set(id, '');
    for (const [id, last] of this.openDeliveries) {
      const view = deliveries.get(id);
      const text = JSON.stringify(view);
      if (text !== last) deliveries.emit('delivery', view);
      if (view.state === 'running' || view.state === 'assembling') this.openDeliveries.set(id, text);
      else if (view.completedAt === null || view.completedAt < this.lookedAt - lookBackMs) this.openDeliveries.delete(id);
      else this.openDeliveries.set(id, text);
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
