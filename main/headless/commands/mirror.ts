import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MirrorView, RunView } from '../../core/sync/mirrors.js';
import { formatBytes } from '../../core/util/format.js';
import { withCore, type Io } from '../session.js';
import { UsageError } from '../usage.js';

/** `cartage mirror add|ls|run|rm`: folders kept in step with a source. */
export async function mirrorCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'add':
      return add(rest, io, dataDir);
    case 'ls':
    case 'list':
      return list(rest, io, dataDir);
    case 'run':
      return run(rest, io, dataDir);
    case 'rm':
    case 'remove':
      return remove(rest, io, dataDir);
    case 'pause':
    case 'resume':
      return control(verb, rest, io, dataDir);
    case 'set':
      return set(rest, io, dataDir);
    default:
      throw new UsageError(`"cartage mirror" takes add, ls, set, run, pause, resume or rm${verb ? `, not "${verb}"` : ''}.`);
  }
}

async function add(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      to: { type: 'string' },
      layout: { type: 'string', default: 'folders' },
      every: { type: 'string' },
      recursive: { type: 'boolean', short: 'r', default: false },
      sidecars: { type: 'boolean', default: false },
      'apply-deletions': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('Give one source scope to mirror: SOURCE[:PATH] or SOURCE?FILTERS (photos? is a whole Immich library).');
  const { to, layout } = values;
  if (!to) throw new UsageError('Say where the mirror goes with --to DIR.');
  if (layout !== 'folders' && layout !== 'date') throw new UsageError(`--layout is folders or date, not "${layout}".`);
  return withCore(dataDir, (core) => {
    const m = core.mirrors.add({
      ref: positionals[0]!,
      dir: path.resolve(io.cwd, to),
      layout,
      recursive: values.recursive,
      everyMs: values.every === undefined ? null : parseEvery(values.every),
      sidecars: values.sidecars,
      applyDeletions: values['apply-deletions'],
    });
    if (values.json) io.stdout.write(`${JSON.stringify({ mirror: m }, null, 2)}\n`);
    else io.stdout.write(`Mirror ${m.id}: ${m.scope} into ${m.dir}. Run it with: cartage mirror run ${m.id}\n`);
    return 0;
  });
}

/** `cartage mirror set ID [--every 6h|--manual] [--sidecars|--no-sidecars] [--apply-deletions|--keep-deleted]`. */
async function set(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      every: { type: 'string' },
      manual: { type: 'boolean', default: false },
      sidecars: { type: 'boolean', default: false },
      'no-sidecars': { type: 'boolean', default: false },
      'apply-deletions': { type: 'boolean', default: false },
      'keep-deleted': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1 || !/^\d+$/.test(positionals[0]!)) throw new UsageError('Give the id of one mirror to change (see "cartage mirror ls").');
  const either = (a: string, b: string): void => {
    if (values[a as keyof typeof values] && values[b as keyof typeof values]) throw new UsageError(`--${a} and --${b} say opposite things; give one.`);
  };
  if (values.every !== undefined && values.manual) throw new UsageError('--every and --manual say opposite things; give one.');
  either('sidecars', 'no-sidecars');
  either('apply-deletions', 'keep-deleted');
  const patch = {
    everyMs: values.manual ? null : values.every !== undefined ? parseEvery(values.every) : undefined,
    sidecars: values.sidecars ? true : values['no-sidecars'] ? false : undefined,
    applyDeletions: values['apply-deletions'] ? true : values['keep-deleted'] ? false : undefined,
  };
  if (Object.values(patch).every((v) => v === undefined)) {
    throw new UsageError('Say what to change: --every 6h or --manual, --sidecars or --no-sidecars, --apply-deletions or --keep-deleted. To mirror something else, or into another folder, add a mirror.');
  }
  return withCore(dataDir, (core) => {
    const m = core.mirrors.update(Number(positionals[0]), patch);
    if (values.json) io.stdout.write(`${JSON.stringify({ mirror: m }, null, 2)}\n`);
    else io.stdout.write(`Changed mirror ${m.id}.\n${mirrorText(m)}`);
    return 0;
  });
}

async function list(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  return withCore(dataDir, (core) => {
    const all = core.mirrors.list();
    if (values.json) io.stdout.write(`${JSON.stringify({ mirrors: all }, null, 2)}\n`);
    else if (all.length === 0) io.stdout.write('No mirrors yet. Keep a folder in step with: cartage mirror add SOURCE[:PATH] --to DIR\n');
    else for (const m of all) io.stdout.write(mirrorText(m));
    return 0;
  });
}

