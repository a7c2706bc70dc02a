import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultRendererDir, isLoopback, isWildcard, networkAddresses, projectRoot, startServe, type Served } from '../serve.js';
import { openCore, type Io } from '../session.js';
import { UsageError } from '../usage.js';

/** `cartage serve [--port N] [--host 127.0.0.1] [--dir RENDERER_DIR]`: the app's UI in a browser, until Ctrl-C. */
export async function serveCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, dir: { type: 'string' } },
  });
  if (positionals.length) throw new UsageError(`"cartage serve" takes no references ("${positionals[0]}"); see "cartage help".`);
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new UsageError(`--port takes a port number from 0 to 65535 (0 for any free one), not "${values.port}".`);
  }
  const host = values.host.trim();
  if (!host) throw new UsageError('--host needs an address to listen on, such as 127.0.0.1.');
  const rendererDir = values.dir !== undefined ? path.resolve(io.cwd, values.dir) : defaultRendererDir();

  const core = openCore(dataDir);
  let served: Served | null = null;
  try {
    served = await startServe({ core, host, port: Number(values.port), rendererDir, version: version() });
    const lock = core.runOrFollow(() => io.stdout.write('The other Cartage has stopped: this one now runs the queue.\n'));
    if (!lock.ok) {
      io.stdout.write(`Another Cartage (pid ${lock.pid}) is running the queue: the page shows its progress, and this one takes over when it stops.\n`);
    }
    io.stdout.write(`Cartage is serving on ${served.url}\n`);
    if (!isLoopback(host)) {
      io.stderr.write(
        `Warning: Cartage is listening on ${host}: anyone on your network who has this address, with its token, can use it (browse your sources, download into your folders).\n`,
      );
      if (isWildcard(host)) {
        for (const ip of networkAddresses()) io.stdout.write(`From another computer: ${served.url.replace(/^http:\/\/[^/]+/, `http://${ip}:${served.port}`)}\n`);
      }
    }
    io.stdout.write('Stop it with Ctrl-C.\n');
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        // A second Ctrl-C while closing ends the process at once (the default again).
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  } finally {
    await served?.close();
    await core.close();
  }
  io.stdout.write('Stopped serving; the queue is saved and goes on at the next start.\n');
  return 0;
}

/** Cartage's version, from its package.json. */
export function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
