import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.mjs';
import { readOr, stopChild } from './processes.js';

/** A real forward proxy (Debian's tinyproxy) the tests started on 127.0.0.1. */
export interface Tinyproxy {
  /** `http://127.0.0.1:PORT`, for settings or HTTP_PROXY / HTTPS_PROXY. */
  url: string;
  port: number;
  /** Every request it was asked, as 'METHOD TARGET' in order: 'GET http://127.0.0.1:8080/a', 'CONNECT 127.0.0.1:8443'. */
  requests(): string[];
  stop(): Promise<void>;
}

/** The address tinyproxy connects out from: servers that only let it in allow this one and deny 127.0.0.1. */
export const proxyOutgoingAddress = '127.0.0.2';

const binaries = ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy'];

/**
 * Starts tinyproxy from a config file in a temp folder on a free loopback port. It connects out
 * from 127.0.0.2 (`Bind`), so a server that allows only that address is reachable through the proxy
 * alone: a mandatory proxy. Plain http is forwarded; https tunnels with CONNECT.
 */
export async function startTinyproxy(): Promise<Tinyproxy> {
  const bin = binaries.find((b) => fs.existsSync(b));
  if (!bin) throw new Error('tinyproxy is not installed: apt-get install tinyproxy (.ci/run does this).');
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'cartage-tinyproxy-'));
  const log = path.join(prefix, 'tinyproxy.log');
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    const conf = path.join(prefix, 'tinyproxy.conf');
    fs.writeFileSync(
      conf,
      `Port ${port}
Listen 127.0.0.1
Bind ${proxyOutgoingAddress}
Timeout 60
LogFile "${log}"
LogLevel Connect
MaxClients 64
PidFile "${prefix}/tinyproxy.pid"
`,
    );
    // -d: stay in the foreground, so stopping the child stops the proxy.
    const child = spawn(bin, ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (!(await waitForPort(port, child))) {
      child.kill('SIGKILL');
      const why = stderr + readOr(log);
      if (/Address already in use|Could not create listening socket/i.test(why)) continue;
      throw new Error(`tinyproxy did not start: ${why}`);
    }
    return {
      port,
      url: `http://127.0.0.1:${port}`,
      requests: () =>
        readOr(log)
          .split('\n')
          .map((line) => /Request \(file descriptor \d+\): (\S+) (\S+) HTTP\//.exec(line))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => `${m[1]} ${m[2]}`),
      stop: () => stopChild(child, prefix),
    };
  }
  throw new Error('tinyproxy could not find a free port');
}
