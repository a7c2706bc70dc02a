import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { Service } from '../../main/core/service/service.js';
import { saveTaskHeaders, taskHeaders } from '../../main/core/task-secrets.js';
import { nativeHostName } from '../../preload/browser.js';
import { cartage, projectRoot } from '../helpers/cli.js';
import { bytes, listDir, tempDir } from '../helpers/core.js';
import { startHost } from '../helpers/native-host.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');
const photo = bytes(150_000, 7);
const secretPaper = bytes(40_000, 9);

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'album'));
  fs.mkdirSync(path.join(root, 'private'));
  for (let i = 1; i <= 3; i += 1) fs.writeFileSync(path.join(root, 'album', `IMG_000${i}.jpg`), bytes(10_000 * i, i));
  fs.writeFileSync(path.join(root, 'photo.jpg'), photo);
  fs.writeFileSync(path.join(root, 'private', 'paper.pdf'), secretPaper);
  // A file only a signed-in browser gets: its session cookie, coming from the site's own page.
  nginx = await startNginx(root, {
    serverConfig: `location /private/ { if ($http_cookie !~ "session=s3cret-cookie") { return 403; } if ($http_referer !~ "^http://127.0.0.1") { return 403; } }`,
  });
});
afterAll(async () => {
  await nginx.stop();
});

/** A data folder whose downloads go to a folder of its own. */
function dataFolder(settings: { cartLimit?: number } = {}): { data: string; downloads: string } {
  const data = tempDir();
  const downloads = tempDir('cartage-downloads-');
  const core = new Core({ dataDir: data });
  core.settings.update({ downloadDir: downloads, ...settings });
  void core.close();
  return { data, downloads };
}

function queueOf(data: string): { state: string; name: string; sourceRef: string }[] {
  const core = new Core({ dataDir: data });
  try {
    return core.queue.page(0, 100_000).map((t) => ({ state: t.state, name: t.name, sourceRef: t.sourceRef }));
  } finally {
    void core.close();
  }
}

function cartOf(data: string): string[] {
  const core = new Core({ dataDir: data });
  try {
    return core.cart.view().items.map((i) => i.name);
  } finally {
    void core.close();
  }
}

/** Every file under a folder, as bytes, to look for a secret in. */
function allBytes(dir: string): Buffer {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Buffer.concat(files.map((e) => fs.readFileSync(path.join(e.parentPath, e.name))));
}

