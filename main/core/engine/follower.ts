import type { TaskQueue } from '../queue/queue.js';
import type { QueueSnapshot, TaskProgress } from './engine.js';
import { etaMs, SpeedMeter } from './speed.js';

export interface FollowerOptions {
  queue: TaskQueue;
  /** The other process's progress, as a snapshot like the engine's own. */
  onProgress: (snapshot: QueueSnapshot) => void;
  /** Tries to take the queue lock; true once this process holds it (and has started the engine). */
  takeOver: () => boolean;
  /** A look that failed (the database busy, the lock unreadable); the next look tries again. */
  onError: (err: unknown) => void;
  intervalMs?: number;
}

/** Active tasks shown in a progress snapshot (as many as the engine shows). */
const activeShown = 100;

/**
 * What a window needs while another Cartage process (a `cartage run` in a terminal) holds the
 * queue, besides that process's task changes (those come out of the queue's stream): its progress,
 * read from the rows it writes (the bytes on disk are recorded about once a second). The moment
 * that process stops, this one takes the queue over, so downloads started here never wait for a
 * restart.
 */
export class QueueFollower {
  private timer: NodeJS.Timeout | null = null;
  /** The other process wrote since the last snapshot (the queue's stream said so). */
  private changed = true;
  private readonly meters = new Map<number, SpeedMeter>();
  private readonly onExternal = (): void => {
    this.changed = true;
  };

  constructor(private readonly options: FollowerOptions) {}

  start(): void {
    if (this.timer) return;
    this.options.queue.changes.on('external', this.onExternal);
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        this.options.onError(err);
      }
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.options.queue.changes.off('external', this.onExternal);
  }

  /** One look: take the queue if it is free, else send the other process's progress if it wrote since the last look. */
  tick(): void {
    if (!this.timer) return;
    if (this.options.takeOver()) {
      this.stop();
      return;
    }
    if (!this.changed) return;
    this.sendProgress();
    // Only once sent: a look that failed is tried again at the next tick.
    this.changed = false;
  }

  private sendProgress(): void {
    const { queue } = this.options;
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
    this.options.onProgress({ tasks, totals: { ...queue.totals(), speed } });
  }
}
