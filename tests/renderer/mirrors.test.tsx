// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiResult, MirrorDto, MirrorRunDto } from '../../preload/api.js';
import { formatDate } from '../../renderer/src/lib/format';
import { everyHoursText, mirrorRef, scheduleLabel, splitScope } from '../../renderer/src/lib/mirrors';
import { ok, refused } from './fakeBridge.js';
import { mirror, mirrorRun, nas, photos } from './fixtures.js';
import { manualFrames } from './frames.js';
import { renderApp } from './render.js';

const sixHours = 6 * 3_600_000;
const nextAt = 1_700_021_660_000;

/** A scheduled mirror whose last run downloaded some, failed some, and saw files deleted on the source. */
const summer = mirror(1, {
  everyMs: sixHours,
  nextRunAt: nextAt,
  lastRun: mirrorRun(7, {
    newFiles: 3,
    changed: 1,
    unchanged: 120,
    failed: 2,
    deleted: 1,
    bytes: 4_500_000,
    failures: [
      { name: 'IMG_9.jpg', reason: 'The server answered 500 three times.' },
      { name: 'VID_2.mp4', reason: 'The owner does not allow downloads.' },
    ],
    deletions: [{ path: 'IMG_1.jpg', action: 'kept' }],
  }),
});
const library = mirror(2, { scope: 'photos?', dir: '/home/ann/Pictures/Library', layout: 'date', applyDeletions: true });

const cardOf = async (scope: string) => within(await screen.findByRole('article', { name: scope }));

/**
 * A form opened with the window (route `add`) is drawn before the sources come; it picks the first
 * source one render after they do, and only then is its submit button on.
 */
async function sourceChosen(form: ReturnType<typeof within>, submit: string): Promise<void> {
  const button = form.getByRole('button', { name: submit }) as HTMLButtonElement;
  await waitFor(() => expect(button.disabled).toBe(false));
}

