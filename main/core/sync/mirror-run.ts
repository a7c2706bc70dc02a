import path from 'node:path';
import { prepared, type Db } from '../db/connection.js';
import type { Engine } from '../engine/engine.js';
import { CartageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TaskQueue } from '../queue/queue.js';
import { terminalStates } from '../queue/states.js';
import type { TaskSpec } from '../queue/task.js';
import { queryText } from '../sources/refs.js';
import { sourceRefOf, type SourceRegistry } from '../sources/registry.js';
import { ImmichSource } from '../sources/immich.js';
import type { RemoteFile, Source } from '../sources/types.js';
import type { MirrorRow } from './mirror-views.js';
import {
  matchesOnDisk,
  mirrorFolders,
  sameRemote,
  setModified,
  sidecarOf,
  statSize,
  trashable,
  writeSidecar,
  type FileRecord,
  type GoneRecord,
} from './mirror-files.js';
import { addListingCounts, countDownloaded, countFailed, setDeletions, type RunFailure } from './run-store.js';

/** Deleting on the source moves the mirror's copy to the system trash, never unlinks it. */
export type TrashFn = (paths: string[]) => Promise<void>;

/** Failures and deletions a run's report lists at most. */
export const maxListed = 1_000;

/**
 * The steps of one mirror run: list the scope and queue what is new or changed (known by remote id
 * plus checksum, or size and ETag / Last-Modified; after a lost record, by the file on disk), report
 * and apply deletions, and record what each finished download means. When a run starts and ends is
 * `Mirrors`' part.
 */
