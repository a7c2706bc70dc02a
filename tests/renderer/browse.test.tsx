// @vitest-environment jsdom
import { createEvent, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RequestInput } from '../../preload/api.js';
import { refMime } from '../../renderer/src/lib/refs';
import { ok } from './fakeBridge.js';
import { cartOf, file, item, listing, nas, photos } from './fixtures.js';
import { renderApp } from './render.js';

const added = () => ok({ added: 3, alreadyThere: 0, restricted: 0, message: 'Added 3 files to the list.' });

function browseNas(input: RequestInput<'sources.browse'>) {
  if (input.path === '') return ok(listing(2, '', [{ path: 'Holidays', name: 'Holidays', modified: null, count: 3 }], [file('notes.txt', '', 1_200)]));
  if (input.path === 'Holidays') return ok(listing(2, 'Holidays', [], [file('a.jpg', 'Holidays'), file('b.jpg', 'Holidays'), file('c.jpg', 'Holidays', 400_000)]));
  throw new Error(`no folder ${input.path}`);
}

describe('the browse pane', () => {
  it('shows "In list" for a file already in the download list, and Add for the others', async () => {
    const inCart = item(1, { name: 'b.jpg', folder: 'Holidays', sourceName: 'nas', href: 'https://nas.example.org/dav/Holidays/b.jpg' });
    await renderApp({ 'sources.list': () => ok([nas]), 'sources.browse': browseNas, 'cart.get': () => ok(cartOf([inCart])) });
    await userEvent.click(await screen.findByRole('button', { name: 'Open Holidays' }));
    const files = within(await screen.findByRole('list', { name: 'Files' }));
    expect(files.getByLabelText('b.jpg is in the download list').textContent).toBe('In list');
    expect(files.queryByRole('button', { name: 'Add b.jpg' })).toBeNull();
    expect(files.getByRole('button', { name: 'Add a.jpg' })).toBeTruthy();
  });

  it('adds a whole folder to the list with its reference', async () => {
    const { fake } = await renderApp({ 'sources.list': () => ok([nas]), 'sources.browse': browseNas, 'cart.add': added });
    await userEvent.click(await screen.findByRole('button', { name: 'Add folder Holidays' }));
    expect(fake.calls('cart.add')).toEqual([{ refs: ['nas:Holidays'] }]);
    expect(await screen.findByText('Added 3 files to the list.')).toBeTruthy();
  });

  it('opens a folder, shows its count and size, and adds it or one of its files', async () => {
    const { fake } = await renderApp({ 'sources.list': () => ok([nas]), 'sources.browse': browseNas, 'cart.add': added });
    expect(await screen.findByText('3 files')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Open Holidays' }));
    expect(await screen.findByText('This folder: 3 files, 2.4 MB')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Add b.jpg' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add all files in Holidays to the list' }));
    expect(fake.calls('cart.add')).toEqual([{ refs: ['nas:Holidays/b.jpg'] }, { refs: ['nas:Holidays'] }]);
    // Back up by the path.
    await userEvent.click(within(screen.getByRole('navigation', { name: 'Folder path' })).getByRole('button', { name: 'nas' }));
    expect(await screen.findByRole('button', { name: 'Open Holidays' })).toBeTruthy();
  });

  it('drags a folder onto the list as a source reference', async () => {
    const { fake } = await renderApp({ 'sources.list': () => ok([nas]), 'sources.browse': browseNas, 'cart.add': added });
    const row = (await screen.findByRole('button', { name: 'Open Holidays' })).closest('[draggable="true"]')!;
    const carried = new Map<string, string>();
    const dataTransfer = {
      types: [] as string[],
      setData: (type: string, value: string) => {
        carried.set(type, value);
        dataTransfer.types = [...carried.keys()];
      },
      getData: (type: string) => carried.get(type) ?? '',
      effectAllowed: 'none',
      dropEffect: 'none',
      files: [] as File[],
    };
    fireEvent(row, createEvent.dragStart(row, { dataTransfer }));
    expect(carried.get(refMime)).toBe('nas:Holidays');
    const cart = screen.getByRole('region', { name: 'Download list' });
    fireEvent.dragOver(cart, { dataTransfer });
    fireEvent.drop(cart, { dataTransfer });
    await waitFor(() => expect(fake.calls('cart.add')).toEqual([{ refs: ['nas:Holidays'] }]));
  });

  it('adds an Immich asset by its id', async () => {
    const asset = { ...file('IMG_0001.HEIC', 'albums/abc'), id: 'asset-1' };
    const { fake } = await renderApp({
      'sources.list': () => ok([photos]),
      'sources.browse': (input) => ok(input.path === 'albums/abc' ? listing(1, 'albums/abc', [], [asset]) : listing(1, input.path, [{ path: 'albums/abc', name: 'Summer', modified: null, count: 1 }], [])),
      'cart.add': added,
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Open Summer' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Add IMG_0001.HEIC' }));
    expect(fake.calls('cart.add')).toEqual([{ refs: ['photos:assets/asset-1'] }]);
  });

  it('builds an Immich query, shows its count and total size, then adds all its matches', async () => {
    const { fake } = await renderApp({
      'sources.list': () => ok([photos]),
      'sources.browse': (input) => ok(listing(1, input.path, input.path === 'albums' ? [{ path: 'albums/a1', name: 'Summer', modified: null, count: 40 }] : [], [])),
      'sources.query': () => ok({ files: [file('VID_1.mp4', 'timeline/2024-07', 120_000_000)], summary: { files: 37, bytes: 1_800_000_000, unknownSizes: 0 } }),
      'cart.add': added,
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Search' }));
    const form = screen.getByRole('form', { name: 'Search photos' });
    fireEvent.change(within(form).getByLabelText('Taken after'), { target: { value: '2024-06-01' } });
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Type' }), 'video');
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Favourites' }), 'true');
    // The albums to choose from come from a sources.browse answer after the search form opened.
    await within(form).findByRole('option', { name: 'Summer' });
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Album' }), 'Summer');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Person (id)' }), 'p1, p2');
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Archived' }), 'include');
    await userEvent.type(within(form).getByRole('searchbox', { name: 'Name contains' }), 'VID');

    expect(within(form).queryByRole('button', { name: /Add all/ })).toBeNull();
    await userEvent.click(within(form).getByRole('button', { name: 'Count matches' }));
    const query = 'after=2024-06-01&type=video&favorite=true&album=a1&person=p1&person=p2&archived=include&name=VID';
    expect(fake.calls('sources.query')).toEqual([{ sourceId: 1, query, preview: 20 }]);
    expect(await within(form).findByText('37 files, 1.8 GB match.')).toBeTruthy();
    await userEvent.click(within(form).getByRole('button', { name: 'Add all 37 to the list' }));
    expect(fake.calls('cart.add')).toEqual([{ refs: [`photos?${query}`] }]);
  });

  it('offers to add a source when there is none', async () => {
    await renderApp();
    await userEvent.click(within(screen.getByRole('region', { name: 'Browse' })).getByRole('button', { name: 'Add a source' }));
    expect(await screen.findByRole('heading', { name: 'Add a source' })).toBeTruthy();
  });
});