describe('mirrors', () => {
  it('says what a mirror is when there is none', async () => {
    await renderApp({}, { view: 'mirrors' });
    expect(await screen.findByText('No mirrors yet. A mirror keeps an album, a library or a folder copied on your disk and up to date.')).toBeTruthy();
  });

  it('lists each mirror with its folder, schedule, next run and last report, failures and deletions on request', async () => {
    await renderApp({ 'mirrors.list': () => ok([summer, library]) }, { view: 'mirrors' });
    const card = await cardOf('photos:albums/summer');
    expect(card.getByText('/home/ann/Pictures/Summer')).toBeTruthy();
    expect(card.getByText('By source folder')).toBeTruthy();
    expect(card.getByText('every 6 h')).toBeTruthy();
    expect(card.getByText(formatDate(nextAt))).toBeTruthy();
    expect(card.getByText('kept here, and reported')).toBeTruthy();
    expect(card.getByText('Done')).toBeTruthy();
    for (const figure of ['3 new', '1 changed', '120 unchanged', '2 failed', '1 deleted on the source', '4.5 MB downloaded']) expect(card.getByText(figure)).toBeTruthy();

    // The reasons and the deleted files are behind their disclosures until asked for.
    expect(card.queryByRole('list', { name: 'Files of photos:albums/summer that failed' })).toBeNull();
    const why = card.getByRole('button', { name: 'Why files failed (2)' });
    expect(why.getAttribute('aria-expanded')).toBe('false');
    await userEvent.click(why);
    expect(why.getAttribute('aria-expanded')).toBe('true');
    const failures = within(card.getByRole('list', { name: 'Files of photos:albums/summer that failed' }));
    expect(failures.getByText('IMG_9.jpg')).toBeTruthy();
    expect(failures.getByText('The server answered 500 three times.')).toBeTruthy();
    expect(failures.getByText('The owner does not allow downloads.')).toBeTruthy();
    await userEvent.click(card.getByRole('button', { name: 'Deleted on the source (1)' }));
    const deletions = within(card.getByRole('list', { name: 'Files of photos:albums/summer deleted on the source' }));
    expect(deletions.getByText('IMG_1.jpg')).toBeTruthy();
    expect(deletions.getByText('kept')).toBeTruthy();

    const other = await cardOf('photos?');
    expect(other.getByText('By date taken')).toBeTruthy();
    expect(other.getByText('manual')).toBeTruthy();
    expect(other.getByText('when you press Run now')).toBeTruthy();
    expect(other.getByText('moved to the trash here')).toBeTruthy();
    expect(other.getByText('Not run yet.')).toBeTruthy();
  });

  it('creates a mirror of a folder: the reference from source and path, the schedule in hours, and the checkboxes', async () => {
    let list: MirrorDto[] = [];
    const { fake } = await renderApp(
      {
        'sources.list': () => ok([photos, nas]),
        'mirrors.list': () => ok(list),
        'mirrors.add': (input) => {
          const made = mirror(5, { source: 'nas', scope: 'nas:Holidays/2024', dir: input.dir, layout: input.layout, recursive: true, everyMs: sixHours, nextRunAt: nextAt });
          list = [made];
          return ok(made);
        },
      },
      { view: 'mirrors' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Add a mirror' }));
    const form = within(await screen.findByRole('form', { name: 'Add a mirror' }));
    // Deletions on the source are only reported unless the person asks for the trash.
    const trash = form.getByRole('checkbox', { name: 'Move files deleted on the source to the trash' }) as HTMLInputElement;
    expect(trash.checked).toBe(false);
    expect(trash.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(trash.getAttribute('aria-describedby')!)?.textContent).toMatch(/only reports it/);

    await userEvent.selectOptions(form.getByRole('combobox', { name: 'Source' }), form.getByRole('option', { name: /^nas/ }));
    await userEvent.type(form.getByRole('textbox', { name: /^Folder in the source/ }), 'Holidays/2024');
    expect(form.getByText('nas:Holidays/2024')).toBeTruthy();
    await userEvent.click(form.getByRole('checkbox', { name: 'Include sub-folders' }));
    await userEvent.type(form.getByRole('textbox', { name: /^Folder on this computer/ }), '/home/ann/Mirrors/Holidays');
    await userEvent.click(form.getByRole('radio', { name: 'By date taken' }));
    await userEvent.click(form.getByRole('radio', { name: 'On a schedule' }));
    const hours = form.getByRole('spinbutton', { name: 'Hours between runs' });
    await userEvent.clear(hours);
    await userEvent.type(hours, '1.5');
    await userEvent.click(form.getByRole('checkbox', { name: /^Write a JSON sidecar/ }));
    await userEvent.click(trash);
    await userEvent.click(form.getByRole('button', { name: 'Create mirror' }));

    expect(fake.calls('mirrors.add')).toEqual([
      { ref: 'nas:Holidays/2024', dir: '/home/ann/Mirrors/Holidays', layout: 'date', recursive: true, everyHours: 1.5, sidecars: true, applyDeletions: true },
    ]);
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Add a mirror' })).toBeNull());
    expect((await cardOf('nas:Holidays/2024')).getByText('/home/ann/Mirrors/Holidays')).toBeTruthy();
  });

  it('creates a manual mirror of a search, and shows a refused folder as the app wrote it', async () => {
    const refusal = 'Choose the mirror\'s folder by its full path (such as /home/ann/Downloads), not "Pictures/Library".';
    const { fake } = await renderApp(
      {
        'sources.list': () => ok([photos, nas]),
        'mirrors.add': (input) => (input.dir.startsWith('/') ? ok(library) : refused('bad_input', refusal)),
      },
      { view: 'mirrors', add: true },
    );
    const form = within(await screen.findByRole('form', { name: 'Add a mirror' }));
    await sourceChosen(form, 'Create mirror');
    await userEvent.click(form.getByRole('radio', { name: 'The matches of a search' }));
    expect(form.queryByRole('checkbox', { name: 'Include sub-folders' })).toBeNull();
    await userEvent.type(form.getByRole('textbox', { name: /^Search/ }), 'after=2024-01-01&type=image');
    await userEvent.type(form.getByRole('textbox', { name: /^Folder on this computer/ }), 'Pictures/Library');
    await userEvent.click(form.getByRole('button', { name: 'Create mirror' }));

    expect((await form.findByRole('alert')).textContent).toBe(refusal);
    expect(fake.calls('mirrors.add')).toEqual([
      { ref: 'photos?after=2024-01-01&type=image', dir: 'Pictures/Library', layout: 'folders', recursive: false, everyHours: null, sidecars: false, applyDeletions: false },
    ]);
    const dir = form.getByRole('textbox', { name: /^Folder on this computer/ });
    await userEvent.clear(dir);
    await userEvent.type(dir, '/home/ann/Pictures/Library');
    await userEvent.click(form.getByRole('button', { name: 'Create mirror' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Add a mirror' })).toBeNull());
    expect(await cardOf('photos?')).toBeTruthy();
  });

  it('runs a mirror now, follows its live counts a frame at a time, and enables Run now again when it ends', async () => {
    const done = mirrorRun(8, { state: 'completed', endedAt: 1_700_100_000_000, newFiles: 3, unchanged: 120, bytes: 3_000_000 });
    const later = 1_700_100_000_000 + sixHours;
    let list = [summer];
    let answer!: (result: ApiResult<MirrorRunDto>) => void;
    const { fake } = await renderApp(
      {
        'mirrors.list': () => ok(list),
        'mirrors.run': () => new Promise((resolve) => (answer = resolve)),
      },
      { view: 'mirrors' },
    );
    const card = await cardOf('photos:albums/summer');
    const runNow = card.getByRole('button', { name: 'Run now: photos:albums/summer' }) as HTMLButtonElement;
    await userEvent.click(runNow);
    expect(fake.calls('mirrors.run')).toEqual([{ id: 1 }]);
    // Listing may take a while: the button stays off until the run ends.
    expect(runNow.disabled).toBe(true);

    const frames = manualFrames();
    act(() => fake.emit('mirrors.changed', mirrorRun(8, { state: 'enumerating', endedAt: null, unchanged: 50 })));
    act(() => fake.emit('mirrors.changed', mirrorRun(8, { state: 'enumerating', endedAt: null, unchanged: 120, newFiles: 3 })));
    expect(frames.pending()).toBe(1);
    expect(card.queryByText('Listing the source')).toBeNull();
    frames.flush();
    expect(card.getByText('Running now')).toBeTruthy();
    expect(card.getByText('Listing the source')).toBeTruthy();
    expect(card.getByText('120 unchanged')).toBeTruthy();
    expect(card.getByText('3 new')).toBeTruthy();
    expect(card.getByText('after this run')).toBeTruthy();

    // The answer: the run as it starts, its downloads queued.
    await act(async () => answer(ok(mirrorRun(8, { state: 'downloading', endedAt: null, newFiles: 3, unchanged: 120, pending: 3 }))));
    expect(card.getByText('Downloading')).toBeTruthy();
    expect(card.getByText('3 downloads to go')).toBeTruthy();
    expect(runNow.disabled).toBe(true);

    act(() => fake.emit('mirrors.changed', mirrorRun(8, { state: 'downloading', endedAt: null, newFiles: 3, unchanged: 120, pending: 1, bytes: 2_000_000 })));
    expect(card.getByText('3 downloads to go')).toBeTruthy();
    frames.flush();
    expect(card.getByText('1 download to go')).toBeTruthy();
    expect(card.getByText('2 MB downloaded')).toBeTruthy();

    // The end shows at once, without waiting for a frame; the list fetched again brings the next run's time.
    list = [{ ...summer, lastRun: done, nextRunAt: later }];
    await act(async () => fake.emit('mirrors.changed', done));
    expect(frames.pending()).toBe(0);
    expect(card.getByText('Last run')).toBeTruthy();
    expect(card.getByText('Done')).toBeTruthy();
    expect(card.getByText('3 MB downloaded')).toBeTruthy();
    expect(runNow.disabled).toBe(false);
    expect(await card.findByText(formatDate(later))).toBeTruthy();
  });

  it('keeps a run that ended before the answer to Run now came as ended', async () => {
    const { fake } = await renderApp(
      {
        'mirrors.list': () => ok([summer]),
        // Nothing to download: the run ends before its answer is read.
        'mirrors.run': () => {
          fake.emit('mirrors.changed', mirrorRun(8, { state: 'completed', unchanged: 124 }));
          return ok(mirrorRun(8, { state: 'downloading', endedAt: null, unchanged: 124 }));
        },
      },
      { view: 'mirrors' },
    );
    const card = await cardOf('photos:albums/summer');
    const runNow = card.getByRole('button', { name: 'Run now: photos:albums/summer' }) as HTMLButtonElement;
    await userEvent.click(runNow);
    // The event is drawn at once (a final state) while Run now still waits for its answer: the
    // button comes back on only once the answer is taken in.
    await waitFor(() => expect(runNow.disabled).toBe(false));
    expect(card.getByText('124 unchanged')).toBeTruthy();
    expect(card.getByText('Done')).toBeTruthy();
  });

  it('shows a refused Run now as written', async () => {
    await renderApp(
      { 'mirrors.list': () => ok([summer]), 'mirrors.run': () => refused('engine_busy', 'Another Cartage process runs the queue; run the mirror from there.') },
      { view: 'mirrors' },
    );
    const card = await cardOf('photos:albums/summer');
    await userEvent.click(card.getByRole('button', { name: 'Run now: photos:albums/summer' }));
    expect(await screen.findByText('Another Cartage process runs the queue; run the mirror from there.')).toBeTruthy();
    expect((card.getByRole('button', { name: 'Run now: photos:albums/summer' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('pauses and resumes the downloads of a run under way', async () => {
    const busy = { ...summer, lastRun: mirrorRun(8, { state: 'downloading', endedAt: null, pending: 3 }) };
    const { fake } = await renderApp(
      {
        'mirrors.list': () => ok([busy]),
        'mirrors.pause': () => ok(mirrorRun(8, { state: 'downloading', endedAt: null, pending: 3, paused: 3 })),
        'mirrors.resume': () => ok(mirrorRun(8, { state: 'downloading', endedAt: null, pending: 3, paused: 0 })),
      },
      { view: 'mirrors' },
    );
    const card = await cardOf('photos:albums/summer');
    await userEvent.click(card.getByRole('button', { name: 'Pause photos:albums/summer' }));
    expect(fake.calls('mirrors.pause')).toEqual([{ id: 1 }]);
    expect(await card.findByText(/3 downloads to go \(3 paused\)/)).toBeTruthy();
    expect(card.queryByRole('button', { name: 'Pause photos:albums/summer' })).toBeNull();
    await userEvent.click(card.getByRole('button', { name: 'Resume photos:albums/summer' }));
    expect(fake.calls('mirrors.resume')).toEqual([{ id: 1 }]);
    expect(await card.findByRole('button', { name: 'Pause photos:albums/summer' })).toBeTruthy();
  });

  it('changes the schedule, sidecars and deletions of a mirror in place, keeping it and its reports', async () => {
    const { fake } = await renderApp(
      {
        'sources.list': () => ok([photos, nas]),
        'mirrors.list': () => ok([summer]),
        'mirrors.update': (input) => ok({ ...summer, everyMs: input.everyHours ? input.everyHours * 3_600_000 : null, sidecars: input.sidecars ?? summer.sidecars }),
      },
      { view: 'mirrors', edit: 1 },
    );
    const form = within(await screen.findByRole('form', { name: 'Edit photos:albums/summer' }));
    expect(form.getByText(/The schedule, sidecars and deletions change in place, and the past runs stay\./)).toBeTruthy();
    await userEvent.click(form.getByRole('radio', { name: /Only when I press Run now/ }));
    await userEvent.click(form.getByRole('checkbox', { name: /sidecar/i }));
    await userEvent.click(form.getByRole('button', { name: 'Save mirror' }));
    // Only what changed is sent.
    await waitFor(() => expect(fake.calls('mirrors.update')).toEqual([{ id: 1, everyHours: null, sidecars: true }]));
    expect(fake.calls('mirrors.add')).toEqual([]);
    expect(fake.calls('mirrors.remove')).toEqual([]);
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Edit photos:albums/summer' })).toBeNull());
    expect(screen.getAllByRole('article', { name: 'photos:albums/summer' })).toHaveLength(1);
  });

  it('changes a mirror of a whole share in place too, and leaves a ten-minute schedule as it was', async () => {
    const share = mirror(3, { source: 'nas', scope: 'nas:', recursive: true, dir: '/backup/nas', everyMs: 600_000 });
    const { fake } = await renderApp(
      { 'sources.list': () => ok([photos, nas]), 'mirrors.list': () => ok([share]), 'mirrors.update': () => ok({ ...share, applyDeletions: true }) },
      { view: 'mirrors', edit: 3 },
    );
    const form = within(await screen.findByRole('form', { name: 'Edit nas:' }));
    await userEvent.click(form.getByRole('checkbox', { name: /^Move files deleted on/ }));
    await userEvent.click(form.getByRole('button', { name: 'Save mirror' }));
    await waitFor(() => expect(fake.calls('mirrors.update')).toEqual([{ id: 3, applyDeletions: true }]));
    expect(fake.calls('mirrors.add')).toEqual([]);
  });

  it('edits what a mirror copies by adding one with the new settings and then removing the old one', async () => {
    let list: MirrorDto[] = [summer];
    const { fake } = await renderApp(
      {
        'sources.list': () => ok([photos, nas]),
        'mirrors.list': () => ok(list),
        'mirrors.add': (input) => {
          const made = mirror(9, { scope: 'photos:albums/summer', dir: input.dir, everyMs: input.everyHours ? input.everyHours * 3_600_000 : null });
          list = [...list, made];
          return ok(made);
        },
        'mirrors.remove': ({ id }) => {
          list = list.filter((m) => m.id !== id);
          return ok(null);
        },
      },
      { view: 'mirrors' },
    );
    await userEvent.click((await cardOf('photos:albums/summer')).getByRole('button', { name: 'Edit photos:albums/summer' }));
    const form = within(await screen.findByRole('form', { name: 'Edit photos:albums/summer' }));
    expect(form.getByText(/saving adds one\s+with these settings and removes this one\. The files in \/home\/ann\/Pictures\/Summer stay on disk/)).toBeTruthy();
    expect((form.getByRole('combobox', { name: 'Source' }) as HTMLSelectElement).value).toBe(String(photos.id));
    expect((form.getByRole('textbox', { name: /^Folder in the source/ }) as HTMLInputElement).value).toBe('albums/summer');
    expect((form.getByRole('radio', { name: 'On a schedule' }) as HTMLInputElement).checked).toBe(true);
    const hours = form.getByRole('spinbutton', { name: 'Hours between runs' }) as HTMLInputElement;
    expect(hours.value).toBe('6');
    await userEvent.clear(hours);
    await userEvent.type(hours, '12');
    await userEvent.click(form.getByRole('radio', { name: /By date taken/ }));
    await userEvent.click(form.getByRole('button', { name: 'Save mirror' }));

    expect(fake.calls('mirrors.add')).toEqual([
      { ref: 'photos:albums/summer', dir: '/home/ann/Pictures/Summer', layout: 'date', recursive: false, everyHours: 12, sidecars: false, applyDeletions: false },
    ]);
    expect(fake.calls('mirrors.update')).toEqual([]);
    // The old mirror is removed only once the new one is answered.
    await waitFor(() => expect(fake.calls('mirrors.remove')).toEqual([{ id: 1 }]));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Edit photos:albums/summer' })).toBeNull());
    expect((await cardOf('photos:albums/summer')).getByText('every 12 h')).toBeTruthy();
    expect(screen.getAllByRole('article', { name: 'photos:albums/summer' })).toHaveLength(1);
  });

  it('keeps the old mirror when the edit is refused', async () => {
    const { fake } = await renderApp(
      {
        'sources.list': () => ok([photos]),
        'mirrors.list': () => ok([summer]),
        'mirrors.add': () => refused('bad_input', 'Choose the mirror\'s folder by its full path (such as /home/ann/Downloads), not "Summer".'),
      },
      { view: 'mirrors', edit: 1 },
    );
    const form = within(await screen.findByRole('form', { name: 'Edit photos:albums/summer' }));
    const dir = form.getByRole('textbox', { name: /^Folder on this computer/ });
    await userEvent.clear(dir);
    await userEvent.type(dir, 'Summer');
    await userEvent.click(form.getByRole('button', { name: 'Save mirror' }));
    expect((await form.findByRole('alert')).textContent).toMatch(/not "Summer"\.$/);
    expect(fake.calls('mirrors.remove')).toEqual([]);
  });

  it('removes a mirror after asking, and says its files stay on disk', async () => {
    const { fake } = await renderApp({ 'mirrors.list': () => ok([summer]), 'mirrors.remove': () => ok(null) }, { view: 'mirrors' });
    const card = await cardOf('photos:albums/summer');
    await userEvent.click(card.getByRole('button', { name: 'Remove photos:albums/summer' }));
    expect(fake.calls('mirrors.remove')).toEqual([]);
    expect(card.getByRole('group', { name: /The files in \/home\/ann\/Pictures\/Summer stay on disk\.$/ })).toBeTruthy();
    await userEvent.click(card.getByRole('button', { name: 'Remove photos:albums/summer' }));
    expect(fake.calls('mirrors.remove')).toEqual([{ id: 1 }]);
    await waitFor(() => expect(screen.queryByRole('article', { name: 'photos:albums/summer' })).toBeNull());
    expect(screen.getByText('Removed the mirror of photos:albums/summer; the files in /home/ann/Pictures/Summer stay on disk.')).toBeTruthy();
  });

  it('names every control of the form, and reaches them from the keyboard', async () => {
    await renderApp({ 'sources.list': () => ok([photos, nas]) }, { view: 'mirrors', add: true });
    const formEl = await screen.findByRole('form', { name: 'Add a mirror' });
    const form = within(formEl);
    await sourceChosen(form, 'Create mirror');
    await userEvent.click(form.getByRole('radio', { name: 'On a schedule' }));
    for (const role of ['button', 'textbox', 'combobox', 'checkbox', 'radio', 'spinbutton']) {
      const all = form.queryAllByRole(role);
      const named = new Set(form.queryAllByRole(role, { name: /\S/ }));
      expect(all.filter((el) => !named.has(el)).map((el) => el.outerHTML.slice(0, 160)), `${role}s without a name`).toEqual([]);
    }
    // Tab from the heading walks every control in order, ending on Create mirror.
    form.getByRole('heading', { name: 'Add a mirror' }).focus();
    const reached = new Set<Element>();
    for (let i = 0; i < 20 && document.activeElement !== form.getByRole('button', { name: 'Create mirror' }); i += 1) {
      await userEvent.tab();
      if (document.activeElement) reached.add(document.activeElement);
    }
    expect(reached.has(form.getByRole('combobox', { name: 'Source' }))).toBe(true);
    expect(reached.has(form.getByRole('spinbutton', { name: 'Hours between runs' }))).toBe(true);
    expect(reached.has(form.getByRole('checkbox', { name: 'Move files deleted on the source to the trash' }))).toBe(true);
    expect(document.activeElement).toBe(form.getByRole('button', { name: 'Create mirror' }));
  });
});

describe('mirror references and schedules in words', () => {
  it('builds SOURCE:PATH and SOURCE?QUERY, and takes them apart again to edit', () => {
    expect(mirrorRef(nas, 'path', ' /Holidays/2024/ ')).toBe('nas:Holidays/2024');
    expect(mirrorRef(nas, 'path', '')).toBe('nas');
    expect(mirrorRef(photos, 'query', '?after=2024-01-01')).toBe('photos?after=2024-01-01');
    expect(mirrorRef(photos, 'query', '')).toBe('photos?');
    expect(splitScope({ source: 'nas', scope: 'nas:Holidays/2024' })).toEqual({ kind: 'path', text: 'Holidays/2024' });
    expect(splitScope({ source: 'nas', scope: 'nas:' })).toEqual({ kind: 'path', text: '' });
    expect(splitScope({ source: 'photos', scope: 'photos?type=image' })).toEqual({ kind: 'query', text: 'type=image' });
  });

  it('says how often a mirror runs the way people say it', () => {
    expect(scheduleLabel(null)).toBe('manual');
    expect(scheduleLabel(6 * 3_600_000)).toBe('every 6 h');
    expect(scheduleLabel(1.5 * 3_600_000)).toBe('every 1.5 h');
    expect(scheduleLabel(30 * 60_000)).toBe('every 30 min');
    expect(everyHoursText(90 * 60_000)).toBe('1.5');
    expect(everyHoursText(null)).toBe('');
  });
});
