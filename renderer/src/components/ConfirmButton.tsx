import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A button for something that cannot be undone: the first press asks, in words, and offers the
 * action and a way back; nothing happens until the second press.
 */
export function ConfirmButton({
  children,
  question,
  confirmLabel,
  keepLabel = 'Keep',
  onConfirm,
  disabled,
  className,
  ariaLabel,
}: {
  children: ReactNode;
  question: string;
  confirmLabel: string;
  keepLabel?: string;
  onConfirm: () => void | Promise<void>;
  disabled?: boolean;
  className?: string;
  /** The first button's name when its text alone is ambiguous ("Remove" → "Remove photos"). */
  ariaLabel?: string;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) openRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button ref={openRef} type="button" className={className} disabled={disabled} aria-label={ariaLabel} onClick={() => setAsking(true)}>
        {children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        ref={confirmRef}
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          void onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {keepLabel}
      </button>
    </span>
  );
}
