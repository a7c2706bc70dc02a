import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildZip, compressionFor, zipEntryName, ZipWriter, zipPartSuffix } from '../../main/core/delivery/zip.js';
import { CartageError } from '../../main/core/errors.js';
import { projectRoot } from '../helpers/cli.js';
import { fileSha256, listDir, sha256, tempDir } from '../helpers/core.js';

const made: string[] = [];
function dir(): string {
  const d = tempDir('cartage-zip-');
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
}, 300_000);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes, for `unzip -p`. */
  raw: Buffer;
}

function run(cmd: string, args: string[], opts: { cwd?: string; onStdout?: (text: string) => void } = {}): Promise<Run> & { pid: number | undefined; kill: (s: NodeJS.Signals) => void } {
  const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    if (opts.onStdout) opts.onStdout(Buffer.concat(chunks).toString());
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const raw = Buffer.concat(chunks);
      resolve({ code, signal, stdout: raw.toString(), stderr, raw });
    });
  });
  return Object.assign(done, { pid: child.pid, kill: (s: NodeJS.Signals) => void child.kill(s) });
}

/** `unzip -t`: exit code 0 and its "No errors" line, or the whole output to read in the failure. */
async function unzipTest(zip: string): Promise<void> {
  const r = await run('unzip', ['-tq', zip]);
  expect(`${r.code}\n${r.stdout}${r.stderr}`).toMatch(/^0\nNo errors detected in compressed data of /);
}

interface CdEntry {
  name: string;
  method: number;
  size: number;
  compressedSize: number;
  offset: number;
  zip64Extra: boolean;
}

/** Reads a zip's central directory the way an unzipper does, ZIP64 records included. */
function centralDirectory(zip: string): { entries: CdEntry[]; classicCount: number; zip64End: boolean } {
  const fd = fs.openSync(zip, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const tailSize = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailSize);
    fs.readSync(fd, tail, 0, tailSize, size - tailSize);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(eocd).toBeGreaterThanOrEqual(0);
    const classicCount = tail.readUInt16LE(eocd + 10);
    let count = classicCount;
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    const zip64End = eocd >= 20 && tail.readUInt32LE(eocd - 20) === 0x07064b50;
    if (zip64End) {
      const recordAt = Number(tail.readBigUInt64LE(eocd - 20 + 8));
      const record = Buffer.alloc(56);
      fs.readSync(fd, record, 0, 56, recordAt);
      expect(record.readUInt32LE(0)).toBe(0x06064b50);
      count = Number(record.readBigUInt64LE(32));
      cdSize = Number(record.readBigUInt64LE(40));
      cdOffset = Number(record.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    fs.readSync(fd, cd, 0, cdSize, cdOffset);
    const entries: CdEntry[] = [];
    for (let at = 0; entries.length < count; ) {
      expect(cd.readUInt32LE(at)).toBe(0x02014b50);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      const e: CdEntry = {
        name: cd.toString('utf8', at + 46, at + 46 + nameLength),
        method: cd.readUInt16LE(at + 10),
        compressedSize: cd.readUInt32LE(at + 20),
        size: cd.readUInt32LE(at + 24),
        offset: cd.readUInt32LE(at + 42),
        zip64Extra: false,
      };
      for (let x = at + 46 + nameLength; x < at + 46 + nameLength + extraLength; ) {
        const tag = cd.readUInt16LE(x);
        const len = cd.readUInt16LE(x + 2);
        if (tag === 0x0001) {
          e.zip64Extra = true;
          let f = x + 4;
          const next = (): number => {
            const v = Number(cd.readBigUInt64LE(f));
            f += 8;
            return v;
          };
          if (e.size === 0xffffffff) e.size = next();
          if (e.compressedSize === 0xffffffff) e.compressedSize = next();
          if (e.offset === 0xffffffff) e.offset = next();
        }
        x += 4 + len;
      }
      entries.push(e);
      at += 46 + nameLength + extraLength + commentLength;
    }
    return { entries, classicCount, zip64End };
  } finally {
    fs.closeSync(fd);
  }
}

/** Every path under a folder, relative, '/'-separated, files only. */
function walk(root: string, sub = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(root, rel));
    else out.push(rel);
  }
  return out.sort();
}

function write(file: string, data: Buffer | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
}

function freeBytes(where: string): number {
  const s = fs.statfsSync(where);
  return s.bavail * s.bsize;
}

