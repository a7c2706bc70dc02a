import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkoutSteps } from '../../main/core/cart/checkout.js';
import type { Core } from '../../main/core/core.js';
import type { Task } from '../../main/core/queue/task.js';
import { Service } from '../../main/core/service/service.js';
import { bytes, listDir, settled, tempDir, testCore, testCores } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');
const files: Record<string, Buffer> = {
  'album/IMG_0001.JPG': bytes(30_000, 1),
  'album/IMG_0002.JPG': bytes(40_000, 2),
  'album/notes.txt': Buffer.from('notes '.repeat(2000)),
  'album/sub/deeper.jpg': bytes(5_000, 3),
  'other/clip.mp4': bytes(60_000, 4),
};
const cores = testCores();
const mounts: string[] = [];

beforeAll(async () => {
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  }
  nginx = await startNginx(root);
});
afterEach(async () => {
  await cores.closeAll();
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
});
afterAll(async () => {
  await nginx.stop();
});

/** Everything the checkout transaction touches, to compare before and after. */
function snapshot(core: Core): unknown {
  const all = (sql: string): unknown[] => core.db.prepare(sql).all();
  return {
    cart: all('SELECT * FROM cart_items ORDER BY id'),
    lock: all('SELECT * FROM cart_lock'),
    deliveries: all('SELECT * FROM deliveries'),
    items: all('SELECT * FROM delivery_items'),
    tasks: all('SELECT * FROM tasks'),
  };
}

describe('the download list', () => {
  it('adds the files directly in a folder, not its sub-folders, and never twice', async () => {
    const core = cores.make();
    const first = await core.cart.add([nginx.url('album/')]);
    expect(first).toMatchObject({ added: 3, alreadyThere: 0 });
    expect(first.message).toBe('Added 3 files.');
    const again = await core.cart.add([nginx.url('album/'), nginx.url('other/clip.mp4')]);
    expect(again).toMatchObject({ added: 1, alreadyThere: 3 });
    expect(again.message).toBe('Added 1 file; 3 files were already in the list.');
    const view = core.cart.view();
    expect(view.items.map((i) => i.name).sort()).toEqual(['IMG_0001.JPG', 'IMG_0002.JPG', 'clip.mp4', 'notes.txt']);
    expect(view.totals).toMatchObject({ files: 4, bytes: 30_000 + 40_000 + 12_000 + 60_000, deliverable: 4, restricted: 0 });
    expect(view.items[0]).toMatchObject({ href: nginx.url('album/IMG_0001.JPG'), size: 30_000, access: { downloadable: true } });
  });

  it('adds a whole folder or nothing: past the limit it says how many files and how many places are left', async () => {
    const core = cores.make();
    core.settings.update({ cartLimit: 3 });
    await core.cart.add([nginx.url('other/clip.mp4')]);
    const before = snapshot(core);
    await expect(core.cart.add([nginx.url('album/')])).rejects.toThrow(
      '"' + nginx.url('album/') + '" has 3 new files, but the list has 2 places left of 3: nothing was added.',
    );
    expect(snapshot(core)).toEqual(before);
  });

  it('keeps a link that cannot be downloaded, with its reason, and checkout leaves it in the list', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('missing.jpg'), nginx.url('other/clip.mp4')]);
    const missing = core.cart.view().items.find((i) => i.name === 'missing.jpg')!;
    expect(missing.access).toMatchObject({ downloadable: false });
    expect(missing.access.reason).toMatch(/404/);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId, plan } = core.checkout({ kind: 'files', dir, layout: 'flat' });
    expect(plan).toMatchObject({ files: 1, bytes: 60_000, staying: [{ name: 'missing.jpg' }] });
    const done = await core.deliveries.whenSettled(deliveryId);
    expect(done).toMatchObject({ state: 'completed', progress: { done: 1, failed: 0 } });
    expect(fs.readFileSync(path.join(dir, 'clip.mp4')).equals(files['other/clip.mp4']!)).toBe(true);
    expect(core.cart.view().items.map((i) => i.name)).toEqual(['missing.jpg']);
  });

  it('removes entries and clears the list; an unknown id changes nothing', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('album/')]);
    const [a] = core.cart.view().items;
    expect(core.cart.remove([a!.id])).toBe(1);
    const before = snapshot(core);
    expect(() => core.cart.remove([a!.id, 999])).toThrow(`The list has no entries ${a!.id}, 999; nothing was removed.`);
    expect(snapshot(core)).toEqual(before);
    expect(core.cart.clear()).toBe(2);
    expect(core.cart.view().items).toEqual([]);
  });

  it('refuses edits while another process is checking the list out', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('other/clip.mp4')]);
    const holder = spawn('sleep', ['30']);
    try {
      core.db.prepare('INSERT INTO cart_lock (id, pid, since) VALUES (1, ?, ?)').run(holder.pid, Date.now());
      const before = snapshot(core);
      await expect(core.cart.add([nginx.url('album/')])).rejects.toThrow('The list is being checked out');
      expect(() => core.cart.clear()).toThrow('The list is being checked out');
      expect(() => core.checkout({ kind: 'files', dir: tempDir(), layout: 'flat' })).toThrow('The list is being checked out');
      expect(snapshot(core)).toEqual(before);
    } finally {
      holder.kill();
    }
    await new Promise((r) => holder.once('exit', r));
    // A lock whose process is gone is released.
    expect(core.cart.view().locked).toBe(false);
    expect(core.cart.clear()).toBe(1);
  });
});

