import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiResult, EventName, Events, Results } from '../../preload/api.js';
import { Core } from '../../main/core/core.js';
import { defaultDownloadDir } from '../../main/core/paths.js';
import { Service, type ServiceEvent } from '../../main/core/service/service.js';
import { bytes, tempDir, testCores } from '../helpers/core.js';
import { makeCertificate } from '../helpers/nginx-tls.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');
const files: Record<string, Buffer> = {
  'album/IMG_0001.jpg': bytes(30_000, 1),
  'album/IMG_0002.jpg': bytes(40_000, 2),
  'album/sub/notes.txt': Buffer.from('notes '.repeat(100)),
  'big/large.bin': bytes(1_600_000, 3),
  // A zip of small files, each one over before its own speed meter can say anything.
  ...Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`small/s${String(i + 1).padStart(2, '0')}.bin`, bytes(40_000, 10 + i)])),
};
const cores = testCores();
const services: Service[] = [];

beforeAll(async () => {
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), body);
  }
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx.stop();
});
afterEach(async () => {
  for (const s of services.splice(0)) s.close();
  await cores.closeAll();
});

interface Recorded {
  at: number;
  event: EventName;
  payload: unknown;
}

function serviceOver(core: Core, hooks: Partial<ConstructorParameters<typeof Service>[1]> = {}): { service: Service; events: Recorded[] } {
  const service = new Service(core, { host: 'serve', version: '9.9.9-test', ...hooks });
  services.push(service);
  const events: Recorded[] = [];
  service.on((...[event, payload]: ServiceEvent) => events.push({ at: performance.now(), event, payload }));
  return { service, events };
}

/** The value of a request that must succeed. */
async function ok<C extends keyof Results>(service: Service, channel: C, input: unknown = {}): Promise<Results[C]> {
  const result = await service.handle(channel, input);
  if (!result.ok) throw new Error(`${channel} failed: [${result.error.code}] ${result.error.message}`);
  return result.value as Results[C];
}

/** Resolves with the first event of that name whose payload passes `test` (already recorded or still to come). */
function nextEvent<E extends EventName>(service: Service, event: E, test: (p: Events[E]) => boolean = () => true): Promise<Events[E]> {
  return new Promise((resolve) => {
    const off = service.on((...[name, payload]: ServiceEvent) => {
      if (name === event && test(payload as Events[E])) {
        off();
        resolve(payload as Events[E]);
      }
    });
  });
}

