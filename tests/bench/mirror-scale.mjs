// Mirror comparison at scale, in a process of its own so its peak RSS is the mirror's:
//   node tests/bench/mirror-scale.mjs COUNT WORK_DIR
// A source of COUNT files (streamed by a stub, so the figures are Cartage's, not a server's) whose
// copies are already in the mirror's folder. Run 1 has no records (a reinstall: every file is
// recognised on disk by its size); run 2 has them. Neither may download anything. Prints one JSON object.
import fs from 'node:fs';
import path from 'node:path';

const dist = (rel) => new URL(`../../dist/main/core/${rel}`, import.meta.url).href;
const peak = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
};
const since = (t) => Number(process.hrtime.bigint() - t) / 1e6;

const [countArg, work] = process.argv.slice(2);
const count = Number(countArg);
const target = path.join(work, 'mirror');
fs.mkdirSync(target, { recursive: true });
const name = (i) => `IMG_${String(i).padStart(6, '0')}.jpg`;
if (fs.readdirSync(target).length !== count) {
  for (let i = 0; i < count; i += 1) fs.writeFileSync(path.join(target, name(i)), 'x');
}

const { Core } = await import(dist('core.js'));
const { MemorySecretStore } = await import(dist('secrets.js'));
const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
const core = new Core({ dataDir, secrets: new MemorySecretStore() });
core.db.prepare("INSERT INTO sources (name, kind, url, auth, created_at) VALUES ('stub', 'web', 'http://127.0.0.1:9/', 'none', 0)").run();
const modified = new Date('2024-01-01T00:00:00Z');
const stub = {
  kind: 'web',
  list: async () => ({ folder: '', files: [], folders: [] }),
  summary: async () => ({ folder: '', files: 0, bytes: 0, unknownSizes: 0 }),
  async *query() {
    for (let i = 0; i < count; i += 1) {
      yield {
        kind: 'file', id: `http://127.0.0.1:9/${name(i)}`, name: name(i), folder: '', size: 1, modified, contentType: 'image/jpeg',
        group: 'image', etag: `"e${i}"`, href: '', access: { downloadable: true, restriction: null, reason: null }, checksum: null,
      };
    }
  },
  resolve: async (f) => ({ url: f.id, headers: {}, expectedBytes: f.size }),
  headers: async () => ({}),
};
core.sources.source = () => stub;
const mirror = core.mirrors.add({ ref: 'stub?name=IMG', dir: target, layout: 'folders' });
const runs = [];
for (const label of ['no records (files recognised on disk)', 'with records']) {
  const t = process.hrtime.bigint();
  const report = await core.mirrors.whenDone(await core.mirrors.run(mirror.id));
  runs.push({ label, ms: since(t), unchanged: report.unchanged, queued: report.newFiles + report.changed + report.pending });
}
const tasks = core.db.prepare('SELECT count(*) AS n FROM tasks').get().n;
await core.close();
fs.rmSync(dataDir, { recursive: true, force: true });
if (tasks !== 0 || runs.some((r) => r.unchanged !== count)) throw new Error(`expected ${count} unchanged and no download; got ${JSON.stringify(runs)}, ${tasks} tasks`);
process.stdout.write(`${JSON.stringify({ count, runs, peakRss: peak() })}\n`);
