import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Core } from '../../core/core.js';
import { terminalStates } from '../../core/queue/states.js';
import type { Task, TaskSpec } from '../../core/queue/task.js';
import { parseRate, UsageError } from '../usage.js';
import { jsonTask, openCore, printSummary, runEngine, type Io, type RunReport } from '../session.js';

/** `cartage get URL...`: queue the files, download them, report. */
export async function getCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      dir: { type: 'string', short: 'd' },
      concurrency: { type: 'string', short: 'c' },
      'limit-rate': { type: 'string' },
      sha256: { type: 'string' },
      input: { type: 'string', short: 'i' },
      json: { type: 'boolean', default: false },
    },
  });
  const urls = [...positionals];
  if (values.input) urls.push(...readUrlList(values.input));
  if (urls.length === 0) throw new UsageError('Give at least one URL to download (or --input FILE with one URL per line).');
  for (const u of urls) checkUrl(u);

  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    if (!/^\d+$/.test(values.concurrency) || Number(values.concurrency) < 1 || Number(values.concurrency) > 64) {
      throw new UsageError(`--concurrency takes a whole number from 1 to 64, not "${values.concurrency}".`);
    }
    concurrency = Number(values.concurrency);
  }
  let checksum: TaskSpec['checksum'];
  if (values.sha256 !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(values.sha256)) throw new UsageError(`--sha256 takes 64 hexadecimal characters; "${values.sha256}" is not a SHA-256.`);
    if (urls.length !== 1) throw new UsageError(`--sha256 checks one file, but ${urls.length} URLs were given.`);
    checksum = { algo: 'sha256-hex', value: values.sha256.toLowerCase() };
  }
  const dir = path.resolve(io.cwd, values.dir ?? '.');
  checkWritable(dir);

  const overrides = {
    ...(concurrency ? { maxConcurrent: concurrency, maxPerHost: concurrency, maxPerGroup: concurrency } : {}),
    ...(values['limit-rate'] !== undefined ? { speedLimit: parseRate(values['limit-rate']) } : {}),
  };
  const core = openCore(dataDir, overrides);
  try {
    const ids = core.engine.add(urls.map((url) => ({ url, dir, ...(checksum ? { checksum } : {}) })));
    const lock = core.startEngine();
    let report: RunReport;
    if (lock.ok) {
      const watch = new Set(ids);
      report = await runEngine(core, io, {
        json: values.json,
        watch,
        header: (r) => `Downloading ${ids.length} file${ids.length === 1 ? '' : 's'}: ${r.completed.length} done, ${r.failed.length} failed`,
      });
    } else {
      if (!values.json) io.stdout.write(`Another Cartage (pid ${lock.pid}) is running the queue; it will download these ${ids.length} file(s). Waiting for them…\n`);
      report = await follow(core, ids);
    }
    const tasks = ids.map((id) => core.queue.get(id)).filter((t): t is Task => t !== undefined);
    const left = tasks.filter((t) => !terminalStates.includes(t.state)).length;
    if (values.json) io.stdout.write(`${JSON.stringify({ tasks: tasks.map(jsonTask) }, null, 2)}\n`);
    else printSummary(io, report, left);
    if (report.interrupted && left > 0) return 130;
    return report.failed.length > 0 || report.canceled.length > 0 || report.skipped.some((t) => t.error?.code === 'gone') ? 1 : 0;
  } finally {
    await core.close();
  }
}

/** Watches tasks that another process is downloading until each has finished. */
async function follow(core: Core, ids: number[]): Promise<RunReport> {
  const report: RunReport = { completed: [], failed: [], skipped: [], canceled: [], interrupted: false };
  const pending = new Set(ids);
  let interrupted = false;
  const stop = (): void => void (interrupted = true);
  process.once('SIGINT', stop);
  while (pending.size > 0 && !interrupted) {
    for (const id of pending) {
      const t = core.queue.get(id);
      if (!t || !terminalStates.includes(t.state)) continue;
      pending.delete(id);
      if (t.state === 'completed') report.completed.push(t);
      else if (t.state === 'failed') report.failed.push(t);
      else if (t.state === 'skipped') report.skipped.push(t);
      else report.canceled.push(t);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.off('SIGINT', stop);
  report.interrupted = interrupted;
  return report;
}

function checkUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL; give full addresses such as https://example.com/file.zip.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`"${raw}" is a ${url.protocol.slice(0, -1)} address; cartage get downloads http and https only.`);
  }
}

function readUrlList(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the URL list ${file}: ${(err as Error).message}.`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Proves the folder can take files before anything is queued: create it, write a probe, remove it. */
function checkWritable(dir: string): void {
  const probe = path.join(dir, `.cartage-write-test-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new UsageError(`Cannot write to ${dir} (${code}); choose another folder with --dir.`);
  }
}