const isoDate = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('the service answers every channel with the contract\'s shapes', () => {
  it('adds a web folder, browses it, previews a query, fills the list, checks it out as a zip and reports it', async () => {
    const core = cores.make();
    const revealed: string[] = [];
    const { service, events } = serviceOver(core, { reveal: (p) => Promise.resolve(void revealed.push(p)) });
    core.startEngine();

    expect(await ok(service, 'app.info')).toEqual({ version: '9.9.9-test', dataDir: core.options.dataDir });
    expect(await ok(service, 'sources.list')).toEqual([]);

    const added = await ok(service, 'sources.add', { kind: 'web', url: nginx.url('album/'), name: 'www', username: 'ann', password: 'hunter2' });
    expect(added).toEqual({
      source: { id: expect.any(Number), name: 'www', kind: 'web', url: nginx.url('album/'), username: 'ann', sharedLink: false, certificate: null },
      signedInAs: null,
    });
    const sourceId = added.source.id;
    expect(await ok(service, 'sources.list')).toEqual([added.source]);

    const top = await ok(service, 'sources.browse', { sourceId, path: '' });
    expect(top.sourceId).toBe(sourceId);
    expect(top.folders).toEqual([{ path: 'sub', name: 'sub', modified: expect.stringMatching(isoDate), count: null }]);
    expect(top.files.map((f) => [f.name, f.size, f.group])).toEqual([
      ['IMG_0001.jpg', 30_000, 'image'],
      ['IMG_0002.jpg', 40_000, 'image'],
    ]);
    expect(top.files[0]).toMatchObject({ folder: '', modified: expect.stringMatching(isoDate), href: nginx.url('album/IMG_0001.jpg'), access: { downloadable: true, restriction: null, reason: null }, motion: null });
    expect(top.summary).toEqual({ files: 2, bytes: 70_000, unknownSizes: 0 });
    const sub = await ok(service, 'sources.browse', { sourceId, path: '/sub/' });
    expect(sub.files.map((f) => f.name)).toEqual(['notes.txt']);

    const preview = await ok(service, 'sources.query', { sourceId, query: 'img_', preview: 1 });
    expect(preview.files).toHaveLength(1);
    expect(preview.summary).toEqual({ files: 2, bytes: 70_000, unknownSizes: 0 });

    expect(await ok(service, 'cart.get')).toEqual({
      items: [],
      totals: { files: 0, bytes: 0, unknownSizes: 0, deliverable: 0, restricted: 0 },
      limit: 100,
      locked: false,
    });
    const cartChanged = nextEvent(service, 'cart.changed');
    const outcome = await ok(service, 'cart.add', { refs: ['www'] });
    expect(outcome).toEqual({ added: 2, alreadyThere: 0, restricted: 0, message: 'Added 2 files.' });
    const cart = await cartChanged;
    expect(cart.items.map((i) => [i.name, i.size, i.sourceName])).toEqual([
      ['IMG_0001.jpg', 30_000, 'www'],
      ['IMG_0002.jpg', 40_000, 'www'],
    ]);
    expect(cart.items[0]).not.toHaveProperty('url');
    expect(await ok(service, 'cart.get')).toEqual(cart);

    const dir = tempDir();
    const request = { kind: 'zip', dir, name: 'Holiday', layout: 'flat' };
    const plan = await ok(service, 'checkout.plan', request);
    expect(plan).toMatchObject({ kind: 'zip', target: path.join(dir, 'Holiday.zip'), name: 'Holiday.zip', files: 2, bytes: 70_000, unknownSizes: 0, staying: [], neededBytes: 140_000 });
    const emptied = nextEvent(service, 'cart.changed', (c) => c.items.length === 0);
    const started = await ok(service, 'checkout.start', request);
    expect(started.plan).toEqual({ ...plan, freeBytes: expect.any(Number) });
    await emptied;
    const completed = await nextEvent(service, 'deliveries.changed', (d) => d.id === started.deliveryId && d.state === 'completed');
    expect(completed).toMatchObject({ name: 'Holiday.zip', kind: 'zip', layout: 'flat', target: path.join(dir, 'Holiday.zip'), files: 2, failures: [] });
    expect(completed.progress).toMatchObject({ done: 2, failed: 0, canceled: 0, pending: 0, bytesDone: 70_000 });
    expect(fs.existsSync(path.join(dir, 'Holiday.zip'))).toBe(true);
    expect(await ok(service, 'deliveries.list')).toEqual([completed]);

    const list = await ok(service, 'tasks.list', { limit: 10 });
    expect(list.tasks.map((t) => [t.name, t.state, t.bytes, t.total, t.speed, t.eta, t.error])).toEqual([
      ['IMG_0002.jpg', 'completed', 40_000, 40_000, null, null, null],
      ['IMG_0001.jpg', 'completed', 30_000, 30_000, null, null, null],
    ]);
    expect(list.totals).toMatchObject({ counts: { completed: 2, active: 0, queued: 0 }, bytesDone: 70_000, bytesTotal: 70_000 });
    const changed = events.filter((e) => e.event === 'tasks.changed').map((e) => e.payload as Events['tasks.changed']);
    expect(changed.filter((t) => t.state === 'completed').map((t) => t.name).sort()).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg']);

    expect(await ok(service, 'deliveries.reveal', { id: started.deliveryId })).toEqual({ path: path.join(dir, 'Holiday.zip') });
    expect(revealed).toEqual([path.join(dir, 'Holiday.zip')]);

    for (const verb of ['tasks.pauseAll', 'tasks.resumeAll', 'tasks.cancelAll'] as const) expect(await ok(service, verb)).toEqual({ count: 0 });
    expect(await ok(service, 'sources.remove', { id: sourceId })).toBeNull();
    expect(await ok(service, 'sources.list')).toEqual([]);

    // No secret in any answer or event (invariant 4).
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(JSON.stringify(added)).not.toContain('hunter2');
  });

  it('reads and changes the settings; an empty download folder is shown as the system\'s', async () => {
    const core = cores.make();
    const { service } = serviceOver(core);
    const settings = await ok(service, 'settings.get');
    expect(settings).toEqual({
      downloadDir: defaultDownloadDir(),
      maxConcurrent: 6,
      maxPerHost: 6,
      maxPerGroup: 3,
      connections: 4,
      speedLimit: 0,
      conflictPolicy: 'rename',
      cartLimit: 100,
      keepRunningInTray: true,
      theme: 'system',
      synapseRemoveDelivered: true,
      imagePreviews: false,
    });
    const dir = tempDir();
    expect(await ok(service, 'settings.update', { downloadDir: dir, maxConcurrent: 2, theme: 'dark' })).toEqual({ ...settings, downloadDir: dir, maxConcurrent: 2, theme: 'dark' });
    expect(core.settings.get()).toMatchObject({ downloadDir: dir, maxConcurrent: 2, theme: 'dark' });
  });

  it('pauses, resumes, cancels and retries downloads by id, saying so at once', async () => {
    const core = cores.make();
    const { service, events } = serviceOver(core);
    const [a, b] = core.queue.enqueue([{ url: nginx.url('album/IMG_0001.jpg'), dir: tempDir() }, { url: nginx.url('album/IMG_0002.jpg'), dir: tempDir() }]) as [number, number];
    const paused = await ok(service, 'tasks.pause', { ids: [a, b] });
    expect(paused.map((t) => [t.id, t.state])).toEqual([[a, 'paused'], [b, 'paused']]);
    expect(paused[0]).toEqual({ id: a, name: 'IMG_0001.jpg', state: 'paused', path: expect.stringContaining('IMG_0001.jpg'), bytes: 0, total: null, speed: null, eta: null, error: null, zip: null, retryable: false });
    expect(events.filter((e) => e.event === 'tasks.changed').map((e) => (e.payload as Events['tasks.changed']).state)).toEqual(['paused', 'paused']);
    expect((await ok(service, 'tasks.resume', { ids: [a] })).map((t) => t.state)).toEqual(['queued']);
    expect((await ok(service, 'tasks.cancel', { ids: [b] })).map((t) => t.state)).toEqual(['canceled']);
    // Nothing to retry in a queued or canceled task: answered with the tasks moved, none.
    expect(await ok(service, 'tasks.retry', { ids: [a, b] })).toEqual([]);
    const list = await ok(service, 'tasks.list', {});
    expect(list.tasks.map((t) => [t.id, t.state])).toEqual([[b, 'canceled'], [a, 'queued']]);
  });

  it('turns a pause of many downloads into one snapshot, not a message each', async () => {
    const core = cores.make();
    const { service, events } = serviceOver(core);
    const dir = tempDir();
    const ids = core.queue.enqueue(Array.from({ length: 500 }, (_, i) => ({ url: `http://127.0.0.1:9/f${i}.bin`, dir })));
    const snapshot = nextEvent(service, 'tasks.progress');
    expect(await ok(service, 'tasks.pause', { ids })).toHaveLength(500);
    expect((await snapshot).totals.counts.paused).toBe(500);
    expect(events.filter((e) => e.event === 'tasks.changed')).toEqual([]);

    const again = nextEvent(service, 'tasks.progress', (p) => p.totals.counts.queued === 500);
    expect(await ok(service, 'tasks.resumeAll')).toEqual({ count: 500 });
    await again;
    expect(events.filter((e) => e.event === 'tasks.progress')).toHaveLength(2);
    expect(events).toHaveLength(2);
  });
});

