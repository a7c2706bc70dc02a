// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Profiler, type ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { ok } from './fakeBridge.js';
import { delivery, task, totals } from './fixtures.js';
import { manualFrames } from './frames.js';
import { renderApp } from './render.js';

const progressOf = (name: string) => screen.getByRole('progressbar', { name: `${name} progress` }).getAttribute('aria-valuenow');

describe('the downloads view', () => {
  it('draws a burst of progress events in one render at the next frame', async () => {
    let commits = 0;
    const count = (app: ReactElement) => (
      <Profiler id="app" onRender={() => (commits += 1)}>
        {app}
      </Profiler>
    );
    const { fake } = await renderApp({ 'tasks.list': () => ok({ tasks: [task(1, { bytes: 370_000 })], totals: totals() }) }, { view: 'downloads' }, count);
    await waitFor(() => expect(progressOf('VID_1.mp4')).toBe('10'));
    const frames = manualFrames();
    const before = commits;

    // Each event arrives on its own, as messages from main do.
    act(() => fake.emit('tasks.progress', { tasks: [task(1, { bytes: 1_000_000, speed: 800_000, eta: 4_000 })], totals: totals({ bytesDone: 1_000_000 }) }));
    act(() => fake.emit('tasks.progress', { tasks: [task(1, { bytes: 2_000_000, speed: 900_000, eta: 2_000 })], totals: totals({ bytesDone: 2_000_000 }) }));
    act(() => fake.emit('tasks.progress', { tasks: [task(1, { bytes: 2_400_000, speed: 1_200_000, eta: 180_000 })], totals: totals({ bytesDone: 2_400_000 }) }));
    // Nothing drawn until the frame, and one frame asked for, however many events came.
    expect(commits).toBe(before);
    expect(progressOf('VID_1.mp4')).toBe('10');
    expect(frames.pending()).toBe(1);

    frames.flush();
    expect(commits).toBe(before + 1);
    expect(progressOf('VID_1.mp4')).toBe('64');
    const row = within(screen.getByRole('list', { name: 'Files downloading' }));
    expect(row.getByText('2.4 MB / 3.7 MB')).toBeTruthy();
    expect(row.getByText('1.2 MB/s')).toBeTruthy();
    expect(row.getByText('3 min left')).toBeTruthy();
  });

  it('shows a final state at once, without waiting for a frame', async () => {
    const { fake } = await renderApp({ 'tasks.list': () => ok({ tasks: [task(1, { bytes: 370_000 })], totals: totals() }) }, { view: 'downloads' });
    await screen.findByRole('progressbar', { name: 'VID_1.mp4 progress' });
    const frames = manualFrames();
    act(() => fake.emit('tasks.changed', task(1, { state: 'failed', bytes: 370_000, error: { code: 'server_error', message: 'The server answered 500 three times.' } })));
    expect(frames.pending()).toBe(0);
    expect(screen.getByText('The server answered 500 three times.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry VID_1.mp4' })).toBeTruthy();
  });

  it('never lets a snapshot that came before a final state overtake it', async () => {
    const { fake } = await renderApp({ 'tasks.list': () => ok({ tasks: [task(1, { state: 'queued', bytes: 0 })], totals: totals() }) }, { view: 'downloads' });
    await screen.findByRole('progressbar', { name: 'VID_1.mp4 progress' });
    const frames = manualFrames();
    // As main sends them for a small file: it starts, a snapshot sees it running, it is done, all within one frame.
    act(() => fake.emit('tasks.changed', task(1, { state: 'active', bytes: 0 })));
    act(() => fake.emit('tasks.progress', { tasks: [task(1, { state: 'active', bytes: 3_700_000, speed: 0 })], totals: totals() }));
    act(() => fake.emit('tasks.changed', task(1, { state: 'completed', bytes: 3_700_000 })));
    frames.flush();
    expect(screen.queryByRole('list', { name: 'Files downloading' })).toBeNull();
    expect(within(screen.getByRole('list', { name: 'Finished files' })).getByText('Done')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pause VID_1.mp4' })).toBeNull();
  });

  it('offers no Retry for a file whose zip is already written, nor for a canceled one, but keeps the reason', async () => {
    const written = task(1, { state: 'failed', zip: '/home/ann/Downloads/Summer.zip', retryable: false, error: { code: 'server_error', message: 'The server answered 500 three times.' } });
    const canceled = task(2, { state: 'canceled' });
    await renderApp({ 'tasks.list': () => ok({ tasks: [written, canceled], totals: totals() }) }, { view: 'downloads' });
    expect(await screen.findByText('The server answered 500 three times.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Retry VID_1.mp4' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel VID_1.mp4' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry VID_2.mp4' })).toBeNull();
  });

  it('pauses and resumes a download with the right verbs', async () => {
    const { fake } = await renderApp(
      {
        'tasks.list': () => ok({ tasks: [task(1, { bytes: 370_000 })], totals: totals() }),
        'tasks.pause': ({ ids }) => ok(ids.map((id) => task(id, { state: 'paused', bytes: 370_000 }))),
        'tasks.resume': ({ ids }) => ok(ids.map((id) => task(id, { state: 'queued', bytes: 370_000 }))),
      },
      { view: 'downloads' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Pause VID_1.mp4' }));
    expect(fake.calls('tasks.pause')).toEqual([{ ids: [1] }]);
    await userEvent.click(await screen.findByRole('button', { name: 'Resume VID_1.mp4' }));
    expect(fake.calls('tasks.resume')).toEqual([{ ids: [1] }]);
    expect(await screen.findByRole('button', { name: 'Pause VID_1.mp4' })).toBeTruthy();
  });

  it('pauses, resumes and (after asking) cancels everything', async () => {
    const { fake } = await renderApp(
      {
        'tasks.list': () => ok({ tasks: [task(1), task(2, { state: 'queued' })], totals: totals() }),
        'tasks.pauseAll': () => ok({ count: 2 }),
        'tasks.resumeAll': () => ok({ count: 2 }),
        'tasks.cancelAll': () => ok({ count: 2 }),
      },
      { view: 'downloads' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Pause all' }));
    expect(await screen.findByText('Paused 2 downloads.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Resume all' }));
    await userEvent.click(screen.getByRole('button', { name: 'Cancel all' }));
    expect(fake.calls('tasks.cancelAll')).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel all downloads' }));
    expect(fake.calls('tasks.pauseAll')).toHaveLength(1);
    expect(fake.calls('tasks.resumeAll')).toHaveLength(1);
    expect(fake.calls('tasks.cancelAll')).toHaveLength(1);
  });

  it('shows a delivery as it runs, then where it was saved, its failures, and Show in folder', async () => {
    const { fake } = await renderApp(
      {
        'deliveries.list': () => ok([delivery(4)]),
        'deliveries.reveal': () => ok({ path: '/home/ann/Downloads/Summer 2024.zip' }),
        'deliveries.putBack': () => ok({ added: 1, alreadyThere: 0, restricted: 0, message: 'Put 1 file back on the list.' }),
        'tasks.retry': ({ ids }) => ok(ids.map((id) => task(id, { state: 'queued' }))),
      },
      { view: 'downloads' },
    );
    const card = within(await screen.findByRole('article', { name: 'Summer 2024' }));
    expect(card.getByRole('progressbar', { name: 'Summer 2024 progress' }).getAttribute('aria-valuenow')).toBe('33');
    expect(card.getByText('1 MB / 3 MB')).toBeTruthy();

    act(() =>
      fake.emit(
        'deliveries.changed',
        delivery(4, {
          state: 'completed',
          completedAt: 1_700_000_100_000,
          progress: { done: 2, failed: 1, canceled: 0, pending: 0, bytesDone: 2_000_000, bytesTotal: 3_000_000 },
          failures: [{ taskId: 12, name: 'IMG_3.jpg', error: { code: 'gone', message: 'Deleted on the server (404).' } }],
        }),
      ),
    );
    expect(card.getByText('/home/ann/Downloads/Summer 2024.zip')).toBeTruthy();
    expect(card.getByText('Deleted on the server (404).')).toBeTruthy();
    expect(card.getByRole('button', { name: 'Show in folder: Summer 2024' })).toBeTruthy();
    // A finished zip cannot take a file any more: no retry is offered for it (files in a folder can),
    // but what did not arrive can go back on the list.
    expect(card.queryByRole('button', { name: 'Retry IMG_3.jpg' })).toBeNull();
    await userEvent.click(card.getByRole('button', { name: 'Put the 1 file of Summer 2024 that did not arrive back on the download list' }));
    expect(fake.calls('deliveries.putBack')).toEqual([{ id: 4 }]);
    expect(await screen.findByText('Put 1 file back on the list.')).toBeTruthy();
    act(() =>
      fake.emit(
        'deliveries.changed',
        delivery(4, {
          kind: 'files',
          target: '/home/ann/Downloads/Summer 2024',
          state: 'completed',
          completedAt: 1_700_000_100_000,
          progress: { done: 2, failed: 1, canceled: 0, pending: 0, bytesDone: 2_000_000, bytesTotal: 3_000_000 },
          failures: [{ taskId: 12, name: 'IMG_3.jpg', error: { code: 'gone', message: 'Deleted on the server (404).' } }],
        }),
      ),
    );
    await userEvent.click(card.getByRole('button', { name: 'Retry IMG_3.jpg' }));
    expect(fake.calls('tasks.retry')).toEqual([{ ids: [12] }]);
    await userEvent.click(card.getByRole('button', { name: 'Show in folder: Summer 2024' }));
    expect(fake.calls('deliveries.reveal')).toEqual([{ id: 4 }]);
    expect(await screen.findByText('Summer 2024 is in /home/ann/Downloads/Summer 2024.zip')).toBeTruthy();
  });

  it('says why the queue paused itself, wherever the person is, and resumes it', async () => {
    const { fake } = await renderApp({ 'tasks.resumeAll': () => ok({ count: 3 }) }, { view: 'cart' });
    act(() => fake.emit('queue.paused', { code: 'disk_full', message: 'The disk holding /home/ann/Downloads is full: free some space, then resume.' }));
    const banner = await screen.findByText(/The disk holding \/home\/ann\/Downloads is full/);
    await userEvent.click(within(banner.closest('[role="alert"]') as HTMLElement).getByRole('button', { name: 'Resume all' }));
    expect(fake.calls('tasks.resumeAll')).toEqual([{}]);
    await waitFor(() => expect(screen.queryByText(/is full/)).toBeNull());
  });

  it('stops listening when the window goes away', async () => {
    const { fake, unmount } = await renderApp({}, { view: 'downloads' });
    expect(fake.listeners('tasks.progress')).toBe(1);
    unmount();
    expect(fake.listeners('tasks.progress')).toBe(0);
    expect(fake.listeners('cart.changed')).toBe(0);
  });
});
