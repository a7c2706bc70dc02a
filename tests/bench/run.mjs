// Cartage's benchmark against curl, aria2c and a bare Node client, on a private loopback nginx.
// `npm run bench`.
//
//   1.  one large file (BENCH_LARGE_MB, default 2048 MiB) over one connection;
//   1b. the same file served at a link's speed (BENCH_LINK_MBPS, default 125 MB/s = 1 Gbit/s,
//       nginx limit_rate; 0 skips it);
//   1c. a file (BENCH_CONN_MB, default 1024 MiB) from a location that limits each connection
//       (BENCH_CONN_RATE_MB, default nginx `limit_rate 20m`): curl, aria2c -x8 -s8 and cartage with
//       one and with BENCH_CONNECTIONS (default 8) connections;
//   2.  BENCH_FILES (default 2000) files of BENCH_FILE_KB (default 256) KiB at BENCH_CONCURRENCY
//       (default 6), with CPU time per file for every tool;
//   3.  the queue at scale: enqueue BENCH_QUEUE_TASKS (default 100,000) tasks, and an engine
//       start-up with them all queued.
//
// Every measurement runs BENCH_RUNS times (default 1), tools interleaved; the tables show the
// median time and CPU and the largest peak RSS. Every download is checked byte for byte against its
// source, so a broken one fails the bench instead of looking fast. "node http.get" is the yardstick
// of issue 10: http.get piped into fs.createWriteStream (node-client.mjs), what any Node client pays.
// The "curl + fsync" rows are curl followed by an fsync of what it wrote: the durability cartage pays
// for (it fsyncs every file before renaming it into place).
// The issue's targets are judged on the kind of temp folder they were set for: the "on tmpfs" ones
// when BENCH_TMPDIR is a tmpfs (/dev/shm), the "to disk" one otherwise; run the bench both ways.
// BENCH_ONLY=large,small,conn,queue,... runs some sections only; BENCH_JSON=FILE also writes the
// figures as JSON; BENCH_TMPDIR picks the temp folder (default the system's); BENCH_STRICT=1 exits 1
// when a target is missed. Temp files (GiBs) are removed at the end, also on failure or Ctrl-C.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hasGnuTime, killLiveChildren, measure, tail } from './measure.mjs';
import { nginxBinary, startNginx, stopAllSync } from './nginx.mjs';
import { zipBench } from './zip.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cartageBin = path.join(repo, 'bin', 'cartage.js');
const nodeClient = fileURLToPath(new URL('./node-client.mjs', import.meta.url));
const queueScale = fileURLToPath(new URL('./queue-scale.mjs', import.meta.url));

const intEnv = (name, fallback, min = 1) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) fail(`${name} must be a whole number >= ${min}, not "${raw}".`);
  return Number(raw);
};

const config = {
  largeMiB: intEnv('BENCH_LARGE_MB', 2048),
  files: intEnv('BENCH_FILES', 2000),
  fileKiB: intEnv('BENCH_FILE_KB', 256),
  concurrency: intEnv('BENCH_CONCURRENCY', 6),
  queueTasks: intEnv('BENCH_QUEUE_TASKS', 100_000),
  runs: intEnv('BENCH_RUNS', 1),
  // Section 1b: the large file again at a link's speed (MB/s per connection; 125 = 1 Gbit/s). 0 skips it.
  linkMBps: intEnv('BENCH_LINK_MBPS', 125, 0),
  // Section 1c: a file from a location that limits each connection to connRateMiBps (nginx limit_rate Nm).
  connMiB: intEnv('BENCH_CONN_MB', 1024),
  connRateMiBps: intEnv('BENCH_CONN_RATE_MB', 20),
  connections: intEnv('BENCH_CONNECTIONS', 8),
  // Section 4: the global speed limit, in MB/s, on the large file (18 MB/s makes 1 GiB last about a minute).
  limitMBps: intEnv('BENCH_LIMIT_MBPS', 18),
  only: new Set((process.env.BENCH_ONLY || 'large,small,conn,queue,limit,zip,mirror').split(',').map((s) => s.trim())),
  // Section 6: files in a mirror compared at scale.
  mirrorFiles: intEnv('BENCH_MIRROR_FILES', 100_000),
};
for (const s of config.only) {
  if (!['large', 'small', 'conn', 'queue', 'limit', 'zip', 'mirror'].includes(s)) fail(`BENCH_ONLY takes large, small, conn, queue, limit, zip and mirror, not "${s}".`);
}

