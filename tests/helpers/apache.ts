import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.mjs';
import { makeReadable, readOr, stopChild } from './processes.js';

export interface Apache {
  port: number;
  root: string;
  /** The URL of a path under the root, each segment percent-encoded. */
  url: (file: string) => string;
  stop(): Promise<void>;
}

export interface ApacheOptions {
  /** mod_autoindex's FancyIndexing (a table with dates and sizes) instead of the default plain list. */
  fancy?: boolean;
  /** Extra lines for the config (another engineer adds mod_dav this way). */
  extraConfig?: string;
  /** Extra modules to load, by name without `mod_` (e.g. 'dav', 'dav_fs'). */
  modules?: string[];
}

const moduleDir = '/usr/lib/apache2/modules';
const binaries = ['/usr/sbin/apache2', '/usr/sbin/httpd'];

export function apacheBinary(): string {
  const found = binaries.find((b) => fs.existsSync(b));
  if (!found) throw new Error('apache2 is not installed: apt-get install apache2 (.ci/run does this).');
  return found;
}

/**
 * Starts a real Apache serving `root` on a free loopback port with its own config in a temp dir.
 * It runs as one process (`-X`, no keep-alive) so SIGTERM stops it at once; run as root, Apache
 * refuses to stay root, so it serves as www-data and `root` is made readable.
 */
export async function startApache(root: string, options: ApacheOptions = {}): Promise<Apache> {
  const bin = apacheBinary();
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-apache-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) makeReadable(root);
  const modules = ['mpm_prefork', 'authz_core', 'dir', 'autoindex', 'mime', 'alias', ...(options.modules ?? [])];
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    const conf = path.join(prefix, 'apache2.conf');
    fs.writeFileSync(
      conf,
      `${modules.map((m) => `LoadModule ${m}_module ${moduleDir}/mod_${m}.so`).join('\n')}
ServerRoot ${prefix}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${prefix}/apache.pid
DefaultRuntimeDir ${prefix}
ErrorLog ${prefix}/error.log
LogLevel warn
${asRoot ? 'User www-data\nGroup www-data' : ''}
# One process (-X): it stops at once on SIGTERM; without keep-alive no client holds it.
KeepAlive Off
TypesConfig /etc/mime.types
DocumentRoot "${root}"
<Directory />
  Options None
  AllowOverride None
  Require all denied
</Directory>
<Directory "${root}">
  Options +Indexes
  AllowOverride None
  Require all granted
  ${options.fancy ? 'IndexOptions FancyIndexing HTMLTable NameWidth=* Charset=UTF-8' : 'IndexOptions Charset=UTF-8'}
</Directory>
${options.extraConfig ?? ''}
`,
    );
    const child = spawn(bin, ['-f', conf, '-X'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (!(await waitForPort(port, child))) {
      child.kill('SIGKILL');
      const why = stderr + readOr(`${prefix}/error.log`);
      if (/Address already in use/.test(why)) continue;
      throw new Error(`apache did not start: ${why}`);
    }
    return {
      port,
      root,
      url: (file) => `http://127.0.0.1:${port}/${file.split('/').map(encodeURIComponent).join('/')}`,
      stop: () => stopChild(child, prefix),
    };
  }
  throw new Error('apache could not find a free port');
}


