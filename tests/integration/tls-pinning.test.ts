import got, { type RequestError } from 'got';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Core, type CoreOptions } from '../../main/core/core.js';
import { CartageError } from '../../main/core/errors.js';
import type { Task } from '../../main/core/queue/task.js';
import {
  certificateChangedCode,
  fetchCertificate,
  keepPinHome,
  pinnedTls,
  untrustedCertificateError,
} from '../../main/core/net/tls.js';
import { bytes, settled, tempDir } from '../helpers/core.js';
import { FaultServer, serveFile } from '../helpers/fault-server.js';
import type { Nginx } from '../helpers/nginx.js';
import { makeCertificate, startHttpsNginx, type TestCertificate } from '../helpers/nginx-tls.js';
import { freePort } from '../helpers/ports.mjs';

type HttpsNginx = Nginx & { certificate: TestCertificate };

const root = tempDir('cartage-www-');
const file = bytes(2 * 1024 * 1024 + 5, 11);
/** The home server whose certificate gets pinned; it redirects /to-relay.bin and /to-other.bin. */
let home: HttpsNginx;
/** Another home server with a self-signed certificate of its own. */
let other: HttpsNginx;
/** A plain http host that records the headers it receives: where redirects lead. */
let relay: FaultServer;
const certificates: TestCertificate[] = [];
const cores: Core[] = [];

beforeAll(async () => {
  fs.writeFileSync(path.join(root, 'home.bin'), file);
  relay = await new FaultServer().start();
  relay.route('/elsewhere.bin', serveFile(file));
  other = await startHttpsNginx(root, { certificate: makeCertificate({ cn: 'other.local' }) });
  home = await startHttpsNginx(root, {
    serverConfig: [
      `location = /to-relay.bin { return 302 ${relay.url('/elsewhere.bin')}; }`,
      `location = /to-other.bin { return 302 ${other.url('home.bin')}; }`,
    ].join('\n    '),
  });
  certificates.push(home.certificate, other.certificate);
});
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all([home?.stop(), other?.stop(), relay?.stop()]);
  for (const c of certificates) fs.rmSync(c.dir, { recursive: true, force: true });
});

/** A core in a fresh data folder (fast retries, as testCore) with the engine hooks a source would give. */
function makeCore(engine: CoreOptions['engine'] = {}): Core {
  const c = new Core({ dataDir: tempDir(), engine: { random: () => 0.5, ...engine } });
  c.settings.update({ retryBaseMs: 10, retryMaxMs: 50, probeIntervalMs: 50, stallTimeoutMs: 5000 });
  cores.push(c);
  c.startEngine();
  return c;
}

function download(c: Core, url: string): Promise<Task> {
  const [id] = c.engine.add([{ url, dir: tempDir() }]);
  return settled(c.engine, id!);
}

/** Starts a server for one test with `certificate`, stopped (and the certificate removed) after it. */
async function withServer<T>(certificate: TestCertificate, run: (server: HttpsNginx) => Promise<T>): Promise<T> {
  certificates.push(certificate);
  const server = await startHttpsNginx(root, { certificate });
  try {
    return await run(server);
  } finally {
    await server.stop();
  }
}

const hostOf = (n: Nginx): string => `127.0.0.1:${n.port}`;