export class MirrorRunSteps {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly queue: TaskQueue,
    private readonly sources: SourceRegistry,
    private readonly log: Logger,
    private readonly trash: TrashFn,
  ) {}

  /** Lists the scope and queues what is new or changed; returns how many files were listed. */
  async enumerateAndQueue(m: MirrorRow, runId: number): Promise<number> {
    let listed = 0;
    const record = this.sources.get(String(m.source_id));
    const source = this.sources.source(record);
    const counts = { unchanged: 0, failed: 0 };
    const failures: RunFailure[] = [];
    const batch: { spec: TaskSpec; remoteId: string; kind: 'new' | 'changed'; file: RemoteFile; sidecar: string | null }[] = [];
    // Row updates of unchanged files are written 1,000 to a transaction: one commit per file
    // would cost more than the whole comparison.
    const writes: (() => void)[] = [];
    const flushWrites = (): void => {
      if (!writes.length) return;
      this.db.transaction(() => writes.forEach((w) => w()))();
      writes.length = 0;
    };
    const flush = (): void => {
      flushWrites();
      if (!batch.length) return;
      const ids = this.queue.enqueue(batch.map((b) => b.spec));
      const insert = this.db.prepare(
        'INSERT INTO mirror_run_tasks (task_id, run_id, remote_id, kind, size, checksum, etag, modified, sidecar) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.db.transaction(() =>
        batch.forEach((b, i) =>
          insert.run(ids[i]!, runId, b.remoteId, b.kind, b.file.size, b.file.checksum?.value ?? null, b.file.etag, b.file.modified?.getTime() ?? null, b.sidecar),
        ),
      )();
      batch.length = 0;
      this.engine.wake();
    };
    const seen = this.db.prepare('UPDATE mirror_files SET last_seen_run = ? WHERE mirror_id = ? AND remote_id = ?');
    const recordOf = this.db.prepare('SELECT * FROM mirror_files WHERE mirror_id = ? AND remote_id = ?');
    const adopt = this.db.prepare(
      'INSERT OR REPLACE INTO mirror_files (mirror_id, remote_id, rel_path, size, checksum, etag, modified, last_seen_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const earlierTask = this.db.prepare(
      `SELECT mrt.task_id FROM mirror_run_tasks mrt JOIN mirror_runs r ON r.id = mrt.run_id
       WHERE r.mirror_id = ? AND mrt.remote_id = ? AND mrt.processed = 0`,
    );
    // Sidecars of Immich files name their albums: one listing per album, before the run.
    const albums = m.sidecars && source instanceof ImmichSource ? await source.albumNamesByAsset() : null;
    for await (const file of this.enumerate(source, m)) {
      const folders = mirrorFolders(file, m);
      for (const part of file.motion ? [file, file.motion] : [file]) {
        listed += 1;
        const rec = recordOf.get(m.id, part.id) as FileRecord | undefined;
        // Still listed, even if it cannot be downloaded now: never reported (or trashed) as deleted.
        if (rec) writes.push(() => seen.run(runId, m.id, part.id));
        if (!part.access.downloadable) {
          counts.failed += 1;
          if (failures.length < maxListed) failures.push({ name: part.name, reason: part.access.reason ?? 'It cannot be downloaded.' });
          continue;
        }
        const rel = [...folders, part.name].join('/');
        let kind: 'new' | 'changed' = 'new';
        let ours = true;
        if (rec) {
          const onDisk = statSize(path.join(m.dir, rec.rel_path));
          if (onDisk !== null && sameRemote(rec, part) && (rec.size === null || onDisk === rec.size)) {
            counts.unchanged += 1;
            if (writes.length >= 1000) flushWrites();
            continue;
          }
          kind = onDisk === null ? 'new' : 'changed';
          // The copy on disk is no longer the one the mirror wrote (the person edited or replaced
          // it): it is kept, and the source's version lands beside it under a numbered name.
          ours = onDisk !== null && rec.size !== null && onDisk === rec.size;
        } else {
          // No record (a reinstall, a lost database): the file on disk is ours if it matches.
          const target = path.join(m.dir, rel);
          if (matchesOnDisk(target, part)) {
            writes.push(() => adopt.run(m.id, part.id, rel, part.size, part.checksum?.value ?? null, part.etag, part.modified?.getTime() ?? null, runId));
            counts.unchanged += 1;
            if (writes.length >= 1000) flushWrites();
            continue;
          }
        }
        // A download an interrupted run queued is taken over, not queued twice.
        const earlier = earlierTask.get(m.id, part.id) as { task_id: number } | undefined;
        if (earlier) {
          this.db.prepare('UPDATE mirror_run_tasks SET run_id = ? WHERE task_id = ?').run(runId, earlier.task_id);
          continue;
        }
        const dir = kind === 'changed' && rec ? path.dirname(path.join(m.dir, rec.rel_path)) : path.join(m.dir, ...folders);
        const name = kind === 'changed' && rec ? path.basename(rec.rel_path) : part.name;
        if (kind === 'changed' && !ours) {
          if (failures.length < maxListed) failures.push({ name: rec!.rel_path, reason: 'Changed here since the mirror wrote it: kept, and the source\'s version saved beside it.' });
        }
        batch.push({
          remoteId: part.id,
          kind,
          file: part,
          sidecar: m.sidecars ? JSON.stringify(sidecarOf(part, file, record.name, albums?.get(file.id) ?? null)) : null,
          spec: {
            url: (await source.resolve(part)).url,
            dir,
            name,
            group: part.group,
            sourceRef: sourceRefOf(record, part.id),
            // Only a file this mirror wrote is replaced; anything else in the folder is left alone.
            conflict: kind === 'changed' && ours ? 'overwrite' : 'rename',
            ...(part.size !== null ? { expectedBytes: part.size } : {}),
            ...(part.checksum ? { checksum: part.checksum } : {}),
          },
        });
        if (batch.length >= 500) flush();
      }
    }
    flush();
    addListingCounts(this.db, runId, counts.unchanged, counts.failed, failures);
    return listed;
  }

  private async *enumerate(source: Source, m: MirrorRow): AsyncGenerator<RemoteFile> {
    if (m.scope_kind === 'query') {
      yield* source.query(queryText(source, m.scope));
      return;
    }
    const pending = [m.scope];
    const visited = new Set(pending);
    while (pending.length) {
      const folder = pending.shift()!;
      const listing = await source.list(folder);
      yield* listing.files;
      if (!m.recursive) continue;
      for (const sub of listing.folders) {
        if (visited.has(sub.path)) continue;
        visited.add(sub.path);
        pending.push(sub.path);
      }
    }
  }

  /** Files this mirror holds that the source no longer lists: reported, and removed only if asked. */
  markDeletions(m: MirrorRow, runId: number, filesListed: number): void {
    const gone = this.db.prepare('SELECT rel_path, size, checksum FROM mirror_files WHERE mirror_id = ? AND last_seen_run < ?').all(m.id, runId) as GoneRecord[];
    if (filesListed === 0 && gone.length > 0) {
      // An empty answer (a server that lists an album another way, a key that sees nothing) is not
      // proof that everything went: the run stops before it reports or trashes anything.
      throw new CartageError(
        'http_error',
        `The source listed no files for this mirror, which holds ${gone.length} from earlier runs; an empty listing is not taken as everything deleted, so nothing was reported deleted or moved to the trash. If everything really was removed on the source, remove this mirror (its files stay on disk).`,
      );
    }
    const listed = gone.slice(0, maxListed).map((g) => ({
      path: g.rel_path,
      action: !m.apply_deletions ? 'kept' : trashable(path.join(m.dir, g.rel_path), g) !== false ? 'moved to the trash' : 'kept: changed here since the mirror wrote it',
    }));
    setDeletions(this.db, runId, gone.length, listed);
  }

  async applyDeletions(m: MirrorRow, runId: number): Promise<void> {
    if (!m.apply_deletions) return;
    const gone = this.db.prepare('SELECT remote_id, rel_path, size, checksum FROM mirror_files WHERE mirror_id = ? AND last_seen_run < ?').all(m.id, runId) as (GoneRecord & {
      remote_id: string;
    })[];
    // Only the very file the mirror wrote and recorded goes to the trash: one the person replaced
    // since is kept (and no longer the mirror's).
    const existing = gone.map((g) => path.join(m.dir, g.rel_path)).filter((p, i) => trashable(p, gone[i]!) === true);
    if (existing.length) await this.trash(existing);
    const del = this.db.prepare('DELETE FROM mirror_files WHERE mirror_id = ? AND remote_id = ?');
    this.db.transaction(() => gone.forEach((g) => del.run(m.id, g.remote_id)))();
  }

  /** Records what a finished download of a run means: the file is now the mirror's, or it failed. Returns its run, or null when it was not a run's or not finished. */
  settleTask(taskId: number): number | null {
    const row = prepared(
      this.db,
      `SELECT mrt.*, t.state, t.final_path, t.error_message, t.name, t.conflict, r.mirror_id, m.dir
       FROM mirror_run_tasks mrt JOIN tasks t ON t.id = mrt.task_id JOIN mirror_runs r ON r.id = mrt.run_id JOIN mirrors m ON m.id = r.mirror_id
       WHERE mrt.task_id = ? AND mrt.processed = 0`,
    ).get(taskId) as SettleRow | undefined;
    if (!row || !terminalStates.includes(row.state)) return null;
    this.db.transaction(() => {
      if (row.state === 'completed') {
        // The copy takes the source's modification time: what tells it from a person's file of the same size after a reinstall.
        if (row.modified !== null) setModified(row.final_path, row.modified, this.log);
        const rel = path.relative(row.dir, row.final_path).split(path.sep).join('/');
        prepared(this.db, 'INSERT OR REPLACE INTO mirror_files (mirror_id, remote_id, rel_path, size, checksum, etag, modified, last_seen_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(row.mirror_id, row.remote_id, rel, row.size ?? statSize(row.final_path), row.checksum, row.etag, row.modified, row.run_id);
        countDownloaded(this.db, row.run_id, row.kind, statSize(row.final_path) ?? 0);
        if (row.sidecar) writeSidecar(row.final_path, row.sidecar, row.conflict === 'overwrite', this.log);
      } else {
        countFailed(this.db, row.run_id, { name: row.name, reason: row.error_message ?? row.state }, maxListed);
      }
      prepared(this.db, 'UPDATE mirror_run_tasks SET processed = 1 WHERE task_id = ?').run(taskId);
    })();
    return row.run_id;
  }
}

interface SettleRow {
  task_id: number;
  run_id: number;
  remote_id: string;
  kind: 'new' | 'changed';
  size: number | null;
  checksum: string | null;
  etag: string | null;
  modified: number | null;
  sidecar: string | null;
  state: (typeof terminalStates)[number] | 'queued' | 'active' | 'paused';
  final_path: string;
  error_message: string | null;
  name: string;
  conflict: string | null;
  mirror_id: number;
  dir: string;
}
