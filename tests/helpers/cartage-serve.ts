// `cartage serve` started as a person would, for end-to-end tests in a browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { cartageBin, projectRoot } from './cli.js';

/** Starts `cartage serve` on a port of its choosing, and resolves with the address (and token) it prints. */
export async function serve(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  // No --port: it listens on a free port of its own choosing and prints it, so no other process can take it first.
  const child = spawn(process.execPath, [cartageBin, 'serve', '--data-dir', dataDir], {
    cwd: projectRoot,
    env: { ...process.env, CARTAGE_DATA_DIR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /^Cartage is serving on (http:\/\/\S+)$/m.exec(output);
      if (m) resolve(m[1]!);
    });
    child.once('close', (code) => reject(new Error(`cartage serve ended before serving (exit ${code}); did "npm run build" run? ${output}`)));
  });
  return { child, url, output: () => output };
}

/** Stops it with SIGTERM and waits until it is gone. */
export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill('SIGTERM');
  await closed;
}
