// Runs one command and measures its wall time, peak RSS (the largest resident set of the process
// or of any child it waited for, as GNU time's %M reports it) and CPU time (user + system, GNU time's
// %U + %S, children included). Without /usr/bin/time, the peak is read by polling
// /proc/PID/status (VmHWM) of the direct child and the CPU time is unknown (null).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const timeBinary = '/usr/bin/time';

export function hasGnuTime() {
  try {
    fs.accessSync(timeBinary, fs.constants.X_OK);
    // BusyBox time has no -f/-o; GNU time prints its version.
    return /GNU/.test(execFileSync(timeBinary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch {
    return false;
  }
}

let useGnuTime = null;

/** Children running now (each the leader of its own process group), for the exit handlers to stop. */
export const liveChildren = new Set();

/** Kills every measured command still running, with whatever it started. */
export function killLiveChildren() {
  for (const child of liveChildren) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
}

/**
 * Runs `cmd args` with stdout and stderr to files in `logDir` and resolves to
 * { ms, rssKiB, cpuMs, code, stdoutFile, stderrFile } (cpuMs null without GNU time). Never rejects on a non-zero exit; the caller checks.
 */
export async function measure(label, cmd, args, { cwd, logDir, env } = {}) {
  useGnuTime ??= hasGnuTime();
  const safe = label.replace(/[^a-z0-9]+/gi, '-');
  const stdoutFile = path.join(logDir, `${safe}.out`);
  const stderrFile = path.join(logDir, `${safe}.err`);
  const rssFile = path.join(logDir, `${safe}.rss`);
  const out = fs.openSync(stdoutFile, 'w');
  const err = fs.openSync(stderrFile, 'w');
  const [bin, argv] = useGnuTime ? [timeBinary, ['-f', '%M %U %S', '-o', rssFile, '--', cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const child = spawn(bin, argv, { cwd, env: env ?? process.env, stdio: ['ignore', out, err], detached: true });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  let polledKiB = 0;
  let poller = null;
  if (!useGnuTime) {
    const poll = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) polledKiB = Math.max(polledKiB, Number(m[1]));
      } catch {
        // exited between polls
      }
    };
    poll();
    poller = setInterval(poll, 20);
  }
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (poller) clearInterval(poller);
  fs.closeSync(out);
  fs.closeSync(err);
  let rssKiB = polledKiB;
  let cpuMs = null;
  if (useGnuTime) {
    const text = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8') : '';
    // On a non-zero exit GNU time writes "Command exited with non-zero status N" first.
    const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(text.trim().split('\n').at(-1) ?? '');
    rssKiB = m ? Number(m[1]) : 0;
    cpuMs = m ? (Number(m[2]) + Number(m[3])) * 1000 : null;
  }
  return { ms, rssKiB, cpuMs, code, stdoutFile, stderrFile };
}

export function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
