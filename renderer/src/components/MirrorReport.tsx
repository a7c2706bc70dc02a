import { useId, useState, type ReactNode } from 'react';
import type { MirrorRunDto } from '../../../preload/api';
import { formatBytes, formatDate, plural } from '../lib/format';
import { mirrorRunStateLabel } from '../lib/labels';
import { isRunning } from '../lib/mirrors';
import { Badge, type BadgeTone } from './Badge';

const count = new Intl.NumberFormat('en-US');

function tone(run: MirrorRunDto): BadgeTone {
  switch (run.state) {
    case 'completed':
      return run.failed > 0 ? 'warn' : 'ok';
    case 'interrupted':
      return 'warn';
    case 'failed':
      return 'error';
    default:
      return 'neutral';
  }
}

/**
 * A run's report, live while it runs: its state; what was new, changed, unchanged, failed and
 * deleted on the source; the bytes downloaded; and, on request, why files failed and what became
 * of the files deleted on the source.
 */
export function MirrorReport({ run, name }: { run: MirrorRunDto; name: string }) {
  const running = isRunning(run);
  const unlistedFailures = run.failed - run.failures.length;
  const unlistedDeletions = run.deleted - run.deletions.length;
  return (
    <div className={`mirror-run mirror-run-${run.state}`}>
      <div className="task-head">
        <h4>{running ? 'Running now' : 'Last run'}</h4>
        <Badge tone={tone(run)}>{mirrorRunStateLabel(run.state)}</Badge>
      </div>
      <p className="muted small">
        {running || run.endedAt === null ? `Started ${formatDate(run.startedAt)}` : `Ended ${formatDate(run.endedAt)}`}
      </p>
      <p className="task-figures small">
        <span>{count.format(run.newFiles)} new</span>
        <span>{count.format(run.changed)} changed</span>
        <span>{count.format(run.unchanged)} unchanged</span>
        <span className={run.failed > 0 ? 'warn' : undefined}>{count.format(run.failed)} failed</span>
        <span>{count.format(run.deleted)} deleted on the source</span>
        <span>{formatBytes(run.bytes)} downloaded</span>
        {running && run.pending > 0 && <span>{plural(run.pending, 'download')} to go{run.paused > 0 ? ` (${run.paused} paused)` : ''}</span>}
      </p>
      {run.error && <p className="reason">{run.error}</p>}
      {run.failures.length > 0 && (
        <Disclosure label={`Why files failed (${count.format(run.failed)})`}>
          <ul className="failures" aria-label={`Files of ${name} that failed`}>
            {run.failures.map((f, i) => (
              <li key={`${i}:${f.name}`}>
                <span className="item-name">{f.name}</span>
                <span className="reason small">{f.reason}</span>
              </li>
            ))}
          </ul>
          {unlistedFailures > 0 && <p className="muted small">And {plural(unlistedFailures, 'other')}, not listed.</p>}
        </Disclosure>
      )}
      {run.deletions.length > 0 && (
        <Disclosure label={`Deleted on the source (${count.format(run.deleted)})`}>
          <ul className="failures" aria-label={`Files of ${name} deleted on the source`}>
            {run.deletions.map((d) => (
              <li key={d.path}>
                <span className="item-name">{d.path}</span>
                <span className="muted small">{d.action}</span>
              </li>
            ))}
          </ul>
          {unlistedDeletions > 0 && <p className="muted small">And {plural(unlistedDeletions, 'other')}, not listed.</p>}
        </Disclosure>
      )}
    </div>
  );
}

/** A button that shows and hides what it names (closed at first). */
function Disclosure({ label, children }: { label: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="disclosure">
      <button type="button" className="link" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
        {label}
      </button>
      <div id={id} hidden={!open}>
        {children}
      </div>
    </div>
  );
}
