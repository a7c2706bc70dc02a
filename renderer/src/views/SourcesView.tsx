import { useEffect, useId, useRef, useState } from 'react';
import { SourceCard } from '../components/SourceCard';
import { SourceForm } from '../components/SourceForm';
import { ErrorText } from '../components/ErrorText';
import { ask, useBridge } from '../lib/bridge';
import { useApp } from '../state/AppState';

/** The connections: who is signed in where; add, edit, remove, or browse one. */
export function SourcesView() {
  const bridge = useBridge();
  const { sources, route, navigate, notify } = useApp();
  const headingId = useId();
  const list = sources.sources ?? [];
  const editing = route.view === 'sources' && route.edit !== undefined ? (list.find((s) => s.id === route.edit) ?? null) : null;
  const adding = route.view === 'sources' && route.add === true;
  const formOpen = adding || editing !== null;
  // Where focus goes when the form closes: the source just saved, else the button that opens the form.
  const [focusSource, setFocusSource] = useState<number | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(formOpen);
  useEffect(() => {
    if (wasOpen.current && !formOpen && focusSource === null) addRef.current?.focus();
    wasOpen.current = formOpen;
  }, [formOpen, focusSource]);

  const remove = async (id: number, name: string) => {
    const result = await ask(() => bridge.sources.remove({ id }));
    if (result.ok) {
      notify({ tone: 'info', text: `Removed ${name}.` });
      void sources.reload();
    } else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  return (
    <div className={`view-sources${formOpen ? ' with-form' : ''}`}>
      <section className="pane" aria-labelledby={headingId}>
        <header className="pane-header">
          <h2 id={headingId}>Sources</h2>
          <button ref={addRef} type="button" className="primary" onClick={() => navigate({ view: 'sources', add: true })}>
            Add a source
          </button>
        </header>
        {sources.error && <ErrorText error={`Cartage could not list your sources. ${sources.error.message}`} />}
        {sources.sources && list.length === 0 && (
          <p className="empty">No sources yet. Add an Immich server (its address and an API key), a WebDAV share, or a web folder to browse it here.</p>
        )}
        <div className="source-cards">
          {list.map((s) => (
            <SourceCard
              key={s.id}
              source={s}
              signedInAs={sources.signedIn[s.id]}
              focused={focusSource === s.id}
              onFocused={() => setFocusSource(null)}
              onBrowse={() => navigate({ view: 'browse', sourceId: s.id })}
              onEdit={() => navigate({ view: 'sources', edit: s.id })}
              onRemove={() => void remove(s.id, s.name)}
            />
          ))}
        </div>
      </section>
      {formOpen && (
        <SourceForm
          key={editing?.id ?? 'new'}
          source={editing}
          onCancel={() => navigate({ view: 'sources' })}
          onSaved={(result) => {
            sources.added(result);
            setFocusSource(result.source.id);
            notify({
              tone: 'info',
              text: result.signedInAs ? `Connected to ${result.source.name} as ${result.signedInAs}.` : `Connected to ${result.source.name}.`,
            });
            navigate({ view: 'sources' });
          }}
        />
      )}
    </div>
  );
}
