// Cartage's delivery zip against Info-ZIP's `zip -0`. `npm run build && node tests/bench/zip.mjs`.
//
// BENCH_ZIP_FILES (default 100) files of incompressible random data, BENCH_ZIP_TOTAL_MB (default
// 2100 MiB) in all, named like photos (IMG_0001.JPG) so both tools store them. Each tool writes the
// same files to a zip in its own process, timed with GNU time (wall time, peak RSS); both zips are
// checked with `unzip -tq` and must hold every file. The source files stay in
// $BENCH_TMPDIR/cartage-bench-zip-data (default the system's temp folder) and are reused by the next
// run; the zips are removed. BENCH_RUNS (default 1) runs each tool that many times, interleaved:
// median time, largest peak RSS. Cartage fsyncs the zip before renaming it into place, so a
// "zip -0 + sync" row shows that cost for reference; the ratio is to plain `zip -0`.
// BENCH_STRICT=1 exits 1 when a target is missed. Other code can call `zipBench()`.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hasGnuTime, killLiveChildren, measure, tail } from './measure.mjs';

const here = fileURLToPath(import.meta.url);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const distZip = path.join(repo, 'dist', 'main', 'core', 'delivery', 'zip.js');

export const zipTargets = { ratio: 1.1, peakRssBytes: 200e6 };

