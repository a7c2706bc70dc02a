// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SettingsDto } from '../../preload/api.js';
import { ok, refused } from './fakeBridge.js';
import { settings } from './fixtures.js';
import { renderApp } from './render.js';

describe('settings', () => {
  it('saves limits, the speed limit in MB/s, the tray and the theme, and applies the theme', async () => {
    const { fake } = await renderApp({ 'settings.update': (change) => ok({ ...settings, ...change } as SettingsDto) }, { view: 'settings' });
    const form = within(await screen.findByRole('form', { name: 'Settings' }));
    const perHost = form.getByRole('spinbutton', { name: 'At once from one server' });
    await userEvent.clear(perHost);
    await userEvent.type(perHost, '2');
    const connections = form.getByRole('spinbutton', { name: 'Connections for one large file' });
    await userEvent.clear(connections);
    await userEvent.type(connections, '8');
    const speed = form.getByRole('spinbutton', { name: 'Speed limit (MB/s, 0 for none)' });
    await userEvent.clear(speed);
    await userEvent.type(speed, '1.5');
    await userEvent.click(form.getByRole('checkbox', { name: /Keep downloading in the tray/ }));
    await userEvent.click(form.getByRole('radio', { name: 'Dark' }));
    await userEvent.click(form.getByRole('button', { name: 'Save settings' }));
    expect(fake.calls('settings.update')).toEqual([{ ...settings, maxPerHost: 2, connections: 8, speedLimit: 1_500_000, keepRunningInTray: false, theme: 'dark' }]);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
  });

  it('shows a refusal as written', async () => {
    await renderApp({ 'settings.update': () => refused('bad_input', 'The folder /nope cannot be written.') }, { view: 'settings' });
    const form = within(await screen.findByRole('form', { name: 'Settings' }));
    await userEvent.click(form.getByRole('button', { name: 'Save settings' }));
    expect((await form.findByRole('alert')).textContent).toBe('The folder /nope cannot be written.');
  });
});
