import { useEffect, useId, useRef, useState } from 'react';
import type { ApiError, MirrorDto, SourceDto } from '../../../preload/api';
import { mirrorLayouts } from '../../../preload/domain';
import { localError, useBridge } from '../lib/bridge';
import { layoutLabel, sourceKindLabel } from '../lib/labels';
import { everyHoursText, mirrorRef, saveMirror, splitScope, type MirrorInput, type ScopeKind } from '../lib/mirrors';
import { ErrorText } from './ErrorText';
import { Field } from './Field';

const scopeHelp: Record<ScopeKind, string> = {
  path: 'As Browse shows it, such as albums/ID on Immich or Holidays/2024 on a share; empty for the top folder.',
  query: 'Immich filters such as after=2024-01-01&type=image (empty: the whole library); name=TEXT on other sources.',
};

/**
 * Creates a mirror, or edits one: the schedule, sidecars and deletions in place; a new scope, folder
 * or layout by adding a mirror and removing the old one (the files on disk stay where they are).
 */
export function MirrorForm({
  mirror,
  sources,
  downloadDir,
  onSaved,
  onCancel,
  onAddSource,
}: {
  mirror: MirrorDto | null;
  sources: readonly SourceDto[];
  downloadDir: string | undefined;
  onSaved: (saved: MirrorDto, replaced: MirrorDto | null) => void;
  onCancel: () => void;
  onAddSource: () => void;
}) {
  const bridge = useBridge();
  const headingId = useId();
  const radios = useId();
  const deletionsHint = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const scope = mirror ? splitScope(mirror) : { kind: 'path' as const, text: '' };
  const [sourceId, setSourceId] = useState(() => String((mirror ? sources.find((s) => s.name === mirror.source) : sources[0])?.id ?? ''));
  const [kind, setKind] = useState<ScopeKind>(scope.kind);
  const [scopeText, setScopeText] = useState(scope.text);
  const [dir, setDir] = useState(mirror?.dir ?? '');
  const [layout, setLayout] = useState<MirrorDto['layout']>(mirror?.layout ?? 'folders');
  const [recursive, setRecursive] = useState(mirror?.recursive ?? false);
  const [scheduled, setScheduled] = useState(mirror ? mirror.everyMs !== null : false);
  const [hours, setHours] = useState(mirror?.everyMs ? everyHoursText(mirror.everyMs) : '6');
  const [sidecars, setSidecars] = useState(mirror?.sidecars ?? false);
  const [applyDeletions, setApplyDeletions] = useState(mirror?.applyDeletions ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => headingRef.current?.focus(), []);

  // The sources came after the form opened: start from the first one.
  useEffect(() => {
    if (sourceId === '' && sources[0]) setSourceId(String(sources[0].id));
  }, [sourceId, sources]);

  const source = sources.find((s) => String(s.id) === sourceId) ?? null;
  const ref = source ? mirrorRef(source, kind, scopeText) : '';

  const save = async () => {
    if (!source) return setError(localError('Choose the source to copy from.', 'bad_input'));
    if (!dir.trim()) return setError(localError('Say which folder on this computer the mirror keeps, by its full path.', 'bad_input'));
    const every = Number(hours);
    if (scheduled && (hours.trim() === '' || !Number.isFinite(every) || every < 0.1)) {
      return setError(localError('Say how often the mirror runs: a number of hours such as 6 (at least 0.1).', 'bad_input'));
    }
    const input: MirrorInput = {
      ref,
      dir: dir.trim(),
      layout,
      recursive: kind === 'path' && recursive,
      everyHours: scheduled ? every : null,
      sidecars,
      applyDeletions,
    };
    setBusy(true);
    setError(null);
    const result = await saveMirror(bridge, input, mirror);
    setBusy(false);
    if (result.ok) onSaved(result.value, mirror);
    else setError(result.error);
  };

  const editing = mirror !== null;
  return (
    <form
      className="pane mirror-form"
      aria-labelledby={headingId}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        {editing ? `Edit ${mirror.scope}` : 'Add a mirror'}
      </h2>
      {sources.length === 0 ? (
        <div className="note">
          <p>A mirror copies from one of your sources, and there is none yet.</p>
          <button type="button" className="link" onClick={onAddSource}>
            Go to Sources
          </button>
        </div>
      ) : (
        <label className="field">
          <span>Source</span>
          <select value={sourceId} onChange={(e) => setSourceId(e.target.value)}>
            {sources.map((s) => (
              <option key={s.id} value={String(s.id)}>
                {s.name} ({sourceKindLabel(s.kind)})
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset>
        <legend>What to keep copied</legend>
        <label className="choice">
          <input type="radio" name={`${radios}-kind`} checked={kind === 'path'} onChange={() => setKind('path')} /> A folder or an album
        </label>
        <label className="choice">
          <input type="radio" name={`${radios}-kind`} checked={kind === 'query'} onChange={() => setKind('query')} /> The matches of a search
        </label>
        <Field
          label={kind === 'path' ? 'Folder in the source' : 'Search'}
          hint={scopeHelp[kind]}
          type="text"
          value={scopeText}
          onChange={(e) => setScopeText(e.target.value)}
          spellCheck={false}
        />
        {kind === 'path' && (
          <label className="choice">
            <input type="checkbox" checked={recursive} onChange={(e) => setRecursive(e.target.checked)} /> Include sub-folders
          </label>
        )}
        {ref && (
          <p className="muted small">
            Mirrors <code>{ref}</code>
          </p>
        )}
      </fieldset>
      <Field
        label="Folder on this computer"
        hint={`A full path${downloadDir ? `, such as ${downloadDir}` : ''}. Files already in it are kept; those that match are not downloaded again.`}
        type="text"
        required
        value={dir}
        onChange={(e) => setDir(e.target.value)}
        spellCheck={false}
      />
      <fieldset>
        <legend>Arrange the files</legend>
        {mirrorLayouts.map((l) => (
          <label className="choice" key={l}>
            <input type="radio" name={`${radios}-layout`} value={l} checked={layout === l} onChange={() => setLayout(l)} /> {layoutLabel(l)}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>When it runs</legend>
        <label className="choice">
          <input type="radio" name={`${radios}-schedule`} checked={!scheduled} onChange={() => setScheduled(false)} /> Only when I press Run now
        </label>
        <label className="choice">
          <input type="radio" name={`${radios}-schedule`} checked={scheduled} onChange={() => setScheduled(true)} /> On a schedule
        </label>
        {scheduled && (
          <label className="field">
            <span>Hours between runs</span>
            <input type="number" min={0.1} step="any" required value={hours} onChange={(e) => setHours(e.target.value)} />
          </label>
        )}
      </fieldset>
      <fieldset>
        <legend>Extras</legend>
        <label className="choice">
          <input type="checkbox" checked={sidecars} onChange={(e) => setSidecars(e.target.checked)} /> Write a JSON sidecar beside each file (its date taken and what the
          source knows of it)
        </label>
        <label className="choice">
          <input type="checkbox" checked={applyDeletions} onChange={(e) => setApplyDeletions(e.target.checked)} aria-describedby={deletionsHint} /> Move files deleted on
          the source to the trash
        </label>
        <small id={deletionsHint} className="muted">
          Otherwise a file deleted on the source stays here, and the run only reports it.
        </small>
      </fieldset>
      {editing && (
        <p className="muted small">
          The schedule, sidecars and deletions change in place, and the past runs stay. A new source, folder or layout makes it another mirror: saving adds one
          with these settings and removes this one. The files in {mirror.dir} stay on disk, and the next run takes up those that match instead of downloading them
          again; the list of past runs then starts over.
        </p>
      )}
      <ErrorText error={error} />
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !source}>
          {busy ? 'Saving…' : editing ? 'Save mirror' : 'Create mirror'}
        </button>
      </div>
    </form>
  );
}
