/**
 * The one writer of `mirror_runs`: a run is created here, its state moves only through `moveRun`
 * (checked against the transitions table of `run-states.ts`), and its report's counts grow here.
 */
import type { Db } from '../db/connection.js';
import { assertRunMove, type RunState } from './run-states.js';

/** A failure a run's report lists. */
export interface RunFailure {
  name: string;
  reason: string;
}

/** Starts a run of a mirror, listing; returns its id. */
export function createRun(db: Db, mirrorId: number): number {
  return Number(db.prepare("INSERT INTO mirror_runs (mirror_id, state, started_at) VALUES (?, 'enumerating', ?)").run(mirrorId, Date.now()).lastInsertRowid);
}

/**
 * Moves the run `id` (or, with null, every run) that is in `from` to `to`; a run that ends gets its
 * end time, a failed one its reason. A move the table does not allow throws; a run that has left
 * `from` is left as it is. Returns how many runs moved.
 */
export function moveRun(db: Db, id: number | null, from: RunState, to: RunState, error?: string): number {
  assertRunMove(id ?? 'every run', from, to);
  const ends = to !== 'downloading' && to !== 'enumerating';
  const sets = ['state = ?', ...(ends ? ['ended_at = ?'] : []), ...(error !== undefined ? ['error = ?'] : [])].join(', ');
  const values = [to, ...(ends ? [Date.now()] : []), ...(error !== undefined ? [error] : [])];
  if (id === null) return db.prepare(`UPDATE mirror_runs SET ${sets} WHERE state = ?`).run(...values, from).changes;
  return db.prepare(`UPDATE mirror_runs SET ${sets} WHERE id = ? AND state = ?`).run(...values, id, from).changes;
}

/** Adds the files a run's listing found unchanged or could not download, and lists its failures. */
export function addListingCounts(db: Db, runId: number, unchanged: number, failed: number, failures: readonly RunFailure[]): void {
  db.prepare('UPDATE mirror_runs SET unchanged = unchanged + ?, failed = failed + ?, failures = ? WHERE id = ?').run(unchanged, failed, JSON.stringify(failures), runId);
}

/** Records the files a run found deleted on the source, and what was done with each. */
export function setDeletions(db: Db, runId: number, count: number, listed: readonly { path: string; action: string }[]): void {
  db.prepare('UPDATE mirror_runs SET deleted = ?, deletions = ? WHERE id = ?').run(count, JSON.stringify(listed), runId);
}

/** Counts a file a run downloaded, new or changed, with its bytes. */
export function countDownloaded(db: Db, runId: number, kind: 'new' | 'changed', bytes: number): void {
  const column = kind === 'new' ? 'new_files' : 'changed';
  db.prepare(`UPDATE mirror_runs SET ${column} = ${column} + 1, bytes = bytes + ? WHERE id = ?`).run(bytes, runId);
}

/** Counts a download of a run that failed, listing it (up to `max` listed). */
export function countFailed(db: Db, runId: number, failure: RunFailure, max: number): void {
  const run = db.prepare('SELECT failures FROM mirror_runs WHERE id = ?').get(runId) as { failures: string };
  const failures = JSON.parse(run.failures) as RunFailure[];
  if (failures.length < max) failures.push(failure);
  db.prepare('UPDATE mirror_runs SET failed = failed + 1, failures = ? WHERE id = ?').run(JSON.stringify(failures), runId);
}
