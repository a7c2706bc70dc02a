import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectionsPerFile, transfersAtOnce } from '../../../preload/settings-limits.js';
import type { Core } from '../../core/core.js';
import { terminalStates } from '../../core/queue/states.js';
import { basicAuth } from '../../core/net/http.js';
import { assertWritableFolder } from '../../core/util/folders.js';
import { filesOfRef, parseRef, type Ref } from '../../core/sources/refs.js';
import { sourceRefOf } from '../../core/sources/registry.js';
import type { RemoteFile } from '../../core/sources/types.js';
import type { Task, TaskSpec } from '../../core/queue/task.js';
import { parseRate, parseWhole, UsageError } from '../usage.js';
import { jsonTask, printSummary, runEngine, withCore, type Io, type RunReport } from '../session.js';

/** `cartage get URL|SOURCE:PATH|SOURCE?FILTERS...`: queue the files, download them, report. */
export async function getCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      dir: { type: 'string', short: 'd' },
      concurrency: { type: 'string', short: 'c' },
      connections: { type: 'string' },
      'limit-rate': { type: 'string' },
      sha256: { type: 'string' },
      input: { type: 'string', short: 'i' },
      json: { type: 'boolean', default: false },
    },
  });
  const given = [...positionals];
  if (values.input) given.push(...readUrlList(values.input));
  if (given.length === 0) throw new UsageError('Give at least one URL or source reference to download (or --input FILE with one URL per line).');
  const refs = given.map((g) => parseRef(g));
  const urls = refs.flatMap((r) => (r.kind === 'url' ? [r.url] : []));
  const sourceRefs = refs.filter((r): r is Exclude<Ref, { kind: 'url' }> => r.kind !== 'url');
  for (const u of urls) checkUrl(u);

  const concurrency = values.concurrency !== undefined ? parseWhole('--concurrency', values.concurrency, transfersAtOnce) : undefined;
  let checksum: TaskSpec['checksum'];
  if (values.sha256 !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(values.sha256)) throw new UsageError(`--sha256 takes 64 hexadecimal characters; "${values.sha256}" is not a SHA-256.`);
    if (urls.length !== 1 || sourceRefs.length) throw new UsageError(`--sha256 checks one file, but ${given.length} were given.`);
    checksum = { algo: 'sha256-hex', value: values.sha256.toLowerCase() };
  }
  const dir = path.resolve(io.cwd, values.dir ?? '.');
  assertWritableFolder(dir, 'choose another folder with --dir');

  const overrides = {
    ...(concurrency ? { maxConcurrent: concurrency, maxPerHost: concurrency, maxPerGroup: concurrency } : {}),
    ...(values['limit-rate'] !== undefined ? { speedLimit: parseRate(values['limit-rate']) } : {}),
    ...(values.connections !== undefined ? { connections: parseWhole('--connections', values.connections, connectionsPerFile) } : {}),
  };
  // User and password typed into a URL are used for this run's requests only: never stored in the
  // queue (a later "cartage run" will ask the person to sign in again).
  const credentials = new Map<number, Record<string, string>>();
  const headersFor = (task: Task): Record<string, string> => credentials.get(task.id) ?? {};
  return withCore(dataDir, async (core) => {
    const fromSources = await specsFromSources(core, sourceRefs, dir, io, values.json);
    const specs = [...urls.map((url) => ({ url, dir, ...(checksum ? { checksum } : {}) })), ...fromSources.specs];
    if (specs.length === 0) {
      if (values.json) io.stdout.write(`${JSON.stringify({ tasks: [] })}\n`);
      else io.stdout.write('Nothing to download.\n');
      return fromSources.notDownloadable > 0 ? 1 : 0;
    }
    const ids = core.engine.add(specs);
    urls.forEach((raw, i) => {
      const u = new URL(raw);
      if (!u.username && !u.password) return;
      credentials.set(ids[i]!, basicAuth(decodeURIComponent(u.username), decodeURIComponent(u.password)));
    });
    const header = (r: RunReport): string =>
      `Downloading ${ids.length} file${ids.length === 1 ? '' : 's'}: ${r.completed.length} done, ${r.failed.length} failed`;
    // If another process runs the queue, it downloads them, and this one takes over if it stops first.
    const lock = core.runOrFollow();
    if (!lock.ok && !values.json) io.stdout.write(`Another Cartage (pid ${lock.pid}) is running the queue; it will download these ${ids.length} file(s). Waiting for them…\n`);
    const report = await runEngine(core, io, { json: values.json, watch: new Set(ids), header, elsewhere: !lock.ok });
    const tasks = ids.map((id) => core.queue.get(id)).filter((t): t is Task => t !== undefined);
    const left = tasks.filter((t) => !terminalStates.includes(t.state)).length;
    if (values.json) io.stdout.write(`${JSON.stringify({ tasks: tasks.map(jsonTask) }, null, 2)}\n`);
    else printSummary(io, report, left);
    if (report.interrupted && left > 0) return 130;
    const failed =
      fromSources.notDownloadable > 0 || report.failed.length > 0 || report.canceled.length > 0 || report.skipped.some((t) => t.error?.code === 'gone');
    return failed || report.pausedBy || left > 0 ? 1 : 0;
  }, { overrides, headersFor });
}

/**
 * The downloads a source reference stands for: each file with its checksum, a live photo's two
 * parts side by side. Files the source says cannot be downloaded are named with the reason and left out.
 */
async function specsFromSources(
  core: Core,
  refs: Exclude<Ref, { kind: 'url' }>[],
  dir: string,
  io: Io,
  json: boolean,
): Promise<{ specs: TaskSpec[]; notDownloadable: number }> {
  const specs: TaskSpec[] = [];
  let notDownloadable = 0;
  for (const ref of refs) {
    let found = 0;
    for await (const { record, source, file } of filesOfRef(ref, core.sources)) {
      found += 1;
      if (!file.access.downloadable) {
        notDownloadable += 1;
        if (!json) io.stderr.write(`Not downloading ${file.name}: ${file.access.reason}\n`);
        continue;
      }
      for (const part of file.motion ? [file, file.motion] : [file]) {
        const resolved = await source.resolve(part);
        specs.push(specOf(part, resolved.url, sourceRefOf(record, part.id), dir));
      }
    }
    if (found === 0 && !json) io.stderr.write(`${ref.source}${ref.kind === 'query' ? `?${ref.query}` : `:${ref.path}`} has no files (sub-folders are not downloaded).\n`);
  }
  return { specs, notDownloadable };
}

function specOf(file: RemoteFile, url: string, sourceRef: string, dir: string): TaskSpec {
  return {
    url,
    dir,
    name: file.name,
    group: file.group,
    sourceRef,
    ...(file.size !== null ? { expectedBytes: file.size } : {}),
    ...(file.checksum ? { checksum: file.checksum } : {}),
  };
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

