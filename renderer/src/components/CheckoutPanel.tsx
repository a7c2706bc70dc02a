import { useEffect, useId, useRef, useState } from 'react';
import type { ApiError, CheckoutPlanDto, DeliveryKind, RequestInput } from '../../../preload/api';
// The contract's own list (domain.ts has no imports, so the window may bundle it).
import { layouts } from '../../../preload/domain';
import { ask, useBridge } from '../lib/bridge';
import { formatBytes, formatSummary, plural } from '../lib/format';
import { layoutLabel, type Layout } from '../lib/labels';
import { useApp } from '../state/AppState';
import { ErrorText } from './ErrorText';

/**
 * Checkout: name the zip or folder, choose files or zip and a layout, see what goes, how big it
 * is and the space free (from `checkout.plan`), then start or cancel. Refusals show as written.
 */
export function CheckoutPanel({ onClose, onStarted }: { onClose: () => void; onStarted: (name: string) => void }) {
  const bridge = useBridge();
  const { settings } = useApp();
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [kind, setKind] = useState<DeliveryKind>('zip');
  const [name, setName] = useState('');
  const [layout, setLayout] = useState<Layout>('flat');
  const [dir, setDir] = useState(settings.settings?.downloadDir ?? '');
  const [plan, setPlan] = useState<CheckoutPlanDto | null>(null);
  const [planError, setPlanError] = useState<ApiError | null>(null);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);
  const asked = useRef(0);
  // A field's error shows once the person typed in it or pressed Start, never on a form just opened.
  const [shown, setShown] = useState({ name: false, dir: false });
  const nameRef = useRef<HTMLInputElement>(null);
  const dirRef = useRef<HTMLInputElement>(null);
  const nameErrorId = useId();
  const nameHintId = useId();
  const dirErrorId = useId();
  const nameMissing = kind === 'zip' && !name.trim();
  const dirMissing = !dir.trim();

  useEffect(() => headingRef.current?.focus(), []);
  useEffect(() => {
    if (!dir && settings.settings?.downloadDir) setDir(settings.settings.downloadDir);
  }, [dir, settings.settings?.downloadDir]);

  const input: RequestInput<'checkout.plan'> = { kind, dir: dir.trim(), layout, ...(name.trim() ? { name: name.trim() } : {}) };
  const inputKey = JSON.stringify(input);

  // Ask for a plan whenever a choice changes; an answer to an older question is dropped.
  useEffect(() => {
    const request = JSON.parse(inputKey) as RequestInput<'checkout.plan'>;
    // Without a folder, or a zip without a name, there is nothing to plan yet: the fields say what is missing.
    if (!request.dir || (request.kind === 'zip' && !request.name)) {
      asked.current += 1;
      setPlan(null);
      setPlanError(null);
      return;
    }
    const mine = ++asked.current;
    void ask(() => bridge.checkout.plan(request)).then((result) => {
      if (mine !== asked.current) return;
      if (result.ok) {
        setPlan(result.value);
        setPlanError(null);
      } else {
        setPlan(null);
        setPlanError(result.error);
      }
    });
  }, [bridge, inputKey]);

  const start = async () => {
    if (nameMissing || dirMissing) {
      setShown({ name: nameMissing || shown.name, dir: dirMissing || shown.dir });
      (nameMissing ? nameRef : dirRef).current?.focus();
      return;
    }
    setStarting(true);
    setStartError(null);
    const result = await ask(() => bridge.checkout.start(input));
    setStarting(false);
    if (result.ok) onStarted(result.value.plan.name);
    else setStartError(result.error);
  };

  const tooBig = plan !== null && plan.neededBytes > plan.freeBytes;
  const nameError = nameMissing && shown.name ? 'Name the zip (for example "Holidays 2024").' : null;
  const dirError = dirMissing && shown.dir ? 'Choose the folder to save in.' : null;

  return (
    <form
      className="pane checkout"
      aria-labelledby={headingId}
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        Download
      </h2>
      <fieldset>
        <legend>Save as</legend>
        <label className="choice">
          <input type="radio" name="kind" value="zip" checked={kind === 'zip'} onChange={() => setKind('zip')} /> One zip file
        </label>
        <label className="choice">
          <input type="radio" name="kind" value="files" checked={kind === 'files'} onChange={() => setKind('files')} /> Files in a folder
        </label>
      </fieldset>
      <label className="field">
        <span>{kind === 'zip' ? 'Name of the zip file' : 'Name of the folder'}</span>
        <input
          ref={nameRef}
          type="text"
          value={name}
          maxLength={255}
          placeholder={kind === 'zip' ? (plan?.name ?? '') : ''}
          onChange={(e) => {
            setName(e.target.value);
            setShown((f) => ({ ...f, name: true }));
          }}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? nameErrorId : kind === 'files' ? nameHintId : undefined}
        />
      </label>
      {kind === 'files' && (
        <small id={nameHintId} className="muted">
          A folder of this name is made in the folder below, and the files go in it; left empty, they go straight into the folder below.
        </small>
      )}
      {nameError && <FieldError id={nameErrorId} text={nameError} />}
      <label className="field">
        <span>Save in</span>
        <input
          ref={dirRef}
          type="text"
          value={dir}
          onChange={(e) => {
            setDir(e.target.value);
            setShown((f) => ({ ...f, dir: true }));
          }}
          spellCheck={false}
          aria-invalid={dirError ? true : undefined}
          aria-describedby={dirError ? dirErrorId : undefined}
        />
      </label>
      {dirError && <FieldError id={dirErrorId} text={dirError} />}
      <label className="field">
        <span>Layout</span>
        <select value={layout} onChange={(e) => setLayout(e.target.value as Layout)}>
          {layouts.map((l) => (
            <option key={l} value={l}>
              {layoutLabel(l)}
            </option>
          ))}
        </select>
      </label>

      <div className="plan" aria-live="polite">
        {plan && (
          <>
            <p className="plan-summary">
              <strong>{formatSummary(plan.files, plan.bytes, plan.unknownSizes)}</strong>
              {plan.target && <span className="muted"> {plan.kind === 'zip' ? 'to' : 'into'} {plan.target}</span>}
            </p>
            <p className={tooBig ? 'warn' : 'muted'}>
              {formatBytes(plan.freeBytes)} free{plan.neededBytes > 0 ? `, ${formatBytes(plan.neededBytes)} needed${plan.kind === 'zip' ? ' (the files, and the zip until it is complete)' : ''}` : ''}
            </p>
            {plan.staying.length > 0 && (
              <details>
                <summary>{plural(plan.staying.length, 'file')} will stay in the list</summary>
                <ul className="staying">
                  {plan.staying.map((s) => (
                    <li key={s.id}>
                      {s.name}: {s.reason}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
      </div>
      <ErrorText error={planError} />
      {!nameError && !dirError && (nameMissing || dirMissing) && (
        <p className="note">{nameMissing ? 'Name the zip to see what goes into it and the room it needs.' : 'Choose the folder to save in.'}</p>
      )}
      <ErrorText error={startError} />
      <div className="form-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        {/* With a field missing it stays on: pressing it shows what is missing and goes there. */}
        <button type="submit" className="primary" disabled={starting || (plan === null && !nameMissing && !dirMissing) || plan?.files === 0}>
          {starting ? 'Starting…' : 'Start download'}
        </button>
      </div>
    </form>
  );
}

/** An error that belongs to one field: the field points at it (aria-describedby), and it is announced as it appears. */
function FieldError({ id, text }: { id: string; text: string }) {
  return (
    <p id={id} className="error-text field-error" role="alert">
      {text}
    </p>
  );
}