describe('progress events', () => {
  it('come at most five a second while the engine reports more often, and final states at once', async () => {
    // The engine here snapshots every 10 ms: the service must coalesce them.
    const core = new Core({ dataDir: tempDir(), engine: { random: () => 0.5, progressIntervalMs: 10 } });
    core.settings.update({ speedLimit: 1_000_000, retryBaseMs: 10, retryMaxMs: 50 });
    const { service, events } = serviceOver(core);
    let engineSnapshots = 0;
    core.engine.on('progress', () => (engineSnapshots += 1));
    // Registered after the service's own listener: when the queue says "completed", the service must already have sent it.
    const sentAtOnce: boolean[] = [];
    core.queue.changes.on('task', (t) => {
      if (t.state === 'completed') {
        sentAtOnce.push(events.some((e) => e.event === 'tasks.changed' && (e.payload as Events['tasks.changed']).id === t.id && (e.payload as Events['tasks.changed']).state === 'completed'));
      }
    });
    core.startEngine();
    try {
      const [id] = core.engine.add([{ url: nginx.url('big/large.bin'), dir: tempDir() }]) as [number];
      const running = await nextEvent(service, 'tasks.progress', (p) => p.tasks.some((t) => t.id === id && t.bytes > 0));
      expect(running.tasks[0]).toMatchObject({ id, name: 'large.bin', state: 'active', total: 1_600_000, error: null });
      expect(typeof running.tasks[0]!.speed).toBe('number');
      const listed = (await ok(service, 'tasks.list', { limit: 5 })).tasks.find((t) => t.id === id)!;
      expect(listed.state).toBe('active');
      expect(typeof listed.speed).toBe('number');
      await nextEvent(service, 'tasks.changed', (t) => t.id === id && t.state === 'completed');
      expect(sentAtOnce).toEqual([true]);
      const times = events.filter((e) => e.event === 'tasks.progress').map((e) => e.at);
      expect(times.length).toBeGreaterThanOrEqual(4);
      expect(engineSnapshots).toBeGreaterThan(times.length * 2);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
    } finally {
      await core.close();
    }
  });
});