// Issue 10's figures to reach. The ratios are Cartage's time over the other tool's.
const targets = {
  largeVsNode: 1.15, // one large file on tmpfs, against the bare Node client
  largeVsCurlFsync: 1.3, // the same to disk, against curl followed by an fsync of the file
  smallVsNode: 1.25, // the small files on tmpfs, against the bare Node client
  smallVsAria2c: 1.5, // and against aria2c -j (the goal: ahead of it)
  cpuPerFileMs: 1,
  connSpeedupVsCurl: 5, // per-connection-limited file, N connections against curl's one
  connVsAria2c: 1.1, // and against aria2c -xN -sN
  peakRssBytes: 200e6,
  enqueueMs: 2000,
  startupMs: 1000,
  limitDeviation: 0.1,
};

// ---------------------------------------------------------------- helpers

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

function note(line) {
  process.stderr.write(`${line}\n`);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n')[0] ?? '';
}

/** Flushes every dirty page, so one run's write-back does not land in the next one's time. */
function syncDisks() {
  execFileSync('sync');
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmtS = (ms) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const fmtMs = (ms) => `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
const fmtMB = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const mbps = (bytes, ms) => `${((bytes / 1e6) / (ms / 1000)).toFixed(0)} MB/s`;

/** Byte-for-byte comparison of two files, by size first. */
function sameFile(a, b) {
  const sa = fs.statSync(a).size;
  const sb = fs.statSync(b, { throwIfNoEntry: false })?.size;
  if (sb === undefined) return `${b} is missing`;
  if (sa !== sb) return `${b} has ${sb} bytes; the source has ${sa}`;
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  const size = 8 << 20;
  const ba = Buffer.allocUnsafe(size);
  const bb = Buffer.allocUnsafe(size);
  try {
    for (let pos = 0; pos < sa; pos += size) {
      const na = fs.readSync(fa, ba, 0, size, pos);
      const nb = fs.readSync(fb, bb, 0, size, pos);
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return `${b} differs from its source near byte ${pos}`;
    }
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
  return null;
}

/** Checks a download folder holds exactly the source files, every one the same bytes. */
function verifyFolder(srcDir, names, outDir) {
  const found = fs.readdirSync(outDir).sort();
  const extra = found.filter((n) => !names.includes(n));
  if (found.length !== names.length || extra.length) {
    return `${outDir} holds ${found.length} entries, expected ${names.length}${extra.length ? ` (unexpected: ${extra.slice(0, 5).join(', ')})` : ''}`;
  }
  for (const n of names) {
    const problem = sameFile(path.join(srcDir, n), path.join(outDir, n));
    if (problem) return problem;
  }
  return null;
}

// ---------------------------------------------------------------- machine and tools

const curl = which('curl');
if (!curl) fail('curl is not installed: apt-get install -y curl');
if (!nginxBinary()) fail('nginx is not installed: apt-get install -y nginx-light');
if (!fs.existsSync(path.join(repo, 'dist', 'main', 'headless', 'cli.js'))) fail('Cartage is not built: run "npm run bench" (it builds first).');
const aria2c = which('aria2c');
if (!aria2c) note('bench: aria2c is not installed, so its rows are skipped: apt-get install -y aria2');
const gnuTime = hasGnuTime();
if (!gnuTime) note('bench: /usr/bin/time (GNU time) is missing; peak RSS is read by polling /proc instead. For exact figures: apt-get install -y time');

const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = {
  cpus: os.availableParallelism(),
  cpuModel,
  memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
  kernel: `${os.type()} ${os.release()}`,
  node: process.version,
  curl: firstLine(curl, ['--version']),
  aria2c: aria2c ? firstLine(aria2c, ['--version']) : 'not installed',
  nginx: firstLine(nginxBinary(), ['-v']),
  loadAtStart: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  rss: gnuTime ? 'GNU time %M (max RSS of the process tree)' : 'polled /proc/PID/status VmHWM',
};

// ---------------------------------------------------------------- temp space and cleanup

const busy = os.loadavg()[0] > 0.5 * machine.cpus;
if (busy) note(`bench: the load average is ${machine.loadAtStart} on ${machine.cpus} CPUs; other work will make the figures noisy.`);

const base = process.env.BENCH_TMPDIR || os.tmpdir();
{
  // Sources plus one download of each at a time, with room to spare.
  const need =
    (config.only.has('large') || config.only.has('limit') ? 2 * config.largeMiB * 2 ** 20 : 0) +
    (config.only.has('conn') ? 2 * config.connMiB * 2 ** 20 : 0) +
    (config.only.has('small') ? 2 * config.files * config.fileKiB * 1024 : 0) +
    512 * 2 ** 20;
  const st = fs.statfsSync(base);
  const free = st.bavail * st.bsize;
  if (free < need) fail(`${base} has ${fmtMB(free)} free; the bench needs about ${fmtMB(need)} (set BENCH_TMPDIR or BENCH_LARGE_MB).`);
}
const tmp = fs.mkdtempSync(path.join(base, 'cartage-bench-'));
// tmpfs keeps the disk out of the figures, so only the engine's own cost remains (statfs f_type).
const onTmpfs = fs.statfsSync(tmp).type === 0x01021994;
machine.storage = onTmpfs ? `tmpfs (${base})` : `disk (${base}; BENCH_TMPDIR=/dev/shm for the tmpfs run)`;

// Segmented downloads (issue 10): the 1c rows run `cartage get URL --connections N` and
// `--connections 1`, and section 1's Cartage row `--connections 1` beside the other one-connection
// tools (Cartage splits a file of 16 MiB or more over 4 connections by default). A build whose `cartage get --help` lists no --connections reads
// "n/a: not built yet", and no target fails on it. BENCH_CARTAGE_CONNECTIONS_ARGS overrides the
// arguments (N stands for the count), e.g. to try an engine setting under another name.
const connectionsArgs = (() => {
  const custom = process.env.BENCH_CARTAGE_CONNECTIONS_ARGS;
  if (custom) return (n) => custom.split(/\s+/).filter(Boolean).map((a) => a.replace(/^N$/, String(n)));
  const help = spawnSync(process.execPath, [cartageBin, 'get', '--help'], { encoding: 'utf8' });
  return /--connections\b/.test(`${help.stdout}${help.stderr}`) ? (n) => ['--connections', String(n)] : null;
})();
let server = null;
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  killLiveChildren();
  stopAllSync();
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    note(`bench: ${signal}, cleaning up ${tmp}`);
    cleanup();
    process.exit(130);
  });
}

const www = path.join(tmp, 'www');
const logs = path.join(tmp, 'logs');
fs.mkdirSync(path.join(www, 'small'), { recursive: true });
fs.mkdirSync(logs);

const results = { machine, config: { ...config, only: [...config.only] }, rows: [], queue: null, targets: [] };

function record(section, tool, runs, bytes, files = 1) {
  const ms = median(runs.map((r) => r.ms));
  const cpus = runs.map((r) => r.cpuMs).filter((c) => c !== null);
  const cpuMs = cpus.length === runs.length ? median(cpus) : null;
  const row = { section, tool, ms, runsMs: runs.map((r) => r.ms), cpuMs, files, peakRss: Math.max(...runs.map((r) => r.rssKiB)) * 1024, bytes };
  results.rows.push(row);
  return row;
}

/** A row for a tool that could not run, with the reason shown in place of its figures. */
function recordMissing(section, tool, reason) {
  results.rows.push({ section, tool, na: reason });
}

// Loopback traffic must not go through a proxy set in the environment (cartage, curl and aria2c all read one).
const loopbackEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };

/** Runs a download command, checks its exit code and its files, removes them. */
async function timedDownload(label, cmd, args, check, outDir, cleanupPaths = []) {
  fs.mkdirSync(outDir, { recursive: true });
  syncDisks();
  const r = await measure(label, cmd, args, { cwd: tmp, logDir: logs, env: loopbackEnv });
  if (r.code !== 0) {
    throw new Error(`${label} exited with ${r.code}\n${tail(r.stderrFile)}\n${tail(r.stdoutFile)}`);
  }
  const problem = check();
  if (problem) throw new Error(`${label}: download check failed: ${problem}\n${tail(r.stderrFile)}`);
  const cpu = r.cpuMs === null ? '' : `   CPU ${fmtS(r.cpuMs)} s`;
  note(`  ${label.padEnd(34)} ${fmtS(r.ms).padStart(7)} s${cpu}   peak RSS ${fmtMB(r.rssKiB * 1024)}`);
  for (const p of [outDir, ...cleanupPaths]) fs.rmSync(p, { recursive: true, force: true });
  syncDisks();
  return r;
}

// ---------------------------------------------------------------- sections

/** The global speed limit, set in a fresh data folder, holding over a download of about a minute. */
async function speedLimit() {
  const rate = config.limitMBps * 1e6;
  const data = path.join(tmp, 'data', 'limit');
  const out = path.join(tmp, 'out', 'limit');
  const { Core } = await import(pathToFileURL(path.join(repo, 'dist', 'main', 'core', 'core.js')).href);
  const core = new Core({ dataDir: data });
  core.settings.update({ speedLimit: rate });
  core.db.close();
  const r = await timedDownload(
    `limit cartage at ${config.limitMBps} MB/s`,
    process.execPath,
    [cartageBin, 'get', server.url('large.bin'), '--dir', out, '--data-dir', data],
    () => verifyFolder(www, ['large.bin'], out),
    out,
    [data],
  );
  const bytes = config.largeMiB * 2 ** 20;
  results.limit = { rate, ms: r.ms, achieved: bytes / (r.ms / 1000), peakRss: r.rssKiB * 1024 };
}

async function largeFile(section, url, withSync) {
  const bytes = config.largeMiB * 2 ** 20;
  const tools = {
    curl: [curl, ['-s', '-f', '-o', '$OUT/large.bin', url]],
    'node http.get': [process.execPath, [nodeClient, '$OUT', '1', url]],
    ...(aria2c
      ? { aria2c: [aria2c, ['-q', '-x1', '-s1', '--file-allocation=none', '--allow-overwrite=true', '-d', '$OUT', '-o', 'large.bin', url]] }
      : {}),
    cartage: [process.execPath, [cartageBin, 'get', url, ...(connectionsArgs?.(1) ?? []), '--dir', '$OUT', '--data-dir', '$DATA']],
    ...(withSync ? { 'curl + fsync': ['sh', ['-c', `"$0" -s -f -o "$1/large.bin" "$2" && sync "$1/large.bin"`, curl, '$OUT', url]] } : {}),
  };
  const runs = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
  for (let run = 1; run <= config.runs; run += 1) {
    for (const [tool, [cmd, args]] of Object.entries(tools)) {
      const out = path.join(tmp, 'out', `${section}-${tool.replace(/\W+/g, '_')}-${run}`);
      const data = path.join(tmp, 'data', `${section}-${run}`);
      const argv = args.map((a) => a.replace('$OUT', out).replace('$DATA', data));
      runs[tool].push(await timedDownload(`${section} ${tool} #${run}`, cmd, argv, () => verifyFolder(www, ['large.bin'], out), out, [data]));
    }
  }
  for (const [tool, r] of Object.entries(runs)) record(section, tool, r, bytes);
}

