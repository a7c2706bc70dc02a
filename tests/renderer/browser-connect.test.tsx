// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { BrowserHostDto } from '../../preload/api.js';
import { ok, refused } from './fakeBridge.js';
import { renderApp } from './render.js';

const hosts = (connected: Partial<Record<BrowserHostDto['browser'], boolean>> = {}): BrowserHostDto[] =>
  (
    [
      ['chromium', 'Chromium'],
      ['chrome', 'Google Chrome'],
      ['firefox', 'Firefox'],
    ] as const
  ).map(([browser, name]) => ({ browser, name, connected: connected[browser] ?? false, manifest: connected[browser] ? `/home/ann/${browser}.json` : null }));

describe("the Settings' browser extension section", () => {
  it('shows which browsers can reach Cartage, and connects or disconnects one at once, from the keyboard', async () => {
    const { fake } = await renderApp(
      {
        'browser.status': () => ok(hosts({ firefox: true })),
        'browser.connect': ({ browser, connected }) => ok(hosts({ firefox: true, [browser]: connected })),
      },
      { view: 'settings' },
    );
    const section = within(await screen.findByRole('group', { name: 'Browser extension' }));
    expect((await section.findAllByRole('listitem')).map((li) => li.textContent)).toEqual([
      'Chromium: not connected Connect Chromium',
      'Google Chrome: not connected Connect Google Chrome',
      'Firefox: connected Disconnect Firefox',
    ]);
    section.getByRole('button', { name: 'Connect Chromium' }).focus();
    await userEvent.keyboard('{Enter}');
    expect(fake.calls('browser.connect')).toEqual([{ browser: 'chromium', connected: true }]);
    expect(await section.findByRole('button', { name: 'Disconnect Chromium' })).toBeTruthy();
    // Not a setting to save: the form's Save sent nothing.
    expect(fake.calls('settings.update')).toEqual([]);
  });

  it('shows a refusal as written, and nothing changes', async () => {
    const { fake } = await renderApp(
      {
        'browser.status': () => ok(hosts()),
        'browser.connect': () => refused('unsupported', 'Connect the browser from a terminal: cartage browser install --firefox'),
      },
      { view: 'settings' },
    );
    const section = within(await screen.findByRole('group', { name: 'Browser extension' }));
    await userEvent.click(await section.findByRole('button', { name: 'Connect Firefox' }));
    expect((await section.findByRole('alert')).textContent).toBe('Connect the browser from a terminal: cartage browser install --firefox');
    expect(section.getByRole('button', { name: 'Connect Firefox' })).toBeTruthy();
    expect(fake.calls('browser.connect')).toEqual([{ browser: 'firefox', connected: true }]);
  });
});
