// Mirrors in the window's words: the reference a mirror keeps, how often it runs, whether a run is
// under way, and saving one (in place, or by replacing it when what it copies or where changes).
import type { ApiResult, CartageBridge, MirrorDto, MirrorRunDto, RequestInput, SourceDto } from '../../../preload/api';
import { ask } from './bridge';
import { folderRef, queryRef } from './refs';

export type MirrorInput = RequestInput<'mirrors.add'>;

/** What a mirror keeps: a folder (or album) of a source, or the matches of a search in it. */
export type ScopeKind = 'path' | 'query';

const hour = 3_600_000;

/** `photos:albums/ID` for a folder, `photos?after=2024-01-01` for a search (`photos?` is a whole Immich library). */
export function mirrorRef(source: Pick<SourceDto, 'name'>, kind: ScopeKind, text: string): string {
  const t = text.trim();
  return kind === 'query' ? queryRef(source, t.replace(/^\?/, '')) : folderRef(source, t.replace(/^\/+|\/+$/g, ''));
}

/** A mirror's scope taken apart again (to edit it): the kind and the text after the source's name. */
export function splitScope(mirror: Pick<MirrorDto, 'source' | 'scope'>): { kind: ScopeKind; text: string } {
  const rest = mirror.scope.startsWith(mirror.source) ? mirror.scope.slice(mirror.source.length) : '';
  if (rest.startsWith('?')) return { kind: 'query', text: rest.slice(1) };
  return { kind: 'path', text: rest.replace(/^:/, '') };
}

/** "every 6 h", "every 1.5 h", "every 30 min", or "manual". */
export function scheduleLabel(everyMs: number | null): string {
  if (everyMs === null) return 'manual';
  if (everyMs >= hour) return `every ${Number((everyMs / hour).toFixed(2))} h`;
  return `every ${Math.round(everyMs / 60_000)} min`;
}

/** The hours between runs, as the form shows them ("" for a manual mirror). */
export function everyHoursText(everyMs: number | null): string {
  return everyMs === null ? '' : String(Number((everyMs / hour).toFixed(4)));
}

/** Whether a run is still listing or downloading (its mirror cannot be run again until it ends). */
export function isRunning(run: Pick<MirrorRunDto, 'state'> | null | undefined): boolean {
  return run?.state === 'enumerating' || run?.state === 'downloading';
}

const stage: Record<MirrorRunDto['state'], number> = { enumerating: 0, downloading: 1, completed: 2, interrupted: 2, failed: 2 };

/**
 * The later of two reports: a later run, or the same run further on. On a tie `a` wins, so a
 * fresh list (passed as `a`) replaces what was held.
 */
export function laterRun(a: MirrorRunDto | null, b: MirrorRunDto | null): MirrorRunDto | null {
  if (!a || !b) return a ?? b;
  if (b.id !== a.id) return b.id > a.id ? b : a;
  return stage[b.state] > stage[a.state] ? b : a;
}

/**
 * Saves a mirror. An edit of the schedule, sidecars or deletions changes it in place (its records
 * and reports stay). An edit of what it copies or where replaces it: the new mirror is added first,
 * so a refusal leaves the old one as it was; then the old one is removed, and if that is refused
 * (it is running) the new one is taken back. Files on disk are never touched: the next run takes up
 * the ones that match.
 */
export async function saveMirror(bridge: CartageBridge, input: MirrorInput, replacing: MirrorDto | null): Promise<ApiResult<MirrorDto>> {
  if (replacing && sameTarget(input, replacing)) {
    // Only what changed: a schedule of minutes, shown rounded in hours, is not rounded on its way back.
    const everyMs = input.everyHours == null ? null : Math.round(input.everyHours * hour);
    const sameSchedule = everyMs === null || replacing.everyMs === null ? everyMs === replacing.everyMs : Math.abs(everyMs - replacing.everyMs) < 60_000;
    const change: RequestInput<'mirrors.update'> = { id: replacing.id };
    if (!sameSchedule) change.everyHours = input.everyHours ?? null;
    if (input.sidecars !== undefined && input.sidecars !== replacing.sidecars) change.sidecars = input.sidecars;
    if (input.applyDeletions !== undefined && input.applyDeletions !== replacing.applyDeletions) change.applyDeletions = input.applyDeletions;
    return ask(() => bridge.mirrors.update(change));
  }
  const added = await ask(() => bridge.mirrors.add(input));
  if (!added.ok || !replacing) return added;
  const removed = await ask(() => bridge.mirrors.remove({ id: replacing.id }));
  if (removed.ok) return added;
  await ask(() => bridge.mirrors.remove({ id: added.value.id }));
  return removed;
}

/** Whether an edit keeps what the mirror copies, where, and how it lays the files out. */
function sameTarget(input: MirrorInput, mirror: MirrorDto): boolean {
  // The mirror's scope written the way the form writes it ("nas:" for a top folder is "nas").
  const { kind, text } = splitScope(mirror);
  const ref = mirrorRef({ name: mirror.source }, kind, text);
  return input.ref === ref && input.dir === mirror.dir && input.layout === mirror.layout && Boolean(input.recursive) === mirror.recursive;
}