describe('checkout, one transaction', () => {
  for (const step of checkoutSteps) {
    it(`rolls everything back when the "${step}" step fails`, async () => {
      const core = cores.make();
      await core.cart.add([nginx.url('album/')]);
      const before = snapshot(core);
      expect(() => core.checkout({ kind: 'zip', name: 'Album', dir: tempDir(), layout: 'flat' }, { failAt: step })).toThrow(`at the "${step}" step`);
      expect(snapshot(core)).toEqual(before);
    });
  }

  it('refuses a target without room, with both numbers, and changes nothing', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('album/'), nginx.url('other/clip.mp4')]);
    const small = tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=100k', 'tmpfs', small]);
    mounts.push(small);
    const before = snapshot(core);
    expect(() => core.checkout({ kind: 'zip', name: 'All', dir: small, layout: 'flat' })).toThrow(
      /needs 284 kB \(the files, and the zip until it is complete\) but only 1\d\d kB is free there/,
    );
    expect(snapshot(core)).toEqual(before);
    expect(listDir(small)).toEqual([]);
  });

  it('delivers files by source folder', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('album/'), nginx.url('other/clip.mp4')]);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'files', dir, layout: 'folders' });
    const done = await core.deliveries.whenSettled(deliveryId);
    expect(done).toMatchObject({ state: 'completed', target: dir, progress: { done: 4, failed: 0, bytesDone: 142_000 } });
    const host = new URL(nginx.url('')).hostname;
    expect(fs.readFileSync(path.join(dir, host, 'IMG_0002.JPG')).equals(files['album/IMG_0002.JPG']!)).toBe(true);
    expect(listDir(path.join(dir, host)).sort()).toEqual(['IMG_0001.JPG', 'IMG_0002.JPG', 'clip.mp4', 'notes.txt']);
    expect(core.cart.view().items).toEqual([]);
  });

  it('makes the folder a files delivery is named for, and says so in the plan', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('other/clip.mp4')]);
    core.startEngine();
    const dir = tempDir();
    const req = { kind: 'files', dir, name: 'Trip: day 1', layout: 'flat' } as const;
    expect(core.planCheckout(req)).toMatchObject({ target: path.join(dir, 'Trip_ day 1'), name: 'Trip_ day 1' });
    const { deliveryId } = core.checkout(req);
    expect(await core.deliveries.whenSettled(deliveryId)).toMatchObject({ state: 'completed', target: path.join(dir, 'Trip_ day 1') });
    expect(listDir(dir)).toEqual(['Trip_ day 1']);
    expect(fs.readFileSync(path.join(dir, 'Trip_ day 1', 'clip.mp4')).equals(files['other/clip.mp4']!)).toBe(true);
  });

  it('ends a delivery whose every file was canceled as canceled, not done, and its files can go back on the list', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('other/clip.mp4')]);
    const { deliveryId } = core.checkout({ kind: 'files', dir: tempDir(), layout: 'flat' });
    // As "Cancel all" does: the tasks, not the delivery.
    core.engine.cancelAll();
    core.startEngine();
    expect(await core.deliveries.whenSettled(deliveryId)).toMatchObject({ state: 'canceled', progress: { canceled: 1, done: 0 } });
    expect(core.putBack(deliveryId)).toMatchObject({ added: 1 });
  });

  it('delivers one zip that unzip -t accepts, and leaves no staging files behind', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('album/'), nginx.url('other/clip.mp4')]);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId, plan } = core.checkout({ kind: 'zip', name: 'Holidays 2024', dir, layout: 'flat' });
    expect(plan.target).toBe(path.join(dir, 'Holidays 2024.zip'));
    const done = await core.deliveries.whenSettled(deliveryId);
    expect(done).toMatchObject({ state: 'completed', target: path.join(dir, 'Holidays 2024.zip'), progress: { done: 4 } });
    expect(listDir(dir)).toEqual(['Holidays 2024.zip']);
    execFileSync('unzip', ['-tq', path.join(dir, 'Holidays 2024.zip')]);
    const out = tempDir();
    execFileSync('unzip', ['-q', path.join(dir, 'Holidays 2024.zip'), '-d', out]);
    expect(fs.readFileSync(path.join(out, 'notes.txt')).equals(files['album/notes.txt']!)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'clip.mp4')).equals(files['other/clip.mp4']!)).toBe(true);
  });

  it('finishes a zip a crash interrupted from the files already downloaded, without downloading them again', async () => {
    const dir = tempDir();
    const first = testCore();
    const moved = new Promise<void>((resolve) => first.engine.on('drained', resolve));
    await first.cart.add([nginx.url('album/')]);
    // Downloads run, but the zip is never written: as if the process died before zipping.
    const { deliveryId } = first.checkout({ kind: 'zip', name: 'Crash', dir, layout: 'flat' });
    first.engine.start();
    await moved;
    fs.writeFileSync(path.join(dir, 'Crash.zip.cartage-part'), 'PK half a zip');
    await first.close();

    const requestsBefore = nginx.log().length;
    const second = cores.make({}, first.options.dataDir);
    second.startEngine();
    const done = await second.deliveries.whenSettled(deliveryId);
    expect(done).toMatchObject({ state: 'completed', progress: { done: 3 } });
    expect(nginx.log().length).toBe(requestsBefore);
    expect(listDir(dir)).toEqual(['Crash.zip']);
    execFileSync('unzip', ['-tq', path.join(dir, 'Crash.zip')]);
  });
});

