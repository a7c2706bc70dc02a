import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PinnedCertificate } from '../../main/core/net/tls.js';
import { startNginx, type Nginx } from './nginx.js';

/** A certificate and its key made by openssl in a temp folder, and its fingerprint as openssl computes it. */
export interface TestCertificate {
  /** The temp folder holding both files: remove it when done. */
  dir: string;
  cert: string;
  key: string;
  pem: string;
  /** From `openssl x509 -fingerprint -sha256`: 'AB:CD:...'. */
  fingerprint256: string;
  pin: PinnedCertificate;
}

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function certificateIn(dir: string, cert: string, key: string): TestCertificate {
  const pem = fs.readFileSync(cert, 'utf8');
  const fingerprint256 = openssl(['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], dir).trim().replace(/^.*=/, '');
  return { dir, cert, key, pem, fingerprint256, pin: { fingerprint256, pem } };
}

/**
 * A self-signed certificate like a home server's (`openssl req -x509`). `expired` makes one valid
 * only on 1 January 2020; `signedBy` makes a leaf signed by another test certificate instead.
 */
export function makeCertificate(opts: { cn?: string; expired?: boolean; signedBy?: TestCertificate } = {}): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-cert-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const subj = `/CN=${opts.cn ?? 'home.local'}`;
  if (!opts.expired && !opts.signedBy) {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', subj, '-keyout', key, '-out', cert], dir);
    return certificateIn(dir, cert, key);
  }
  const csr = path.join(dir, 'req.csr');
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', subj, '-keyout', key, '-out', csr], dir);
  if (opts.signedBy) {
    openssl(['x509', '-req', '-in', csr, '-CA', opts.signedBy.cert, '-CAkey', opts.signedBy.key, '-set_serial', '2', '-days', '2', '-out', cert], dir);
    return certificateIn(dir, cert, key);
  }
  // `openssl req -x509` (3.0) cannot date a certificate in the past; `openssl ca -selfsign` can.
  fs.mkdirSync(path.join(dir, 'ca'));
  fs.writeFileSync(path.join(dir, 'ca', 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'ca', 'serial'), '01\n');
  fs.writeFileSync(
    path.join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca = d\n[d]\ndatabase = ca/index.txt\nnew_certs_dir = ca\nserial = ca/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n',
  );
  openssl(
    ['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', key, '-in', csr, '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext', '-out', cert],
    dir,
  );
  return certificateIn(dir, cert, key);
}

/** A real nginx serving `root` over https with `certificate` (a new self-signed one by default). */
export async function startHttpsNginx(
  root: string,
  opts: { certificate?: TestCertificate; serverConfig?: string } = {},
): Promise<Nginx & { certificate: TestCertificate }> {
  const certificate = opts.certificate ?? makeCertificate();
  const nginx = await startNginx(root, { tls: { cert: certificate.cert, key: certificate.key }, serverConfig: opts.serverConfig });
  return { ...nginx, certificate };
}
