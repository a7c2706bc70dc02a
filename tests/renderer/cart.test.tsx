// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refMime } from '../../renderer/src/lib/refs';
import { ok } from './fakeBridge.js';
import { cartOf, item } from './fixtures.js';
import { renderApp } from './render.js';

const restricted = item(3, {
  name: 'private.jpg',
  access: { downloadable: false, restriction: 'needs_sign_in', reason: 'The server asks for a sign-in (401).' },
});
const shared = item(4, {
  name: 'shared.jpg',
  size: 1_000_000,
  access: { downloadable: false, restriction: 'not_allowed', reason: 'The owner of this shared link does not allow downloads.' },
});
const full = cartOf([item(1), item(2, { size: 3_700_000, motion: { name: 'IMG_2.mov', size: 1_000_000 } }), restricted, shared]);

/** The download list of the view on screen (the other views are mounted, hidden). */
const shownCart = () => within(screen.getByRole('region', { name: 'Download list' }));

/** A drop as the browser hands it over: the types it carries, their text, and any files. */
function dropData(data: Record<string, string>, files: File[] = []) {
  return { types: [...Object.keys(data), ...(files.length ? ['Files'] : [])], getData: (t: string) => data[t] ?? '', files, dropEffect: 'none' };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the download list', () => {
  it('shows every entry with its size, link to the original, badges, the totals and the limit', async () => {
    await renderApp({ 'cart.get': () => ok(full) }, { view: 'cart' });
    const list = await screen.findByRole('list', { name: 'Files in the download list' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(4);

    const link = within(list).getByRole('link', { name: 'IMG_1.jpg' });
    expect(link.getAttribute('href')).toBe('https://photos.example.org/assets/1');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noreferrer');

    const second = within(list).getAllByRole('listitem')[1]!;
    expect(within(second).getByText('3.7 MB')).toBeTruthy();
    expect(within(second).getByText('Live photo')).toBeTruthy();

    expect(shownCart().getByText('4 files, 9.5 MB, 2 cannot be downloaded')).toBeTruthy();
    expect(shownCart().getByText('4 / 100')).toBeTruthy();
    expect(within(list).getAllByText('Ready')).toHaveLength(2);
    expect(within(list).getByText('Needs sign-in')).toBeTruthy();
    expect(within(list).getByText('The server asks for a sign-in (401).')).toBeTruthy();
    expect(within(list).getByText('Owner does not allow downloads')).toBeTruthy();
  });

  it('removes an entry with its own button and shows the list main answers with', async () => {
    const { fake } = await renderApp({ 'cart.get': () => ok(full), 'cart.remove': () => ok(cartOf([item(1), item(2, { size: 3_700_000 }), shared])) }, { view: 'cart' });
    await userEvent.click(await screen.findByRole('button', { name: 'Remove private.jpg' }));
    expect(fake.calls('cart.remove')).toEqual([{ ids: [3] }]);
    await waitFor(() => expect(screen.queryByRole('link', { name: 'private.jpg' })).toBeNull());
    expect(shownCart().getByText('3 files, 7.1 MB, 1 cannot be downloaded')).toBeTruthy();
  });

  it('asks before clearing, then clears', async () => {
    const { fake } = await renderApp({ 'cart.get': () => ok(full), 'cart.clear': () => ok(cartOf([])) }, { view: 'cart' });
    await userEvent.click(await screen.findByRole('button', { name: 'Clear list' }));
    expect(fake.calls('cart.clear')).toEqual([]);
    expect(shownCart().getByText('Remove all 4 files from the list?')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Clear the list' }));
    expect(fake.calls('cart.clear')).toEqual([{}]);
    await waitFor(() => expect(shownCart().getByText('Your download list is empty. Browse a source and add files, or drop links here.')).toBeTruthy());
  });

  it('opens the source to sign in for an entry that needs it, and the original for one the owner keeps', async () => {
    const { fake } = await renderApp(
      {
        'cart.get': () => ok(full),
        'sources.list': () => ok([{ id: 7, name: 'photos', kind: 'immich', url: 'https://photos.example.org', username: null, sharedLink: false, certificate: null }]),
        'links.open': () => ok(null),
      },
      { view: 'cart' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Ask the owner for shared.jpg' }));
    expect(fake.calls('links.open')).toEqual([{ url: 'https://photos.example.org/assets/4' }]);

    await userEvent.click(screen.getByRole('button', { name: 'Sign in for private.jpg' }));
    expect(await screen.findByRole('heading', { name: 'Edit photos' })).toBeTruthy();
    expect((screen.getByRole('textbox', { name: /Address/ }) as HTMLInputElement).value).toBe('https://photos.example.org');
  });

  it('adds the web addresses in text dropped on it', async () => {
    const { fake } = await renderApp({ 'cart.add': () => ok({ added: 2, alreadyThere: 0, restricted: 0, message: 'Added 2 files.' }) }, { view: 'cart' });
    const cart = screen.getByRole('region', { name: 'Download list' });
    const text = 'Look at these:\nhttps://example.org/a.jpg\n\nand https://example.org/b.mp4, thanks\n# https://example.org/commented.jpg';
    fireEvent.dragEnter(cart, { dataTransfer: dropData({ 'text/plain': text }) });
    fireEvent.drop(cart, { dataTransfer: dropData({ 'text/plain': text }) });
    await waitFor(() => expect(fake.calls('cart.add')).toEqual([{ refs: ['https://example.org/a.jpg', 'https://example.org/b.mp4'] }]));
    expect(await screen.findByText('Added 2 files.')).toBeTruthy();
  });

  it('adds the addresses of a dropped URI list and of a dropped text file', async () => {
    const { fake } = await renderApp({ 'cart.add': () => ok({ added: 1, alreadyThere: 0, restricted: 0, message: 'Added.' }) }, { view: 'cart' });
    const cart = screen.getByRole('region', { name: 'Download list' });
    fireEvent.drop(cart, { dataTransfer: dropData({ 'text/uri-list': '# from a browser\r\nhttps://example.org/one.zip\r\n', 'text/plain': 'https://example.org/one.zip' }) });
    await waitFor(() => expect(fake.calls('cart.add')).toEqual([{ refs: ['https://example.org/one.zip'] }]));

    const list = new File(['https://example.org/x.jpg\nhttps://example.org/y.jpg\n'], 'links.txt', { type: 'text/plain' });
    fireEvent.drop(cart, { dataTransfer: dropData({}, [list]) });
    await waitFor(() => expect(fake.calls('cart.add')[1]).toEqual({ refs: ['https://example.org/x.jpg', 'https://example.org/y.jpg'] }));
  });

  it('takes source references dragged from the browse pane as they are', async () => {
    const { fake } = await renderApp({ 'cart.add': () => ok({ added: 5, alreadyThere: 0, restricted: 0, message: 'Added 5 files.' }) }, { view: 'cart' });
    fireEvent.drop(screen.getByRole('region', { name: 'Download list' }), { dataTransfer: dropData({ [refMime]: 'nas:Holidays/2024', 'text/plain': 'nas:Holidays/2024' }) });
    await waitFor(() => expect(fake.calls('cart.add')).toEqual([{ refs: ['nas:Holidays/2024'] }]));
  });

  it('says so when a drop holds no address', async () => {
    const { fake } = await renderApp({}, { view: 'cart' });
    fireEvent.drop(screen.getByRole('region', { name: 'Download list' }), { dataTransfer: dropData({ 'text/plain': 'just some words' }) });
    expect(await screen.findByText('Nothing to add: no web address or file was found in what was dropped.')).toBeTruthy();
    expect(fake.calls('cart.add')).toEqual([]);
  });

  it('shows a long list whole, without pages, drawing only the rows in view', async () => {
    const many = cartOf(Array.from({ length: 1000 }, (_, i) => item(i + 1)), { limit: 10_000 });
    // jsdom lays nothing out: give the scrolling list a window's size so it knows what is in view. The
    // rows measure 0, as in a hidden view (the browse view holds the same list): that must not loop.
    vi.spyOn(Element.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(Element.prototype, 'clientWidth', 'get').mockReturnValue(800);
    await renderApp({ 'cart.get': () => ok(many) }, { view: 'cart' });
    const list = await screen.findByRole('list', { name: 'Files in the download list' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(100);
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('1000');
    expect(rows[0]!.getAttribute('aria-posinset')).toBe('1');
    expect(shownCart().getByText('1000 / 10000')).toBeTruthy();
    expect(shownCart().queryByRole('button', { name: /next page/i })).toBeNull();
  });

  it('follows cart.changed', async () => {
    const { fake } = await renderApp({}, { view: 'cart' });
    expect(shownCart().getByText(/Your download list is empty/)).toBeTruthy();
    fake.emit('cart.changed', cartOf([item(9)]));
    expect(await screen.findByRole('link', { name: 'IMG_9.jpg' })).toBeTruthy();
    expect(shownCart().getByText('1 file, 2.4 MB')).toBeTruthy();
  });
});