describe('delivery review', () => {
  it('reports a file that failed with its reason, and delivers the others', async () => {
    const core = cores.make();
    const gone = path.join(root, 'other', 'soon-gone.jpg');
    fs.writeFileSync(gone, bytes(1000, 9));
    await core.cart.add([nginx.url('other/')]);
    fs.rmSync(gone);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'zip', name: 'Partial', dir, layout: 'flat' });
    const resent = new Promise<Task>((resolve) => core.queue.changes.on('task', (t) => t.sealed && resolve(t)));
    const done = await core.deliveries.whenSettled(deliveryId);
    expect(done).toMatchObject({ state: 'completed', progress: { done: 1, failed: 1 } });
    expect(done.failures).toEqual([expect.objectContaining({ name: 'soon-gone.jpg', error: expect.objectContaining({ message: expect.stringMatching(/deleted on the server|404/) }) })]);
    expect(execFileSync('unzip', ['-Z1', path.join(dir, 'Partial.zip')]).toString().trim()).toBe('clip.mp4');

    // The zip is written: its missing file can no longer be fetched into it, by a retry of the
    // file or of everything, so nothing lands in a staging folder that is gone.
    fs.writeFileSync(gone, bytes(1000, 9));
    const taskId = done.failures[0]!.taskId;
    expect(core.queue.get(taskId)).toMatchObject({ state: 'skipped', sealed: true });
    // The window hears it again, sealed, and drops its Retry; a retry through the contract says why.
    expect(await resent).toMatchObject({ id: taskId, state: 'skipped', sealed: true });
    const service = new Service(core, { host: 'serve', version: 'test' });
    expect(await service.handle('tasks.retry', { ids: [taskId] })).toMatchObject({
      ok: false,
      error: { code: 'illegal_transition', message: expect.stringMatching(/^"soon-gone\.jpg" was for a zip that is already written or was canceled; put it back on the download list/) },
    });
    service.close();
    expect(core.engine.retry([taskId])).toEqual([]);
    expect(core.engine.retryAll()).toEqual([]);
    expect(() => core.queue.transition(taskId, 'queued')).toThrow('was for a zip that is already written or was canceled; put it back on the download list');
    expect(core.queue.get(taskId)!.state).toBe('skipped');
    expect(listDir(dir)).toEqual(['Partial.zip']);
    expect(() => core.deliveries.retry(deliveryId)).toThrow('add the failed files to the list again');

    // A full list takes nothing back, and says so with both numbers.
    core.settings.update({ cartLimit: 1 });
    await core.cart.add([nginx.url('album/IMG_0001.JPG')]);
    expect(() => core.putBack(deliveryId)).toThrow('"Partial.zip" has 1 new file, but the list has 0 places left of 1: nothing was added.');
    core.cart.clear();
    core.settings.update({ cartLimit: 100 });
    // Put back as it was when checked out; a second time, it is there already.
    expect(core.putBack(deliveryId)).toMatchObject({ added: 1, alreadyThere: 0, message: 'Put 1 file back on the list.' });
    const back = core.cart.view().items;
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ name: 'soon-gone.jpg', url: nginx.url('other/soon-gone.jpg'), access: { downloadable: true } });
    expect(core.putBack(deliveryId)).toMatchObject({ added: 0, alreadyThere: 1, message: 'Nothing was put back; 1 file was already in the list.' });
    // Checked out again, it arrives.
    const second = core.checkout({ kind: 'zip', name: 'Rest', dir, layout: 'flat' });
    expect(await core.deliveries.whenSettled(second.deliveryId)).toMatchObject({ state: 'completed', progress: { done: 1, failed: 0 } });
    expect(execFileSync('unzip', ['-Z1', path.join(dir, 'Rest.zip')]).toString().trim()).toBe('soon-gone.jpg');
    fs.rmSync(gone);
  });

  it('fetches a failed file of a finished folder delivery on retry, and the delivery completes again', async () => {
    const core = cores.make();
    const gone = path.join(root, 'other', 'back-later.jpg');
    const data = bytes(1500, 10);
    fs.writeFileSync(gone, data);
    await core.cart.add([nginx.url('other/')]);
    fs.rmSync(gone);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'files', dir, layout: 'flat' });
    const first = await core.deliveries.whenSettled(deliveryId);
    expect(first).toMatchObject({ state: 'completed', progress: { done: 1, failed: 1 } });

    fs.writeFileSync(gone, data);
    const reopened = new Promise<string>((resolve) => core.deliveries.once('delivery', (d) => resolve(d.state)));
    expect(core.engine.retry([first.failures[0]!.taskId])).toHaveLength(1);
    expect(await reopened).toBe('running');
    const again = await core.deliveries.whenSettled(deliveryId);
    expect(again).toMatchObject({ state: 'completed', progress: { done: 2, failed: 0 }, failures: [] });
    expect(fs.readFileSync(path.join(dir, 'back-later.jpg')).equals(data)).toBe(true);
    fs.rmSync(gone);
  });

  it('cancels a delivery whole: its downloads stop, and no zip is left behind', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('album/')]);
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'zip', name: 'Stopped', dir, layout: 'flat' });
    // Not started: the tasks wait in the queue, as they would behind other downloads.
    const view = await core.deliveries.cancel(deliveryId);
    expect(view).toMatchObject({ state: 'canceled', progress: { canceled: 3, done: 0 } });
    expect(listDir(dir)).toEqual([]);
    expect(core.queue.get(core.db.prepare('SELECT task_id FROM delivery_items LIMIT 1').pluck().get() as number)?.state).toBe('canceled');
    await expect(core.deliveries.cancel(deliveryId)).rejects.toThrow('has already been canceled');
    // Canceled by mistake: the whole list comes back as it was.
    expect(core.putBack(deliveryId)).toMatchObject({ added: 3, message: 'Put 3 files back on the list.' });
    expect(core.cart.view().items.map((i) => i.name).sort()).toEqual(['IMG_0001.JPG', 'IMG_0002.JPG', 'notes.txt']);
  });

  it('puts back every file of a canceled zip, those it had taken too (the zip went with them)', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('album/')]);
    core.startEngine();
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'zip', name: 'Half', dir, layout: 'flat' });
    const first = (core.db.prepare('SELECT task_id FROM delivery_items WHERE delivery_id = ? ORDER BY id LIMIT 1').pluck().get(deliveryId) as number);
    await settled(core.engine, first);
    await core.deliveries.cancel(deliveryId);
    expect(listDir(dir)).toEqual([]);
    expect(core.putBack(deliveryId)).toMatchObject({ added: 3 });
  });
});

