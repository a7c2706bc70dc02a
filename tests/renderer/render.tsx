// Renders the whole window over a fake bridge and waits for it to be ready, as the end-to-end tests do.
import { cleanup, configure, render, waitFor, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach } from 'vitest';
import { App } from '../../renderer/src/App';
import type { Route } from '../../renderer/src/state/route';
import { fakeBridge, type FakeBridge, type Handlers } from './fakeBridge.js';
import { baseHandlers } from './fixtures.js';

// A role query over the whole window (every view stays mounted) takes up to 400 ms on a busy
// machine: a wait gives up after 5 s, not 1 s. Passing tests are no slower.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  delete document.body.dataset.ready;
  delete document.documentElement.dataset.theme;
});

export interface Rendered extends RenderResult {
  fake: FakeBridge;
}

/** The app over a fake bridge answering `over` (and empty first loads), once data-ready is set. */
export async function renderApp(over: Handlers = {}, initialRoute?: Route, wrap?: (app: ReactElement) => ReactElement): Promise<Rendered> {
  const fake = fakeBridge(baseHandlers(over));
  const app = <App bridge={fake.bridge} initialRoute={initialRoute} />;
  const result = render(wrap ? wrap(app) : app);
  await waitFor(() => {
    if (document.body.dataset.ready !== 'true') throw new Error('the window is not ready yet');
  });
  return { ...result, fake };
}
