import type { ReactNode } from 'react';

export type BadgeTone = 'ok' | 'warn' | 'error' | 'neutral';

/** A short label beside an entry: its state or what stops it. */
export function Badge({ tone = 'neutral', children, title }: { tone?: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}
