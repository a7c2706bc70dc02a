import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cartageBin = path.join(projectRoot, 'bin', 'cartage.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `cartage` command as a person would, in its own process. */
export function cartage(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; /** A command that runs it (strace and its options). */ wrap?: string[] } = {},
): Promise<CliResult> & { child: ChildProcess } {
  const [command, ...before] = [...(opts.wrap ?? []), process.execPath];
  const child = spawn(command!, [...before, cartageBin, ...args], {
    cwd: opts.cwd ?? projectRoot,
    env: { ...process.env, CARTAGE_DATA_DIR: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(done, { child });
}

/**
 * `wait`, or an error as soon as the cartage run ends first: a wait for something a run that ended
 * will never do would otherwise hang until the test's timeout and say nothing of why.
 */
export function whileRunning<T>(run: Promise<CliResult>, what: string, wait: Promise<T>): Promise<T> {
  return Promise.race([
    wait,
    run.then((r): never => {
      throw new Error(`cartage ${what} ended early (${r.code ?? r.signal}): ${r.stderr}`);
    }),
  ]);
}

/** Resolves with what the run has printed so far, once its standard output includes `text`. */
export function printed(run: ReturnType<typeof cartage>, text: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    run.child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve(out);
    });
  });
}
