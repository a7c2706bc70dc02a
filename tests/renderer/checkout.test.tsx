// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RequestInput } from '../../preload/api.js';
import { ok, refused } from './fakeBridge.js';
import { cartOf, item, plan } from './fixtures.js';
import { renderApp } from './render.js';

const twelve = cartOf(Array.from({ length: 12 }, (_, i) => item(i + 1)));

function planFor(input: RequestInput<'checkout.plan'>) {
  return ok(plan({ kind: input.kind, layout: input.layout, name: input.name ?? 'Cartage 2024-07-01' }));
}

async function openCheckout(over: Parameters<typeof renderApp>[0] = {}) {
  const rendered = await renderApp({ 'cart.get': () => ok(twelve), 'checkout.plan': planFor, ...over }, { view: 'cart' });
  await userEvent.click(within(screen.getByRole('region', { name: 'Download list' })).getByRole('button', { name: 'Download…' }));
  const form = within(await screen.findByRole('form', { name: 'Download' }));
  // A zip needs a name before there is anything to plan.
  await userEvent.type(form.getByRole('textbox', { name: 'Name of the zip file' }), 'Summer');
  return { ...rendered, form };
}

describe('checkout', () => {
  it('shows the count, the total size and the free space from the plan', async () => {
    const { form, fake } = await openCheckout();
    expect(await form.findByText('12 files, 340 MB')).toBeTruthy();
    expect(form.getByText('50 GB free, 340 MB needed (the files, and the zip until it is complete)')).toBeTruthy();
    expect(fake.calls('checkout.plan').at(-1)).toEqual({ kind: 'zip', dir: '/home/ann/Downloads', layout: 'flat', name: 'Summer' });
  });

  it('starts with the kind, name and layout chosen, then shows the downloads', async () => {
    const { form, fake } = await openCheckout({ 'checkout.start': (input) => ok({ deliveryId: 5, plan: plan({ name: input.name ?? '' }) }) });
    await userEvent.click(form.getByRole('radio', { name: 'Files in a folder' }));
    await userEvent.clear(form.getByRole('textbox', { name: 'Name of the folder' }));
    await userEvent.type(form.getByRole('textbox', { name: 'Name of the folder' }), 'Summer 2024');
    await userEvent.selectOptions(form.getByRole('combobox', { name: 'Layout' }), 'By date taken');
    await waitFor(() => expect(fake.calls('checkout.plan').at(-1)).toEqual({ kind: 'files', dir: '/home/ann/Downloads', name: 'Summer 2024', layout: 'date' }));
    // Start download stays off until a plan is answered (a click on it before then does nothing).
    const startButton = form.getByRole('button', { name: 'Start download' }) as HTMLButtonElement;
    await waitFor(() => expect(startButton.disabled).toBe(false));
    await userEvent.click(startButton);
    expect(fake.calls('checkout.start')).toEqual([{ kind: 'files', dir: '/home/ann/Downloads', name: 'Summer 2024', layout: 'date' }]);
    expect(await screen.findByRole('heading', { name: 'Downloads' })).toBeTruthy();
    expect(screen.getByText('Download started: Summer 2024.')).toBeTruthy();
  });

  it('shows a refusal as written and leaves the form open', async () => {
    const refusal = 'There is not enough free space in /home/ann/Downloads: 340 MB needed, 120 MB free.';
    const { form } = await openCheckout({ 'checkout.start': () => refused('no_space', refusal) });
    await form.findByText('12 files, 340 MB');
    await userEvent.click(form.getByRole('button', { name: 'Start download' }));
    expect((await form.findByRole('alert')).textContent).toBe(refusal);
    expect(form.getByRole('button', { name: 'Start download' })).toBeTruthy();
  });

  it('shows a plan refused because the list is locked', async () => {
    const { form } = await openCheckout({ 'checkout.plan': () => refused('locked', 'The download list is locked by a checkout in progress; try again in a moment.') });
    expect((await form.findByRole('alert')).textContent).toBe('The download list is locked by a checkout in progress; try again in a moment.');
    expect((form.getByRole('button', { name: 'Start download' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('lists the files that stay behind, with their reasons', async () => {
    const { form } = await openCheckout({ 'checkout.plan': () => ok(plan({ files: 10, staying: [{ id: 3, name: 'private.jpg', reason: 'Needs sign-in' }] })) });
    expect(await form.findByText('1 file will stay in the list')).toBeTruthy();
    expect(form.getByText('private.jpg: Needs sign-in')).toBeTruthy();
  });

  it('closes with Cancel without starting anything', async () => {
    const { form, fake } = await openCheckout();
    await userEvent.click(form.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Download' })).toBeNull());
    expect(fake.calls('checkout.start')).toEqual([]);
  });
});
