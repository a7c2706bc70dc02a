import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

/** A labelled input with an optional hint, read after the label (aria-describedby), not as part of it. */
export function Field({ label, hint, ...input }: { label: ReactNode; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const hintId = useId();
  return (
    <div className="field">
      <label>
        <span>{label}</span>
        <input {...input} aria-describedby={hint ? hintId : undefined} />
      </label>
      {hint && (
        <small id={hintId} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
}