describe('cartage native-host', () => {
  it('answers hello, then the next message, until the browser closes stdin', async () => {
    const { data } = dataFolder();
    const host = startHost(data);
    const hello = await host.ask({ type: 'hello' });
    expect(hello).toMatchObject({ ok: true, value: { app: 'cartage' } });
    const progress = await host.ask({ type: 'progress' });
    expect(progress).toMatchObject({ ok: true, value: { active: [], totals: { bytesDone: 0 } } });
    expect(await host.end()).toMatchObject({ code: 0 });
  });

  it('downloads a link into the default folder, byte-identical, with the queue started by the host', async () => {
    const { data, downloads } = dataFolder();
    const host = startHost(data);
    const reply = await host.ask({ type: 'download', downloads: [{ url: nginx.url('photo.jpg') }] });
    expect(reply).toMatchObject({ ok: true, value: { taskIds: [1], message: `Cartage is downloading the file into ${downloads}.` } });
    await host.end();
    await expect.poll(() => queueOf(data)[0]?.state).toBe('completed');
    expect(fs.readFileSync(path.join(downloads, 'photo.jpg')).equals(photo)).toBe(true);
  });

  it("sends the browser's cookies and Referer for that task only, and forgets them when it ends", async () => {
    const { data, downloads } = dataFolder();
    const host = startHost(data);
    const url = nginx.url('private/paper.pdf');
    const reply = await host.ask({
      type: 'download',
      downloads: [{ url, cookie: 'session=s3cret-cookie; theme=dark', referrer: nginx.url('index.html') }],
    });
    expect(reply.ok).toBe(true);
    await host.end();
    await expect.poll(() => queueOf(data)[0]?.state).toBe('completed');
    expect(fs.readFileSync(path.join(downloads, 'paper.pdf')).equals(secretPaper)).toBe(true);
    // The task names its secret by a random key; the cookie itself is in neither the database nor a log.
    expect(queueOf(data)[0]!.sourceRef).toMatch(/^task:[0-9a-f-]{36}$/);
    await expect.poll(() => fs.readFileSync(path.join(data, 'secrets.json'), 'utf8')).not.toContain('s3cret-cookie');
    expect(allBytes(data).includes('s3cret-cookie')).toBe(false);
    // Without the cookie the server refuses: the file came thanks to the browser's sign-in.
    const without = await cartage(['get', url, '--dir', tempDir(), '--data-dir', tempDir()]);
    expect(without.code).toBe(1);
  });

  it('adds links to the download list, all of them in one go', async () => {
    const { data } = dataFolder();
    const host = startHost(data);
    const urls = [1, 2, 3].map((i) => nginx.url(`album/IMG_000${i}.jpg`));
    const reply = await host.ask({ type: 'list', urls: [...urls, `${urls[0]}#again`] });
    expect(reply).toEqual({ ok: true, value: { added: 3, alreadyThere: 0, restricted: 0, message: 'Added 3 files.' } });
    await host.end();
    expect(cartOf(data)).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg', 'IMG_0003.jpg']);
  });

  describe('refuses bad input with one clear error, adds nothing, and goes on', () => {
    const { data } = dataFolder();
    const host = startHost(data);
    afterAll(async () => {
      expect(await host.end()).toMatchObject({ code: 0 });
      expect(queueOf(data)).toEqual([]);
      expect(cartOf(data)).toEqual([]);
    });
    const stillAlive = async (): Promise<void> => {
      expect(await host.ask({ type: 'hello' })).toMatchObject({ ok: true });
    };

    it('a message that is not JSON', async () => {
      const body = Buffer.from('{"type": "download", "downloads": [');
      const head = Buffer.alloc(4);
      head.writeUInt32LE(body.length);
      const reply = await host.askRaw(Buffer.concat([head, body]));
      expect(reply).toEqual({ ok: false, error: { code: 'bad_input', message: expect.stringMatching(/^Cartage received a message from the browser that is not JSON; nothing was added\./) } });
      await stillAlive();
    });

    it('a message over 4 MB, whose bytes are skipped so the next one is read', async () => {
      const body = Buffer.alloc(5 * 1024 * 1024, 0x20);
      const head = Buffer.alloc(4);
      head.writeUInt32LE(body.length);
      const reply = await host.askRaw(Buffer.concat([head, body]));
      expect(reply).toEqual({
        ok: false,
        error: { code: 'bad_input', message: 'The browser sent Cartage 5.0 MB at once, more than the 4 MB it takes; nothing was added. Send fewer links at a time.' },
      });
      await stillAlive();
    });

    it('a message of an unknown kind, or with fields of another', async () => {
      expect(await host.ask({ type: 'delete-everything' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/does not know/) } });
      expect(await host.ask({ type: 'hello', extra: 1 })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      await stillAlive();
    });

    it.each([
      ['file:///etc/passwd', '"file:///etc/passwd" is a file: link; Cartage downloads http and https links only; nothing was added.'],
      ['javascript:alert(1)', '"javascript:alert(1)" is a javascript: link; Cartage downloads http and https links only; nothing was added.'],
      ['/album/IMG_0001.jpg', '"/album/IMG_0001.jpg" is not a full web address (it should start with http:// or https://); nothing was added.'],
    ])('a link %s, alone or among good ones', async (bad, message) => {
      expect(await host.ask({ type: 'download', downloads: [{ url: nginx.url('photo.jpg') }, { url: bad }] })).toEqual({ ok: false, error: { code: 'bad_input', message } });
      expect(await host.ask({ type: 'list', urls: [bad, nginx.url('photo.jpg')] })).toEqual({ ok: false, error: { code: 'bad_input', message } });
      await stillAlive();
    });

    it('10,000 links at once: to the list past its limit, or to the queue', async () => {
      const before = nginx.log().length;
      const urls = Array.from({ length: 10_000 }, (_, i) => nginx.url(`album/many/file-${i}.jpg`));
      expect(await host.ask({ type: 'list', urls })).toEqual({
        ok: false,
        error: {
          code: 'bad_input',
          message:
            'This batch of 10,000 links has 10,000 new files, but the list has 100 places left of 100: nothing was added. Remove some files, check out the list, or raise the limit in the settings.',
        },
      });
      expect(await host.ask({ type: 'download', downloads: urls.map((url) => ({ url })) })).toEqual({
        ok: false,
        error: { code: 'bad_input', message: 'At most 1,000 links can be sent to the queue at once; add them to the download list instead. Nothing was added.' },
      });
      // Refused before a single link was asked for.
      expect(nginx.log().length).toBe(before);
      await stillAlive();
    });
  });

  it('ends quietly when the browser goes away in the middle of a message', async () => {
    const { data } = dataFolder();
    const host = startHost(data);
    host.child.stdin!.write(Buffer.from([0x10, 0x00, 0x00, 0x00, 0x7b]));
    const end = await host.end();
    expect(end.code).toBe(0);
    expect(end.stderr).toContain('in the middle of a message');
  });
});

