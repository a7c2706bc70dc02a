import type { MirrorDto } from '../../../preload/api';
import { formatDate } from '../lib/format';
import { layoutLabel } from '../lib/labels';
import { isRunning, scheduleLabel } from '../lib/mirrors';
import { ConfirmButton } from './ConfirmButton';
import { MirrorReport } from './MirrorReport';

/** When a mirror runs next, in words. */
export function nextRunText(mirror: Pick<MirrorDto, 'everyMs' | 'nextRunAt'>, running: boolean): string {
  if (mirror.everyMs === null) return 'when you press Run now';
  if (running) return 'after this run';
  return formatDate(mirror.nextRunAt) || 'not planned';
}

/**
 * One mirror: what it keeps, where, how and when; its last run's report (live while it runs); and
 * Run now (not while a run is under way), Edit and Remove (which leaves the files on disk).
 */
export function MirrorCard({
  mirror,
  starting,
  onRun,
  onPause,
  onResume,
  onEdit,
  onRemove,
}: {
  mirror: MirrorDto;
  /** Run now was pressed and its answer has not come yet. */
  starting: boolean;
  onRun: () => void;
  /** Pause or resume the downloads of the run under way. */
  onPause: () => void;
  onResume: () => void;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const run = mirror.lastRun;
  const running = starting || isRunning(run);
  return (
    <article className="mirror-card" aria-label={mirror.scope}>
      <h3>{mirror.scope}</h3>
      <dl className="facts">
        <div>
          <dt>Folder</dt>
          <dd>
            <code className="path">{mirror.dir}</code>
          </dd>
        </div>
        <div>
          <dt>Arranged</dt>
          <dd>
            {layoutLabel(mirror.layout)}
            {mirror.recursive ? ', with sub-folders' : ''}
            {mirror.sidecars ? ', with JSON sidecars' : ''}
          </dd>
        </div>
        <div>
          <dt>Schedule</dt>
          <dd>{scheduleLabel(mirror.everyMs)}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd>{nextRunText(mirror, running)}</dd>
        </div>
        <div>
          <dt>Deleted on the source</dt>
          <dd>{mirror.applyDeletions ? 'moved to the trash here' : 'kept here, and reported'}</dd>
        </div>
      </dl>
      {run ? <MirrorReport run={run} name={mirror.scope} /> : <p className="muted">{starting ? 'Starting…' : 'Not run yet.'}</p>}
      <div className="actions">
        <button type="button" className="primary" disabled={running} onClick={onRun} aria-label={`Run now: ${mirror.scope}`}>
          Run now
        </button>
        {isRunning(run) && run && run.pending > 0 && run.paused < run.pending && (
          <button type="button" onClick={onPause} aria-label={`Pause ${mirror.scope}`}>
            Pause
          </button>
        )}
        {isRunning(run) && run && run.paused > 0 && (
          <button type="button" onClick={onResume} aria-label={`Resume ${mirror.scope}`}>
            Resume
          </button>
        )}
        <button type="button" onClick={onEdit} aria-label={`Edit ${mirror.scope}`}>
          Edit
        </button>
        <ConfirmButton
          question={`Remove the mirror of ${mirror.scope}? The files in ${mirror.dir} stay on disk.`}
          confirmLabel={`Remove ${mirror.scope}`}
          ariaLabel={`Remove ${mirror.scope}`}
          onConfirm={onRemove}
        >
          Remove
        </ConfirmButton>
      </div>
    </article>
  );
}
