import { views } from '../state/route';
import { useApp } from '../state/AppState';

/** The views, as real buttons; the current one is marked for screen readers too. */
export function Nav() {
  const { route, navigate, cart, notify } = useApp();
  const files = cart.cart?.totals.files ?? 0;
  return (
    <nav aria-label="Views" className="nav">
      <ul>
        {views.map(({ view, label }) => (
          <li key={view}>
            <button
              type="button"
              aria-current={route.view === view ? 'page' : undefined}
              onClick={() => {
                // A notice belongs to the view it was given in: switching views clears it.
                if (route.view !== view) notify(null);
                navigate({ view });
              }}
            >
              <span>{label}</span>
              {view === 'cart' && files > 0 && (
                <span className="count">
                  {files}
                  <span className="visually-hidden">{files === 1 ? ' file' : ' files'}</span>
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