describe('cartage browser install | uninstall', () => {
  it('writes the manifests for the current user, with a launcher that starts the host on this data folder', async () => {
    const home = tempDir('cartage-home-');
    const data = tempDir();
    const env = { HOME: home, XDG_CONFIG_HOME: '' };
    const run = await cartage(['browser', 'install', '--app', '/opt/Cartage/cartage', '--data-dir', data], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const chromium = path.join(home, '.config', 'chromium', 'NativeMessagingHosts', `${nativeHostName}.json`);
    const chrome = path.join(home, '.config', 'google-chrome', 'NativeMessagingHosts', `${nativeHostName}.json`);
    const firefox = path.join(home, '.mozilla', 'native-messaging-hosts', `${nativeHostName}.json`);
    const manifest = JSON.parse(fs.readFileSync(chromium, 'utf8')) as { path: string; allowed_origins: string[]; type: string };
    expect(manifest).toMatchObject({ name: nativeHostName, type: 'stdio', allowed_origins: ['chrome-extension://cbgihljfnmdfccgpjlecjhdlaejfneap/'] });
    expect(JSON.parse(fs.readFileSync(firefox, 'utf8'))).toMatchObject({ allowed_extensions: ['send-to@cartage.app'] });
    expect(fs.existsSync(chrome)).toBe(true);
    expect(fs.statSync(manifest.path).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(manifest.path, 'utf8')).toContain("export CARTAGE_APP='/opt/Cartage/cartage'\n");

    // The launcher is what the browser runs: it answers as the host does.
    const { spawn } = await import('node:child_process');
    const child = spawn(manifest.path, ['chrome-extension://cbgihljfnmdfccgpjlecjhdlaejfneap/'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const { encodeFrame, FrameReader } = await import('../../main/headless/native/framing.js');
    const reader = new FrameReader(1 << 20);
    const reply = await new Promise<unknown>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const [frame] = reader.push(d);
        if (frame?.kind === 'message') resolve(JSON.parse(frame.body.toString()));
      });
      child.stdin.end(encodeFrame({ type: 'hello' }));
    });
    expect(reply).toMatchObject({ ok: true, value: { app: 'cartage' } });

    const firefoxOnly = await cartage(['browser', 'uninstall', '--firefox', '--data-dir', data], { env });
    expect(firefoxOnly.stdout).toBe('Firefox: removed\n');
    expect(fs.existsSync(firefox)).toBe(false);
    expect(fs.existsSync(chromium)).toBe(true);
    const rest = await cartage(['browser', 'uninstall', '--data-dir', data], { env });
    expect(rest.stdout).toBe('Chromium: removed\nGoogle Chrome: removed\nFirefox: was not installed\n');
    expect(fs.existsSync(manifest.path)).toBe(false);
  });

  it('refuses what it does not know, and writes nothing', async () => {
    const home = tempDir('cartage-home-');
    const run = await cartage(['browser', 'install', '--edge', '--data-dir', tempDir()], { env: { HOME: home } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option '--edge'/);
    const bad = await cartage(['browser', 'install', '--extension-id', 'xyz', '--data-dir', tempDir()], { env: { HOME: home } });
    expect(bad.stderr).toBe('cartage: --extension-id takes a Chromium extension id (32 letters a to p), not "xyz".\n');
    expect(listDir(home)).toEqual([]);
  });
});