/** Section 1c: a file from the location that limits each connection; what several connections buy. */
async function perConnectionLimit() {
  const bytes = config.connMiB * 2 ** 20;
  const name = connFileName();
  const url = server.url(`perconn/${name}`);
  const n = String(config.connections);
  const connTool = `cartage, ${n} connections`;
  const tools = {
    curl: [curl, ['-s', '-f', '-o', `$OUT/${name}`, url]],
    // -k1M lets aria2c split a small smoke-run file into all N parts too (its default minimum is 20 MiB).
    ...(aria2c
      ? { [`aria2c -x${n} -s${n}`]: [aria2c, ['-q', `-x${n}`, `-s${n}`, '-k1M', '--file-allocation=none', '--allow-overwrite=true', '-d', '$OUT', '-o', name, url]] }
      : {}),
    'cartage, 1 connection': [process.execPath, [cartageBin, 'get', url, ...(connectionsArgs?.(1) ?? []), '--dir', '$OUT', '--data-dir', '$DATA']],
    // The per-host limit (6 by default) counts every connection: --concurrency N lets all N open.
    ...(connectionsArgs
      ? { [connTool]: [process.execPath, [cartageBin, 'get', url, ...connectionsArgs(n), '--concurrency', n, '--dir', '$OUT', '--data-dir', '$DATA']] }
      : {}),
  };
  const runs = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
  for (let run = 1; run <= config.runs; run += 1) {
    for (const [tool, [cmd, args]] of Object.entries(tools)) {
      const out = path.join(tmp, 'out', `conn-${tool.replace(/\W+/g, '_')}-${run}`);
      const data = path.join(tmp, 'data', `conn-${run}`);
      const argv = args.map((a) => a.replace('$OUT', out).replace('$DATA', data));
      runs[tool].push(await timedDownload(`conn ${tool} #${run}`, cmd, argv, () => verifyFolder(www, [name], out), out, [data]));
    }
  }
  for (const [tool, r] of Object.entries(runs)) record('conn', tool, r, bytes);
  if (!connectionsArgs) recordMissing('conn', connTool, 'n/a: not built yet (no --connections on cartage get)');
}

