import { useEffect, useId, useState } from 'react';
import type { ApiError, SettingsDto } from '../../../preload/api';
import { connectionsPerFile } from '../../../preload/settings-limits';
import { BrowserConnect } from '../components/BrowserConnect';
import { ErrorText } from '../components/ErrorText';
import { Field } from '../components/Field';
import { conflictLabel } from '../lib/labels';
import { useApp } from '../state/AppState';

const policies: readonly SettingsDto['conflictPolicy'][] = ['rename', 'overwrite', 'skip'];
const themes: readonly { value: SettingsDto['theme']; label: string }[] = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Speeds are typed in MB/s (decimal, as shown everywhere) and stored in bytes a second. */
const megabyte = 1_000_000;

/** Where downloads go, how many at once, how fast, what to do with a name taken, the list's size, the tray and the theme. */
export function SettingsView() {
  const { settings: state, info, notify } = useApp();
  const headingId = useId();
  const [draft, setDraft] = useState<SettingsDto | null>(state.settings);
  const [speed, setSpeed] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  const reset = (saved: SettingsDto) => {
    setDraft(saved);
    setSpeed(String(saved.speedLimit / megabyte));
  };
  useEffect(() => {
    if (state.settings) reset(state.settings);
  }, [state.settings]);

  if (!draft) {
    return (
      <section className="pane" aria-labelledby={headingId}>
        <h2 id={headingId}>Settings</h2>
        {state.error ? <ErrorText error={`Cartage could not read its settings. ${state.error.message}`} /> : <p className="muted">Loading settings…</p>}
      </section>
    );
  }

  const set = <K extends keyof SettingsDto>(key: K, value: SettingsDto[K]) => setDraft({ ...draft, [key]: value });
  const num = (value: string) => (value === '' ? Number.NaN : Number(value));
  const shown = (n: number) => (Number.isFinite(n) ? n : '');
  const dirty = state.settings !== null && (JSON.stringify(draft) !== JSON.stringify(state.settings) || speed !== String(state.settings.speedLimit / megabyte));

  const save = async () => {
    const limit = Number(speed === '' ? '0' : speed);
    if (!Number.isFinite(limit) || limit < 0) {
      setError({ code: 'bad_input', message: 'The speed limit is a number of MB/s, or 0 for no limit.' });
      return;
    }
    const counts = [draft.maxConcurrent, draft.maxPerHost, draft.maxPerGroup, draft.connections, draft.cartLimit];
    if (!counts.every((n) => Number.isInteger(n) && n >= 1)) {
      setError({ code: 'bad_input', message: 'Fill in every limit with a whole number of 1 or more.' });
      return;
    }
    setSaving(true);
    setError(null);
    const result = await state.update({ ...draft, speedLimit: Math.round(limit * megabyte) });
    setSaving(false);
    if (result.ok) notify({ tone: 'info', text: 'Settings saved.' });
    else setError(result.error);
  };

  return (
    <form
      className="pane settings"
      aria-labelledby={headingId}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id={headingId}>Settings</h2>
      <fieldset>
        <legend>Downloads</legend>
        <label className="field">
          <span>Download folder</span>
          <input type="text" required value={draft.downloadDir} onChange={(e) => set('downloadDir', e.target.value)} spellCheck={false} />
        </label>
        <label className="field">
          <span>When a file of that name is already there</span>
          <select value={draft.conflictPolicy} onChange={(e) => set('conflictPolicy', e.target.value as SettingsDto['conflictPolicy'])}>
            {policies.map((p) => (
              <option key={p} value={p}>
                {conflictLabel(p)}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>Limits</legend>
        <label className="field">
          <span>Downloads at once</span>
          <input type="number" min={1} max={64} required value={shown(draft.maxConcurrent)} onChange={(e) => set('maxConcurrent', num(e.target.value))} />
        </label>
        <label className="field">
          <span>At once from one server</span>
          <input type="number" min={1} max={64} required value={shown(draft.maxPerHost)} onChange={(e) => set('maxPerHost', num(e.target.value))} />
        </label>
        <label className="field">
          <span>At once of one kind (photos, videos, …)</span>
          <input type="number" min={1} max={64} required value={shown(draft.maxPerGroup)} onChange={(e) => set('maxPerGroup', num(e.target.value))} />
        </label>
        <Field
          label="Connections for one large file"
          hint="Files of 16 MiB or more, from servers that allow it; 1 fetches each file over one. They count as downloads from that server."
          type="number"
          min={connectionsPerFile.min}
          max={connectionsPerFile.max}
          required
          value={shown(draft.connections)}
          onChange={(e) => set('connections', num(e.target.value))}
        />
        <label className="field">
          <span>Speed limit (MB/s, 0 for none)</span>
          <input type="number" min={0} step="any" value={speed} onChange={(e) => setSpeed(e.target.value)} />
        </label>
        <label className="field">
          <span>Most files in the download list</span>
          <input type="number" min={1} max={10000} required value={shown(draft.cartLimit)} onChange={(e) => set('cartLimit', num(e.target.value))} />
        </label>
      </fieldset>
      <fieldset>
        <legend>Window</legend>
        <label className="choice">
          <input type="checkbox" checked={draft.keepRunningInTray} onChange={(e) => set('keepRunningInTray', e.target.checked)} /> Keep downloading in the tray when the window is closed
        </label>
        <label className="choice">
          <input type="checkbox" checked={draft.imagePreviews} onChange={(e) => set('imagePreviews', e.target.checked)} /> Show previews of images on web folders and WebDAV shares
          (each image shown is downloaded; Immich always shows its own)
        </label>
      </fieldset>
      <fieldset>
        <legend>Synapse</legend>
        <label className="choice">
          <input type="checkbox" checked={draft.synapseRemoveDelivered} onChange={(e) => set('synapseRemoveDelivered', e.target.checked)} /> Take the files Cartage delivered
          off my download list on Synapse (once each is downloaded and its MD5 checked)
        </label>
      </fieldset>
      <fieldset>
        <legend>Theme</legend>
        {themes.map((t) => (
          <label className="choice" key={t.value}>
            <input type="radio" name="theme" value={t.value} checked={draft.theme === t.value} onChange={() => set('theme', t.value)} /> {t.label}
          </label>
        ))}
      </fieldset>
      <BrowserConnect />
      <ErrorText error={error} />
      <div className="form-actions">
        <button type="button" disabled={saving || !dirty} onClick={() => state.settings && reset(state.settings)}>
          Undo changes
        </button>
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
      </div>
      {info && (
        <p className="muted small about">
          Cartage {info.version} · its queue, list and logs are in <code className="path">{info.dataDir}</code>
        </p>
      )}
    </form>
  );
}
