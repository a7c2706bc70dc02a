// The Electron shell's decisions, read without Electron: who may call main, what the window may load,
// what the tray offers and what the notifications say. main/app keeps these in plain files for this.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  deliveryNotice,
  keptInTrayNotice,
  mirrorRunNotice,
  queuePausedNotice,
  runStartedNotice,
  signInNotice,
} from '../../main/app/notice-texts.js';
import { contentSecurityPolicy, isOwnResource, windowWebPreferences } from '../../main/app/page-policy.js';
import { idleStatus, RunTracker, type RunStatus } from '../../main/app/progress.js';
import { senderRefusal } from '../../main/app/sender.js';
import { trayMenu, trayTooltip } from '../../main/app/tray-menu.js';
import type { DeliveryDto, MirrorRunDto, TaskDto } from '../../preload/api.js';

const rendererDir = path.resolve('/opt/Cartage/resources/app/out/renderer');
const pageFile = path.join(rendererDir, 'index.html');
const pageUrl = pathToFileURL(pageFile).href;
const ours = { id: 'our web contents' };

describe('senderRefusal: main answers only the top frame of our window, showing our page', () => {
  it('answers our page, whatever its query or fragment', () => {
    expect(senderRefusal({ sender: ours, senderFrame: { url: pageUrl, parent: null } }, ours, pageFile)).toBeNull();
    expect(senderRefusal({ sender: ours, senderFrame: { url: `${pageUrl}?view=cart#top`, parent: null } }, ours, pageFile)).toBeNull();
  });

  it('refuses another sender, and every sender while there is no window', () => {
    expect(senderRefusal({ sender: { id: 'another window' }, senderFrame: { url: pageUrl, parent: null } }, ours, pageFile)).toBe(
      'it does not come from the Cartage window',
    );
    expect(senderRefusal({ sender: ours, senderFrame: { url: pageUrl, parent: null } }, null, pageFile)).toBe('it does not come from the Cartage window');
  });

  it('refuses a frame that is gone, and a frame inside the page', () => {
    expect(senderRefusal({ sender: ours, senderFrame: null }, ours, pageFile)).toBe('its frame is gone');
    expect(senderRefusal({ sender: ours, senderFrame: { url: pageUrl, parent: { url: pageUrl } } }, ours, pageFile)).toBe(
      'it comes from a frame inside the page',
    );
  });

  it('refuses another page: a web page, another local file, a file beside ours, a malformed address', () => {
    const from = (url: string): string | null => senderRefusal({ sender: ours, senderFrame: { url, parent: null } }, ours, pageFile);
    expect(from('https://evil.example/index.html')).toBe('it comes from a page that is not Cartage');
    expect(from('http://127.0.0.1:8080/?token=x')).toBe('it comes from a page that is not Cartage');
    const other = pathToFileURL(path.join(rendererDir, 'other.html')).href;
    expect(from(other)).toBe(`it comes from ${other}`);
    const outside = pathToFileURL('/tmp/index.html').href;
    expect(from(outside)).toBe(`it comes from ${outside}`);
    expect(from('not a url')).toBe('it comes from a page that is not Cartage');
  });
});

