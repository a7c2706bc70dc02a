import { forwardRef, useId, type InputHTMLAttributes, type ReactNode } from 'react';

/**
 * A labelled input with an optional hint, read after the label (aria-describedby), not as part of
 * it; `errorId` names the error that belongs to it, which marks it invalid and is read with it.
 */
export const Field = forwardRef<HTMLInputElement, { label: ReactNode; hint?: ReactNode; errorId?: string } & InputHTMLAttributes<HTMLInputElement>>(function Field(
  { label, hint, errorId, ...input },
  ref,
) {
  const hintId = useId();
  const describedBy = [errorId, hint ? hintId : undefined].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label>
        <span>{label}</span>
        <input {...input} ref={ref} aria-invalid={errorId ? true : undefined} aria-describedby={describedBy || undefined} />
      </label>
      {hint && (
        <small id={hintId} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
});