const distZip = path.join(projectRoot, 'dist', 'main', 'core', 'delivery', 'zip.js');
/** A script for a child process, using the built module (`npm run build`). */
function childScript(folder: string, body: string): string {
  if (!fs.existsSync(distZip)) throw new Error(`${distZip} is missing: run "npm run build" before these tests.`);
  return write(path.join(folder, 'child.mjs'), `import { ZipWriter, buildZip } from ${JSON.stringify(pathToFileURL(distZip).href)};\n${body}\n`);
}

describe('a delivery zipped while its files arrive', () => {
  it('passes unzip -t and extracts to the same bytes, entries added one by one or all at once', async () => {
    const src = dir();
    const files: Record<string, string> = {
      'IMG_0001.JPG': write(path.join(src, 'a.jpg'), randomBytes(3 << 20)),
      'notes.txt': write(path.join(src, 'notes.txt'), 'the quick brown fox\n'.repeat(50_000)),
      'empty.dat': write(path.join(src, 'empty.dat'), ''),
      '2024/2024-05/clip.MOV': write(path.join(src, 'clip.mov'), randomBytes(1536 << 10)),
      '2024/2024-05/log.csv': write(path.join(src, 'log.csv'), 'a,b,c\n1,2,3\n'.repeat(300_000)),
    };
    const out = dir();
    const one = await ZipWriter.open(path.join(out, 'one.zip'));
    for (const [name, file] of Object.entries(files)) await one.add(file, name);
    const all = await ZipWriter.open(path.join(out, 'all.zip'));
    await Promise.all(Object.entries(files).map(([name, file]) => all.add(file, name)));
    // finish() right after the adds, none awaited: it waits for them, and they all land.
    const eager = await ZipWriter.open(path.join(out, 'eager.zip'));
    const adds = Object.entries(files).map(([name, file]) => eager.add(file, name));
    const eagerDone = eager.finish();
    await Promise.all(adds);
    for (const result of [await one.finish(), await all.finish(), await eagerDone]) {
      expect(result.entries).toBe(5);
      expect(result.bytes).toBe(fs.statSync(result.path).size);
      await unzipTest(result.path);
      const x = dir();
      expect((await run('unzip', ['-q', result.path, '-d', x])).code).toBe(0);
      expect(walk(x)).toEqual(Object.keys(files).sort());
      for (const [name, file] of Object.entries(files)) expect(fileSha256(path.join(x, name)), name).toBe(fileSha256(file));
    }
    expect(listDir(out)).toEqual(['all.zip', 'eager.zip', 'one.zip']);
  });

  it('stores already-compressed media and deflates everything else', async () => {
    const stored = ['IMG.JPG', 'b.jpeg', 'c.HEIC', 'd.mp4', 'e.MOV', 'f.zip', 'g.png', 'h.gif', 'i.webp', 'j.avif', 'k.mkv', 'l.mp3', 'm.aac', 'n.7z', 'o.tar.gz', 'p.CR3'];
    const deflated = ['a.txt', 'b.csv', 'c.json', 'd.bin', 'e.tar', 'f.bmp', 'g.tif', 'no-extension', 'h.wav'];
    for (const n of stored) expect(compressionFor(n), n).toBe('store');
    for (const n of deflated) expect(compressionFor(n), n).toBe('deflate');

    const src = dir();
    const body = Buffer.from('compressible '.repeat(4000));
    const writer = await ZipWriter.open(path.join(dir(), 'types.zip'));
    for (const n of [...stored, ...deflated]) await writer.add(write(path.join(src, n), body), `media/${n}`);
    const { path: zip } = await writer.finish();
    await unzipTest(zip);
    const methods = Object.fromEntries(centralDirectory(zip).entries.map((e) => [e.name, e.method]));
    for (const n of stored) expect(methods[`media/${n}`], n).toBe(0);
    for (const n of deflated) expect(methods[`media/${n}`], n).toBe(8);
    // And as unzip itself reports them.
    const listing = (await run('unzip', ['-v', zip])).stdout;
    expect(listing).toMatch(/Stored .* media\/IMG\.JPG/);
    expect(listing).toMatch(/Defl:N .* media\/a\.txt/);
  });

  it('makes unsafe, duplicate and case-duplicate names safe and unique, and extracts nothing outside its folder', async () => {
    const taken = new Set<string>();
    const asked = [
      '../../etc/passwd',
      '/abs/path/x.jpg',
      'C:\\Windows\\evil.txt',
      'a\\..\\b.txt',
      '2024/2024-05/IMG_0001.JPG',
      '2024/2024-05/img_0001.jpg',
      '2024/2024-05/IMG_0001.JPG',
      '2024//./2024-05/../IMG_0001.JPG',
      'CON.txt',
      'bad\u0001name?.txt',
      'trailing. ',
      '..',
      '',
      'report',
      'report/inside.txt',
      'Report.txt',
      'report.TXT',
    ];
    const names = asked.map((a) => zipEntryName(a, taken));
    expect(names).toEqual([
      'etc/passwd',
      'abs/path/x.jpg',
      'C__Windows_evil.txt',
      'a_.._b.txt',
      '2024/2024-05/IMG_0001.JPG',
      '2024/2024-05/img_0001 (1).jpg',
      '2024/2024-05/IMG_0001 (2).JPG',
      '2024/2024-05/IMG_0001 (3).JPG',
      '_CON.txt',
      'bad_name_.txt',
      'trailing',
      'file',
      'file (1)',
      'report',
      'report (1)/inside.txt',
      'Report.txt',
      'report (1).TXT',
    ]);
    for (const n of names) {
      expect(n.split('/')).not.toContain('..');
      expect(n.startsWith('/') || n.includes('\\')).toBe(false);
    }
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);

    const src = dir();
    const writer = await ZipWriter.open(path.join(dir(), 'names.zip'));
    for (const [i, n] of names.entries()) await writer.add(write(path.join(src, `f${i}`), `file ${i}\n`), n);
    const { path: zip } = await writer.finish();
    await unzipTest(zip);
    const root = dir();
    const into = path.join(root, 'x');
    const r = await run('unzip', ['-q', zip, '-d', into]);
    expect(r.code).toBe(0);
    expect(listDir(root)).toEqual(['x']);
    expect(walk(into)).toEqual([...names].sort());
    for (const [i, n] of names.entries()) expect(fs.readFileSync(path.join(into, n), 'utf8')).toBe(`file ${i}\n`);
  });

  it('refuses an entry name that was not made safe, and a name already in the zip, case aside', async () => {
    const file = write(path.join(dir(), 'f.txt'), 'x');
    const writer = await ZipWriter.open(path.join(dir(), 'refuse.zip'));
    for (const bad of ['../x.txt', '/x.txt', 'a\\b.txt', 'a/../b.txt', 'C:/x.txt', 'dir/', 'a//b.txt', 'con', 'x?.txt', '']) {
      await expect(writer.add(file, bad), bad).rejects.toMatchObject({ code: 'bad_input' });
    }
    await writer.add(file, 'Photo.JPG');
    await expect(writer.add(file, 'photo.jpg')).rejects.toMatchObject({ code: 'bad_input', message: expect.stringContaining('photo.jpg') });
    const { path: zip, entries } = await writer.finish();
    expect(entries).toBe(1);
    await unzipTest(zip);
  });

  it('is written under a temp name until finish, then renamed without replacing a file of the same name', async () => {
    const src = dir();
    const out = dir();
    const finalPath = path.join(out, 'delivery.zip');
    fs.writeFileSync(finalPath, 'an earlier delivery, not to be replaced');
    const big = write(path.join(src, 'big.JPG'), randomBytes(3 << 20));
    const writer = await ZipWriter.open(finalPath);
    expect(writer.tempPath).toBe(finalPath + zipPartSuffix);
    await writer.add(big, 'big.JPG');
    // Resolved once the entry's bytes are in the temp file.
    expect(fs.statSync(writer.tempPath).size).toBeGreaterThan(3 << 20);
    expect(fs.readFileSync(finalPath, 'utf8')).toBe('an earlier delivery, not to be replaced');
    const result = await writer.finish();
    expect(result.path).toBe(path.join(out, 'delivery (1).zip'));
    expect(listDir(out)).toEqual(['delivery (1).zip', 'delivery.zip']);
    expect(fs.readFileSync(finalPath, 'utf8')).toBe('an earlier delivery, not to be replaced');
    await unzipTest(result.path);
    await expect(writer.add(big, 'again.JPG')).rejects.toBeInstanceOf(CartageError);
  });

  it('abort removes the temp file, rejects what was still queued, and leaves the downloaded files', async () => {
    const src = dir();
    const out = dir();
    const a = write(path.join(src, 'a.bin'), randomBytes(1 << 20));
    const b = write(path.join(src, 'b.MP4'), randomBytes(32 << 20));
    const writer = await ZipWriter.open(path.join(out, 'gone.zip'));
    await writer.add(a, 'a.bin');
    expect(fs.existsSync(writer.tempPath)).toBe(true);
    const queued = writer.add(b, 'b.MP4').then(
      () => 'written',
      (err: unknown) => err,
    );
    await writer.abort();
    expect(await queued).toBeInstanceOf(CartageError);
    expect(listDir(out)).toEqual([]);
    expect(listDir(src)).toEqual(['a.bin', 'b.MP4']);
    await expect(writer.add(a, 'c.bin')).rejects.toMatchObject({ code: 'bad_input' });
    // The same zip can be started again at once.
    const again = await ZipWriter.open(path.join(out, 'gone.zip'));
    await again.add(a, 'a.bin');
    await unzipTest((await again.finish()).path);
  });

  it('names a missing file in its error, and the zip can still be finished without it', async () => {
    const src = dir();
    const writer = await ZipWriter.open(path.join(dir(), 'partial.zip'));
    await writer.add(write(path.join(src, 'here.txt'), 'here'), 'here.txt');
    const missing = path.join(src, 'not-downloaded.JPG');
    await expect(writer.add(missing, 'not-downloaded.JPG')).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining(missing) });
    const result = await writer.finish();
    expect(result.entries).toBe(1);
    await unzipTest(result.path);
  });

  it('reports a full disk as disk_full, naming the zip and what to do, and removes the temp file', async (ctx) => {
    // A 1 MiB tmpfs in a private mount namespace: it vanishes with the child process.
    const work = dir();
    const mnt = path.join(work, 'small-disk');
    fs.mkdirSync(mnt);
    const photo = write(path.join(work, 'photo.JPG'), randomBytes(3 << 20));
    const script = childScript(
      work,
      `const [mnt, photo] = process.argv.slice(2);
const fs = await import('node:fs');
try {
  const w = await ZipWriter.open(mnt + '/delivery.zip');
  await w.add(photo, 'photo.JPG');
  await w.finish();
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  console.log(JSON.stringify({ code: err.code, message: err.message, left: fs.readdirSync(mnt) }));
}`,
    );
    const asRoot = process.getuid?.() === 0;
    const r = await run('unshare', [
      ...(asRoot ? ['-m'] : ['-r', '-m']),
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t tmpfs -o size=1m tmpfs "$1" || exit 77; exec "$2" "$3" "$1" "$4"',
      'sh',
      mnt,
      process.execPath,
      script,
      photo,
    ]).catch((err: Error): Run => ({ code: 77, signal: null, stdout: '', stderr: err.message, raw: Buffer.alloc(0) }));
    if (r.code === 77 || (r.code !== 0 && /unshare|mount|Operation not permitted/i.test(r.stderr) && r.stdout === '')) {
      ctx.skip(`cannot mount a small tmpfs here to fill up (${r.stderr.trim() || 'unshare failed'}); the disk-full path is untested on this machine`);
    }
    expect(r.stderr).toBe('');
    const outcome = JSON.parse(r.stdout.trim()) as { code: string; message: string; left: string[] };
    expect(outcome.code).toBe('disk_full');
    expect(outcome.message).toMatch(/delivery\.zip/);
    expect(outcome.message).toMatch(/photo\.JPG/);
    expect(outcome.message).toMatch(/Free some space/);
    expect(outcome.left).toEqual([]);
  });

  it('is rebuilt after a crash from the files already downloaded, and passes unzip -t', async () => {
    const src = dir();
    const out = dir();
    const sources = Array.from({ length: 6 }, (_, i) => ({
      file: write(path.join(src, `IMG_${i}.JPG`), randomBytes((1 + i) << 20)),
      entryName: `2024/IMG_${i}.JPG`,
    }));
    const finalPath = path.join(out, 'delivery.zip');
    // The child zips half of the files, says so, and waits for more that never come: killed there.
    const script = childScript(
      dir(),
      `const sources = JSON.parse(process.argv[2]);
const w = await ZipWriter.open(process.argv[3]);
for (const s of sources.slice(0, 3)) await w.add(s.file, s.entryName);
process.stdout.write('added 3\\n');
process.stdin.resume();`,
    );
    let killed = false;
    const child = run(process.execPath, [script, JSON.stringify(sources), finalPath], {
      onStdout: (text) => {
        if (!killed && text.includes('added 3')) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    const crashed = await child;
    expect(crashed.signal).toBe('SIGKILL');
    const temp = finalPath + zipPartSuffix;
    expect(listDir(out)).toEqual([path.basename(temp)]);
    expect(fs.statSync(temp).size).toBeGreaterThan(6 << 20);
    // What the crash left is no zip (no central directory yet).
    expect((await run('unzip', ['-tq', temp])).code).not.toBe(0);

    const progress: number[] = [];
    const result = await buildZip(finalPath, sources, (n) => progress.push(n));
    expect(result).toMatchObject({ path: finalPath, entries: 6 });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(listDir(out)).toEqual(['delivery.zip']);
    await unzipTest(finalPath);
    const x = dir();
    await run('unzip', ['-q', finalPath, '-d', x]);
    for (const s of sources) expect(fileSha256(path.join(x, s.entryName))).toBe(fileSha256(s.file));
  });

  it('uses ZIP64 past 65,535 entries, and unzip -t passes', { timeout: 240_000 }, async () => {
    const count = 65_600;
    const src = dir();
    const taken = new Set<string>();
    const sources = [];
    for (let i = 0; i < count; i += 1) {
      const folder = path.join(src, String(i % 64));
      if (i < 64) fs.mkdirSync(folder);
      const file = path.join(folder, `n${i}.txt`);
      fs.writeFileSync(file, `entry ${i}\n`);
      sources.push({ file, entryName: zipEntryName(`${i % 64}/n${i}.txt`, taken) });
    }
    const out = dir();
    const result = await buildZip(path.join(out, 'many.zip'), sources);
    expect(result.entries).toBe(count);
    await unzipTest(result.path);
    const cd = centralDirectory(result.path);
    expect(cd.zip64End).toBe(true);
    expect(cd.classicCount).toBe(0xffff);
    expect(cd.entries.length).toBe(count);
    expect(cd.entries.at(-1)?.name).toBe(`${(count - 1) % 64}/n${count - 1}.txt`);
    expect((await run('unzip', ['-p', result.path, '17/n65553.txt'])).stdout).toBe('entry 65553\n');
    // 65,600 files: gone now, before the 4 GiB test, not in afterAll.
    fs.rmSync(src, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('uses ZIP64 past 4 GiB, unzip -t passes, and memory stays flat while zipping', { timeout: 600_000 }, async (ctx) => {
    const big = 4 * 2 ** 30 + (1 << 20);
    const need = big + (512 << 20);
    const free = freeBytes(os.tmpdir());
    if (free < need) {
      ctx.skip(`${os.tmpdir()} has ${(free / 2 ** 30).toFixed(1)} GiB free; this test needs ${(need / 2 ** 30).toFixed(1)} GiB for a zip over 4 GiB`);
    }
    const src = dir();
    // Sparse: costs no disk, reads as zeros, stored as a video would be.
    const video = path.join(src, 'long.MOV');
    fs.closeSync(fs.openSync(video, 'w'));
    fs.truncateSync(video, big);
    const after = write(path.join(src, 'after.JPG'), randomBytes(1 << 20));
    const notes = write(path.join(src, 'notes.txt'), 'past four gibibytes\n'.repeat(1000));

    const peak = peakRss();
    const writer = await ZipWriter.open(path.join(dir(), 'huge.zip'));
    await writer.add(video, 'video/long.MOV');
    await writer.add(after, 'after.JPG');
    await writer.add(notes, 'notes.txt');
    const result = await writer.finish();
    const grew = peak.stop();
    expect(result.bytes).toBeGreaterThan(2 ** 32);
    // The whole file went through this process: its resident memory must not have followed.
    const figure = `RSS grew by ${(grew / 1e6).toFixed(0)} MB (${peak.how}) while zipping ${(result.bytes / 2 ** 30).toFixed(2)} GiB`;
    await ctx.annotate(figure);
    expect(grew, figure).toBeLessThan(150e6);

    const cd = centralDirectory(result.path);
    expect(cd.zip64End).toBe(true);
    const byName = Object.fromEntries(cd.entries.map((e) => [e.name, e]));
    expect(byName['video/long.MOV']).toMatchObject({ method: 0, size: big, compressedSize: big, zip64Extra: true });
    expect(byName['after.JPG']).toMatchObject({ method: 0, size: 1 << 20, zip64Extra: true });
    expect(byName['after.JPG']!.offset).toBeGreaterThan(2 ** 32);
    expect(byName['notes.txt']).toMatchObject({ method: 8, zip64Extra: true });

    await unzipTest(result.path);
    const tailEntry = await run('unzip', ['-p', result.path, 'after.JPG']);
    expect(sha256(tailEntry.raw)).toBe(fileSha256(after));
    fs.rmSync(result.path);
  });
});

/**
 * The most this process's resident memory grew above its level now: from the kernel's high-water
 * mark (reset through /proc/self/clear_refs) where Linux allows, else by sampling.
 */
function peakRss(): { stop(): number; how: string } {
  const base = process.memoryUsage.rss();
  const hwm = (): number | null => {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  };
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    if (hwm() !== null) return { stop: () => hwm()! - base, how: 'kernel high-water mark' };
  } catch {
    // Not Linux, or not allowed: sample instead.
  }
  let max = base;
  const timer = setInterval(() => (max = Math.max(max, process.memoryUsage.rss())), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(max, process.memoryUsage.rss()) - base;
    },
    how: 'sampled every 20 ms',
  };
}
