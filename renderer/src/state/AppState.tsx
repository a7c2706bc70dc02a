// What every view shares: the download list, the sources, the settings, where the window is, and
// the one line of news at the top. The first loads decide when the page is ready (data-ready).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AppInfoDto, ApiError } from '../../../preload/api';
import { ask, useBridge } from '../lib/bridge';
import { useCart, type CartState } from '../hooks/useCart';
import { useSettings, type SettingsState } from '../hooks/useSettings';
import { useSources, type SourcesState } from '../hooks/useSources';
import { useTheme } from '../hooks/useTheme';
import type { Route } from './route';

/** A sentence for the person: news (shown politely) or a problem (announced at once). */
export type Notice = { tone: 'info'; text: string } | { tone: 'error'; text: string; error?: ApiError };

export interface AppState {
  cart: CartState;
  sources: SourcesState;
  settings: SettingsState;
  info: AppInfoDto | null;
  route: Route;
  navigate: (route: Route) => void;
  notice: Notice | null;
  notify: (notice: Notice | null) => void;
  /** Adds references to the download list and says what happened. */
  addToCart: (refs: string[]) => Promise<boolean>;
}

const AppContext = createContext<AppState | null>(null);

/** The shared state; views read it with useApp(). */
export function useApp(): AppState {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp() needs an <AppStateProvider> above it.');
  return app;
}

export function AppStateProvider({ children, initialRoute }: { children: ReactNode; initialRoute?: Route }) {
  const bridge = useBridge();
  const cart = useCart();
  const sources = useSources();
  const settings = useSettings();
  const [info, setInfo] = useState<AppInfoDto | null>(null);
  const [route, setRoute] = useState<Route>(initialRoute ?? { view: 'browse' });
  const [notice, setNotice] = useState<Notice | null>(null);
  useTheme(settings.settings?.theme);

  useEffect(() => {
    void ask(() => bridge.app.info()).then((r) => r.ok && setInfo(r.value));
  }, [bridge]);

  // End-to-end tests wait for this marker before they start.
  const ready = cart.settled && sources.settled && settings.settled;
  useEffect(() => {
    if (ready) document.body.dataset.ready = 'true';
  }, [ready]);

  const { add } = cart;
  const addToCart = useCallback(
    async (refs: string[]) => {
      if (refs.length === 0) {
        setNotice({ tone: 'error', text: 'Nothing to add: no web address or file was found in what was dropped.' });
        return false;
      }
      const result = await add(refs);
      if (result.ok) setNotice({ tone: 'info', text: result.value.message });
      else setNotice({ tone: 'error', text: result.error.message, error: result.error });
      return result.ok;
    },
    [add],
  );

  const value = useMemo<AppState>(
    () => ({
      cart,
      sources,
      settings,
      info,
      route,
      navigate: setRoute,
      notice,
      notify: setNotice,
      addToCart,
    }),
    [cart, sources, settings, info, route, notice, addToCart],
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}
