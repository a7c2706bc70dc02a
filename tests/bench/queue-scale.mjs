// Queue scale, measured in a process of its own so its RSS figures are the queue's and nothing else's.
//   node tests/bench/queue-scale.mjs enqueue DATA_DIR COUNT URL_BASE DOWNLOAD_DIR
//   node tests/bench/queue-scale.mjs startup DATA_DIR
// Prints one JSON object on stdout.
import fs from 'node:fs';

const dist = (rel) => new URL(`../../dist/main/core/${rel}`, import.meta.url).href;
const mb = () => process.memoryUsage().rss;
const peak = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
};
const since = (t) => Number(process.hrtime.bigint() - t) / 1e6;

const [mode, dataDir, ...rest] = process.argv.slice(2);

if (mode === 'enqueue') {
  const [countArg, urlBase, dir] = rest;
  const count = Number(countArg);
  const { openDatabase } = await import(dist('db/connection.js'));
  const { TaskQueue } = await import(dist('queue/queue.js'));
  const { databasePath } = await import(dist('paths.js'));
  fs.mkdirSync(dir, { recursive: true });
  const db = openDatabase(databasePath(dataDir));
  const queue = new TaskQueue(db);
  // Distinct names, as a photo library or a file share has: every one gets its own final path.
  const specs = Array.from({ length: count }, (_, i) => ({ url: `${urlBase}/q/IMG_${String(i).padStart(6, '0')}.jpg`, dir }));
  const rssBefore = mb();
  const t = process.hrtime.bigint();
  const ids = queue.enqueue(specs);
  const enqueueMs = since(t);
  const rssAfter = mb();
  const queued = db.prepare("SELECT COUNT(*) AS n FROM tasks WHERE state = 'queued'").get().n;
  db.close();
  if (ids.length !== count || queued !== count) throw new Error(`enqueued ${ids.length} ids, ${queued} queued rows; expected ${count}`);
  process.stdout.write(JSON.stringify({ count, enqueueMs, rssBefore, rssAfter, peakRss: peak() }) + '\n');
} else if (mode === 'startup') {
  const t0 = process.hrtime.bigint();
  const { Core } = await import(dist('core.js'));
  const importMs = since(t0);
  const rssBefore = mb();
  const t1 = process.hrtime.bigint();
  // The same overrides as `cartage get --concurrency 6`.
  const core = new Core({ dataDir, overrides: { maxConcurrent: 6, maxPerHost: 6, maxPerGroup: 6 } });
  const openMs = since(t1);
  const t2 = process.hrtime.bigint();
  const lock = core.startEngine(); // start() runs the first scheduling pass synchronously
  const startMs = since(t2);
  const startupMs = since(t1);
  const rssAfter = mb();
  const launched = core.engine.activeIds().length;
  const t3 = process.hrtime.bigint();
  const totals = core.queue.totals(); // what every progress snapshot asks for, at most once a second
  const totalsMs = since(t3);
  // stop(): the launched tasks go back to the queue. Exit right after: a progress timer that the
  // aborted tasks' settle() arms during stop() would otherwise fire on the closed database.
  await core.close();
  if (!lock.ok) throw new Error(`the queue lock is held by pid ${lock.pid}`);
  if (launched === 0) throw new Error('the first scheduling pass launched nothing');
  process.stdout.write(
    JSON.stringify({
      queued: totals.counts.queued + totals.counts.active,
      importMs,
      openMs,
      startMs,
      startupMs,
      launched,
      totalsMs,
      rssBefore,
      rssAfter,
      peakRss: peak(),
    }) + '\n',
  );
  process.exit(0);
} else {
  process.stderr.write('usage: queue-scale.mjs enqueue DATA_DIR COUNT URL_BASE DIR | startup DATA_DIR\n');
  process.exit(2);
}