/** The per-connection section reuses the large file when they are the same size. */
function connFileName() {
  return config.only.has('large') && config.connMiB === config.largeMiB ? 'large.bin' : 'conn.bin';
}

async function manyFiles() {
  const names = fs.readdirSync(path.join(www, 'small')).sort();
  const bytes = names.length * config.fileKiB * 1024;
  const urls = names.map((n) => server.url(`small/${n}`));
  const plain = path.join(tmp, 'urls.txt');
  const curlConfig = path.join(tmp, 'urls.curl');
  fs.writeFileSync(plain, urls.join('\n') + '\n');
  fs.writeFileSync(curlConfig, urls.map((u) => `url = "${u}"`).join('\n') + '\n');
  const c = String(config.concurrency);
  const srcDir = path.join(www, 'small');
  const tools = {
    curl: [curl, ['-s', '-f', '--parallel', '--parallel-max', c, '--remote-name-all', '--output-dir', '$OUT', '-K', curlConfig]],
    'node http.get': [process.execPath, [nodeClient, '$OUT', c, '--input', plain]],
    ...(aria2c
      ? {
          aria2c: [
            aria2c,
            ['-q', `-j${c}`, '-x1', '-s1', '--file-allocation=none', '--allow-overwrite=true', '-d', '$OUT', '-i', plain],
          ],
        }
      : {}),
    cartage: [process.execPath, [cartageBin, 'get', '--input', plain, '--dir', '$OUT', '--concurrency', c, '--data-dir', '$DATA']],
    'curl + fsync': [
      'sh',
      [
        '-c',
        `"$0" -s -f --parallel --parallel-max "$1" --remote-name-all --output-dir "$2" -K "$3" && cd "$2" && sync -- *`,
        curl,
        c,
        '$OUT',
        curlConfig,
      ],
    ],
  };
  const runs = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
  for (let run = 1; run <= config.runs; run += 1) {
    for (const [tool, [cmd, args]] of Object.entries(tools)) {
      const out = path.join(tmp, 'out', `small-${tool.replace(/\W+/g, '_')}-${run}`);
      const data = path.join(tmp, 'data', `small-${run}`);
      const argv = args.map((a) => a.replace('$OUT', out).replace('$DATA', data));
      runs[tool].push(await timedDownload(`${names.length} files ${tool} #${run}`, cmd, argv, () => verifyFolder(srcDir, names, out), out, [data]));
    }
  }
  for (const [tool, r] of Object.entries(runs)) record('small', tool, r, bytes, names.length);
}

