import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.mjs';
import { readOr, stopChild } from './processes.js';

export interface AccessEntry {
  uri: string;
  status: number;
  bytesSent: number;
  range: string;
  ifRange: string;
}

export interface Nginx {
  url: (file: string) => string;
  root: string;
  port: number;
  /** The access log so far: one entry per request, with the Range headers and body bytes sent. */
  log(): AccessEntry[];
  stop(): Promise<void>;
}

/** Additions to the server block: https with a certificate, and locations of a test's own. */
export interface NginxExtras {
  tls?: { cert: string; key: string };
  serverConfig?: string;
}

const binaries = ['/usr/sbin/nginx', '/usr/bin/nginx'];

export function nginxBinary(): string {
  const found = binaries.find((b) => fs.existsSync(b));
  if (!found) throw new Error('nginx is not installed: apt-get install nginx-light (.ci/run does this).');
  return found;
}

/** Starts a real nginx serving `root` on a free loopback port, with an access log the tests read. */
export async function startNginx(root: string, extras: NginxExtras = {}): Promise<Nginx> {
  const bin = nginxBinary();
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-nginx-'));
  const accessLog = path.join(prefix, 'access.log');
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    const conf = path.join(prefix, 'nginx.conf');
    const asRoot = process.getuid?.() === 0 ? 'user root;' : '';
    fs.writeFileSync(
      conf,
      `${asRoot}
daemon off;
master_process off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 512; }
http {
  default_type application/octet-stream;
  types { image/jpeg jpg; text/plain txt; text/html html; video/mp4 mp4; }
  sendfile on;
  keepalive_requests 100000;
  log_format cartage escape=none '$uri\\t$status\\t$body_bytes_sent\\t$http_range\\t$http_if_range';
  access_log ${accessLog} cartage;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port}${extras.tls ? ` ssl;\n    ssl_certificate ${extras.tls.cert};\n    ssl_certificate_key ${extras.tls.key}` : ''};
    root ${root};${extras.serverConfig ? `\n    ${extras.serverConfig}` : ''}
    location / { autoindex on; }
  }
}
`,
    );
    const child = spawn(bin, ['-p', prefix, '-e', `${prefix}/error.log`, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (!(await waitForPort(port, child))) {
      child.kill('SIGKILL');
      if (/Address already in use/.test(stderr + readOr(`${prefix}/error.log`))) continue;
      throw new Error(`nginx did not start: ${stderr}${readOr(`${prefix}/error.log`)}`);
    }
    return {
      port,
      root,
      url: (file) => `${extras.tls ? 'https' : 'http'}://127.0.0.1:${port}/${file.split('/').map(encodeURIComponent).join('/')}`,
      log: () =>
        readOr(accessLog)
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const [uri = '', status = '0', bytes = '0', range = '-', ifRange = '-'] = line.split('\t');
            return { uri, status: Number(status), bytesSent: Number(bytes), range, ifRange };
          }),
      stop: () => stopChild(child, prefix),
    };
  }
  throw new Error('nginx could not find a free port');
}

