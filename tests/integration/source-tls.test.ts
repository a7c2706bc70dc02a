import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CartageError } from '../../main/core/errors.js';
import { cartage } from '../helpers/cli.js';
import { bytes, listDir, tempDir, testCores } from '../helpers/core.js';
import type { Nginx } from '../helpers/nginx.js';
import { startHttpsNginx, type TestCertificate } from '../helpers/nginx-tls.js';

let nginx: Nginx & { certificate: TestCertificate };
const root = tempDir('cartage-www-');
const photo = bytes(25_000, 3);
const cores = testCores();

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'photos'));
  fs.writeFileSync(path.join(root, 'photos', 'a.jpg'), photo);
  nginx = await startHttpsNginx(root);
});
afterAll(async () => {
  await cores.closeAll();
  await nginx.stop();
});

describe('a home server with a self-signed certificate', () => {
  it('is refused with its fingerprint, and nothing is saved', async () => {
    const core = cores.make();
    const err = await core.sources.add({ kind: 'web', url: nginx.url('photos/') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartageError);
    expect((err as CartageError).code).toBe('untrusted_certificate');
    expect((err as CartageError).message).toContain(nginx.certificate.fingerprint256);
    expect((err as CartageError).details?.fingerprint256).toBe(nginx.certificate.fingerprint256);
    expect(core.sources.list()).toEqual([]);
  });

  it('is browsed and downloaded from once that one certificate is trusted for that source', async () => {
    const data = tempDir();
    const refused = await cartage(['source', 'add', 'web', nginx.url('photos/'), '--name', 'home', '--data-dir', data]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--trust-certificate ${nginx.certificate.fingerprint256}`);
    const wrong = await cartage(['source', 'add', 'web', nginx.url('photos/'), '--name', 'home', '--trust-certificate', 'AB'.repeat(32), '--data-dir', data]);
    expect(wrong.code).not.toBe(0);
    const add = await cartage(['source', 'add', 'web', nginx.url('photos/'), '--name', 'home', '--trust-certificate', nginx.certificate.fingerprint256, '--data-dir', data]);
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain(`Trusting only the certificate ${nginx.certificate.fingerprint256}`);
    const dir = tempDir();
    const get = await cartage(['get', 'home:', '--dir', dir, '--data-dir', data]);
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(listDir(dir)).toEqual(['a.jpg']);
    expect(fs.readFileSync(path.join(dir, 'a.jpg')).equals(photo)).toBe(true);
  });
});