function runQueueScale(args) {
  const r = spawnSync(process.execPath, [queueScale, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`queue-scale ${args[0]} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

async function queueAtScale() {
  // URLs to a loopback port where nothing listens: the start-up's first transfers fail at once.
  const deadUrl = 'http://127.0.0.1:9';
  const enq = [];
  const start = [];
  for (let run = 1; run <= config.runs; run += 1) {
    const data = path.join(tmp, 'data', `queue-${run}`);
    const dl = path.join(tmp, 'out', `queue-${run}`);
    enq.push(runQueueScale(['enqueue', data, String(config.queueTasks), deadUrl, dl]));
    note(`  enqueue ${config.queueTasks} #${run}: ${fmtMs(enq.at(-1).enqueueMs)}`);
    start.push(runQueueScale(['startup', data]));
    note(`  start-up with ${start.at(-1).queued} queued #${run}: ${fmtMs(start.at(-1).startupMs)}`);
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(dl, { recursive: true, force: true });
  }
  const pick = (list, key) => median(list.map((x) => x[key]));
  const maxOf = (list, key) => Math.max(...list.map((x) => x[key]));
  results.queue = {
    tasks: config.queueTasks,
    enqueueMs: pick(enq, 'enqueueMs'),
    enqueueRssBefore: pick(enq, 'rssBefore'),
    enqueueRssAfter: maxOf(enq, 'rssAfter'),
    enqueuePeakRss: maxOf(enq, 'peakRss'),
    importMs: pick(start, 'importMs'),
    openMs: pick(start, 'openMs'),
    startMs: pick(start, 'startMs'),
    startupMs: pick(start, 'startupMs'),
    launched: start[0].launched,
    totalsMs: pick(start, 'totalsMs'),
    startupRssBefore: pick(start, 'rssBefore'),
    startupRssAfter: maxOf(start, 'rssAfter'),
    startupPeakRss: maxOf(start, 'peakRss'),
  };
}

// ---------------------------------------------------------------- report

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

function report() {
  const out = [];
  out.push('');
  out.push(`Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memGiB} GiB RAM, ${machine.kernel}`);
  out.push(`Node ${machine.node}; ${machine.curl.split(' (')[0]}; ${machine.aria2c}; ${machine.nginx.replace(/^nginx version: /, '')}`);
  out.push(`Runs per measurement: ${config.runs} (median time and CPU, largest peak RSS). Peak RSS: ${machine.rss}.`);
  out.push(`Temp folder on ${machine.storage}`);
  out.push(`Load average at start: ${machine.loadAtStart}${busy ? ' (the machine was busy: figures are noisy)' : ''}`);
  out.push('');
  const rowsOf = (section) => results.rows.filter((r) => r.section === section);
  const downloadTable = (section, title, perFile = false) => {
    const rows = rowsOf(section);
    if (!rows.length) return;
    const curlMs = rows.find((r) => r.tool === 'curl')?.ms;
    const nodeMs = rows.find((r) => r.tool === 'node http.get')?.ms;
    const ratio = (ms, to) => (to ? `${(ms / to).toFixed(2)}x` : '-');
    const cpu = (r) => (r.cpuMs === null ? '-' : fmtS(r.cpuMs));
    const cpuPerFile = (r) => (r.cpuMs === null ? '-' : `${(r.cpuMs / r.files).toFixed(2)} ms`);
    out.push(title);
    out.push(
      table(
        ['tool', 'time (s)', 'vs curl', 'vs node http.get', 'throughput', 'CPU user+sys (s)', ...(perFile ? ['CPU per file'] : []), 'peak RSS'],
        rows.map((r) =>
          r.na
            ? [r.tool, r.na, '', '', '', '', ...(perFile ? [''] : []), '']
            : [r.tool, fmtS(r.ms), ratio(r.ms, curlMs), ratio(r.ms, nodeMs), mbps(r.bytes, r.ms), cpu(r), ...(perFile ? [cpuPerFile(r)] : []), fmtMB(r.peakRss)],
        ),
      ),
    );
    out.push('');
  };
  downloadTable('large', `1. One ${config.largeMiB} MiB file, one connection`);
  downloadTable('link', `1b. The same file served at ${config.linkMBps} MB/s (${((config.linkMBps * 8) / 1000).toFixed(1)} Gbit/s, nginx limit_rate)`);
  downloadTable('conn', `1c. One ${config.connMiB} MiB file from a server that limits each connection to ${config.connRateMiBps} MiB/s (nginx limit_rate ${config.connRateMiBps}m)`);
  downloadTable('small', `2. ${config.files} files of ${config.fileKiB} KiB, concurrency ${config.concurrency}`, true);
  const q = results.queue;
  if (q) {
    out.push(`3. Queue at scale: ${q.tasks} tasks`);
    out.push(
      table(
        ['measurement', 'figure'],
        [
          [`enqueue ${q.tasks} tasks (one enqueue() call)`, fmtMs(q.enqueueMs)],
          ['  RSS before -> after enqueue', `${fmtMB(q.enqueueRssBefore)} -> ${fmtMB(q.enqueueRssAfter)}`],
          [`engine start-up with ${q.tasks} queued (open + start)`, fmtMs(q.startupMs)],
          ['  of which: open database, new Core', fmtMs(q.openMs)],
          [`  of which: start() and first scheduling pass (${q.launched} launched)`, fmtMs(q.startMs)],
          ['  RSS before -> after start-up', `${fmtMB(q.startupRssBefore)} -> ${fmtMB(q.startupRssAfter)}`],
          ['module import (not in start-up)', fmtMs(q.importMs)],
          ['queue.totals() over the queue (each progress second)', fmtMs(q.totalsMs)],
        ],
      ),
    );
    out.push('');
  }

  const lim = results.limit;
  if (lim) {
    out.push(`4. Global speed limit ${config.limitMBps} MB/s, one ${config.largeMiB} MiB file`);
    out.push(
      table(
        ['measurement', 'figure'],
        [
          ['time', `${fmtS(lim.ms)} s`],
          ['average rate (whole run, start-up included)', `${(lim.achieved / 1e6).toFixed(2)} MB/s`],
          ['deviation from the limit', `${(((lim.achieved - lim.rate) / lim.rate) * 100).toFixed(1)} %`],
          ['peak RSS', fmtMB(lim.peakRss)],
        ],
      ),
    );
    out.push('');
  }

  // Targets
  const get = (section, tool) => results.rows.find((r) => r.section === section && r.tool === tool && !r.na);
  const check = (name, figure, met) => results.targets.push({ name, figure, met });
  const x = (a, b) => `${(a / b).toFixed(2)}x`;
  // A target set for tmpfs (or for a disk) is shown on the other kind of run, but not judged there.
  const judged = (wantTmpfs, met) => (onTmpfs === wantTmpfs ? met : null);
  const elsewhere = (wantTmpfs) => (onTmpfs === wantTmpfs ? '' : ` (judged on a ${wantTmpfs ? 'tmpfs' : 'disk'} run)`);
  const lc = get('large', 'curl');
  const ln = get('large', 'node http.get');
  const la = get('large', 'aria2c');
  const lk = get('large', 'cartage');
  const lf = get('large', 'curl + fsync');
  if (lk && ln) {
    check(`large file on tmpfs within ${targets.largeVsNode}x of node http.get`, x(lk.ms, ln.ms) + elsewhere(true), judged(true, lk.ms / ln.ms <= targets.largeVsNode));
  }
  if (lk && lf) {
    check(`large file to disk within ${targets.largeVsCurlFsync}x of curl + fsync`, x(lk.ms, lf.ms) + elsewhere(false), judged(false, lk.ms / lf.ms <= targets.largeVsCurlFsync));
  }
  if (lk && lc) check('large file vs curl (information)', x(lk.ms, lc.ms), null);
  if (lk && la) check('large file vs aria2c (information)', x(lk.ms, la.ms), null);
  const nc = get('link', 'curl');
  const nk = get('link', 'cartage');
  if (nc && nk) check(`large file at ${config.linkMBps} MB/s vs curl (information)`, x(nk.ms, nc.ms), null);

  const n = config.connections;
  const cc = get('conn', 'curl');
  const ca = get('conn', `aria2c -x${n} -s${n}`);
  const cn = get('conn', `cartage, ${n} connections`);
  const c1 = get('conn', 'cartage, 1 connection');
  const notBuilt = results.rows.find((r) => r.section === 'conn' && r.na)?.na;
  if (cc && (cn || notBuilt)) {
    check(`per-connection limit: ${n} connections at least ${targets.connSpeedupVsCurl}x faster than curl`, cn ? `${(cc.ms / cn.ms).toFixed(2)}x curl's speed` : notBuilt, cn ? cc.ms / cn.ms >= targets.connSpeedupVsCurl : null);
  }
  if (ca && (cn || notBuilt)) {
    check(`per-connection limit: ${n} connections within ${targets.connVsAria2c}x of aria2c -x${n} -s${n}`, cn ? x(cn.ms, ca.ms) : notBuilt, cn ? cn.ms / ca.ms <= targets.connVsAria2c : null);
  }
  if (c1 && ca) check(`per-connection limit: 1 connection vs aria2c -x${n} -s${n} (information)`, x(c1.ms, ca.ms), null);

  const sc = get('small', 'curl');
  const sn = get('small', 'node http.get');
  const sa = get('small', 'aria2c');
  const sk = get('small', 'cartage');
  if (sk && sn) {
    check(`${config.files} files on tmpfs within ${targets.smallVsNode}x of node http.get`, x(sk.ms, sn.ms) + elsewhere(true), judged(true, sk.ms / sn.ms <= targets.smallVsNode));
  }
  if (sk && sa) {
    check(`${config.files} files on tmpfs within ${targets.smallVsAria2c}x of aria2c -j${config.concurrency}`, x(sk.ms, sa.ms) + elsewhere(true), judged(true, sk.ms / sa.ms <= targets.smallVsAria2c));
    check(`${config.files} files ahead of aria2c (the goal; information)`, `${fmtS(sk.ms)} s vs ${fmtS(sa.ms)} s`, null);
  }
  if (sk && sk.cpuMs !== null) {
    const perFile = sk.cpuMs / sk.files;
    check(`CPU per file under ${targets.cpuPerFileMs} ms (${config.files} files)`, `${perFile.toFixed(2)} ms`, perFile < targets.cpuPerFileMs);
  }
  if (sk && sc) check(`${config.files} files vs curl (information)`, x(sk.ms, sc.ms), null);
  const what = { large: 'large file', link: `large file at ${config.linkMBps} MB/s`, conn: 'per-connection limit', small: `${config.files} files` };
  for (const r of results.rows.filter((row) => !row.na && row.tool.startsWith('cartage'))) {
    check(`peak RSS under ${fmtMB(targets.peakRssBytes)} (${what[r.section]}${r.tool === 'cartage' ? '' : `, ${r.tool}`})`, fmtMB(r.peakRss), r.peakRss < targets.peakRssBytes);
  }
  if (q) {
    check(`enqueue ${q.tasks} < ${targets.enqueueMs / 1000} s`, fmtMs(q.enqueueMs), q.enqueueMs < targets.enqueueMs);
    check(`start-up with ${q.tasks} queued < ${targets.startupMs / 1000} s`, fmtMs(q.startupMs), q.startupMs < targets.startupMs);
  }
  if (lim) {
    const deviation = Math.abs(lim.achieved - lim.rate) / lim.rate;
    check(`speed limit holds within ${targets.limitDeviation * 100} % over ${fmtS(lim.ms)} s`, `${(deviation * 100).toFixed(1)} % off`, deviation <= targets.limitDeviation);
  }
  if (results.targets.length) {
    out.push('Targets');
    out.push(table(['target', 'figure', 'met'], results.targets.map((t) => [t.name, t.figure, t.met === null ? '-' : t.met ? 'yes' : 'NO'])));
    out.push('');
  }
  process.stdout.write(out.join('\n') + '\n');
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2) + '\n');
}

