// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Handlers } from './fakeBridge.js';
import { ok } from './fakeBridge.js';
import { cartOf, delivery, file, item, listing, mirror, mirrorRun, nas, photos, settings, task, totals } from './fixtures.js';
import { renderApp } from './render.js';

/** Every view with something in it: entries with restrictions, tasks in each state, a finished delivery with a failure, mirrors with a report and a run under way. */
const busy: Handlers = {
  'cart.get': () => ok(cartOf([item(1), item(2, { access: { downloadable: false, restriction: 'web_page', reason: 'This is a web page.' } })])),
  'sources.list': () => ok([photos, { ...nas, certificate: 'AB:CD' }]),
  'sources.browse': (input) => ok(listing(input.sourceId, input.path, [{ path: 'albums', name: 'Albums', modified: null, count: 2 }], [file('a.jpg', '')])),
  'tasks.list': () =>
    ok({
      tasks: [task(1), task(2, { state: 'paused' }), task(3, { state: 'failed' }), task(4, { state: 'completed' }), task(5, { state: 'queued', total: null })],
      totals: totals(),
    }),
  'deliveries.list': () =>
    ok([delivery(1), delivery(2, { name: 'Done one', state: 'completed', completedAt: 1, failures: [{ taskId: 3, name: 'VID_3.mp4', error: null }] })]),
  'mirrors.list': () =>
    ok([
      mirror(1, {
        everyMs: 6 * 3_600_000,
        nextRunAt: 1_700_021_600_000,
        lastRun: mirrorRun(7, { failed: 1, deleted: 1, failures: [{ name: 'IMG_9.jpg', reason: 'Gone.' }], deletions: [{ path: 'IMG_1.jpg', action: 'kept' }] }),
      }),
      mirror(2, { scope: 'photos?', lastRun: mirrorRun(8, { mirrorId: 2, state: 'downloading', endedAt: null, pending: 4 }) }),
    ]),
};

/** What a control would be called by a screen reader, for the failure message. */
const describeEl = (el: Element) => el.outerHTML.slice(0, 160);

describe('accessibility', () => {
  it('gives every button and every form control in every view a name', async () => {
    await renderApp(busy, { view: 'sources', add: true });
    await screen.findByRole('article', { name: 'photos' });
    await screen.findByRole('button', { name: 'Pause VID_1.mp4', hidden: true });
    await screen.findByRole('button', { name: 'Add a.jpg', hidden: true });
    await screen.findByRole('button', { name: 'Run now: photos:albums/summer', hidden: true });
    // The settings form replaces 'Loading settings…' one render after the window is ready.
    await screen.findByRole('form', { name: 'Settings', hidden: true });

    const all = (role: string) => screen.queryAllByRole(role, { hidden: true });
    const named = (role: string) => new Set(screen.queryAllByRole(role, { hidden: true, name: /\S/ }));
    for (const role of ['button', 'link', 'textbox', 'searchbox', 'combobox', 'checkbox', 'radio', 'spinbutton', 'progressbar']) {
      const nameless = all(role).filter((el) => !named(role).has(el));
      expect(nameless.map(describeEl), `${role}s without a name`).toEqual([]);
    }
    expect(all('button').length).toBeGreaterThan(30);
    // Real buttons, not clickable divs.
    for (const button of all('button')) expect(button.tagName).toBe('BUTTON');
  });

  it('moves between views from the keyboard, with the current one marked', async () => {
    await renderApp();
    const nav = within(screen.getByRole('navigation', { name: 'Views' }));
    expect(nav.getByRole('button', { name: 'Browse' }).getAttribute('aria-current')).toBe('page');
    nav.getByRole('button', { name: 'Browse' }).focus();
    await userEvent.tab();
    await userEvent.tab();
    expect(document.activeElement).toBe(nav.getByRole('button', { name: 'Downloads' }));
    await userEvent.keyboard('{Enter}');
    const heading = await screen.findByRole('heading', { name: 'Downloads' });
    expect(document.activeElement).toBe(heading);
    expect(nav.getByRole('button', { name: 'Downloads' }).getAttribute('aria-current')).toBe('page');
    // The downloads are not among the first loads the window waits for (data-ready).
    expect(await screen.findByText('Nothing is downloading. Add files to your download list and press Download.')).toBeTruthy();
  });

  it('marks the page ready once the first data is in, and applies the theme', async () => {
    await renderApp({ 'settings.get': () => ok({ ...settings, theme: 'dark' }) });
    expect(document.body.dataset.ready).toBe('true');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('is ready, with errors written for people, when the app cannot answer', async () => {
    const broken = { code: 'internal' as const, message: 'The database is busy.' };
    await renderApp({ 'cart.get': () => ({ ok: false, error: broken }), 'sources.list': () => Promise.reject(new Error('socket closed')) });
    expect(document.body.dataset.ready).toBe('true');
    const cart = within(screen.getByRole('region', { name: 'Download list' }));
    expect(cart.getByRole('alert').textContent).toContain('Cartage could not read your download list. The database is busy.');
    const browse = within(screen.getByRole('region', { name: 'Browse' }));
    expect(browse.getByRole('alert').textContent).toMatch(/^Cartage could not list your sources\. Cartage did not answer \(socket closed\)\. Try again/);
  });

  it('shows a clear screen when there is no window.cartage', async () => {
    document.body.innerHTML = '<div id="root"></div>';
    vi.resetModules();
    await act(async () => {
      await import('../../renderer/src/main');
    });
    expect(await screen.findByRole('heading', { name: 'Cartage cannot reach its downloads' })).toBeTruthy();
    expect(document.body.dataset.bridge).toBe('missing');
  });
});
