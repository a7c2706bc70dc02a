import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { HostResults } from '../../../preload/browser.js';
import type { CartageCommand } from '../../core/browser-hosts.js';
import { CartageError } from '../../core/errors.js';
import { isAlive } from '../../core/lock.js';
import { logDir } from '../../core/paths.js';

// The browser ends the host as soon as the extension has its answer, so the host never runs the
// queue in its own process: when no Cartage does, it starts `cartage run` apart from itself, which
// works through the queue and exits. The app or `cartage serve` follow the queue by themselves.

/** The live process that holds the queue lock, or null. */
export function queueHolder(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'engine.lock'), 'utf8').trim());
  } catch {
    return null;
  }
  return pid > 0 && isAlive(pid) ? pid : null;
}


/** Starts `cartage run` in its own session when nobody runs the queue; a no-op otherwise. */
export function ensureQueueRuns(dataDir: string, cartage: CartageCommand, hasWork: () => boolean): void {
  if (queueHolder(dataDir) !== null || !hasWork()) return;
  fs.mkdirSync(logDir(dataDir), { recursive: true });
  const out = fs.openSync(path.join(logDir(dataDir), 'browser-run.log'), 'a');
  try {
    const child = spawn(cartage.node, [cartage.script, 'run', '--data-dir', dataDir], { detached: true, stdio: ['ignore', out, out] });
    child.unref();
  } finally {
    fs.closeSync(out);
  }
}

/**
 * Opens Cartage: the app when the installer recorded how to start it (CARTAGE_APP), otherwise the
 * interface in a browser tab, from a `cartage serve` this starts (or the one it started before).
 */
export async function openCartage(dataDir: string, cartage: CartageCommand, env: NodeJS.ProcessEnv): Promise<HostResults['open']> {
  if (env.CARTAGE_APP) {
    // The app's launcher runs this host in the app's binary as Node; the app itself must not be.
    const { ELECTRON_RUN_AS_NODE: _asNode, ...appEnv } = env;
    spawn(env.CARTAGE_APP, [], { detached: true, stdio: 'ignore', env: appEnv }).unref();
    return { opened: 'app', url: null };
  }
  const record = path.join(dataDir, 'browser-serve.json');
  try {
    const known = JSON.parse(fs.readFileSync(record, 'utf8')) as { pid: number; url: string };
    if (isAlive(known.pid)) return { opened: 'page', url: known.url };
  } catch {
    // None started yet, or it has stopped: start one.
  }
  const url = await startServe(dataDir, cartage);
  return { opened: 'page', url };
}

/** Starts `cartage serve` on its own, writing to a log file, and reads its address from that file. */
async function startServe(dataDir: string, cartage: CartageCommand): Promise<string> {
  fs.mkdirSync(logDir(dataDir), { recursive: true });
  const log = path.join(logDir(dataDir), 'browser-serve.log');
  fs.writeFileSync(log, '');
  const out = fs.openSync(log, 'a');
  const child = spawn(cartage.node, [cartage.script, 'serve', '--data-dir', dataDir], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let watcher: fs.FSWatcher | null = null;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const look = (): void => {
        const m = /Cartage is serving on (\S+)/.exec(fs.readFileSync(log, 'utf8'));
        if (m) resolve(m[1]!);
      };
      child.once('error', reject);
      child.once('exit', (code) => {
        const said = fs.readFileSync(log, 'utf8').trim().slice(0, 300);
        reject(new CartageError('not_found', `Cartage could not open its window in the browser (cartage serve ended with code ${code}): ${said}`));
      });
      watcher = fs.watch(log, look);
      look();
    });
    fs.writeFileSync(path.join(dataDir, 'browser-serve.json'), JSON.stringify({ pid: child.pid, url }), { mode: 0o600 });
    return url;
  } finally {
    (watcher as fs.FSWatcher | null)?.close();
    child.removeAllListeners();
    child.unref();
  }
}