describe('a delivery\'s speed', () => {
  it('is measured on its own bytes: a zip of small files moving shows a speed above 0 B/s', async () => {
    const core = cores.make();
    // One at a time at 400 kB/s: each 40 kB file is done in about 100 ms, before its own meter (200 ms) says anything.
    core.settings.update({ maxConcurrent: 1, speedLimit: 400_000 });
    const { service } = serviceOver(core);
    core.startEngine();
    const added = await ok(service, 'sources.add', { kind: 'web', url: nginx.url('small/'), name: 'small' });
    expect(await ok(service, 'cart.add', { refs: ['small'] })).toMatchObject({ added: 24 });
    const started = await ok(service, 'checkout.start', { kind: 'zip', dir: tempDir(), name: 'Small', layout: 'flat' });
    const moving = await nextEvent(service, 'deliveries.changed', (d) => d.id === started.deliveryId && d.state === 'running' && (d.speed ?? 0) > 0);
    expect(moving.progress.bytesDone).toBeGreaterThan(0);
    expect(moving.eta).not.toBeNull();
    const done = await nextEvent(service, 'deliveries.changed', (d) => d.id === started.deliveryId && d.state === 'completed');
    expect(done.speed).toBeNull();
    expect(added.source.name).toBe('small');
  });
});

