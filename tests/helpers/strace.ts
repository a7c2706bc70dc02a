import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { cartage, type CliResult } from './cli.js';

const binaries = ['/usr/bin/strace', '/bin/strace'];

/** Debian's strace, which kills a run at an exact system call; null when it is not installed. */
export const straceBinary = binaries.find((b) => fs.existsSync(b)) ?? null;

/** Why the tests that kill at an exact system call are skipped, or null when they can run. */
export const noStrace = straceBinary ? null : 'strace is not installed (apt-get install strace; .ci/run installs it)';

/** A test title that says why it was skipped, where strace is missing. */
export function needsStrace(title: string): string {
  return noStrace ? `${title} [skipped: ${noStrace}]` : title;
}

export const writes = ['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2'];
export const syncs = ['fsync', 'fdatasync'];
export const links = ['link', 'linkat'];
export const unlinks = ['unlink', 'unlinkat', 'rmdir'];

/** Which system calls, on which paths (any of them), and the how-manieth (per thread; default the first). */
export interface SyscallAt {
  syscalls: string[];
  paths?: string[];
  when?: number;
}

function wrap(at: SyscallAt, action: string): string[] {
  const set = [...new Set(at.syscalls)].join(',');
  return [
    straceBinary!,
    '-f',
    '-qq',
    '-o',
    '/dev/null',
    '-e',
    `trace=${set}`,
    '-e',
    `inject=${set}:${action}:when=${at.when ?? 1}`,
    ...(at.paths ?? []).flatMap((p) => ['-P', p]),
  ];
}

/** `cartage ARGS`, killed with SIGKILL as it enters the system call `at` (which is then never made). */
export function cartageKilledAt(args: string[], at: SyscallAt): Promise<CliResult> & { child: ChildProcess } {
  return cartage(args, { wrap: wrap(at, 'signal=SIGKILL') });
}

/** `node --input-type=module -e SCRIPT`, killed with SIGKILL as it enters the system call `at`: the signal it ended with (null: it finished). */
export function nodeKilledAt(script: string, at: SyscallAt): Promise<NodeJS.Signals | null> {
  const [command, ...args] = [...wrap(at, 'signal=SIGKILL'), process.execPath, '--input-type=module', '-e', script];
  return new Promise((resolve) => {
    execFile(command!, args, (err) => resolve(((err as { signal?: NodeJS.Signals } | null)?.signal) ?? null));
  });
}

/**
 * `cartage ARGS`, held just after the system call `at` returns and killed with SIGKILL there, once
 * `made()` sees its effect on disk: the instant after that call and before anything that follows.
 * If the run never makes the call, it ends as it would.
 */
export async function cartageKilledAfter(args: string[], at: SyscallAt, made: () => boolean): Promise<CliResult> {
  // Held for up to 10 minutes: far longer than the test waits.
  const run = cartage(args, { wrap: wrap(at, 'delay_exit=600000000') });
  let ended = false;
  void run.then(() => (ended = true));
  while (!ended && !made()) await new Promise((r) => setTimeout(r, 10));
  if (ended) return run;
  const pid = run.child.pid!;
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  for (const child of children) process.kill(Number(child), 'SIGKILL');
  // strace keeps the held thread until its delay ends: stopping strace lets it go, into the kill.
  process.kill(pid, 'SIGKILL');
  const result = await run;
  // Gone for good before the next run looks at the queue lock's pid.
  for (const child of children) while (fs.existsSync(`/proc/${child}`)) await new Promise((r) => setTimeout(r, 10));
  return result;
}