describe("the Settings' browser section, through the contract", () => {
  it('connects and disconnects a browser as cartage browser install does; without a way to start cartage it says to use a terminal', async () => {
    const home = tempDir('cartage-home-');
    const saved = { HOME: process.env.HOME, XDG: process.env.XDG_CONFIG_HOME };
    process.env.HOME = home;
    delete process.env.XDG_CONFIG_HOME;
    const core = new Core({ dataDir: tempDir() });
    try {
      const serve = new Service(core, { host: 'serve', version: '0', cartageCommand: { node: process.execPath, script: path.join(projectRoot, 'bin', 'cartage.js') } });
      expect(await serve.handle('browser.status', {})).toMatchObject({ ok: true, value: [{ browser: 'chromium', connected: false }, { browser: 'chrome' }, { browser: 'firefox' }] });
      const on = await serve.handle('browser.connect', { browser: 'firefox', connected: true });
      const firefox = path.join(home, '.mozilla', 'native-messaging-hosts', `${nativeHostName}.json`);
      expect(on).toMatchObject({ ok: true, value: [{ connected: false }, { connected: false }, { browser: 'firefox', connected: true, manifest: firefox }] });
      expect(JSON.parse(fs.readFileSync(firefox, 'utf8'))).toMatchObject({ allowed_extensions: ['send-to@cartage.app'] });
      expect(await serve.handle('browser.connect', { browser: 'firefox', connected: false })).toMatchObject({ ok: true, value: [{}, {}, { connected: false, manifest: null }] });
      expect(fs.existsSync(firefox)).toBe(false);
      expect(await serve.handle('browser.connect', { browser: 'edge', connected: true })).toMatchObject({ ok: false, error: { code: 'bad_input' } });

      const app = new Service(core, { host: 'electron', version: '0' });
      expect(await app.handle('browser.connect', { browser: 'chrome', connected: true })).toEqual({
        ok: false,
        error: { code: 'unsupported', message: 'Connect the browser from a terminal: cartage browser install --chrome' },
      });
      expect(fs.existsSync(path.join(home, '.config'))).toBe(false);
    } finally {
      await core.close();
      process.env.HOME = saved.HOME;
      if (saved.XDG !== undefined) process.env.XDG_CONFIG_HOME = saved.XDG;
    }
  });
});

describe("a browser download's cookies", () => {
  it('are deleted when it is canceled, alone or with the whole queue, even where no engine runs', async () => {
    const core = new Core({ dataDir: tempDir() });
    try {
      const refs = [await saveTaskHeaders(core.secrets, { cookie: 'session=one' }), await saveTaskHeaders(core.secrets, { cookie: 'session=two' })];
      const ids = core.engine.add(refs.map((sourceRef, i) => ({ url: nginx.url(`album/IMG_000${i + 1}.jpg`), dir: tempDir(), sourceRef })));
      const headersOf = (i: number): Promise<Record<string, string>> => taskHeaders(core.secrets, { sourceRef: refs[i]! });
      expect(await headersOf(0)).toEqual({ cookie: 'session=one' });
      core.engine.cancel([ids[0]!]);
      await expect.poll(() => headersOf(0)).toEqual({});
      expect(await headersOf(1)).toEqual({ cookie: 'session=two' });
      core.engine.cancelAll();
      await expect.poll(() => headersOf(1)).toEqual({});
    } finally {
      await core.close();
    }
  });
});

