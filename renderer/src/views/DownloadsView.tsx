import { useId, useMemo, useState } from 'react';
import type { DeliveryDto, TaskDto, TaskStateDto } from '../../../preload/api';
import { ConfirmButton } from '../components/ConfirmButton';
import { DeliveryCard, type DeliveryVerb } from '../components/DeliveryCard';
import { ErrorText } from '../components/ErrorText';
import { ProgressBar } from '../components/ProgressBar';
import { TaskRow, type TaskVerb } from '../components/TaskRow';
import { VirtualList } from '../components/VirtualList';
import { useDownloads } from '../hooks/useDownloads';
import { ask, useBridge } from '../lib/bridge';
import { formatBytes, percent, plural } from '../lib/format';
import { useApp } from '../state/AppState';

/** Tasks that need looking at first: what runs, then what waits, then what stopped. */
const order: Record<TaskStateDto, number> = { active: 0, queued: 1, paused: 2, failed: 3, skipped: 4, canceled: 5, completed: 6 };
const finishedStates: readonly TaskStateDto[] = ['completed', 'canceled', 'skipped'];

/** Every delivery and download: progress, the buttons for each and for all, and what finished where. */
export function DownloadsView() {
  const bridge = useBridge();
  const { notify } = useApp();
  const headingId = useId();
  const downloads = useDownloads();
  const { putTasks, putDelivery } = downloads;
  const [showFinished, setShowFinished] = useState(true);

  const tasks = useMemo(() => [...downloads.tasks.values()].sort((a, b) => order[a.state] - order[b.state] || a.id - b.id), [downloads.tasks]);
  const current = tasks.filter((t) => !finishedStates.includes(t.state));
  const finished = tasks.filter((t) => finishedStates.includes(t.state));
  const deliveries = useMemo(() => [...downloads.deliveries.values()].sort((a, b) => b.createdAt - a.createdAt), [downloads.deliveries]);
  // Counted from the tasks held (kept current by every event); the queue's byte totals come from snapshots.
  const activeCount = current.filter((t) => t.state === 'active').length;
  const waitingCount = current.filter((t) => t.state === 'queued').length;
  const running = activeCount + waitingCount;

  const taskVerb = async (verb: TaskVerb, task: TaskDto) => {
    const ids = { ids: [task.id] };
    const result = await ask(() =>
      verb === 'pause' ? bridge.tasks.pause(ids) : verb === 'resume' ? bridge.tasks.resume(ids) : verb === 'cancel' ? bridge.tasks.cancel(ids) : bridge.tasks.retry(ids),
    );
    if (result.ok) putTasks(result.value);
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  const deliveryVerb = async (verb: DeliveryVerb, delivery: DeliveryDto) => {
    if (verb === 'reveal') {
      const result = await ask(() => bridge.deliveries.reveal({ id: delivery.id }));
      if (result.ok) notify({ tone: 'info', text: `${delivery.name} is in ${result.value.path}` });
      else notify({ tone: 'error', text: result.error.message, error: result.error });
      return;
    }
    if (verb === 'putBack') {
      const result = await ask(() => bridge.deliveries.putBack({ id: delivery.id }));
      if (result.ok) notify({ tone: 'info', text: result.value.message });
      else notify({ tone: 'error', text: result.error.message, error: result.error });
      return;
    }
    const result = await ask(() => (verb === 'cancel' ? bridge.deliveries.cancel({ id: delivery.id }) : bridge.deliveries.retry({ id: delivery.id })));
    if (result.ok) putDelivery(result.value);
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  const retryFile = async (taskId: number) => {
    const result = await ask(() => bridge.tasks.retry({ ids: [taskId] }));
    if (result.ok) putTasks(result.value);
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  const all = async (verb: 'pauseAll' | 'resumeAll' | 'cancelAll') => {
    const result = await ask(() => (verb === 'pauseAll' ? bridge.tasks.pauseAll() : verb === 'resumeAll' ? bridge.tasks.resumeAll() : bridge.tasks.cancelAll()));
    if (!result.ok) notify({ tone: 'error', text: result.error.message, error: result.error });
    else {
      const did = verb === 'pauseAll' ? 'Paused' : verb === 'resumeAll' ? 'Resumed' : 'Canceled';
      notify({ tone: 'info', text: `${did} ${plural(result.value.count, 'download')}.` });
      void downloads.reload();
    }
  };

  const totals = downloads.totals;
  const nothing = downloads.loaded && tasks.length === 0 && deliveries.length === 0;
  return (
    <section className="pane downloads" aria-labelledby={headingId}>
      <header className="pane-header">
        <h2 id={headingId}>Downloads</h2>
        <div className="actions">
          <button type="button" onClick={() => void all('pauseAll')}>
            Pause all
          </button>
          <button type="button" onClick={() => void all('resumeAll')}>
            Resume all
          </button>
          <ConfirmButton question="Cancel every download? Partly downloaded files are deleted." confirmLabel="Cancel all downloads" keepLabel="Keep downloading" onConfirm={() => all('cancelAll')}>
            Cancel all
          </ConfirmButton>
        </div>
      </header>
      {totals && totals.bytesTotal > 0 && running > 0 && (
        <div className="overall">
          <ProgressBar label="All downloads" percent={percent(totals.bytesDone, totals.bytesTotal)} />
          <p className="small muted">
            {activeCount} downloading, {waitingCount} waiting · {formatBytes(totals.bytesDone)} / {formatBytes(totals.bytesTotal)}
          </p>
        </div>
      )}
      {downloads.error && <ErrorText error={`Cartage could not list the downloads. ${downloads.error.message}`} />}
      {!downloads.loaded && <p className="muted">Loading downloads…</p>}
      {nothing && <p className="empty">Nothing is downloading. Add files to your download list and press Download.</p>}

      {deliveries.length > 0 && (
        <>
          <h3>Deliveries</h3>
          <div className="deliveries">
            {deliveries.map((d) => (
              <DeliveryCard key={d.id} delivery={d} onVerb={(v, x) => void deliveryVerb(v, x)} onRetryFile={(id) => void retryFile(id)} />
            ))}
          </div>
        </>
      )}
      {current.length > 0 && (
        <>
          <h3>Files</h3>
          <VirtualList items={current} getKey={(t) => t.id} label="Files downloading" estimateSize={96} renderItem={(t) => <TaskRow task={t} onVerb={(v, x) => void taskVerb(v, x)} />} />
        </>
      )}
      {finished.length > 0 && (
        <>
          <h3 className="disclosure-heading">
            <button type="button" className="link" aria-expanded={showFinished} onClick={() => setShowFinished((s) => !s)}>
              Finished ({finished.length})
            </button>
          </h3>
          {showFinished && (
            <VirtualList items={finished} getKey={(t) => t.id} label="Finished files" estimateSize={80} renderItem={(t) => <TaskRow task={t} onVerb={(v, x) => void taskVerb(v, x)} />} />
          )}
        </>
      )}
    </section>
  );
}
