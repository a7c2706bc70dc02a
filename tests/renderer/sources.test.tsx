// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RequestInput, SourceDto } from '../../preload/api.js';
import { ok, refused } from './fakeBridge.js';
import { nas, photos } from './fixtures.js';
import { renderApp } from './render.js';

const fingerprint = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const selfSigned = { ...photos, certificate: fingerprint };

describe('sources', () => {
  it('offers to trust a self-signed certificate by its fingerprint, and retries with it', async () => {
    let saved: SourceDto[] = [];
    const { fake } = await renderApp({
      'sources.list': () => ok(saved),
      'sources.add': (input: RequestInput<'sources.add'>) => {
        if (input.trustFingerprint !== fingerprint) {
          return refused('untrusted_certificate', 'photos.example.org shows a certificate this computer does not trust (self-signed, for photos.example.org).', {
            fingerprint256: fingerprint,
          });
        }
        saved = [selfSigned];
        return ok({ source: selfSigned, signedInAs: 'Ann <ann@example.org>' });
      },
    }, { view: 'sources', add: true });

    const form = within(await screen.findByRole('form', { name: 'Add a source' }));
    await userEvent.type(form.getByRole('textbox', { name: /Address/ }), 'https://photos.example.org');
    await userEvent.type(form.getByLabelText(/API key/), 'secret-key');
    await userEvent.click(form.getByRole('button', { name: 'Connect' }));

    expect(await form.findByText(fingerprint)).toBeTruthy();
    expect(form.getByText(/does not trust/)).toBeTruthy();
    await userEvent.click(form.getByRole('button', { name: 'Trust this certificate' }));

    expect(fake.calls('sources.add')).toEqual([
      { kind: 'immich', url: 'https://photos.example.org', apiKey: 'secret-key' },
      { kind: 'immich', url: 'https://photos.example.org', apiKey: 'secret-key', trustFingerprint: fingerprint },
    ]);
    const card = within(await screen.findByRole('article', { name: 'photos' }));
    expect(card.getByText('Signed in as Ann <ann@example.org>')).toBeTruthy();
    expect(card.getByText(fingerprint)).toBeTruthy();
    expect(screen.getByText('Connected to photos as Ann <ann@example.org>.')).toBeTruthy();
  });

  it('adds a WebDAV share with a user and password', async () => {
    const { fake } = await renderApp({ 'sources.add': () => ok({ source: nas, signedInAs: null }) }, { view: 'sources', add: true });
    const form = within(await screen.findByRole('form', { name: 'Add a source' }));
    await userEvent.click(form.getByRole('radio', { name: 'WebDAV share' }));
    await userEvent.type(form.getByRole('textbox', { name: /Address/ }), 'https://nas.example.org/dav/');
    await userEvent.type(form.getByRole('textbox', { name: 'User name' }), 'ann');
    await userEvent.type(form.getByLabelText('Password'), 'pw');
    await userEvent.type(form.getByRole('textbox', { name: 'Name (optional)' }), 'nas');
    await userEvent.click(form.getByRole('button', { name: 'Connect' }));
    expect(fake.calls('sources.add')).toEqual([{ kind: 'webdav', url: 'https://nas.example.org/dav/', name: 'nas', username: 'ann', password: 'pw' }]);
  });

  it('shows each source with who is signed in, and edits one in place by connecting again', async () => {
    let list: SourceDto[] = [photos, nas];
    const { fake } = await renderApp({
      'sources.list': () => ok(list),
      'sources.update': (input) => {
        const again = { ...nas, username: input.username ?? nas.username };
        list = list.map((s) => (s.id === again.id ? again : s));
        return ok({ source: again, signedInAs: null });
      },
    }, { view: 'sources' });
    const card = within(await screen.findByRole('article', { name: 'nas' }));
    expect(card.getByText('Signed in as ann')).toBeTruthy();
    expect(within(screen.getByRole('article', { name: 'photos' })).getByText('Signed in with an API key')).toBeTruthy();

    await userEvent.click(card.getByRole('button', { name: 'Edit nas' }));
    const form = within(await screen.findByRole('form', { name: 'Edit nas' }));
    expect((form.getByRole('textbox', { name: /Address/ }) as HTMLInputElement).value).toBe('https://nas.example.org/dav/');
    await userEvent.type(form.getByLabelText('Password'), 'new-password');
    await userEvent.click(form.getByRole('button', { name: 'Save and reconnect' }));
    // The same source, changed in place: its id (and what refers to it) stays.
    expect(fake.calls('sources.update')).toEqual([{ id: 2, url: 'https://nas.example.org/dav/', name: 'nas', username: 'ann', password: 'new-password' }]);
    expect(fake.calls('sources.remove')).toEqual([]);
    expect(fake.calls('sources.add')).toEqual([]);
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Edit nas' })).toBeNull());
  });

  it('removes a source after asking', async () => {
    const { fake } = await renderApp({ 'sources.list': () => ok([nas]), 'sources.remove': () => ok(null) }, { view: 'sources' });
    const card = within(await screen.findByRole('article', { name: 'nas' }));
    await userEvent.click(card.getByRole('button', { name: 'Remove nas' }));
    expect(fake.calls('sources.remove')).toEqual([]);
    await userEvent.click(card.getByRole('button', { name: 'Remove nas' }));
    expect(fake.calls('sources.remove')).toEqual([{ id: 2 }]);
  });

  it('shows a refusal to connect as written', async () => {
    await renderApp({ 'sources.add': () => refused('auth', 'Immich did not accept this API key (401): create a new one under Account settings.') }, { view: 'sources', add: true });
    const form = within(await screen.findByRole('form', { name: 'Add a source' }));
    await userEvent.type(form.getByRole('textbox', { name: /Address/ }), 'https://photos.example.org');
    await userEvent.click(form.getByRole('button', { name: 'Connect' }));
    expect((await form.findByRole('alert')).textContent).toBe('Immich did not accept this API key (401): create a new one under Account settings.');
  });
});
