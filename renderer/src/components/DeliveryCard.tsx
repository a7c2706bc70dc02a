import type { DeliveryDto } from '../../../preload/api';
import { formatBytes, formatDate, formatDuration, formatSpeed, percent, plural } from '../lib/format';
import { deliveryStateLabel } from '../lib/labels';
import { Badge } from './Badge';
import { ProgressBar } from './ProgressBar';

export type DeliveryVerb = 'cancel' | 'retry' | 'reveal' | 'putBack';

/**
 * A delivery (one checkout): its progress while it runs; where it was saved and "Show in folder"
 * once done; each failed file with its reason and a retry.
 */
export function DeliveryCard({
  delivery,
  onVerb,
  onRetryFile,
}: {
  delivery: DeliveryDto;
  onVerb: (verb: DeliveryVerb, delivery: DeliveryDto) => void;
  onRetryFile: (taskId: number, name: string) => void;
}) {
  const p = delivery.progress;
  const finished = delivery.state === 'completed' || delivery.state === 'canceled' || delivery.state === 'failed';
  const pct = delivery.state === 'completed' ? 100 : percent(p.bytesDone, p.bytesTotal);
  const what = delivery.kind === 'zip' ? 'Zip file' : 'Folder';
  const missing = missingFiles(delivery);
  return (
    <article className={`delivery delivery-${delivery.state}`} aria-label={delivery.name}>
      <div className="task-head">
        <h4 className="item-name">{delivery.name}</h4>
        <Badge tone={delivery.state === 'completed' ? (delivery.failures.length > 0 ? 'warn' : 'ok') : 'neutral'}>{deliveryStateLabel(delivery)}</Badge>
      </div>
      {!finished && <ProgressBar label={`${delivery.name} progress`} percent={pct} />}
      <p className="task-figures small">
        <span>
          {formatBytes(p.bytesDone)} / {formatBytes(p.bytesTotal)}
        </span>
        <span>
          {p.done} of {plural(delivery.files, 'file')} done
        </span>
        {!finished && delivery.speed !== null && <span>{formatSpeed(delivery.speed)}</span>}
        {!finished && delivery.eta !== null && <span>{formatDuration(delivery.eta)} left</span>}
        {p.failed > 0 && <span className="warn">{p.failed} failed</span>}
      </p>
      {delivery.state === 'completed' && (
        <p className="small">
          {what} saved to <code className="path">{delivery.target}</code>
          {delivery.completedAt !== null && <span className="muted"> · {formatDate(delivery.completedAt)}</span>}
        </p>
      )}
      {delivery.failures.length > 0 && (
        <ul className="failures" aria-label={`Files of ${delivery.name} that failed`}>
          {delivery.failures.map((f) => (
            <li key={f.taskId}>
              <span className="item-name">{f.name}</span>
              <span className="reason small">{f.error?.message ?? 'Failed for a reason not recorded.'}</span>
              {/* A finished zip cannot take a file any more; files in a folder always can. */}
              {(delivery.state === 'running' || delivery.kind === 'files') && (
                <button type="button" onClick={() => onRetryFile(f.taskId, f.name)} aria-label={`Retry ${f.name}`}>
                  Retry
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {delivery.state === 'failed' && delivery.error && <p className="error-text" role="alert">{delivery.error}</p>}
      <div className="actions">
        {delivery.state === 'failed' && (
          <button type="button" onClick={() => onVerb('retry', delivery)} aria-label={`Write ${delivery.name} again`}>
            Try again
          </button>
        )}
        {delivery.state === 'completed' && (
          <button type="button" onClick={() => onVerb('reveal', delivery)} aria-label={`Show in folder: ${delivery.name}`}>
            Show in folder
          </button>
        )}
        {missing > 0 && (
          <button type="button" onClick={() => onVerb('putBack', delivery)} aria-label={`Put the ${plural(missing, 'file')} of ${delivery.name} that did not arrive back on the download list`}>
            Put {plural(missing, 'missing file')} back on the list
          </button>
        )}
        {delivery.failures.length > 0 && delivery.state === 'running' && (
          <button type="button" onClick={() => onVerb('retry', delivery)} aria-label={`Retry failed files of ${delivery.name}`}>
            Retry failed files
          </button>
        )}
        {(!finished || delivery.state === 'failed') && (
          <button type="button" onClick={() => onVerb('cancel', delivery)} aria-label={`Cancel ${delivery.name}`}>
            Cancel
          </button>
        )}
      </div>
    </article>
  );
}

/**
 * The files that can go back on the list: a written zip cannot take a file any more, and a canceled
 * delivery fetches nothing more (a canceled zip is removed with every file it had taken). Failed files in
 * a folder that completed have their Retry instead, unless some were canceled.
 */
function missingFiles(delivery: DeliveryDto): number {
  const p = delivery.progress;
  if (delivery.state === 'canceled') return delivery.kind === 'zip' ? delivery.files : p.failed + p.canceled + p.pending;
  if (delivery.state === 'completed' && delivery.kind === 'zip') return p.failed;
  // Canceled files of a folder have no Retry: they go back on the list (with the failed ones, as the list takes them).
  if (delivery.state === 'completed' && p.canceled > 0) return p.failed + p.canceled;
  return 0;
}
