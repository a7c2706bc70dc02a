// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { FileDto, RequestInput } from '../../preload/api.js';
import { ok } from './fakeBridge.js';
import { file, listing, nas, photos, settings } from './fixtures.js';
import { renderApp } from './render.js';

const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const photo = (name: string, group: FileDto['group'] = 'image'): FileDto => ({ ...file(name, 'albums/trip'), id: `asset-${name}`, group });

function browseTrip(input: RequestInput<'sources.browse'>) {
  if (input.path === '') return ok(listing(input.sourceId, '', [{ path: 'albums/trip', name: 'Trip', modified: null, count: 3 }], []));
  return ok(listing(input.sourceId, input.path, [], [photo('IMG_1.JPG'), photo('VID_2.MP4', 'video'), photo('notes.txt', 'other')]));
}

describe('previews of Immich photos', () => {
  it('shows each photo and video with its preview from main, in a list and in a grid', async () => {
    const { fake } = await renderApp({ 'sources.list': () => ok([photos]), 'sources.browse': browseTrip, 'sources.thumbnail': () => ok({ dataUrl: pixel }) });
    await userEvent.click(await screen.findByRole('button', { name: 'Open Trip' }));
    const files = within(await screen.findByRole('list', { name: 'Files' }));
    expect((await files.findByRole('img', { name: 'Preview of IMG_1.JPG' })).getAttribute('src')).toBe(pixel);
    expect(await files.findByRole('img', { name: 'Preview of VID_2.MP4' })).toBeTruthy();
    // A file that is neither gets no preview, and none is asked for.
    expect(files.queryByRole('img', { name: 'Preview of notes.txt' })).toBeNull();
    expect(fake.calls('sources.thumbnail').map((c) => c.fileId).sort()).toEqual(['asset-IMG_1.JPG', 'asset-VID_2.MP4']);

    const showAs = within(screen.getByRole('group', { name: 'Show files as' }));
    await userEvent.click(showAs.getByRole('button', { name: 'Grid' }));
    expect(showAs.getByRole('button', { name: 'Grid' }).getAttribute('aria-pressed')).toBe('true');
    const grid = within(screen.getByRole('list', { name: 'Files' }));
    expect(grid.getAllByRole('listitem')).toHaveLength(3);
    expect((await grid.findByRole('img', { name: 'Preview of IMG_1.JPG' })).closest('.tile')).toBeTruthy();
    expect(grid.getByRole('button', { name: 'Add IMG_1.JPG' })).toBeTruthy();
    // Asked once per file for the session, however often it is shown.
    expect(fake.calls('sources.thumbnail')).toHaveLength(2);
  });

  it('asks for no previews and offers no grid on a web or WebDAV source', async () => {
    const { fake } = await renderApp({ 'sources.list': () => ok([nas]), 'sources.browse': (input) => ok(listing(2, input.path, [], [file('a.jpg', '')])) });
    await screen.findByRole('button', { name: 'Add a.jpg' });
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.queryByRole('group', { name: 'Show files as' })).toBeNull();
    expect(fake.calls('sources.thumbnail')).toEqual([]);
  });

  it('shows web and WebDAV images small only once the setting asks, fetched by main by their address', async () => {
    const { fake } = await renderApp({
      'sources.list': () => ok([nas]),
      'sources.browse': (input) => ok(listing(2, input.path, [], [file('a.jpg', ''), { ...file('b.txt', ''), group: 'other' }])),
      'settings.get': () => ok({ ...settings, imagePreviews: true }),
      'sources.thumbnail': () => ok({ dataUrl: pixel }),
    });
    expect(await screen.findByRole('img', { name: 'Preview of a.jpg' })).toBeTruthy();
    expect(screen.queryByRole('img', { name: 'Preview of b.txt' })).toBeNull();
    expect(fake.calls('sources.thumbnail')).toEqual([{ sourceId: 2, fileId: '/a.jpg', href: 'https://nas.example.org/dav//a.jpg' }]);
    expect(screen.getByRole('group', { name: 'Show files as' })).toBeTruthy();
  });

  it('offers the setting off by default in Settings', async () => {
    await renderApp({}, { view: 'settings' });
    const box = await screen.findByRole('checkbox', { name: /^Show previews of images on web folders and WebDAV shares/ });
    expect((box as HTMLInputElement).checked).toBe(false);
  });
});
