import { CartPane } from '../components/CartPane';
import { CheckoutPanel } from '../components/CheckoutPanel';
import { useApp } from '../state/AppState';

/** The download list, and checkout beside it once "Download…" is pressed. */
export function CartView() {
  const { route, navigate, notify, cart } = useApp();
  const checkout = route.view === 'cart' && route.checkout === true;
  return (
    <div className={`view-cart${checkout ? ' with-checkout' : ''}`}>
      <CartPane onDownload={() => navigate({ view: 'cart', checkout: true })} />
      {checkout && (
        <CheckoutPanel
          onClose={() => navigate({ view: 'cart' })}
          onStarted={(name) => {
            notify({ tone: 'info', text: `Download started: ${name}.` });
            void cart.reload();
            navigate({ view: 'downloads' });
          }}
        />
      )}
    </div>
  );
}
