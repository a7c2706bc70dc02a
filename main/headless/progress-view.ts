import type { QueueSnapshot } from '../core/engine/engine.js';
import { formatBytes, formatDuration } from '../core/util/format.js';

const barWidth = 24;

/** One line of the progress pane: name, bar, percentage, "2.4 MB / 3.7 MB", speed, ETA. */
export function progressLine(
  t: { name: string; bytes: number; total: number | null; speed: number; etaMs: number | null },
  width: number,
): string {
  const fraction = t.total ? Math.min(1, t.bytes / t.total) : 0;
  const filled = Math.round(fraction * barWidth);
  const bar = t.total ? `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%` : '[ size unknown ]';
  const amounts = `${formatBytes(t.bytes)} / ${t.total !== null ? formatBytes(t.total) : '?'}`;
  const speed = t.speed > 0 ? `${formatBytes(t.speed)}/s` : '';
  const eta = t.etaMs !== null && t.speed > 0 ? `${formatDuration(t.etaMs)} left` : '';
  const tail = ` ${bar}  ${amounts}  ${speed}  ${eta}`.trimEnd();
  const room = Math.max(10, width - tail.length - 1);
  const name = t.name.length > room ? `${t.name.slice(0, room - 1)}…` : t.name.padEnd(room);
  return `${name}${tail}`;
}

/** Redraws the progress pane in place on a terminal. */
export class TerminalProgress {
  private lines = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  render(snapshot: QueueSnapshot, header: string): void {
    const width = this.out.columns || 100;
    const text = [header, ...snapshot.tasks.slice(0, 12).map((t) => progressLine(t, width))];
    if (snapshot.tasks.length > 12) text.push(`… and ${snapshot.tasks.length - 12} more`);
    this.clear();
    this.out.write(`${text.join('\n')}\n`);
    this.lines = text.length;
  }

  /** Prints a line above the pane (a finished or failed file) without breaking it. */
  note(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
  }

  clear(): void {
    if (this.lines > 0) this.out.write(`\x1b[${this.lines}A\x1b[0J`);
    this.lines = 0;
  }
}
