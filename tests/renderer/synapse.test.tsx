// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ok, refused } from './fakeBridge.js';
import type { SettingsDto } from '../../preload/api.js';
import { cartOf, item, listing, settings } from './fixtures.js';
import { renderApp } from './render.js';

const syn = { id: 9, name: 'syn', kind: 'synapse' as const, url: 'https://repo-prod.prod.sagebase.org', username: null, sharedLink: false, certificate: null };
const arPage = 'https://www.synapse.org/#!AccessRequirement:AR_ID=9605690&TYPE=ENTITY&ID=syn113';
const genomes = item(3, {
  name: 'genomes.vcf',
  href: arPage,
  access: { downloadable: false, restriction: 'access_requirement', reason: 'genomes.vcf (syn113) has an access requirement (9605690) you have not met yet: request access on synapse.org, then add it again.' },
});

const shownCart = () => within(screen.getByRole('region', { name: 'Download list' }));

describe('Synapse in the window', () => {
  it('imports the Synapse download list from the list view, with the keyboard', async () => {
    const message = 'Added 2 files. On Synapse, still waiting: 1 file needs access requirement 9605690 met.';
    const { fake } = await renderApp({ 'sources.list': () => ok([syn]), 'cart.importSynapse': () => ok({ added: 2, alreadyThere: 0, restricted: 0, message }) }, { view: 'cart' });
    const button = await shownCart().findByRole('button', { name: 'Import the Synapse list of syn' });
    button.focus();
    await userEvent.keyboard('{Enter}');
    expect(fake.calls('cart.importSynapse')).toEqual([{ sourceId: 9 }]);
    expect(await screen.findByText(message)).toBeTruthy();
  });

  it('says why an import was refused', async () => {
    const sentence = 'Your Synapse download list has 120 new files, but the list has 100 places left of 100: nothing was added.';
    await renderApp({ 'sources.list': () => ok([syn]), 'cart.importSynapse': () => refused('bad_input', sentence) }, { view: 'cart' });
    await userEvent.click(await shownCart().findByRole('button', { name: 'Import the Synapse list of syn' }));
    expect(await screen.findByText(sentence)).toBeTruthy();
  });

  it('offers no import without a Synapse source', async () => {
    await renderApp({ 'sources.list': () => ok([]) }, { view: 'cart' });
    await shownCart().findByText(/Your download list is empty/);
    expect(shownCart().queryByRole('button', { name: /Import the Synapse list/ })).toBeNull();
  });

  it('keeps a restricted file with its reason and a Request access link to the access requirement’s page', async () => {
    const { fake } = await renderApp({ 'cart.get': () => ok(cartOf([item(1), genomes])), 'sources.list': () => ok([syn]), 'links.open': () => ok(null) }, { view: 'cart' });
    expect(await shownCart().findByText(/has an access requirement \(9605690\) you have not met yet/)).toBeTruthy();
    await userEvent.click(shownCart().getByRole('button', { name: 'Request access for genomes.vcf' }));
    expect(fake.calls('links.open')).toEqual([{ url: arPage }]);
  });

  it('browses a project: each folder with the count and total size Synapse gives, and adds a folder by its path', async () => {
    const { fake } = await renderApp({
      'sources.list': () => ok([syn]),
      'sources.browse': () => ok(listing(9, 'syn100', [{ path: 'syn100/Raw data', name: 'Raw data', modified: null, count: 6, bytes: 550_008 }], [])),
      'cart.add': () => ok({ added: 6, alreadyThere: 0, restricted: 4, message: 'Added 6 files; 4 cannot be downloaded.' }),
    });
    expect(await screen.findByText('6 files, 550 kB')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Add folder Raw data' }));
    expect(fake.calls('cart.add')).toEqual([{ refs: ['syn:syn100/Raw data'] }]);
  });

  it('turns off, in Settings, taking delivered files off the Synapse download list', async () => {
    const { fake } = await renderApp({ 'settings.update': (change) => ok({ ...settings, ...change } as SettingsDto) }, { view: 'settings' });
    const form = within(await screen.findByRole('form', { name: 'Settings' }));
    const box = form.getByRole('checkbox', { name: /Take the files Cartage delivered off my download list on Synapse/ });
    expect((box as HTMLInputElement).checked).toBe(true);
    await userEvent.click(box);
    await userEvent.click(form.getByRole('button', { name: 'Save settings' }));
    expect(fake.calls('settings.update')).toEqual([{ ...settings, synapseRemoveDelivered: false }]);
  });

  it('adds a Synapse source with a personal access token', async () => {
    const { fake } = await renderApp({ 'sources.add': () => ok({ source: syn, signedInAs: 'ada' }) }, { view: 'sources', add: true });
    const form = within(await screen.findByRole('form', { name: 'Add a source' }));
    await userEvent.click(form.getByRole('radio', { name: 'Synapse' }));
    await userEvent.type(form.getByRole('textbox', { name: /Address/ }), 'https://repo-prod.prod.sagebase.org');
    await userEvent.type(form.getByLabelText(/Personal access token/), 'eyJ.token.sig');
    await userEvent.click(form.getByRole('button', { name: 'Connect' }));
    expect(fake.calls('sources.add')).toEqual([{ kind: 'synapse', url: 'https://repo-prod.prod.sagebase.org', apiKey: 'eyJ.token.sig' }]);
  });
});
