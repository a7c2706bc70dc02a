import type { QueueTotals } from '../queue/queue.js';
import { etaMs, type SpeedMeter } from './speed.js';

/** One running download, as the progress panes show it. */
export interface TaskProgress {
  id: number;
  name: string;
  bytes: number;
  total: number | null;
  /** Bytes per second over the last few seconds. */
  speed: number;
  etaMs: number | null;
}

export interface QueueSnapshot {
  tasks: TaskProgress[];
  totals: QueueTotals & { speed: number };
}

/** A running download as the snapshots read it. */
export interface ProgressSource {
  task: { id: number; name: string };
  bytes: number;
  total: number | null;
  meter: SpeedMeter;
}

export interface ProgressOptions {
  /** At least this long between snapshots. */
  intervalMs: number;
  running: () => Iterable<ProgressSource>;
  /** The queue's counts and sizes (a query: asked at most once a second). */
  totals: () => QueueTotals;
  /** Whether the engine runs: a stopped engine sends no snapshot. */
  live: () => boolean;
  emit: (snapshot: QueueSnapshot) => void;
}

/**
 * Progress as a throttled snapshot: however many bytes move, at most one snapshot per `intervalMs`
 * in all, with the queue's totals read again at most once a second (or after a change).
 */
export class ProgressSnapshots {
  private timer: NodeJS.Timeout | null = null;
  private lastAt = 0;
  private totalsCache: { at: number; value: QueueTotals } | null = null;

  constructor(private readonly options: ProgressOptions) {}

  /** The queue changed: the next snapshot reads its totals again. */
  invalidateTotals(): void {
    this.totalsCache = null;
  }

  /** Sends a snapshot as soon as the interval allows, unless one is already on its way. */
  schedule(): void {
    if (this.timer || !this.options.live()) return;
    const interval = this.options.intervalMs;
    const wait = Math.max(0, this.lastAt + interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      // Timers may fire a little early: never two snapshots closer than the interval.
      if (Date.now() - this.lastAt < interval) this.schedule();
      else this.send();
    }, wait);
  }

  /** No snapshot is on its way any more. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private send(): void {
    const now = Date.now();
    const tasks: TaskProgress[] = [];
    let speed = 0;
    for (const r of this.options.running()) {
      const bps = r.meter.bytesPerSecond();
      speed += bps;
      tasks.push({ id: r.task.id, name: r.task.name, bytes: r.bytes, total: r.total, speed: bps, etaMs: etaMs(r.bytes, r.total, bps) });
    }
    if (!this.totalsCache || now - this.totalsCache.at >= 1000) this.totalsCache = { at: now, value: this.options.totals() };
    const snapshot: QueueSnapshot = { tasks, totals: { ...this.totalsCache.value, speed } };
    // Counted from just before the event: counting the totals query (slow at times) would bring the next one closer.
    this.lastAt = Date.now();
    this.options.emit(snapshot);
  }
}
