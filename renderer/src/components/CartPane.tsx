import { useId, useRef } from 'react';
import type { CartDto, CartItemDto } from '../../../preload/api';
import { formatSummary, plural } from '../lib/format';
import { useDropRefs } from '../hooks/useDropRefs';
import { useApp } from '../state/AppState';
import { CartItemRow } from './CartItemRow';
import { ConfirmButton } from './ConfirmButton';
import { ErrorText } from './ErrorText';
import { SynapseImport } from './SynapseImport';
import { VirtualList } from './VirtualList';

/** "12 files, 340 MB, 2 cannot be downloaded". */
export function cartTotalsText(cart: CartDto): string {
  const { files, bytes, unknownSizes, restricted } = cart.totals;
  const summary = formatSummary(files, bytes, unknownSizes);
  return restricted > 0 ? `${summary}, ${restricted} cannot be downloaded` : summary;
}

/**
 * The download list: every entry (no pages), its totals and limit, clear and download; and the
 * place to drop files from the browse pane, links, or text files of links.
 */
export function CartPane({ onDownload, compact = false }: { onDownload: () => void; compact?: boolean }) {
  const headingId = useId();
  const { cart: cartState, addToCart, notify } = useApp();
  const { cart, error, reload, remove, clear } = cartState;
  const locked = cart?.locked ?? false;
  const drop = useDropRefs((refs) => void addToCart(refs), !locked);
  const downloadRef = useRef<HTMLButtonElement>(null);

  const removeItem = async (item: CartItemDto) => {
    const result = await remove([item.id]);
    if (result.ok) notify({ tone: 'info', text: `Removed ${item.name} from the list.` });
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };
  const clearAll = async () => {
    const result = await clear();
    if (result.ok) notify({ tone: 'info', text: 'The download list is empty now.' });
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };

  return (
    <section className={`pane cart${compact ? ' compact' : ''}${drop.dropping ? ' dropping' : ''}`} aria-labelledby={headingId} {...drop.handlers}>
      <header className="pane-header">
        <h2 id={headingId}>Download list</h2>
        {cart && (
          <p className="cart-totals">
            <span>{cartTotalsText(cart)}</span>
            <span className="limit" title="Files in the list, and the most it holds">
              {cart.totals.files} / {cart.limit}
            </span>
          </p>
        )}
      </header>
      {error && !cart && (
        <ErrorText error={`Cartage could not read your download list. ${error.message}`}>
          <button type="button" onClick={() => void reload()}>
            Try again
          </button>
        </ErrorText>
      )}
      {locked && (
        <p className="note" role="status">
          The list is locked while a download is being set up; it opens again in a moment.
        </p>
      )}
      {cart && cart.items.length === 0 && <p className="empty">Your download list is empty. Browse a source and add files, or drop links here.</p>}
      <SynapseImport disabled={locked} />
      {cart && cart.items.length > 0 && (
        // Shown when focused: a keyboard reaches Download… without tabbing through every entry.
        <button type="button" className="skip-link" onClick={() => downloadRef.current?.focus()}>
          Skip the list, to Download…
        </button>
      )}
      {cart && cart.items.length > 0 && (
        <VirtualList
          items={cart.items}
          getKey={(item) => item.id}
          label="Files in the download list"
          renderItem={(item) => <CartItemRow item={item} locked={locked} onRemove={(i) => void removeItem(i)} />}
        />
      )}
      {cart && cart.items.length > 0 && (
        <footer className="pane-footer">
          <ConfirmButton
            question={`Remove all ${plural(cart.items.length, 'file')} from the list?`}
            confirmLabel="Clear the list"
            keepLabel="Keep them"
            disabled={locked}
            onConfirm={clearAll}
          >
            Clear list
          </ConfirmButton>
          <button ref={downloadRef} type="button" className="primary" disabled={locked || cart.totals.deliverable === 0} onClick={onDownload}>
            Download…
          </button>
        </footer>
      )}
      {drop.dropping && (
        <div className="drop-hint" aria-hidden="true">
          Drop to add to your download list
        </div>
      )}
    </section>
  );
}
