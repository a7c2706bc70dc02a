// The queue's totals turned into what the tray, the taskbar and the power-save blocker show. Plain
// TypeScript (no Electron), so it can be read, and run, on its own.
import type { QueueTotalsDto } from '../../preload/api.js';

/** Where downloading stands right now. */
export interface RunStatus {
  /** Something is downloading or waiting its turn (a retry, a host coming back). */
  busy: boolean;
  /** Downloads left: running and queued. */
  items: number;
  /** Downloads paused, by the person or by the queue itself (a full disk). */
  paused: number;
  /** Share of this run's bytes done, 0..1; null when no size is known. */
  fraction: number | null;
  /** "Downloading 3 items, 65%", for the tray and notifications. */
  text: string;
}

export const idleStatus: RunStatus = { busy: false, items: 0, paused: 0, fraction: null, text: 'Nothing to download' };

/**
 * Follows the queue's totals across a run (from the first queued download to the last). The
 * totals cover the whole queue, finished downloads of earlier days included, so the share is
 * counted from the bytes already done when the run began: a run starts at 0% and ends at 100%.
 */
export class RunTracker {
  private baseDone: number | null = null;
  private current: RunStatus = idleStatus;

  get status(): RunStatus {
    return this.current;
  }

  /** Takes a new snapshot; returns the status it leads to. */
  update(totals: QueueTotalsDto): RunStatus {
    const items = totals.counts.active + totals.counts.queued;
    const paused = totals.counts.paused;
    if (items === 0) {
      this.baseDone = null;
      this.current = { busy: false, items: 0, paused, fraction: null, text: paused > 0 ? `${count(paused)} paused` : idleStatus.text };
      return this.current;
    }
    this.baseDone ??= totals.bytesDone;
    const left = totals.bytesTotal - this.baseDone;
    const fraction = left > 0 ? clamp((totals.bytesDone - this.baseDone) / left) : null;
    const percent = fraction === null ? '' : `, ${Math.floor(fraction * 100)}%`;
    this.current = { busy: true, items, paused, fraction, text: `Downloading ${count(items)}${percent}` };
    return this.current;
  }
}

/** "1 item", "3 items". */
export function count(n: number): string {
  return `${n.toLocaleString('en')} ${n === 1 ? 'item' : 'items'}`;
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
