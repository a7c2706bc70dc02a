// A private nginx for the benchmark: its own config in a temp folder, a free 127.0.0.1 port,
// no access log, sendfile on. The system nginx and its config are never touched.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from '../helpers/ports.mjs';

const binaries = ['/usr/sbin/nginx', '/usr/bin/nginx'];

/** Every nginx this module started and that has not exited, even one still starting up. */
const started = new Set();

/** For exit handlers: stops every nginx started here, at once. */
export function stopAllSync() {
  for (const child of started) {
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
}

export function nginxBinary() {
  return binaries.find((b) => fs.existsSync(b)) ?? null;
}

/**
 * Starts nginx serving `root`. `prefix` is a folder of its own (config, pid, error log, temp paths).
 * Under /limited/ the same files are served at `limitBytesPerSecond` per connection (0: no limit);
 * under /perconn/ at `perConnectionMiBps` MiB/s per connection (nginx `limit_rate Nm`, default 20),
 * the kind of server where several connections per file pay.
 * Returns { port, url(rel), pid, stop() }; stopSync() is for exit handlers.
 */
export async function startNginx(root, prefix, { limitBytesPerSecond = 0, perConnectionMiBps = 20 } = {}) {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed: apt-get install -y nginx-light');
  fs.mkdirSync(prefix, { recursive: true });
  const errorLog = path.join(prefix, 'error.log');
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    const conf = path.join(prefix, 'nginx.conf');
    // As root, workers would drop to "nobody" and could not read the 0700 temp folder.
    const asRoot = process.getuid?.() === 0 ? 'user root;' : '';
    fs.writeFileSync(
      conf,
      `${asRoot}
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    # The same files at a link's speed (per connection), for the "real network" rows.
    location /limited/ {
      alias ${root}/;
      ${limitBytesPerSecond > 0 ? `limit_rate ${Math.round(limitBytesPerSecond)};` : ''}
    }
    # A server that limits each connection, not the client: segmented downloads are measured here.
    location /perconn/ {
      alias ${root}/;
      limit_rate ${perConnectionMiBps}m;
    }
  }
}
`,
    );
    const child = spawn(bin, ['-p', prefix, '-e', errorLog, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.add(child);
    child.once('exit', () => started.delete(child));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d.toString()));
    if (!(await waitForPort(port, child))) {
      if (child.exitCode === null) child.kill('SIGKILL');
      const why = stderr + readOr(errorLog);
      if (/Address already in use/.test(why)) continue;
      throw new Error(`nginx did not start: ${why}`);
    }
    const stopSync = () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          child.kill('SIGTERM');
        } catch {
          // already gone
        }
      }
    };
    return {
      port,
      pid: child.pid,
      url: (rel) => `http://127.0.0.1:${port}/${rel}`,
      stopSync,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
  }
  throw new Error('nginx could not find a free port');
}

function readOr(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