describe('reading the certificate a server presents', () => {
  it('gives the fingerprint openssl computes, self-signed and not trusted, without sending a request', async () => {
    const before = home.log().length;
    const info = await fetchCertificate(home.url(''));
    expect(info.fingerprint256).toBe(home.certificate.fingerprint256);
    expect(info).toMatchObject({
      subject: 'CN=home.local',
      issuer: 'CN=home.local',
      selfSigned: true,
      trusted: false,
      problem: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(info.pem.trim()).toBe(home.certificate.pem.trim());
    expect(Date.parse(info.validTo)).toBeGreaterThan(Date.now());
    expect(home.log().slice(before)).toEqual([]);
  });

  it('says so when nothing listens, or the port speaks plain http', async () => {
    const port = await freePort();
    await expect(fetchCertificate(`https://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'network', message: expect.stringMatching(/refused the connection/) });
    await expect(fetchCertificate(`https://127.0.0.1:${relay.port}/`)).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/does not speak https/),
    });
    await expect(fetchCertificate(relay.url('/'))).rejects.toMatchObject({ code: 'bad_input' });
  });
});

describe('a self-signed server that is not pinned', () => {
  it('fails the download at once, naming the host and the SHA-256 fingerprint to trust', async () => {
    const before = home.log().length;
    const task = await download(makeCore(), home.url('home.bin'));
    expect(task.state).toBe('failed');
    expect(task.attempts).toBe(0);
    expect(task.error?.code).toBe('untrusted_certificate');
    expect(task.error?.message).toContain(hostOf(home));
    expect(task.error?.message).toContain('self-signed');
    expect(task.error?.message).toContain(home.certificate.fingerprint256);
    expect(task.error?.message).toMatch(/trust this certificate for this source/);
    expect(home.log().slice(before)).toEqual([]);
  });

  it('gives host, reason and fingerprint as details, and nothing for errors that are not about a certificate', async () => {
    const url = home.url('home.bin');
    const err = (await got(url, { retry: { limit: 0 } }).catch((e: unknown) => e)) as RequestError;
    const untrusted = await untrustedCertificateError(url, err);
    expect(untrusted).toBeInstanceOf(CartageError);
    expect(untrusted?.code).toBe('untrusted_certificate');
    expect(untrusted?.details).toEqual({ host: hostOf(home), reason: 'DEPTH_ZERO_SELF_SIGNED_CERT', fingerprint256: home.certificate.fingerprint256 });
    expect(await untrustedCertificateError(url, Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBeNull();
  });
});

describe('a pinned certificate', () => {
  it('downloads a file byte for byte over https from the server that presents it', async () => {
    const before = home.log().length;
    const task = await download(makeCore({ tlsFor: () => home.certificate.pin }), home.url('home.bin'));
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(file)).toBe(true);
    // nginx writes the log line just after the response: it may come a moment after the download settles.
    await vi.waitFor(() => expect(home.log().slice(before)).toEqual([expect.objectContaining({ uri: '/home.bin', status: 200, bytesSent: file.length })]), {
      timeout: 10_000,
    });
  });

  it('refuses a server presenting another certificate before a request, or a credential, is written', async () => {
    const before = home.log().length;
    const wrong = makeCore({ tlsFor: () => other.certificate.pin, headersFor: () => ({ 'x-api-key': 'immich-key' }) });
    const task = await download(wrong, home.url('home.bin'));
    expect(task.state).toBe('failed');
    expect(task.error?.code).toBe('untrusted_certificate');
    expect(task.error?.message).toMatch(/not the one you trusted/);
    expect(task.error?.message).toContain(other.certificate.fingerprint256);
    expect(task.error?.message).toContain(home.certificate.fingerprint256);
    // The log is live: the right pin's request shows up in it, and it is the only one.
    const right = await download(makeCore({ tlsFor: () => home.certificate.pin }), home.url('home.bin'));
    expect(right.state).toBe('completed');
    await vi.waitFor(() => expect(home.log().slice(before).map((e) => e.uri)).toEqual(['/home.bin']), { timeout: 10_000 });
  });

  it('refuses a certificate signed by the pinned one: the fingerprint must match, not only the chain', async () => {
    const leaf = makeCertificate({ cn: 'leaf.local', signedBy: home.certificate });
    await withServer(leaf, async (server) => {
      const err = (await got(server.url('home.bin'), { https: pinnedTls(home.certificate.pin), retry: { limit: 0 } }).catch((e: unknown) => e)) as RequestError;
      expect(err.code).toBe(certificateChangedCode);
      const task = await download(makeCore({ tlsFor: () => home.certificate.pin }), server.url('home.bin'));
      expect(task.state).toBe('failed');
      expect(task.error?.message).toMatch(/not the one you trusted/);
      expect(task.error?.message).toContain(leaf.fingerprint256);
      expect(server.log()).toEqual([]);
    });
  });

  it('refuses an expired certificate even when pinned, and says it expired', async () => {
    const expired = makeCertificate({ expired: true });
    await withServer(expired, async (server) => {
      const task = await download(makeCore({ tlsFor: () => expired.pin }), server.url('home.bin'));
      expect(task.state).toBe('failed');
      expect(task.error?.code).toBe('untrusted_certificate');
      expect(task.error?.message).toMatch(/the one you trusted for this source\) expired on 2020-01-02/);
      expect(task.error?.message).toMatch(/Renew it on the server, then trust the new one/);
      expect(server.log()).toEqual([]);
    });
  });

  it('never lends a pinned keep-alive socket to an unpinned request to the same server', async () => {
    const before = home.log().length;
    const c = makeCore({ tlsFor: (t) => (t.url.includes('unpinned') ? null : home.certificate.pin) });
    expect((await download(c, home.url('home.bin'))).state).toBe('completed');
    const unpinned = await download(c, `${home.url('home.bin')}?unpinned`);
    expect(unpinned.state).toBe('failed');
    expect(unpinned.error?.code).toBe('untrusted_certificate');
    await vi.waitFor(() => expect(home.log().slice(before)).toHaveLength(1), { timeout: 10_000 });
  });

  it('does not make another self-signed server trusted: it still needs its own pin', async () => {
    const before = other.log().length;
    const c = makeCore({ tlsFor: (t) => (t.url.startsWith(`https://${hostOf(home)}/`) ? home.certificate.pin : null) });
    expect((await download(c, home.url('home.bin'))).state).toBe('completed');
    const elsewhere = await download(c, other.url('home.bin'));
    expect(elsewhere.state).toBe('failed');
    expect(elsewhere.error?.message).toContain(hostOf(other));
    expect(elsewhere.error?.message).toContain(other.certificate.fingerprint256);
    expect(elsewhere.error?.message).not.toContain(home.certificate.fingerprint256);
    expect(other.log().slice(before)).toEqual([]);
  });
});

describe('redirects from a pinned server', () => {
  it('sends no credential to another host after a redirect', async () => {
    const c = makeCore({
      tlsFor: () => home.certificate.pin,
      headersFor: () => ({ authorization: 'Basic c2VjcmV0OnNlY3JldA==', 'x-api-key': 'immich-key' }),
    });
    const task = await download(c, home.url('to-relay.bin'));
    expect(task.state).toBe('completed');
    expect(fs.readFileSync(task.finalPath).equals(file)).toBe(true);
    const arrived = relay.requestsFor('/elsewhere.bin').at(-1)?.headers ?? {};
    expect(arrived['user-agent']).toMatch(/Cartage/);
    expect(arrived.authorization).toBeUndefined();
    expect(arrived['x-api-key']).toBeUndefined();
  });

  it('leaves the pin home: the next host is judged on its own certificate', async () => {
    const before = other.log().length;
    const task = await download(makeCore({ tlsFor: () => home.certificate.pin }), home.url('to-other.bin'));
    expect(task.state).toBe('failed');
    expect(task.error?.code).toBe('untrusted_certificate');
    expect(task.error?.message).toContain(hostOf(other));
    expect(task.error?.message).toContain(other.certificate.fingerprint256);
    expect(other.log().slice(before)).toEqual([]);

    let caAfterRedirect: unknown = 'not redirected';
    await expect(
      got(home.url('to-other.bin'), {
        https: pinnedTls(home.certificate.pin),
        retry: { limit: 0 },
        hooks: { beforeRedirect: [keepPinHome, (options) => void (caAfterRedirect = options.https.certificateAuthority)] },
      }),
    ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(caAfterRedirect).toBeUndefined();
  });
});
