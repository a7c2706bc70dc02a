import { Core } from '../core/core.js';
import { sqliteBindingFor } from '../core/db/connection.js';
import type { ErrorInfo } from '../core/errors.js';
import { redactUrl } from '../core/log.js';
import { settledStates } from '../core/queue/states.js';
import type { Task } from '../core/queue/task.js';
import type { SettingsPatch } from '../core/settings.js';
import { formatBytes } from '../core/util/format.js';
import type { TaskJson } from './json.js';
import { TerminalProgress } from './progress-view.js';

export interface Io {
  /** To ask a question (checkout without --yes); absent where nobody can answer. */
  stdin?: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function openCore(dataDir: string, overrides?: SettingsPatch, headersFor?: (task: Task) => Record<string, string>): Core {
  // Started by the browser through the app's launcher, the CLI runs in Electron and needs its SQLite build.
  const nativeBinding = sqliteBindingFor(process.env);
  return new Core({ dataDir, ...(overrides ? { overrides } : {}), ...(headersFor ? { engine: { headersFor } } : {}), ...(nativeBinding ? { nativeBinding } : {}) });
}

export interface CoreUse {
  /** Settings for this command only (--concurrency, --limit-rate). */
  overrides?: SettingsPatch;
  /** Headers for downloads that are not from a stored source (a URL's user and password). */
  headersFor?: (task: Task) => Record<string, string>;
  /**
   * The command only reads or changes rows and starts nothing (no engine, no mirror, no delivery):
   * closing the database is all there is to close, and nothing is waited for.
   */
  rowsOnly?: boolean;
}

/** Opens the core for one command and closes it however the command ends (returned, or threw). */
export async function withCore<T>(dataDir: string, fn: (core: Core) => T | Promise<T>, use: CoreUse = {}): Promise<T> {
  const core = openCore(dataDir, use.overrides, use.headersFor);
  try {
    return await fn(core);
  } finally {
    if (use.rowsOnly) core.db.close();
    else await core.close();
  }
}

export interface RunReport {
  completed: Task[];
  failed: Task[];
  skipped: Task[];
  canceled: Task[];
  /** Paused while this run waited for them (from another terminal, or with the whole queue). */
  paused: Task[];
  /** Stopped by Ctrl-C or SIGTERM. */
  interrupted: boolean;
  /** The queue paused itself (a full disk): what the person must fix. */
  pausedBy: ErrorInfo | null;
}

function emptyReport(): RunReport {
  return { completed: [], failed: [], skipped: [], canceled: [], paused: [], interrupted: false, pausedBy: null };
}

/** Files a task that has settled (ended, or paused) into the report; false if it has not. */
function settleInto(report: RunReport, t: Task): boolean {
  switch (t.state) {
    case 'completed':
      report.completed.push(t);
      return true;
    case 'failed':
      report.failed.push(t);
      return true;
    case 'skipped':
      report.skipped.push(t);
      return true;
    case 'canceled':
      report.canceled.push(t);
      return true;
    case 'paused':
      report.paused.push(t);
      return true;
    default:
      return false;
  }
}

/**
 * Waits until the watched tasks have settled (or, without `watch`, until the queue is drained),
 * showing progress: bars on a terminal, a line per finished file otherwise, nothing but the final
 * JSON with --json. The queue runs in this process, or (`elsewhere`, after `core.runOrFollow`) in
 * another one whose changes come out of the queue's stream the same way, until this one takes it
 * over. Ctrl-C stops cleanly: tasks go back to the queue with their part files kept. A full disk
 * stops the run with what to do.
 */
export async function runEngine(
  core: Core,
  io: Io,
  opts: { json: boolean; watch?: ReadonlySet<number>; header: (r: RunReport) => string; elsewhere?: boolean },
): Promise<RunReport> {
  const report = emptyReport();
  const tty = !opts.json && io.stdout.isTTY ? new TerminalProgress(io.stdout) : null;
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
  const settle = (t: Task): void => {
    if (opts.watch ? !pending.has(t.id) : !settledStates.includes(t.state)) return;
    if (!settleInto(report, t)) return;
    pending.delete(t.id);
    if (opts.watch && pending.size === 0) resolveDone();
  };
  const settleRow = (id: number): void => {
    const t = pending.has(id) ? core.queue.get(id) : undefined;
    if (t) settle(t);
  };

  core.queue.changes.on('task', (t) => {
    if (opts.watch && !opts.watch.has(t.id)) return;
    if (t.state === 'completed') say(`done    ${t.finalPath} (${formatBytes(t.bytesOnDisk)})`);
    else if (t.state === 'failed') say(`failed  ${t.name}: ${t.error?.message ?? 'unknown error'}`);
    else if (t.state === 'skipped') say(`skipped ${t.name}: ${t.error?.message ?? ''}`);
    else if (t.state === 'canceled') say(`canceled ${t.name}`);
    else if (t.state === 'queued' && t.error && t.attempts > 0) say(`retry   ${t.name} (${t.attempts}): ${t.error.message}`);
    // A pause ends the wait for the tasks waited for; a run of the whole queue goes on with the rest.
    if (t.state !== 'paused' || opts.watch) settle(t);
  });
  // Another terminal paused or canceled many at once (its own pause of the whole queue for a full
  // disk ends the run below, as it always has).
  core.queue.changes.on('bulk', (e, origin) => {
    if (!opts.watch || origin === 'here' || !settledStates.includes(e.state)) return;
    for (const id of e.ids) settleRow(id);
  });
  core.engine.on('queue-paused', (error) => {
    report.pausedBy = error;
    resolveDone();
  });
  if (tty) core.engine.on('progress', (s) => tty.render(s, opts.header(report)));
  // What another process did before this one listened is in the rows.
  if (opts.elsewhere) for (const id of [...pending]) settleRow(id);
  if (!opts.watch) void core.engine.whenDrained().then(resolveDone);
  else if (pending.size === 0) resolveDone();

  // The wait itself holds the process open: the queue's watcher and the follower never do (their
  // timers must not keep a finished command alive), and while another process runs the queue
  // nothing else here may.
  const hold = setInterval(() => {}, 2 ** 30);
  const onSignal = (): void => {
    report.interrupted = true;
    resolveDone();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await finished;
  clearInterval(hold);
  if (buffered.length) flush();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  tty?.clear();
  return report;
}

/** The closing lines: what landed where, what failed and why, and what is left and how to finish it. */
export function printSummary(io: Io, report: RunReport, left: number): void {
  const bytes = report.completed.reduce((n, t) => n + t.bytesOnDisk, 0);
  const paused = report.paused.length ? `, ${report.paused.length} paused` : '';
  const lines = [
    `${report.completed.length} completed (${formatBytes(bytes)}), ${report.failed.length} failed, ${report.skipped.length} skipped${paused}.`,
  ];
  for (const t of report.failed) lines.push(`  failed: ${t.name}: ${t.error?.message ?? ''}`);
  for (const t of report.skipped) lines.push(`  skipped: ${t.name}: ${t.error?.message ?? ''}`);
  if (report.pausedBy) {
    lines.push(report.pausedBy.message);
    lines.push('The queue is paused. When there is room, run "cartage resume --all", then "cartage run".');
  } else if (report.interrupted && left > 0) {
    lines.push(`Stopped with ${left} left in the queue; run "cartage run" to finish them.`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** A task as `--json` prints it. */
export function jsonTask(t: Task): TaskJson {
  return {
    id: t.id,
    url: redactUrl(t.url),
    state: t.state,
    path: t.state === 'completed' ? t.finalPath : null,
    name: t.name,
    bytes: t.bytesOnDisk,
    total: t.totalBytes ?? t.expectedBytes,
    attempts: t.attempts,
    error: t.error,
  };
}