describe('bad payloads are refused with a sentence, logged, and change nothing', () => {
  function snapshotOf(core: Core): unknown {
    const all = (table: string): unknown[] => core.db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
    return { cart: all('cart_items'), tasks: all('tasks'), sources: all('sources'), settings: all('settings'), deliveries: all('deliveries'), mirrors: all('mirrors') };
  }

  const absolute = tempDir();
  const cases: [string, string, unknown, string, RegExp][] = [
    ['a list given as text', 'cart.add', { refs: 'x' }, 'bad_input', /^Cartage refused cart\.add: "refs" should be a list, not text; nothing was changed\.$/],
    ['a field the channel does not take', 'cart.add', { refs: ['www'], extra: true }, 'bad_input', /^Cartage refused cart\.add: cart\.add does not take "extra"; nothing was changed\.$/],
    ['a missing field', 'sources.browse', { sourceId: 1 }, 'bad_input', /needs "path"/],
    ['an empty list of ids', 'tasks.pause', { ids: [] }, 'bad_input', /"ids" should have at least 1 item/],
    ['an id that is not whole', 'tasks.cancel', { ids: [1.5] }, 'bad_input', /"ids\[0\]" should be a whole number/],
    ['an id given as text', 'sources.browse', { sourceId: 'one', path: '' }, 'bad_input', /"sourceId" should be a number, not text/],
    ['a limit out of range', 'settings.update', { cartLimit: 20_000 }, 'bad_input', /"cartLimit" should be at most 10000/],
    ['a kind it does not know', 'sources.add', { kind: 'ftp', url: 'ftp://x' }, 'bad_input', /"kind" should be one of "immich", "webdav", "web"/],
    ['no object at all', 'cart.get', null, 'bad_input', /cart\.get takes an object of named fields, not null/],
    ['an empty folder', 'checkout.start', { kind: 'zip', dir: '', name: 'x', layout: 'flat' }, 'bad_input', /"dir" cannot be empty/],
    ['a relative folder', 'checkout.start', { kind: 'files', dir: 'Downloads', layout: 'flat' }, 'bad_input', /full path/],
    ['a relative download folder', 'settings.update', { downloadDir: 'here' }, 'bad_input', /full path/],
    // Node's recursive mkdir loops for ever under /proc: each of these must be refused at once.
    ['a download folder that cannot be made', 'settings.update', { downloadDir: '/proc/forbidden' }, 'cannot_write', /^Cannot write to \/proc\/forbidden \(ENOENT\); choose another download folder\.$/],
    ['a checkout into a folder that cannot be made', 'checkout.start', { kind: 'files', dir: '/proc/forbidden', layout: 'flat' }, 'cannot_write', /^Cannot write to \/proc\/forbidden \(ENOENT\); choose another folder\.$/],
    ['a mirror into a folder that cannot be made', 'mirrors.add', { ref: 'www', dir: '/proc/forbidden', layout: 'folders', recursive: false, everyHours: null, sidecars: false, applyDeletions: false }, 'cannot_write', /^Cannot write to \/proc\/forbidden \(ENOENT\); choose another folder for the mirror\.$/],
    ['a zip without a name', 'checkout.start', { kind: 'zip', dir: absolute, name: ' ', layout: 'flat' }, 'bad_input', /Name the zip/],
    ['an unknown channel', 'cart.empty', {}, 'bad_input', /no request called "cart\.empty"/],
    ['a channel from the prototype', '__proto__', {}, 'bad_input', /no request called "__proto__"/],
    ['an unknown list entry', 'cart.remove', { ids: [999] }, 'not_found', /nothing was removed/],
    ['an unknown download', 'tasks.pause', { ids: [1, 999] }, 'not_found', /There is no download 999 in the queue; nothing was changed\./],
    ['an unknown source', 'sources.browse', { sourceId: 77, path: '' }, 'not_found', /There is no source 77/],
    ['a file link', 'links.open', { url: 'file:///etc/passwd' }, 'bad_input', /only web links \(http and https\), not file: ones/],
    ['a script link', 'links.open', { url: 'javascript:alert(1)' }, 'bad_input', /only web links \(http and https\), not javascript: ones/],
    ['a link that is not an address', 'links.open', { url: 'not a url' }, 'bad_input', /is not a web address/],
    ['a password with a bad field', 'sources.add', { kind: 'web', url: 'http://x/', password: 'hunter2', tls: false }, 'bad_input', /does not take "tls"/],
  ];

  for (const [what, channel, payload, code, message] of cases) {
    it(`refuses ${what}`, async () => {
      const core = cores.make();
      const opened: string[] = [];
      const { service, events } = serviceOver(core, { openExternal: (url) => Promise.resolve(void opened.push(url)) });
      await ok(service, 'sources.add', { kind: 'web', url: nginx.url('album/'), name: 'www' });
      await ok(service, 'cart.add', { refs: ['www'] });
      const [task] = core.queue.enqueue([{ url: nginx.url('album/IMG_0001.jpg'), dir: tempDir() }]);
      expect(task).toBe(1);
      events.length = 0;
      const warn = vi.spyOn(core.log, 'warn');
      const before = snapshotOf(core);

      const result = (await service.handle(channel, payload)) as ApiResult<unknown>;
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe(code);
      expect(result.error.message).toMatch(message);
      expect(result.error.message).toMatch(/^[A-Z"].*\.$/s);
      expect(snapshotOf(core)).toEqual(before);
      expect(events).toEqual([]);
      expect(opened).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(result.error.message));
      expect(warn.mock.calls.flat().join('\n')).not.toContain('hunter2');
    });
  }

  it('opens http and https links through the host, and says to use the page where it cannot', async () => {
    const core = cores.make();
    const opened: string[] = [];
    const { service: app } = serviceOver(core, { host: 'electron', openExternal: (url) => Promise.resolve(void opened.push(url)) });
    expect(await app.handle('links.open', { url: 'https://example.org/a b' })).toEqual({ ok: true, value: null });
    expect(opened).toEqual(['https://example.org/a%20b']);
    const { service: page } = serviceOver(core);
    const refused = await page.handle('links.open', { url: 'https://example.org/' });
    expect(refused).toEqual({ ok: false, error: { code: 'unsupported', message: expect.stringMatching(/open this link from the page/i) } });
  });

  it('answers an unexpected failure with a generic sentence, and logs the details', async () => {
    const core = cores.make();
    const { service } = serviceOver(core);
    vi.spyOn(core.cart, 'view').mockImplementation(() => {
      throw new Error('boom: secret internals');
    });
    const error = vi.spyOn(core.log, 'error');
    const result = await service.handle('cart.get', {});
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: expect.stringMatching(/^Something went wrong inside Cartage.*log\.$/) } });
    expect(JSON.stringify(result)).not.toContain('boom');
    expect(error).toHaveBeenCalledWith(expect.stringContaining('boom: secret internals'));
  });
});

describe('a server whose certificate this computer does not trust', () => {
  it('is refused with its fingerprint in the details, and added once the person trusts that fingerprint', async () => {
    const cert = makeCertificate();
    const tls = await startNginx(root, { tls: { cert: cert.cert, key: cert.key } });
    try {
      const core = cores.make();
      const { service } = serviceOver(core);
      const url = tls.url('album/');
      const refused = await service.handle('sources.add', { kind: 'web', url });
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.error.code).toBe('untrusted_certificate');
      expect(refused.error.details?.fingerprint256).toBe(cert.fingerprint256);
      expect(await ok(service, 'sources.list')).toEqual([]);
      const added = await ok(service, 'sources.add', { kind: 'web', url, trustFingerprint: refused.error.details!.fingerprint256 });
      expect(added.source.certificate).toBe(cert.fingerprint256);
      expect((await ok(service, 'sources.browse', { sourceId: added.source.id, path: '' })).summary.files).toBe(2);
    } finally {
      await tls.stop();
      fs.rmSync(cert.dir, { recursive: true, force: true });
    }
  });
});
