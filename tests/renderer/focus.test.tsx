// @vitest-environment jsdom
// Where focus goes and how errors are tied to their fields: what a keyboard or screen-reader user relies on.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SourceDto } from '../../preload/api.js';
import { ok, refused } from './fakeBridge.js';
import { cartOf, file, item, listing, photos, plan } from './fixtures.js';
import { renderApp } from './render.js';

describe('focus and field errors', () => {
  it('moves focus to the new source once connected, and keeps it on Connect while connecting', async () => {
    let saved: SourceDto[] = [];
    let answer: (() => void) | null = null;
    await renderApp(
      {
        'sources.list': () => ok(saved),
        'sources.add': () =>
          new Promise((resolve) => {
            answer = () => {
              saved = [photos];
              resolve(ok({ source: photos, signedInAs: null }));
            };
          }),
      },
      { view: 'sources', add: true },
    );
    const form = within(await screen.findByRole('form', { name: 'Add a source' }));
    await userEvent.type(form.getByRole('textbox', { name: /Address/ }), 'https://photos.example.org');
    await userEvent.click(form.getByRole('button', { name: 'Connect' }));
    const connect = await form.findByRole('button', { name: 'Connecting…' });
    expect(connect.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(connect);
    answer!();
    const card = await screen.findByRole('article', { name: 'photos' });
    await waitFor(() => expect(document.activeElement).toBe(card));
  });

  it('gives focus back to "Add a source" when the form is canceled', async () => {
    await renderApp({}, { view: 'sources', add: true });
    const form = within(await screen.findByRole('form', { name: 'Add a source' }));
    await userEvent.click(form.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add a source' })));
  });

  it('moves focus to the folder opened, in the folder path', async () => {
    await renderApp({
      'sources.list': () => ok([photos]),
      'sources.browse': (input) =>
        ok(input.path === '' ? listing(input.sourceId, '', [{ path: 'albums', name: 'Albums', modified: null, count: 1 }], []) : listing(input.sourceId, input.path, [], [file('a.jpg', input.path)])),
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Open Albums' }));
    const path = within(screen.getByRole('navigation', { name: 'Folder path' }));
    await waitFor(() => expect(document.activeElement).toBe(path.getByText('Albums')));
    await userEvent.click(path.getByRole('button', { name: 'photos' }));
    await waitFor(() => expect(document.activeElement).toBe(path.getByText('photos')));
  });

  it('asks for the zip name without an error before anything was typed; Start ties the error to the field and goes there', async () => {
    await renderApp({ 'cart.get': () => ok(cartOf([item(1)])), 'checkout.plan': (input) => ok(plan({ name: input.name ?? '' })) }, { view: 'cart' });
    await userEvent.click(within(screen.getByRole('region', { name: 'Download list' })).getByRole('button', { name: 'Download…' }));
    const form = within(await screen.findByRole('form', { name: 'Download' }));
    const name = form.getByRole('textbox', { name: 'Name of the zip file' });
    expect(form.queryByRole('alert')).toBeNull();
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(form.getByText('Name the zip to see what goes into it and the room it needs.')).toBeTruthy();

    await userEvent.click(form.getByRole('button', { name: 'Start download' }));
    const error = form.getByRole('alert');
    expect(error.textContent).toBe('Name the zip (for example "Holidays 2024").');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toBe(error.id);
    expect(document.activeElement).toBe(name);

    await userEvent.type(name, 'Summer');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(form.queryByRole('alert')).toBeNull();
  });

  it('reaches Download… from the top of a long list with one key, past every entry', async () => {
    await renderApp({ 'cart.get': () => ok(cartOf(Array.from({ length: 30 }, (_, i) => item(i + 1)))) }, { view: 'cart' });
    const list = within(screen.getByRole('region', { name: 'Download list' }));
    const skip = await list.findByRole('button', { name: 'Skip the list, to Download…' });
    // It comes before the entries, in the page and so in the tab order.
    const firstRemove = list.getAllByRole('button', { name: /^Remove / })[0]!;
    expect(skip.compareDocumentPosition(firstRemove) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    skip.focus();
    await userEvent.keyboard('{Enter}');
    expect(document.activeElement).toBe(list.getByRole('button', { name: 'Download…' }));
  });

  it('ties a refused key to the key field and an unreachable address to the address field, and goes there', async () => {
    let answer = refused('auth', 'The Immich server at photos.example.org refused the API key (401): create a new key in Immich and add the source again.');
    await renderApp({ 'sources.add': () => answer }, { view: 'sources', add: true });
    const form = within(await screen.findByRole('form', { name: 'Add a source' }));
    const address = form.getByRole('textbox', { name: /Address/ });
    const key = form.getByLabelText(/API key/);
    await userEvent.type(address, 'https://photos.example.org');
    await userEvent.type(key, 'old-key');
    await userEvent.click(form.getByRole('button', { name: 'Connect' }));
    const error = await form.findByRole('alert');
    await waitFor(() => expect(document.activeElement).toBe(key));
    expect(key.getAttribute('aria-invalid')).toBe('true');
    expect(key.getAttribute('aria-describedby')?.split(' ')).toContain(error.id);
    expect(address.getAttribute('aria-invalid')).toBeNull();

    answer = refused('network', 'Cannot reach photos.example.org: check the address and that the server is on.');
    await userEvent.click(form.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(document.activeElement).toBe(address));
    expect(address.getAttribute('aria-invalid')).toBe('true');
    expect(address.getAttribute('aria-describedby')?.split(' ')).toContain(form.getByRole('alert').id);
    expect(key.getAttribute('aria-invalid')).toBeNull();
  });
});
