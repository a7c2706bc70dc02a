import { Core } from '../core/core.js';
import type { Task } from '../core/queue/task.js';
import type { SettingsPatch } from '../core/settings.js';
import { formatBytes } from '../core/util/format.js';
import { TerminalProgress } from './progress-view.js';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function openCore(dataDir: string, overrides?: SettingsPatch): Core {
  return new Core({ dataDir, ...(overrides ? { overrides } : {}) });
}

export interface RunReport {
  completed: Task[];
  failed: Task[];
  skipped: Task[];
  canceled: Task[];
  interrupted: boolean;
}

/**
 * Runs the engine in this process until `done()` says so, showing progress: bars on a terminal,
 * a line per finished file otherwise, nothing but the final JSON with --json. Ctrl-C stops cleanly:
 * tasks go back to the queue with their part files kept.
 */
export async function runEngine(
  core: Core,
  io: Io,
  opts: { json: boolean; watch?: ReadonlySet<number>; header: (r: RunReport) => string },
): Promise<RunReport> {
  const report: RunReport = { completed: [], failed: [], skipped: [], canceled: [], interrupted: false };
  const tty = !opts.json && io.stdout.isTTY ? new TerminalProgress(io.stdout) : null;
  const watched = (t: Task): boolean => !opts.watch || opts.watch.has(t.id);
  // Lines are gathered and written once per turn of the event loop: thousands of small files
  // finish in bursts, and a write per line is measurable.
  let buffered: string[] = [];
  const flush = (): void => {
    const lines = buffered;
    if (lines.length === 0) return;
    buffered = [];
    if (tty) tty.note(lines.join('\n'));
    else io.stdout.write(`${lines.join('\n')}\n`);
  };
  const say = (line: string): void => {
    if (opts.json) return;
    if (buffered.length === 0) setImmediate(flush);
    buffered.push(line);
  };
  const pending = new Set(opts.watch ?? []);
  let resolveDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  const settleIfDone = (): void => {
    if (opts.watch && pending.size === 0) resolveDone();
  };

  core.engine.on('task', (t) => {
    if (!watched(t)) return;
    switch (t.state) {
      case 'completed':
        report.completed.push(t);
        say(`done    ${t.finalPath} (${formatBytes(t.bytesOnDisk)})`);
        break;
      case 'failed':
        report.failed.push(t);
        say(`failed  ${t.name}: ${t.error?.message ?? 'unknown error'}`);
        break;
      case 'skipped':
        report.skipped.push(t);
        say(`skipped ${t.name}: ${t.error?.message ?? ''}`);
        break;
      case 'canceled':
        report.canceled.push(t);
        say(`canceled ${t.name}`);
        break;
      case 'queued':
        if (t.error && t.attempts > 0) say(`retry   ${t.name} (${t.attempts}): ${t.error.message}`);
        return;
      default:
        return;
    }
    pending.delete(t.id);
    settleIfDone();
  });
  core.engine.on('bulk', ({ ids, state }) => {
    if (state !== 'canceled' && state !== 'paused') return;
    for (const id of ids) pending.delete(id);
    settleIfDone();
  });
  core.engine.on('queue-paused', (error) => {
    say(error.message);
    report.interrupted = true;
    resolveDone();
  });
  if (tty) core.engine.on('progress', (s) => tty.render(s, opts.header(report)));
  if (!opts.watch) void core.engine.whenDrained().then(resolveDone);
  else settleIfDone();

  const onSignal = (): void => {
    report.interrupted = true;
    resolveDone();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await finished;
  if (buffered.length) flush();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  tty?.clear();
  return report;
}

/** The closing lines: what landed where, what failed and why, and what is left. */
export function printSummary(io: Io, report: RunReport, left: number): void {
  const bytes = report.completed.reduce((n, t) => n + t.bytesOnDisk, 0);
  const lines = [`${report.completed.length} completed (${formatBytes(bytes)}), ${report.failed.length} failed, ${report.skipped.length} skipped.`];
  for (const t of report.failed) lines.push(`  failed: ${t.name}: ${t.error?.message ?? ''}`);
  for (const t of report.skipped) lines.push(`  skipped: ${t.name}: ${t.error?.message ?? ''}`);
  if (report.interrupted && left > 0) lines.push(`Stopped with ${left} left in the queue; run "cartage run" to finish them.`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

export function jsonTask(t: Task): Record<string, unknown> {
  return {
    id: t.id,
    url: t.url,
    state: t.state,
    path: t.state === 'completed' ? t.finalPath : null,
    name: t.name,
    bytes: t.bytesOnDisk,
    total: t.totalBytes ?? t.expectedBytes,
    attempts: t.attempts,
    error: t.error,
  };
}