describe('a zip that cannot be written', () => {
  it('fails the delivery with the reason, keeps the downloaded files, and is written again on retry', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('other/clip.mp4')]);
    const dir = tempDir();
    const { deliveryId } = core.checkout({ kind: 'zip', name: 'Broken', dir, layout: 'flat' });
    const hidden = path.join(tempDir(), 'clip.mp4');
    // As the file lands, and before the zip takes it, it goes missing (a person, a cleaner, a disk).
    core.queue.changes.on('task', (t) => {
      if (t.state === 'completed' && fs.existsSync(t.finalPath)) fs.renameSync(t.finalPath, hidden);
    });
    core.startEngine();
    const failed = await core.deliveries.whenSettled(deliveryId);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/clip\.mp4/);
    expect(listDir(dir).filter((n) => n.endsWith('.zip') || n.endsWith('.cartage-part'))).toEqual([]);
    const staged = core.db.prepare('SELECT final_path FROM tasks').pluck().get() as string;
    fs.renameSync(hidden, staged);
    core.deliveries.retry(deliveryId);
    const done = await core.deliveries.whenSettled(deliveryId);
    expect(done).toMatchObject({ state: 'completed', error: null, target: path.join(dir, 'Broken.zip') });
    execFileSync('unzip', ['-tq', path.join(dir, 'Broken.zip')]);
  });

  it('refuses a second zip of the same name in the same folder while the first is being written', async () => {
    const core = cores.make();
    await core.cart.add([nginx.url('other/clip.mp4')]);
    const dir = tempDir();
    core.checkout({ kind: 'zip', name: 'Same', dir, layout: 'flat' });
    await core.cart.add([nginx.url('album/IMG_0001.JPG')]);
    const before = snapshot(core);
    expect(() => core.checkout({ kind: 'zip', name: 'Same', dir, layout: 'flat' })).toThrow('Same.zip is already being written in');
    expect(snapshot(core)).toEqual(before);
  });
});

describe('a link with a password in it', () => {
  it('goes in the list as needing sign-in, since the list keeps no password', async () => {
    const core = cores.make();
    const withPassword = nginx.url('other/clip.mp4').replace('http://', 'http://ann:secret@');
    const outcome = await core.cart.add([withPassword]);
    expect(outcome).toMatchObject({ added: 1, restricted: 1 });
    const [item] = core.cart.view().items;
    expect(item!.access).toMatchObject({ downloadable: false, restriction: 'needs_sign_in' });
    expect(item!.url).not.toContain('secret');
    expect(JSON.stringify(core.db.prepare('SELECT * FROM cart_items').all())).not.toContain('secret');
  });
});
