import { useEffect, useId, useRef, useState } from 'react';
import type { ApiError, CheckoutPlanDto, RequestInput } from '../../../preload/api';
import { layouts } from '../lib/layouts';
import { ask, useBridge } from '../lib/bridge';
import { formatBytes, formatSummary, plural } from '../lib/format';
import { layoutLabel, type Layout } from '../lib/labels';
import { useApp } from '../state/AppState';
import { ErrorText } from './ErrorText';

type Kind = 'files' | 'zip';

/**
 * Checkout: name the zip or folder, choose files or zip and a layout, see what goes, how big it
 * is and the space free (from `checkout.plan`), then start or cancel. Refusals show as written.
 */
export function CheckoutPanel({ onClose, onStarted }: { onClose: () => void; onStarted: (name: string) => void }) {
  const bridge = useBridge();
  const { settings } = useApp();
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [kind, setKind] = useState<Kind>('zip');
  const [name, setName] = useState('');
  const [layout, setLayout] = useState<Layout>('flat');
  const [dir, setDir] = useState(settings.settings?.downloadDir ?? '');
  const [plan, setPlan] = useState<CheckoutPlanDto | null>(null);
  const [planError, setPlanError] = useState<ApiError | null>(null);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);
  const asked = useRef(0);

  useEffect(() => headingRef.current?.focus(), []);
  useEffect(() => {
    if (!dir && settings.settings?.downloadDir) setDir(settings.settings.downloadDir);
  }, [dir, settings.settings?.downloadDir]);

  const input: RequestInput<'checkout.plan'> = { kind, dir: dir.trim(), layout, ...(name.trim() ? { name: name.trim() } : {}) };
  const inputKey = JSON.stringify(input);

  // Ask for a plan whenever a choice changes; an answer to an older question is dropped.
  useEffect(() => {
    const request = JSON.parse(inputKey) as RequestInput<'checkout.plan'>;
    if (!request.dir) {
      setPlan(null);
      setPlanError({ code: 'no_folder', message: 'Choose the folder to save in.' });
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
    setStarting(true);
    setStartError(null);
    const result = await ask(() => bridge.checkout.start(input));
    setStarting(false);
    if (result.ok) onStarted(result.value.plan.name);
    else setStartError(result.error);
  };

  const tooBig = plan !== null && plan.neededBytes > plan.freeBytes;

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
        <input type="text" value={name} maxLength={255} placeholder={plan?.name ?? ''} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span>Save in</span>
        <input type="text" value={dir} onChange={(e) => setDir(e.target.value)} spellCheck={false} />
      </label>
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
              {plan.target && <span className="muted"> to {plan.target}</span>}
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
      <ErrorText error={planError?.code === 'no_folder' ? null : planError} />
      {planError?.code === 'no_folder' && <p className="note">{planError.message}</p>}
      <ErrorText error={startError} />
      <div className="form-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={starting || plan === null || plan.files === 0}>
          {starting ? 'Starting…' : 'Start download'}
        </button>
      </div>
    </form>
  );
}
