import { useEffect, useRef, type ReactNode } from 'react';
import type { CartageBridge } from '../../preload/api';
import { Nav } from './components/Nav';
import { NoticeBar } from './components/NoticeBar';
import { QueuePausedBanner } from './components/QueuePausedBanner';
import { BridgeContext } from './lib/bridge';
import { AppStateProvider, useApp } from './state/AppState';
import type { Route, View } from './state/route';
import { BrowseView } from './views/BrowseView';
import { CartView } from './views/CartView';
import { DownloadsView } from './views/DownloadsView';
import { MirrorsView } from './views/MirrorsView';
import { SettingsView } from './views/SettingsView';
import { SourcesView } from './views/SourcesView';

/** The whole window over one bridge (the preload's, the serve page's, or a test's). */
export function App({ bridge, initialRoute }: { bridge: CartageBridge; initialRoute?: Route }) {
  return (
    <BridgeContext.Provider value={bridge}>
      <AppStateProvider initialRoute={initialRoute}>
        <Shell />
      </AppStateProvider>
    </BridgeContext.Provider>
  );
}

/**
 * Every view stays mounted (hidden when not shown), so a folder being browsed, a checkout being
 * filled in and the downloads' live state survive moving between views.
 */
function Shell() {
  const { route } = useApp();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // Moving to another view puts the keyboard at the top of it.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector<HTMLElement>(`[data-view="${route.view}"] h2`);
    if (!heading) return;
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus();
  }, [route.view]);

  const view = (name: View, content: ReactNode) => (
    <div className="view" data-view={name} hidden={route.view !== name}>
      {content}
    </div>
  );

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <p className="brand">Cartage</p>
        <Nav />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <QueuePausedBanner />
        <NoticeBar />
        {view('browse', <BrowseView />)}
        {view('cart', <CartView />)}
        {view('downloads', <DownloadsView />)}
        {view('mirrors', <MirrorsView />)}
        {view('sources', <SourcesView />)}
        {view('settings', <SettingsView />)}
      </main>
    </div>
  );
}