const fmtS = (ms) => (ms / 1000).toFixed(2);
const fmtMB = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The source files, made once and reused while their number and sizes still match. */
function sourceFiles(dataDir, count, totalBytes, note) {
  const each = Math.ceil(totalBytes / count / (1 << 20)) * (1 << 20);
  const names = Array.from({ length: count }, (_, i) => `IMG_${String(i + 1).padStart(4, '0')}.JPG`);
  fs.mkdirSync(dataDir, { recursive: true });
  const ok = (n) => fs.statSync(path.join(dataDir, n), { throwIfNoEntry: false })?.size === each;
  if (names.every(ok) && fs.readdirSync(dataDir).length === count) {
    note(`zip bench: reusing ${count} files of ${fmtMB(each)} in ${dataDir}`);
    return { names, bytes: each * count };
  }
  for (const n of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, n), { force: true });
  const t = Date.now();
  const block = Buffer.allocUnsafe(1 << 20);
  for (const n of names) {
    const fd = fs.openSync(path.join(dataDir, n), 'w');
    for (let at = 0; at < each; at += block.length) fs.writeSync(fd, randomFillSync(block));
    fs.closeSync(fd);
  }
  execFileSync('sync');
  note(`zip bench: wrote ${count} files of ${fmtMB(each)} of random data to ${dataDir} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { names, bytes: each * count };
}

/** `unzip -tq` passes and the zip lists exactly the expected names. */
function checkZip(zip, names) {
  const t = spawnSync('unzip', ['-tq', zip], { encoding: 'utf8' });
  if (t.status !== 0 || !/^No errors detected/.test(t.stdout)) return `unzip -tq ${zip} failed (${t.status}): ${t.stdout}${t.stderr}`;
  const l = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const listed = l.stdout.trim().split('\n').sort();
  if (listed.join('\n') !== [...names].sort().join('\n')) return `${zip} lists ${listed.length} entries, expected the ${names.length} files`;
  return null;
}

/**
 * Times Cartage's ZipWriter and `zip -0` storing the same files; resolves to the figures, the
 * targets and a markdown report. Needs `npm run build` first (it runs dist/).
 */
export async function zipBench({
  base = process.env.BENCH_TMPDIR || os.tmpdir(),
  files = Number(process.env.BENCH_ZIP_FILES || 100),
  totalMiB = Number(process.env.BENCH_ZIP_TOTAL_MB || 2100),
  runs = Number(process.env.BENCH_RUNS || 1),
  note = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  if (!fs.existsSync(distZip)) throw new Error(`${distZip} is missing: run "npm run build" first.`);
  if (!spawnSync('sh', ['-c', 'command -v zip && command -v unzip']).stdout.length) throw new Error('zip and unzip are needed: apt-get install -y zip unzip');
  if (!hasGnuTime()) note('zip bench: GNU time is missing; peak RSS is polled from /proc instead (apt-get install -y time).');
  const dataDir = path.join(base, 'cartage-bench-zip-data');
  const totalBytes = totalMiB * 2 ** 20;
  {
    const st = fs.statfsSync(base);
    const have = fs.existsSync(dataDir) ? 0 : totalBytes;
    const need = have + totalBytes * 1.1 + (256 << 20);
    if (st.bavail * st.bsize < need) throw new Error(`${base} has ${fmtMB(st.bavail * st.bsize)} free; the zip bench needs about ${fmtMB(need)} (set BENCH_TMPDIR).`);
  }
  const { names, bytes } = sourceFiles(dataDir, files, totalBytes, note);
  const work = fs.mkdtempSync(path.join(base, 'cartage-bench-zip-'));
  const logs = path.join(work, 'logs');
  fs.mkdirSync(logs);
  const tools = {
    'cartage ZipWriter': (zip) => [process.execPath, [here, '--child', zip, dataDir, ...names]],
    'zip -0': (zip) => ['zip', ['-0', '-q', zip, ...names]],
    'zip -0 + sync FILE': (zip) => ['sh', ['-c', 'zip -0 -q "$@" && sync "$1"', 'sh', zip, ...names]],
  };
  const runsOf = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
  try {
    for (let run = 1; run <= runs; run += 1) {
      for (const [tool, command] of Object.entries(tools)) {
        const zip = path.join(work, `${tool.replace(/\W+/g, '_')}-${run}.zip`);
        const [cmd, args] = command(zip);
        execFileSync('sync');
        const r = await measure(`zip ${tool} #${run}`, cmd, args, { cwd: dataDir, logDir: logs });
        if (r.code !== 0) throw new Error(`${tool} exited with ${r.code}\n${tail(r.stderrFile)}\n${tail(r.stdoutFile)}`);
        const problem = checkZip(zip, names);
        if (problem) throw new Error(`${tool}: ${problem}`);
        note(`  ${`${tool} #${run}`.padEnd(26)} ${fmtS(r.ms).padStart(7)} s   peak RSS ${fmtMB(r.rssKiB * 1024)}`);
        runsOf[tool].push({ ms: r.ms, peakRss: r.rssKiB * 1024, zipBytes: fs.statSync(zip).size });
        fs.rmSync(zip, { force: true });
      }
    }
  } finally {
    killLiveChildren();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const rows = Object.entries(runsOf).map(([tool, rs]) => ({
    tool,
    ms: median(rs.map((r) => r.ms)),
    peakRss: Math.max(...rs.map((r) => r.peakRss)),
    zipBytes: rs[0].zipBytes,
  }));
  const base0 = rows.find((r) => r.tool === 'zip -0').ms;
  const ours = rows.find((r) => r.tool === 'cartage ZipWriter');
  const targets = [
    { name: `cartage within ${zipTargets.ratio}x of zip -0`, figure: `${(ours.ms / base0).toFixed(2)}x`, met: ours.ms / base0 <= zipTargets.ratio },
    { name: `cartage peak RSS under ${fmtMB(zipTargets.peakRssBytes)}`, figure: fmtMB(ours.peakRss), met: ours.peakRss < zipTargets.peakRssBytes },
  ];
  const report = [
    `Zip: ${files} files, ${fmtMB(bytes)} of random data, stored; ${os.availableParallelism()} CPUs, Node ${process.version}, runs ${runs} (median time, largest peak RSS)`,
    table(
      ['tool', 'time (s)', 'vs zip -0', 'throughput', 'peak RSS'],
      rows.map((r) => [r.tool, fmtS(r.ms), `${(r.ms / base0).toFixed(2)}x`, `${(bytes / 1e6 / (r.ms / 1000)).toFixed(0)} MB/s`, fmtMB(r.peakRss)]),
    ),
    '',
    table(['target', 'figure', 'met'], targets.map((t) => [t.name, t.figure, t.met ? 'yes' : 'NO'])),
  ].join('\n');
  return { bytes, files, rows, targets, report, dataDir };
}

/** The measured child: zips the files in the order given, each awaited as a delivery would. */
async function child([zip, dataDir, ...names]) {
  const { ZipWriter } = await import(pathToFileURL(distZip).href);
  const writer = await ZipWriter.open(zip);
  for (const n of names) await writer.add(path.join(dataDir, n), n);
  const result = await writer.finish();
  if (result.path !== path.resolve(zip)) throw new Error(`the zip was placed at ${result.path}, not ${zip}`);
}

if (process.argv[1] === here) {
  if (process.argv[2] === '--child') {
    await child(process.argv.slice(3));
  } else {
    try {
      const { report, targets, dataDir } = await zipBench();
      process.stdout.write(`\n${report}\n\nThe source files stay in ${dataDir} for the next run; remove that folder to free the space.\n`);
      if (process.env.BENCH_STRICT === '1' && targets.some((t) => !t.met)) process.exitCode = 1;
    } catch (err) {
      process.stderr.write(`zip bench: FAILED: ${err.stack ?? err}\n`);
      process.exitCode = 1;
    }
  }
}
