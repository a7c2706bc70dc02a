import type { CartItemDto } from '../../../preload/api';
import { ask, useBridge } from '../lib/bridge';
import { formatBytes } from '../lib/format';
import { accessAction, restrictionLabel } from '../lib/labels';
import { useApp } from '../state/AppState';
import { Badge } from './Badge';
import { OriginalLink } from './OriginalLink';

/** One entry of the download list: its name (a link to the original), size, badges and actions. */
export function CartItemRow({ item, locked, onRemove }: { item: CartItemDto; locked: boolean; onRemove: (item: CartItemDto) => void }) {
  const bridge = useBridge();
  const { sources, navigate, notify } = useApp();
  const action = accessAction(item);
  const where = [item.sourceName, item.folder].filter(Boolean).join(' · ');

  const requestAccess = () => {
    if (!action) return;
    if (action.kind === 'sign-in') {
      const source = sources.sources?.find((s) => s.name === action.sourceName);
      if (source) navigate({ view: 'sources', edit: source.id });
      else notify({ tone: 'error', text: `The source "${action.sourceName}" is no longer there; add it again to sign in.` });
      return;
    }
    void ask(() => bridge.links.open({ url: item.href })).then((r) => {
      if (!r.ok) notify({ tone: 'error', text: r.error.message, error: r.error });
    });
  };

  return (
    <div className={`cart-item${item.access.downloadable ? '' : ' restricted'}`}>
      <div className="cart-item-main">
        <OriginalLink href={item.href} className="item-name">
          {item.name}
        </OriginalLink>
        {where && <span className="muted small">{where}</span>}
        {!item.access.downloadable && item.access.reason && <p className="reason small">{item.access.reason}</p>}
      </div>
      <span className="size">{formatBytes(item.size)}</span>
      <span className="badges">
        {item.access.downloadable ? (
          <Badge tone="ok">Ready</Badge>
        ) : (
          <Badge tone="warn" title={item.access.reason ?? undefined}>
            {restrictionLabel(item.access.restriction)}
          </Badge>
        )}
        {item.motion && <Badge>Live photo</Badge>}
      </span>
      <span className="actions">
        {action && (
          <button type="button" onClick={requestAccess} aria-label={`${action.kind === 'sign-in' ? 'Sign in' : action.label} for ${item.name}`}>
            {action.kind === 'sign-in' ? 'Sign in' : action.label}
          </button>
        )}
        <button type="button" disabled={locked} onClick={() => onRemove(item)} aria-label={`Remove ${item.name}`}>
          Remove
        </button>
      </span>
    </div>
  );
}
