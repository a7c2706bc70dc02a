import type { TaskDto } from '../../../preload/api';
import { formatBytes, formatDuration, formatSpeed, percent } from '../lib/format';
import { taskStateLabel } from '../lib/labels';
import { assertNever } from '../lib/never';
import { Badge, type BadgeTone } from './Badge';
import { ProgressBar } from './ProgressBar';

export type TaskVerb = 'pause' | 'resume' | 'cancel' | 'retry';

function tone(task: TaskDto): BadgeTone {
  if (task.state === 'completed') return 'ok';
  if (task.state === 'failed') return 'error';
  if (task.state === 'skipped' || task.state === 'paused') return 'warn';
  return 'neutral';
}

/** What can be done with a task in its state. */
export function verbsFor(task: TaskDto): TaskVerb[] {
  switch (task.state) {
    case 'active':
    case 'queued':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    case 'failed':
      return task.retryable ? ['retry', 'cancel'] : [];
    case 'skipped':
      return task.retryable ? ['retry'] : [];
    // A canceled download is gone for good: add the file to the list again to fetch it.
    case 'canceled':
    case 'completed':
      return [];
    default:
      return assertNever(task.state);
  }
}

const verbLabels: Record<TaskVerb, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel', retry: 'Retry' };

/** One file being downloaded: a bar, "2.4 MB / 3.7 MB", speed and time left, and its buttons. */
export function TaskRow({ task, onVerb }: { task: TaskDto; onVerb: (verb: TaskVerb, task: TaskDto) => void }) {
  const done = task.state === 'completed';
  const pct = done ? 100 : percent(task.bytes, task.total);
  const amounts = task.total === null ? `${formatBytes(task.bytes)} of unknown size` : `${formatBytes(task.bytes)} / ${formatBytes(task.total)}`;
  const active = task.state === 'active';
  return (
    <div className={`task task-${task.state}`}>
      <div className="task-head">
        <span className="item-name" title={task.path}>
          {task.name}
        </span>
        <Badge tone={tone(task)}>{taskStateLabel(task.state)}</Badge>
      </div>
      {!done && <ProgressBar label={`${task.name} progress`} percent={pct} />}
      <p className="task-figures small">
        <span>{done ? formatBytes(task.total ?? task.bytes) : amounts}</span>
        {active && task.speed !== null && <span>{formatSpeed(task.speed)}</span>}
        {active && task.eta !== null && <span>{formatDuration(task.eta)} left</span>}
        {done && <span className="muted">{task.zip ? `In ${task.zip}` : `Saved to ${task.path}`}</span>}
      </p>
      {task.error && (task.state === 'failed' || task.state === 'skipped' || task.state === 'paused') && <p className="reason small">{task.error.message}</p>}
      <div className="actions">
        {verbsFor(task).map((verb) => (
          <button key={verb} type="button" onClick={() => onVerb(verb, task)} aria-label={`${verbLabels[verb]} ${task.name}`}>
            {verbLabels[verb]}
          </button>
        ))}
      </div>
    </div>
  );
}
