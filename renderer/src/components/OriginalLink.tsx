import type { MouseEvent, ReactNode } from 'react';
import { ask, useBridge } from '../lib/bridge';
import { useApp } from '../state/AppState';

/**
 * A link to a file's original. A plain click asks the app to open it (the window itself opens
 * nothing); a modified click or "copy link" work as on any link.
 */
export function OriginalLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  const bridge = useBridge();
  const { notify } = useApp();
  const open = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    void ask(() => bridge.links.open({ url: href })).then((r) => {
      if (!r.ok) notify({ tone: 'error', text: r.error.message, error: r.error });
    });
  };
  return (
    <a href={href} target="_blank" rel="noreferrer" className={className} onClick={open}>
      {children}
    </a>
  );
}