describe('the page policy: the renderer loads only its own files and has no network', () => {
  it('lets the page load its own files and in-memory resources', () => {
    expect(isOwnResource(pathToFileURL(path.join(rendererDir, 'assets', 'index.js')).href, rendererDir)).toBe(true);
    expect(isOwnResource('data:image/png;base64,AAAA', rendererDir)).toBe(true);
    expect(isOwnResource('blob:file:///abc', rendererDir)).toBe(true);
  });

  it('refuses the network, files outside the renderer (by .. too), the folder itself, and nonsense', () => {
    for (const url of [
      'https://photos.example.org/api/assets',
      'http://127.0.0.1:2283/',
      'ws://127.0.0.1:9000/',
      pathToFileURL('/etc/passwd').href,
      `${pathToFileURL(rendererDir).href}/../../secrets.json`,
      pathToFileURL(rendererDir).href,
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isOwnResource(url, rendererDir), url).toBe(false);
    }
  });

  it('sends a policy that connects nowhere and runs only its own scripts', () => {
    const directives = new Map(contentSecurityPolicy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
  });

  it('opens the window sandboxed and isolated, without Node, webviews or navigation by a drop', () => {
    expect(windowWebPreferences('/opt/Cartage/preload/index.js')).toEqual({
      preload: '/opt/Cartage/preload/index.js',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    });
  });
});

const status = (over: Partial<RunStatus>): RunStatus => ({ ...idleStatus, ...over });
const labels = (s: RunStatus): string[] =>
  trayMenu(s).map((i) => (i.kind === 'separator' ? '---' : `${i.label}${i.enabled ? '' : ' (disabled)'}`));

describe('the tray menu', () => {
  it('offers Pause all and Cancel all while downloading', () => {
    expect(labels(status({ busy: true, items: 3, text: 'Downloading 3 items, 65%' }))).toEqual([
      'Show Cartage',
      '---',
      'Pause all',
      'Cancel all',
      '---',
      'Update mirrors now',
      '---',
      'Quit',
    ]);
    expect(trayTooltip(status({ busy: true, text: 'Downloading 3 items, 65%' }))).toBe('Cartage: Downloading 3 items, 65%');
  });

  it('offers Resume all when only paused downloads are left', () => {
    expect(labels(status({ paused: 2, text: '2 items paused' })).slice(2, 4)).toEqual(['Resume all', 'Cancel all']);
  });

  it('has nothing to pause or cancel when idle, and Quit is always there', () => {
    const menu = labels(idleStatus);
    expect(menu.slice(2, 4)).toEqual(['Pause all (disabled)', 'Cancel all (disabled)']);
    expect(menu.at(-1)).toBe('Quit');
    expect(trayMenu(idleStatus).flatMap((i) => (i.kind === 'item' ? [i.action] : []))).toEqual(['show', 'pauseAll', 'cancelAll', 'runMirrors', 'quit']);
  });

  it('follows a run from 0% to 100% of its own bytes, whatever the queue did before', () => {
    const tracker = new RunTracker();
    const counts = { queued: 0, active: 0, paused: 0, completed: 5, failed: 0, canceled: 0, skipped: 0 };
    expect(tracker.update({ counts: { ...counts, active: 1, queued: 1 }, bytesDone: 1000, bytesTotal: 2000 }).text).toBe('Downloading 2 items, 0%');
    expect(tracker.update({ counts: { ...counts, active: 1 }, bytesDone: 1500, bytesTotal: 2000 }).text).toBe('Downloading 1 item, 50%');
    expect(tracker.update({ counts, bytesDone: 2000, bytesTotal: 2000 })).toEqual(idleStatus);
  });
});

const now = 1_700_000_000_000;
function delivery(over: Partial<DeliveryDto>): DeliveryDto {
  return {
    id: 7,
    name: 'Summer 2024',
    kind: 'zip',
    layout: 'flat',
    state: 'completed',
    target: '/home/ann/Downloads/Summer 2024.zip',
    files: 3,
    createdAt: now - 60_000,
    completedAt: now - 1_000,
    error: null,
    progress: { done: 3, failed: 0, canceled: 0, pending: 0, bytesDone: 3_000, bytesTotal: 3_000 },
    speed: null,
    eta: null,
    failures: [],
    ...over,
  };
}

describe('notification texts', () => {
  it('says where a completed zip is, once', () => {
    expect(deliveryNotice(delivery({}), 'running', now)).toEqual({ title: 'Download complete', body: '3 items saved to Summer 2024.zip in /home/ann/Downloads.' });
    expect(deliveryNotice(delivery({}), 'completed', now)).toBeNull();
    expect(deliveryNotice(delivery({ state: 'running' }), undefined, now)).toBeNull();
  });

  it('says what is missing, and stays quiet about a delivery completed long before it was first seen', () => {
    const partial = delivery({ kind: 'files', target: '/home/ann/Pictures/Trip', progress: { done: 2, failed: 1, canceled: 0, pending: 0, bytesDone: 2_000, bytesTotal: 3_000 } });
    expect(deliveryNotice(partial, 'running', now)).toEqual({
      title: 'Download finished with problems',
      body: '2 of 3 items saved to /home/ann/Pictures/Trip; 1 could not be downloaded (open Cartage to retry).',
    });
    expect(deliveryNotice(delivery({}), undefined, now)).not.toBeNull();
    expect(deliveryNotice(delivery({ completedAt: now - 10 * 60_000 }), undefined, now)).toBeNull();
  });

  it('tells of a mirror run only when something changed or failed', () => {
    const run = (over: Partial<MirrorRunDto>): MirrorRunDto => ({
      id: 1, mirrorId: 4, state: 'completed', startedAt: now, endedAt: now, newFiles: 0, changed: 0, unchanged: 9, failed: 0, deleted: 0,
      bytes: 0, pending: 0, paused: 0, failures: [], deletions: [], error: null, ...over,
    });
    expect(mirrorRunNotice(run({}))).toBeNull();
    expect(mirrorRunNotice(run({ state: 'downloading', newFiles: 3 }))).toBeNull();
    expect(mirrorRunNotice(run({ newFiles: 3, changed: 1 }))).toEqual({ title: 'Mirror up to date', body: 'Mirror 4: 3 new, 1 changed.' });
    expect(mirrorRunNotice(run({ newFiles: 3, failed: 2 }))?.title).toBe('Mirror finished with problems');
    expect(mirrorRunNotice(run({ state: 'failed', error: 'The folder /mnt/photos is not there.' }))).toEqual({
      title: 'Mirror finished with problems',
      body: 'Mirror 4 could not run: The folder /mnt/photos is not there.',
    });
  });

  it('asks for the person on a refused key and a full disk, and only then', () => {
    const task = (over: Partial<TaskDto>): TaskDto => ({
      id: 3, name: 'IMG_1.HEIC', state: 'failed', path: '/home/ann/IMG_1.HEIC', bytes: 0, total: null, speed: null, eta: null,
      error: { code: 'auth', message: 'The server no longer accepts the key of photos.' }, zip: null, retryable: true, ...over,
    });
    expect(signInNotice(task({}))).toEqual({ title: 'A download needs you', body: 'IMG_1.HEIC: The server no longer accepts the key of photos.', urgency: 'critical' });
    expect(signInNotice(task({ error: { code: 'network', message: 'The connection dropped.' } }))).toBeNull();
    expect(signInNotice(task({ state: 'queued' }))).toBeNull();
    expect(queuePausedNotice({ code: 'disk_full', message: 'The disk is full.' })).toEqual({ title: 'Downloads paused', body: 'The disk is full.', urgency: 'critical' });
  });

  it('counts items in words when a run starts or goes on in the tray', () => {
    expect(runStartedNotice(status({ busy: true, items: 1 })).body).toBe('Downloading 1 item…');
    expect(keptInTrayNotice(status({ busy: true, items: 2, text: 'Downloading 2 items, 10%' })).body).toBe(
      "Downloading 2 items, 10%. To stop, choose Quit in the menu of Cartage's tray icon.",
    );
  });
});
