import { useEffect, useId, useRef, useState } from 'react';
import type { AddedSourceDto, ApiError, SourceDto, SourceKind } from '../../../preload/api';
import { sourceKinds } from '../../../preload/domain';
import { useBridge } from '../lib/bridge';
import { sourceKindLabel } from '../lib/labels';
import { saveSource, untrustedCertificate, type SourceInput } from '../lib/sources';
import { CertificatePrompt } from './CertificatePrompt';
import { ErrorText } from './ErrorText';
import { Field } from './Field';

const addressHelp: Record<SourceKind, string> = {
  immich: 'The address you open Immich at, or a shared link.',
  webdav: 'The address of the share, such as https://nas.example.org/remote.php/dav/files/ann/.',
  web: 'The address of a folder listing, such as https://example.org/photos/.',
  synapse: 'The Synapse server: https://repo-prod.prod.sagebase.org for synapse.org.',
};

/** Kinds that sign in with one secret (a key or token) rather than a user name and password. */
const keyed = (k: SourceKind): boolean => k === 'immich' || k === 'synapse';

/**
 * Adds a connection, or edits one (the person types the key or password again: Cartage never shows
 * a saved secret). A self-signed certificate is offered to trust, and the save retried with it.
 */
export function SourceForm({ source, onSaved, onCancel }: { source: SourceDto | null; onSaved: (r: AddedSourceDto) => void; onCancel: () => void }) {
  const bridge = useBridge();
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [kind, setKind] = useState<SourceKind>(source?.kind ?? 'immich');
  const [name, setName] = useState(source?.name ?? '');
  const [url, setUrl] = useState(source?.url ?? '');
  const [apiKey, setApiKey] = useState('');
  const [username, setUsername] = useState(source?.username ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => headingRef.current?.focus(), []);

  // A refusal belongs to a field: a refused key or password to that field, anything else to the address.
  const errorId = useId();
  const urlRef = useRef<HTMLInputElement>(null);
  const keyRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorField: 'url' | 'apiKey' | 'password' | null =
    !error || error.code === untrustedCertificate ? null : error.code === 'auth' ? (keyed(kind) ? 'apiKey' : 'password') : 'url';
  useEffect(() => {
    const field = errorField === 'url' ? urlRef : errorField === 'apiKey' ? keyRef : errorField === 'password' ? passwordRef : null;
    field?.current?.focus();
  }, [error, errorField]);

  const save = async (trustFingerprint?: string) => {
    const input: SourceInput = {
      kind,
      url: url.trim(),
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(keyed(kind) && apiKey ? { apiKey } : {}),
      ...(!keyed(kind) && username.trim() ? { username: username.trim(), password } : {}),
      ...(trustFingerprint ? { trustFingerprint } : {}),
    };
    setBusy(true);
    setError(null);
    const result = await saveSource(bridge, input, source);
    setBusy(false);
    if (result.ok) onSaved(result.value);
    else setError(result.error);
  };

  const editing = source !== null;
  return (
    <form
      className="pane source-form"
      aria-labelledby={headingId}
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void save();
      }}
    >
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        {editing ? `Edit ${source.name}` : 'Add a source'}
      </h2>
      <fieldset>
        <legend>Kind</legend>
        {sourceKinds.map((k) => (
          <label className="choice" key={k}>
            <input type="radio" name="source-kind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {sourceKindLabel(k)}
          </label>
        ))}
      </fieldset>
      <Field ref={urlRef} errorId={errorField === 'url' ? errorId : undefined} label="Address" hint={addressHelp[kind]} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} autoComplete="url" />
      {keyed(kind) ? (
        <Field
          ref={keyRef}
          errorId={errorField === 'apiKey' ? errorId : undefined}
          label={kind === 'synapse' ? 'Personal access token' : 'API key'}
          hint={`${kind === 'synapse' ? 'Create one on synapse.org under Account Settings, Personal Access Tokens, with View and Download.' : 'Create one in Immich under Account settings, API keys. Not needed for a shared link.'}${editing ? ' Leave it empty to keep the saved one.' : ''}`}
          type="password"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          autoComplete="off"
        />
      ) : (
        <>
          <label className="field">
            <span>User name{kind === 'web' ? ' (if the folder asks for one)' : ''}</span>
            <input type="text" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
          </label>
          <label className="field">
            <span>Password</span>
            <input
              ref={passwordRef}
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="current-password"
              aria-invalid={errorField === 'password' ? true : undefined}
              aria-describedby={errorField === 'password' ? errorId : undefined}
            />
          </label>
        </>
      )}
      <Field
        label="Name (optional)"
        hint="Letters, digits, '.', '_' or '-'; chosen from the address when empty. References use it, as in photos:albums."
        type="text"
        value={name}
        maxLength={64}
        onChange={(e) => setName(e.target.value)}
      />
      {editing && <p className="muted small">Saving connects again with these details; nothing changes unless that works. A key or password left empty is kept.</p>}
      {error?.code === untrustedCertificate ? (
        <CertificatePrompt error={error} busy={busy} onTrust={(fp) => void save(fp)} />
      ) : (
        <ErrorText error={error} id={errorId} />
      )}
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {/* aria-disabled, not disabled: a disabled button drops the focus to the page while it connects. */}
        <button type="submit" className="primary" aria-disabled={busy}>
          {busy ? 'Connecting…' : editing ? 'Save and reconnect' : 'Connect'}
        </button>
      </div>
    </form>
  );
}