// ---------------------------------------------------------------- main

/** A file of random 1 MiB blocks, each stamped with its index: a download at a wrong offset shows. */
function writeStamped(file, mebibytes) {
  const block = randomFillSync(Buffer.allocUnsafe(1 << 20));
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < mebibytes; i += 1) {
    block.writeUInt32BE(i, 0);
    fs.writeSync(fd, block, 0, block.length, i * block.length);
  }
  fs.closeSync(fd);
}

async function generate() {
  const t = Date.now();
  if (config.only.has('large') || config.only.has('limit')) writeStamped(path.join(www, 'large.bin'), config.largeMiB);
  if (config.only.has('conn') && connFileName() === 'conn.bin') writeStamped(path.join(www, 'conn.bin'), config.connMiB);
  if (config.only.has('small')) {
    const body = randomFillSync(Buffer.allocUnsafe(config.fileKiB * 1024));
    const width = String(config.files - 1).length;
    for (let i = 0; i < config.files; i += 1) {
      body.writeUInt32BE(i, 0);
      fs.writeFileSync(path.join(www, 'small', `f${String(i).padStart(width, '0')}.bin`), body);
    }
  }
  syncDisks();
  note(`bench: generated the files in ${tmp} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

try {
  note(`bench: ${machine.cpus} CPUs, Node ${machine.node}, runs ${config.runs}, temp ${tmp}`);
  await generate();
  server = await startNginx(www, path.join(tmp, 'nginx'), { limitBytesPerSecond: config.linkMBps * 1e6, perConnectionMiBps: config.connRateMiBps });
  note(`bench: nginx on 127.0.0.1:${server.port}`);
  if (config.only.has('large')) {
    note(`bench: 1. one ${config.largeMiB} MiB file`);
    await largeFile('large', server.url('large.bin'), true);
    if (config.linkMBps > 0) {
      note(`bench: 1b. the same file at ${config.linkMBps} MB/s (nginx limit_rate)`);
      await largeFile('link', server.url('limited/large.bin'), false);
    }
  }
  if (config.only.has('conn')) {
    note(`bench: 1c. one ${config.connMiB} MiB file, nginx limit_rate ${config.connRateMiBps}m per connection`);
    await perConnectionLimit();
  }
  if (config.only.has('small')) {
    note(`bench: 2. ${config.files} files of ${config.fileKiB} KiB at concurrency ${config.concurrency}`);
    await manyFiles();
  }
  if (config.only.has('queue')) {
    note(`bench: 3. the queue with ${config.queueTasks} tasks`);
    await queueAtScale();
  }
  if (config.only.has('limit')) {
    note(`bench: 4. the speed limit at ${config.limitMBps} MB/s`);
    await speedLimit();
  }
  await server.stop();
  report();
  if (config.only.has('zip')) {
    note('bench: 5. a checkout of 100 files (2 GiB) assembled as one zip, against zip -0 of the same files');
    const z = await zipBench({ base: process.env.BENCH_TMPDIR || os.tmpdir(), note });
    process.stdout.write(`\n5. Delivery as one zip: the assembler alone (downloads excluded)\n${z.report}\n`);
    results.zip = z.rows;
    results.targets.push(...z.targets.map((t) => ({ name: t.name, figure: t.figure, met: t.met })));
  }
  if (config.only.has('mirror')) {
    note(`bench: 6. a mirror of ${config.mirrorFiles} files compared with what it holds`);
    const work = fs.mkdtempSync(path.join(tmp, 'mirror-'));
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('./mirror-scale.mjs', import.meta.url)), String(config.mirrorFiles), work], { encoding: 'utf8' });
    const m = JSON.parse(out.trim().split('\n').at(-1));
    results.mirror = m;
    process.stdout.write(
      `\n6. Mirror comparison, ${m.count.toLocaleString('en-US')} files already on disk, nothing to download\n` +
        table(['run', 'time (s)', 'files a second'], m.runs.map((r) => [r.label, fmtS(r.ms), Math.round(m.count / (r.ms / 1000)).toLocaleString('en-US')])) +
        `\npeak RSS ${fmtMB(m.peakRss)}\n`,
    );
  }
  if (process.env.BENCH_JSON && (results.zip || results.mirror)) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2) + '\n');
  if (process.env.BENCH_STRICT === '1' && results.targets.some((t) => t.met === false)) process.exitCode = 1;
} catch (err) {
  note(`bench: FAILED: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
