import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.mjs';
import { makeReadable, readOr, stopChild } from './processes.js';
import { startRclone } from './rclone.js';

/** A WebDAV (or not) server the tests started on 127.0.0.1, and how to stop it. */
export interface TestServer {
  /** Base URL of the share, ending in a slash. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface Credentials {
  user: string;
  pass: string;
}

/** Starts `rclone serve webdav` over `root` on a free loopback port, with Basic auth when given. */
export async function startRcloneWebdav(root: string, auth?: Credentials): Promise<TestServer> {
  const r = await startRclone('webdav', root, auth ? ['--user', auth.user, '--pass', auth.pass] : []);
  return { port: r.port, url: r.base, stop: r.stop };
}

const modules = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authz_host_module', 'mod_authz_host.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authn_file_module', 'mod_authn_file.so'],
  ['auth_basic_module', 'mod_auth_basic.so'],
  ['dav_module', 'mod_dav.so'],
  ['dav_fs_module', 'mod_dav_fs.so'],
  ['mime_module', 'mod_mime.so'],
  ['dir_module', 'mod_dir.so'],
  ['alias_module', 'mod_alias.so'],
  ['setenvif_module', 'mod_setenvif.so'],
];

/**
 * Starts Apache with `mod_dav` serving `root` at `/dav/` on a free loopback port, from a config file
 * in its own temp folder (never the system's /etc/apache2). Basic auth with an htpasswd-less
 * `AuthBasicProvider file` when credentials are given.
 */
export async function startApacheWebdav(root: string, auth?: Credentials, options: { onlyFrom?: string } = {}): Promise<TestServer> {
  const bin = findBinary('apache2', ['/usr/sbin/apache2', '/usr/sbin/httpd'], 'apt-get install apache2');
  const moduleDir = '/usr/lib/apache2/modules';
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-apache-'));
  fs.mkdirSync(path.join(prefix, 'lock'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // Apache drops to www-data: it must read the share and write its lock database.
    fs.chmodSync(prefix, 0o755);
    fs.chmodSync(path.join(prefix, 'lock'), 0o777);
    makeReadable(root);
  }
  // onlyFrom: the one client address let in (a proxy's), like a share behind a mandatory proxy.
  let authConf = options.onlyFrom ? `Require ip ${options.onlyFrom}` : 'Require all granted';
  if (auth) {
    const htpasswd = path.join(prefix, 'htpasswd');
    // {SHA} is base64(SHA-1(password)): Apache accepts it, and Node computes it without htpasswd.
    const { createHash } = await import('node:crypto');
    fs.writeFileSync(htpasswd, `${auth.user}:{SHA}${createHash('sha1').update(auth.pass).digest('base64')}\n`);
    fs.chmodSync(htpasswd, 0o644);
    authConf = `AuthType Basic\n    AuthName "Cartage test"\n    AuthBasicProvider file\n    AuthUserFile ${htpasswd}\n    Require valid-user`;
  }
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    const conf = path.join(prefix, 'httpd.conf');
    fs.writeFileSync(
      conf,
      `ServerRoot ${prefix}
DefaultRuntimeDir ${prefix}
PidFile ${prefix}/httpd.pid
ErrorLog ${prefix}/error.log
LogLevel warn
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
${modules.map(([name, file]) => `LoadModule ${name} ${moduleDir}/${file}`).join('\n')}
${asRoot ? 'User www-data\nGroup www-data' : ''}
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
TypesConfig /etc/mime.types
DavLockDB ${prefix}/lock/DavLock
Alias /dav ${root.replace(/\/$/, '')}
<Directory />
    Require all denied
</Directory>
<Directory ${root.replace(/\/$/, '')}>
    Dav On
    Options None
    ${authConf}
</Directory>
`,
    );
    const child = spawn(bin, ['-f', conf, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, APACHE_RUN_DIR: prefix } });
    const stderr = collect(child);
    if (!(await waitForPort(port, child))) {
      child.kill('SIGKILL');
      const why = stderr() + readOr(path.join(prefix, 'error.log'));
      if (/Address already in use/i.test(why)) continue;
      throw new Error(`apache2 did not start: ${why}`);
    }
    return { port, url: `http://127.0.0.1:${port}/dav/`, stop: () => stopChild(child, prefix) };
  }
  throw new Error('apache2 could not find a free port');
}

/**
 * A plain web server that does not speak WebDAV: GET works, PROPFIND is 405, like nginx without dav.
 * Under `/html/` it answers PROPFIND with a 200 web page (a login page or a catch-all app), and under
 * `/moved/` it redirects to `redirectTo` (another host).
 */
export async function startPlainHttp(redirectTo = 'http://localhost:9/'): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/moved/')) {
      res.writeHead(307, { location: redirectTo });
      res.end();
      return;
    }
    if (req.url?.startsWith('/html/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body><form>Sign in</form></body></html>');
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Welcome</h1></body></html>');
      return;
    }
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/html' });
    res.end('<html><body><h1>405 Not Allowed</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function findBinary(name: string, candidates: string[], install: string): string {
  const found = candidates.find((b) => fs.existsSync(b));
  if (!found) throw new Error(`${name} is not installed: ${install} (.ci/run does this).`);
  return found;
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}



