import { useId, useState } from 'react';
import type { MirrorDto } from '../../../preload/api';
import { ErrorText } from '../components/ErrorText';
import { MirrorCard } from '../components/MirrorCard';
import { MirrorForm } from '../components/MirrorForm';
import { useMirrors } from '../hooks/useMirrors';
import { ask, useBridge } from '../lib/bridge';
import { scheduleLabel } from '../lib/mirrors';
import { useApp } from '../state/AppState';

/** Folders kept in step with a source: each with its schedule and last run; create, edit, run now, remove. */
export function MirrorsView() {
  const bridge = useBridge();
  const { sources, settings, route, navigate, notify } = useApp();
  const headingId = useId();
  const mirrors = useMirrors();
  const { putRun, putMirror, dropMirror } = mirrors;
  // Mirrors whose Run now is waiting for its answer (the listing may take a while).
  const [starting, setStarting] = useState<ReadonlySet<number>>(new Set());
  const list = mirrors.mirrors ?? [];
  const editing = route.view === 'mirrors' && route.edit !== undefined ? (list.find((m) => m.id === route.edit) ?? null) : null;
  const adding = route.view === 'mirrors' && route.add === true;
  const formOpen = adding || editing !== null;

  const run = async (m: MirrorDto) => {
    setStarting((prev) => new Set(prev).add(m.id));
    const result = await ask(() => bridge.mirrors.run({ id: m.id }));
    setStarting((prev) => {
      const next = new Set(prev);
      next.delete(m.id);
      return next;
    });
    if (result.ok) putRun(result.value);
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  const control = async (m: MirrorDto, verb: 'pause' | 'resume') => {
    const result = await ask(() => (verb === 'pause' ? bridge.mirrors.pause({ id: m.id }) : bridge.mirrors.resume({ id: m.id })));
    if (result.ok) putRun(result.value);
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  const remove = async (m: MirrorDto) => {
    const result = await ask(() => bridge.mirrors.remove({ id: m.id }));
    if (result.ok) {
      dropMirror(m.id);
      notify({ tone: 'info', text: `Removed the mirror of ${m.scope}; the files in ${m.dir} stay on disk.` });
      if (editing?.id === m.id) navigate({ view: 'mirrors' });
    } else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  return (
    <div className={`view-mirrors${formOpen ? ' with-form' : ''}`}>
      <section className="pane" aria-labelledby={headingId}>
        <header className="pane-header">
          <h2 id={headingId}>Mirrors</h2>
          <button type="button" className="primary" onClick={() => navigate({ view: 'mirrors', add: true })}>
            Add a mirror
          </button>
        </header>
        {mirrors.error && <ErrorText error={`Cartage could not list the mirrors. ${mirrors.error.message}`} />}
        {!mirrors.mirrors && !mirrors.error && <p className="muted">Loading mirrors…</p>}
        {mirrors.mirrors && list.length === 0 && (
          <p className="empty">No mirrors yet. A mirror keeps an album, a library or a folder copied on your disk and up to date.</p>
        )}
        <div className="mirror-cards">
          {list.map((m) => (
            <MirrorCard
              key={m.id}
              mirror={m}
              starting={starting.has(m.id)}
              onRun={() => void run(m)}
              onPause={() => void control(m, 'pause')}
              onResume={() => void control(m, 'resume')}
              onEdit={() => navigate({ view: 'mirrors', edit: m.id })}
              onRemove={() => void remove(m)}
            />
          ))}
        </div>
      </section>
      {formOpen && (
        <MirrorForm
          key={editing?.id ?? 'new'}
          mirror={editing}
          sources={sources.sources ?? []}
          downloadDir={settings.settings?.downloadDir}
          onCancel={() => navigate({ view: 'mirrors' })}
          onAddSource={() => navigate({ view: 'sources', add: true })}
          onSaved={(saved, replaced) => {
            if (replaced) dropMirror(replaced.id);
            putMirror(saved);
            notify({
              tone: 'info',
              text: replaced
                ? `Saved the mirror of ${saved.scope}.`
                : `Added a mirror of ${saved.scope} into ${saved.dir} (${saved.everyMs === null ? 'it runs when you press Run now' : `it runs ${scheduleLabel(saved.everyMs)}`}).`,
            });
            navigate({ view: 'mirrors' });
          }}
        />
      )}
    </div>
  );
}