async function run(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  if (values.all === positionals.length > 0) throw new UsageError('Say which mirrors to run: their ids (see "cartage mirror ls"), or --all.');
  return withCore(dataDir, async (core) => {
    const ids = values.all ? core.mirrors.list().map((m) => m.id) : positionals.map(parseId);
    for (const id of ids) core.mirrors.get(id);
    const lock = core.startEngine();
    if (!lock.ok) throw new UsageError(`Another Cartage (pid ${lock.pid}) is running the queue; run the mirror from there, or stop it first.`);
    const reports: RunView[] = [];
    let interrupted = false;
    const stop = (): void => {
      interrupted = true;
    };
    process.once('SIGINT', stop);
    try {
      for (const id of ids) {
        if (interrupted) break;
        if (!values.json) io.stdout.write(`Mirror ${id}: listing…\n`);
        try {
          const runId = await core.mirrors.run(id);
          const report = await core.mirrors.whenDone(runId);
          reports.push(report);
          if (!values.json) io.stdout.write(runText(report));
        } catch (err) {
          io.stderr.write(`Mirror ${id}: ${(err as Error).message}\n`);
          reports.push(core.mirrors.get(id).lastRun!);
        }
      }
    } finally {
      process.off('SIGINT', stop);
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ runs: reports }, null, 2)}\n`);
    if (interrupted) return 130;
    return reports.some((r) => r.state !== 'completed' || r.failed > 0) ? 1 : 0;
  });
}

async function remove(args: string[], io: Io, dataDir: string): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length === 0) throw new UsageError('Say which mirror to remove (see "cartage mirror ls"); its files stay on disk.');
  return withCore(dataDir, (core) => {
    for (const p of positionals) {
      const m = core.mirrors.remove(parseId(p));
      io.stdout.write(`Removed mirror ${m.id} (${m.scope}); the files in ${m.dir} stay where they are.\n`);
    }
    return 0;
  });
}

/** Pauses or resumes the downloads of a mirror's run; the process running the queue sees it at once. */
async function control(verb: 'pause' | 'resume', args: string[], io: Io, dataDir: string): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length === 0) throw new UsageError(`Say which mirror to ${verb} (see "cartage mirror ls").`);
  return withCore(dataDir, (core) => {
    for (const p of positionals) {
      const r = verb === 'pause' ? core.mirrors.pause(parseId(p)) : core.mirrors.resume(parseId(p));
      io.stdout.write(`Mirror ${p}: ${r.paused} of ${r.pending} download${r.pending === 1 ? '' : 's'} paused.\n`);
    }
    return 0;
  });
}

function parseId(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`"${text}" is not a mirror id; ids are the numbers "cartage mirror ls" shows.`);
  return Number(text);
}

/** `--every 6h`, `30m`, `1d`. */
export function parseEvery(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([mhd])$/i.exec(text.trim());
  if (!m) throw new UsageError(`--every takes a duration such as 30m, 6h or 1d, not "${text}".`);
  const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as 'm' | 'h' | 'd'];
  if (ms < 60_000) throw new UsageError('--every is at least 1m.');
  return ms;
}

function mirrorText(m: MirrorView): string {
  const every = m.everyMs ? `every ${m.everyMs / 3_600_000 >= 1 ? `${m.everyMs / 3_600_000} h` : `${m.everyMs / 60_000} min`}` : 'manual';
  const last = m.lastRun ? `last run ${new Date(m.lastRun.startedAt).toISOString().slice(0, 16).replace('T', ' ')}: ${m.lastRun.state}` : 'never run';
  const next = m.nextRunAt ? `, next ${new Date(m.nextRunAt).toISOString().slice(0, 16).replace('T', ' ')}` : '';
  return `${String(m.id).padStart(4)}  ${m.scope}${m.recursive ? ' (with sub-folders)' : ''} -> ${m.dir}  [${m.layout}, ${every}; ${last}${next}]\n`;
}

function runText(r: RunView): string {
  const lines = [
    `  ${r.state}: ${r.newFiles} new, ${r.changed} changed, ${r.unchanged} unchanged, ${r.failed} failed, ${r.deleted} deleted on the source; ${formatBytes(r.bytes)} downloaded.`,
    ...r.failures.slice(0, 20).map((f) => `  failed: ${f.name}: ${f.reason}`),
    ...r.deletions.slice(0, 20).map((d) => `  deleted on the source: ${d.path} (${d.action})`),
    r.error ? `  ${r.error}` : '',
  ];
  return `${lines.filter(Boolean).join('\n')}\n`;
}
