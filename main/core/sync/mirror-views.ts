/** Rows of the mirror tables, and what the app and the CLI show of them. */
import type { MirrorDto, MirrorLayout, MirrorRunDto } from '../../../preload/api.js';

export interface MirrorRow {
  id: number;
  source_id: number;
  scope_kind: 'path' | 'query';
  scope: string;
  recursive: number;
  dir: string;
  layout: MirrorLayout;
  every_ms: number | null;
  sidecars: number;
  apply_deletions: number;
  created_at: number;
}

export interface RunRow {
  id: number;
  mirror_id: number;
  state: RunView['state'];
  started_at: number;
  ended_at: number | null;
  new_files: number;
  changed: number;
  unchanged: number;
  failed: number;
  deleted: number;
  bytes: number;
  failures: string;
  deletions: string;
  error: string | null;
}

/**
 * A run's report (new, changed, unchanged, failed with reasons, deleted on the source, bytes) and a
 * mirror, exactly as the contract carries them: the service hands them over as they are.
 */
export type RunView = MirrorRunDto;
export type MirrorView = MirrorDto;

export function toRunView(r: RunRow, pending: number, paused = 0): RunView {
  return {
    id: r.id,
    mirrorId: r.mirror_id,
    state: r.state,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    newFiles: r.new_files,
    changed: r.changed,
    unchanged: r.unchanged,
    failed: r.failed,
    deleted: r.deleted,
    bytes: r.bytes,
    pending,
    paused,
    failures: JSON.parse(r.failures) as RunView['failures'],
    deletions: JSON.parse(r.deletions) as RunView['deletions'],
    error: r.error,
  };
}

export function toMirrorView(m: MirrorRow, source: string, lastRun: RunView | null, next: number | null): MirrorView {
  return {
    id: m.id,
    source,
    scope: m.scope_kind === 'query' ? `${source}?${m.scope}` : `${source}:${m.scope}`,
    recursive: m.recursive === 1,
    dir: m.dir,
    layout: m.layout,
    everyMs: m.every_ms,
    sidecars: m.sidecars === 1,
    applyDeletions: m.apply_deletions === 1,
    lastRun,
    nextRunAt: next,
  };
}

/** When a scheduled mirror runs next: its interval after the last run ended (or after it was made). */
export function nextRunAt(m: Pick<MirrorRow, 'every_ms' | 'created_at'>, last: Pick<RunRow, 'state' | 'started_at' | 'ended_at'> | null): number | null {
  if (m.every_ms === null) return null;
  if (!last) return m.created_at + m.every_ms;
  if (last.state === 'enumerating' || last.state === 'downloading') return null;
  return (last.ended_at ?? last.started_at) + m.every_ms;
}
