import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cartage, whileRunning } from '../helpers/cli.js';
import { bytes, fileSha256, listDir, sha256, tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

const MiB = 1024 * 1024;
const size = 64 * MiB;
const body = bytes(size, 5);
const root = tempDir('cartage-www-');
let nginx: Nginx;

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'slow'));
  fs.writeFileSync(path.join(root, 'slow', 'large.bin'), body);
  // 4 MB/s per connection: the first run is surely killed mid-way.
  nginx = await startNginx(root, { serverConfig: 'location /slow/ { limit_rate 4m; }' });
});
afterAll(async () => {
  await nginx.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

interface SegmentRow {
  start: number;
  end: number;
  written: number;
}

/** The segments the queue recorded for task 1 (read from the database, as another process would). */
function recordedSegments(data: string): SegmentRow[] {
  const file = path.join(data, 'cartage.db');
  if (!fs.existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT start_byte AS start, end_byte AS end, written_to AS written FROM task_segments WHERE task_id = 1 ORDER BY start_byte').all() as SegmentRow[];
  } catch {
    return []; // the table is made by the first run's migration
  } finally {
    db.close();
  }
}

const recorded = (rows: SegmentRow[]): number => rows.reduce((sum, s) => sum + s.written - s.start, 0);

describe('a crash in the middle of a segmented download', () => {
  it('is finished by "cartage run", each segment from its own recorded bytes', async () => {
    const dir = tempDir();
    const data = tempDir();
    const before = nginx.log().length;
    const first = cartage(['get', nginx.url('slow/large.bin'), '--connections', '4', '--dir', dir, '--data-dir', data]);
    // Killed once every segment has bytes recorded, and a quarter of the file in all.
    await whileRunning(
      first,
      'get',
      vi.waitFor(
        () => {
          const rows = recordedSegments(data);
          expect(rows).toHaveLength(4);
          expect(rows.every((s) => s.written > s.start)).toBe(true);
          expect(recorded(rows)).toBeGreaterThanOrEqual(size / 4);
        },
        { timeout: 60_000, interval: 50 },
      ),
    );
    first.child.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');
    const rows = recordedSegments(data);
    expect(recorded(rows)).toBeLessThan(size);
    expect(fs.existsSync(path.join(dir, 'large.bin'))).toBe(false);

    // nginx logs the killed run's four requests once it sees their connections gone.
    await vi.waitFor(() => expect(nginx.log().slice(before)).toHaveLength(4), { timeout: 10_000 });
    const killed = nginx.log().slice(before);
    const sentBefore = killed.reduce((sum, e) => sum + e.bytesSent, 0);
    // The record lags what was sent by at most 8 MiB a segment (it is written every second or 8 MiB).
    expect(sentBefore - recorded(rows)).toBeLessThanOrEqual(4 * 8 * MiB);

    const logged = nginx.log().length;
    const second = await cartage(['run', '--data-dir', data]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(fileSha256(path.join(dir, 'large.bin'))).toBe(sha256(body));
    expect(listDir(dir)).toEqual(['large.bin']);

    const resumed = await vi.waitFor(
      () => {
        const entries = nginx.log().slice(logged);
        // Each unfinished segment is asked from its own recorded byte, with the ETag in If-Range.
        for (const s of rows.filter((r) => r.written < r.end)) {
          expect(entries).toContainEqual(expect.objectContaining({ status: 206, range: `bytes=${s.written}-${s.end - 1}`, ifRange: expect.stringMatching(/^"/) }));
        }
        return entries;
      },
      { timeout: 10_000 },
    );
    expect(resumed.every((e) => e.status === 206 && e.range.startsWith('bytes='))).toBe(true);
    // Only the missing bytes were fetched again (a takeover's cut request may carry a little more).
    const sentAfter = resumed.reduce((sum, e) => sum + e.bytesSent, 0);
    expect(sentAfter).toBeGreaterThanOrEqual(size - recorded(rows));
    expect(sentAfter).toBeLessThanOrEqual(size - recorded(rows) + 4 * MiB);
  });
});
