import type { Db } from '../db/connection.js';
import { CartageError } from '../errors.js';
import type { TaskGroup } from '../queue/states.js';
import type { ChecksumAlgo } from '../queue/task.js';
import type { SettingsStore } from '../settings.js';
import { WebSource } from '../sources/web.js';
import { filesOfRef, parseRef } from '../sources/refs.js';
import type { SourceRegistry } from '../sources/registry.js';
import type { Access, AccessRestriction, RemoteFile, Source } from '../sources/types.js';
import { UrlSource } from '../sources/url.js';
import { isHeldElsewhere } from './lock.js';

/** A live photo's second part, kept with its image. */
export interface MotionPart {
  id: string;
  url: string;
  name: string;
  size: number | null;
  checksum: { algo: ChecksumAlgo; value: string } | null;
}

/** An entry of the download list, as the UI and the CLI show it. */
export interface CartItem {
  id: number;
  /** 'source:ID' for a stored source, 'url' for a plain link. */
  sourceKey: string;
  /** The stored source's name (null for plain links). */
  sourceName: string | null;
  remoteId: string;
  /** Download address, without credentials. */
  url: string;
  name: string;
  folder: string;
  /** Link to the original, for people. */
  href: string;
  /** Both parts of a live photo. */
  size: number | null;
  takenAt: Date | null;
  contentType: string | null;
  group: TaskGroup;
  checksum: { algo: ChecksumAlgo; value: string } | null;
  access: Access;
  motion: MotionPart | null;
  addedAt: number;
}

export interface CartView {
  items: CartItem[];
  /** Files and known bytes; those that checkout would deliver, and those it would leave. */
  totals: { files: number; bytes: number; unknownSizes: number; deliverable: number; restricted: number };
  limit: number;
  /** A checkout holds the list: edits are refused until it ends. */
  locked: boolean;
}

/** The columns of a list entry as stored (what a delivered file keeps to be put back). */
const cartColumns = ['source_key', 'remote_id', 'url', 'name', 'folder', 'href', 'size', 'taken_at', 'content_type', 'grp', 'checksum_algo', 'checksum', 'restriction', 'reason', 'motion'] as const;
export type CartRow = Partial<Record<(typeof cartColumns)[number], string | number | null>>;

/** What an add did, in numbers and in a sentence. */
export interface AddOutcome {
  added: number;
  alreadyThere: number;
  /** Of those added, how many cannot be downloaded (they stay in the list with the reason). */
  restricted: number;
  message: string;
}

/** A file ready to go in the list: where it came from, and its resolved download address. */
export interface Candidate {
  sourceKey: string;
  file: RemoteFile;
  url: string;
  motionUrl: string | null;
}

interface Row {
  id: number;
  source_key: string;
  remote_id: string;
  url: string;
  name: string;
  folder: string;
  href: string;
  size: number | null;
  taken_at: number | null;
  content_type: string | null;
  grp: TaskGroup;
  checksum_algo: ChecksumAlgo | null;
  checksum: string | null;
  restriction: AccessRestriction | null;
  reason: string | null;
  motion: string | null;
  added_at: number;
}

export const lockedMessage = 'The list is being checked out; try again when the download has started.';

/**
 * The download list: one per person (it lives in their data folder), persistent, at most
 * `cartLimit` files. A folder or a query goes in whole or not at all; what is already in the list
 * is not added twice (same source, same remote id).
 */
export class Cart {
  constructor(
    private readonly db: Db,
    private readonly settings: SettingsStore,
    private readonly sources: SourceRegistry,
  ) {}

  /** The whole list in one answer (no pages), with its totals. */
  view(): CartView {
    const names = new Map(this.sources.list().map((s) => [`source:${s.id}`, s.name]));
    const items = (this.db.prepare('SELECT * FROM cart_items ORDER BY id').all() as Row[]).map((r) => toItem(r, names.get(r.source_key) ?? null));
    const totals = { files: items.length, bytes: 0, unknownSizes: 0, deliverable: 0, restricted: 0 };
    for (const item of items) {
      if (item.size === null) totals.unknownSizes += 1;
      else totals.bytes += item.size;
      if (item.access.downloadable) totals.deliverable += 1;
      else totals.restricted += 1;
    }
    return { items, totals, limit: this.settings.get().cartLimit, locked: this.isLocked() };
  }

  /**
   * Adds what references point at: a URL (a file, or a web folder's files when it ends in '/'),
   * a source path (a file, or the files directly in a folder), a query (every match, all pages).
   * Everything is counted first; it all goes in, or nothing does.
   */
  async add(refs: readonly string[]): Promise<AddOutcome> {
    this.assertUnlocked();
    const limit = this.settings.get().cartLimit;
    await this.refuseTooBig(refs);
    const candidates: Candidate[] = [];
    const seen = new Set<string>();
    let fresh = 0;
    let total = 0;
    for (const text of refs) {
      for await (const c of this.candidates(text)) {
        const key = `${c.sourceKey}\u0000${c.file.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        total += 1;
        if (!this.contains(c.sourceKey, c.file.id)) fresh += 1;
        // Past the places left, only count: the message needs the number, not the files.
        if (fresh <= limit) candidates.push(c);
      }
    }
    return this.addCandidates(candidates, { total, fresh, what: refs.length === 1 ? `"${refs[0]}"` : `these ${refs.length} references` });
  }

  /**
   * Refuses, before anything is listed, a folder its source counts (Synapse) that cannot fit even if
   * every entry already in the list from that source were among its files: a folder of 10,000 files
   * costs one request to refuse, not 20,000.
   */
  private async refuseTooBig(refs: readonly string[]): Promise<void> {
    for (const text of refs) {
      const ref = parseRef(text);
      if (ref.kind !== 'path') continue;
      const record = this.sources.get(ref.source);
      const source = this.sources.source(record);
      const count = source.countFiles ? await source.countFiles(ref.path) : null;
      if (count === null) continue;
      const limit = this.settings.get().cartLimit;
      const inList = (this.db.prepare('SELECT count(*) AS n FROM cart_items').get() as { n: number }).n;
      const fromSource = (this.db.prepare('SELECT count(*) AS n FROM cart_items WHERE source_key = ?').get(`source:${record.id}`) as { n: number }).n;
      const left = Math.max(0, limit - inList);
      if (count - fromSource > left) {
        throw new CartageError(
          'bad_input',
          `"${text}" holds ${plural(count, 'file')} (as its source counts them), but the list has ${plural(left, 'place')} left of ${limit}: nothing was added. Remove some files, check out the list, or raise the limit in the settings.`,
        );
      }
    }
  }

  /** Adds resolved files in one transaction, all or none. */
  addCandidates(candidates: readonly Candidate[], counted?: { total: number; fresh: number; what: string }): AddOutcome {
    const insert = this.db.prepare(
      `INSERT INTO cart_items (source_key, remote_id, url, name, folder, href, size, taken_at, content_type, grp, checksum_algo, checksum, restriction, reason, motion, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_key, remote_id) DO NOTHING`,
    );
    const run = this.db.transaction((): AddOutcome => {
      this.assertUnlocked();
      const fresh = counted?.fresh ?? candidates.filter((c) => !this.contains(c.sourceKey, c.file.id)).length;
      const total = counted?.total ?? candidates.length;
      this.assertRoom(fresh, total, counted?.what ?? 'This');
      let added = 0;
      let restricted = 0;
      const now = Date.now();
      for (const c of candidates) {
        const f = c.file;
        const size = f.size === null ? null : f.size + (f.motion ? (f.motion.size ?? 0) : 0);
        const motion: MotionPart | null =
          f.motion && c.motionUrl ? { id: f.motion.id, url: c.motionUrl, name: f.motion.name, size: f.motion.size, checksum: f.motion.checksum ?? null } : null;
        const info = insert.run(
          c.sourceKey,
          f.id,
          c.url,
          f.name,
          f.folder,
          f.href,
          size,
          (f.takenAt ?? f.modified)?.getTime() ?? null,
          f.contentType,
          f.group,
          f.checksum?.algo ?? null,
          f.checksum?.value ?? null,
          f.access.downloadable ? null : f.access.restriction,
          f.access.downloadable ? null : (f.access.reason ?? 'It cannot be downloaded.'),
          motion ? JSON.stringify(motion) : null,
          now,
        );
        if (info.changes) {
          added += 1;
          if (!f.access.downloadable) restricted += 1;
        }
      }
      const already = total - added;
      const parts = [added ? `Added ${plural(added, 'file')}` : 'Nothing new was added'];
      if (already) parts.push(`${plural(already, 'file')} ${already === 1 ? 'was' : 'were'} already in the list`);
      if (restricted) parts.push(`${restricted} cannot be downloaded and will stay when you check out (see the reasons)`);
      return { added, alreadyThere: already, restricted, message: `${parts.join('; ')}.` };
    });
    return run.immediate();
  }

  /**
   * Puts entries back as they were when they were checked out (the files of a delivery that did not
   * arrive): all of them or none, within the limit; those already in the list again stay once.
   */
  putBack(rows: readonly CartRow[], what: string): AddOutcome {
    const insert = this.db.prepare(
      `INSERT INTO cart_items (${cartColumns.join(', ')}, added_at) VALUES (${cartColumns.map(() => '?').join(', ')}, ?)
       ON CONFLICT (source_key, remote_id) DO NOTHING`,
    );
    const run = this.db.transaction((): AddOutcome => {
      this.assertUnlocked();
      const fresh = rows.filter((r) => !this.contains(String(r.source_key), String(r.remote_id))).length;
      this.assertRoom(fresh, rows.length, what);
      let added = 0;
      const now = Date.now();
      for (const r of rows) if (insert.run(...cartColumns.map((c) => r[c] ?? null), now).changes) added += 1;
      const already = rows.length - added;
      const parts = [added ? `Put ${plural(added, 'file')} back on the list` : 'Nothing was put back'];
      if (already) parts.push(`${plural(already, 'file')} ${already === 1 ? 'was' : 'were'} already in the list`);
      return { added, alreadyThere: already, restricted: 0, message: `${parts.join('; ')}.` };
    });
    return run.immediate();
  }

  /**
   * Refuses plain links that cannot all fit before any of them is asked for its size: thousands of
   * links from a web page would otherwise each get a request, only to be refused at the end.
   */
  assertRoomForLinks(urls: readonly string[], what: string): void {
    const fresh = urls.filter((u) => !this.contains('url', u)).length;
    this.assertRoom(fresh, urls.length, what);
  }

  /** Refuses, with both numbers, what would take the list past its limit. */
  private assertRoom(fresh: number, total: number, what: string): void {
    const limit = this.settings.get().cartLimit;
    const inList = (this.db.prepare('SELECT count(*) AS n FROM cart_items').get() as { n: number }).n;
    const left = Math.max(0, limit - inList);
    if (fresh > left) {
      throw new CartageError(
        'bad_input',
        `${what} has ${plural(fresh, 'new file')}${total > fresh ? ` (and ${total - fresh} already in the list)` : ''}, but the list has ${plural(left, 'place')} left of ${limit}: nothing was added. Remove some files, check out the list, or raise the limit in the settings.`,
      );
    }
  }

  /** Removes entries; unknown ids are named and nothing is removed. */
  remove(ids: readonly number[]): number {
    const run = this.db.transaction(() => {
      this.assertUnlocked();
      const missing = ids.filter((id) => !this.db.prepare('SELECT 1 FROM cart_items WHERE id = ?').get(id));
      if (missing.length) throw new CartageError('not_found', `The list has no entr${missing.length === 1 ? 'y' : 'ies'} ${missing.join(', ')}; nothing was removed.`);
      const del = this.db.prepare('DELETE FROM cart_items WHERE id = ?');
      for (const id of ids) del.run(id);
      return ids.length;
    });
    return run.immediate();
  }

  clear(): number {
    const run = this.db.transaction(() => {
      this.assertUnlocked();
      return this.db.prepare('DELETE FROM cart_items').run().changes;
    });
    return run.immediate();
  }

  isLocked(): boolean {
    const row = this.db.prepare('SELECT pid FROM cart_lock WHERE id = 1').get() as { pid: number } | undefined;
    if (!row) return false;
    if (isHeldElsewhere(row.pid)) return true;
    // A checkout that crashed before it ended left its lock: the transaction never committed, so
    // only a lock taken by `hold` (the confirm step) can be stale. Release it.
    if (row.pid !== process.pid) this.db.prepare('DELETE FROM cart_lock WHERE id = 1 AND pid = ?').run(row.pid);
    return row.pid === process.pid;
  }

  private assertUnlocked(): void {
    if (this.isLocked()) throw new CartageError('engine_busy', lockedMessage);
  }

  private contains(sourceKey: string, remoteId: string): boolean {
    return this.db.prepare('SELECT 1 FROM cart_items WHERE source_key = ? AND remote_id = ?').get(sourceKey, remoteId) !== undefined;
  }

  private async *candidates(text: string): AsyncGenerator<Candidate> {
    const ref = parseRef(text);
    if (ref.kind === 'url') {
      const url = new URL(ref.url);
      const isFolder = url.pathname.endsWith('/');
      const source: Source = isFolder ? new WebSource({ url: ref.url, http: this.sources.http }) : new UrlSource([ref.url], this.sources.http);
      for (const file of (await source.list('')).files) {
        // The list keeps no password: such a link could not be downloaded later, so it says how it can.
        if (url.username && file.access.downloadable) {
          file.access = {
            downloadable: false,
            restriction: 'needs_sign_in',
            reason: `The address holds a user name and password, which the list does not keep: add ${url.host} as a source with its user name and password, then add the file from there.`,
          };
        }
        yield await candidate('url', source, file);
      }
      return;
    }
    for await (const { record, source, file } of filesOfRef(ref, this.sources)) yield await candidate(`source:${record.id}`, source, file);
  }
}

async function candidate(sourceKey: string, source: Source, file: RemoteFile): Promise<Candidate> {
  const url = (await source.resolve(file)).url;
  const motionUrl = file.motion ? (await source.resolve(file.motion)).url : null;
  return { sourceKey, file, url, motionUrl };
}

function toItem(r: Row, sourceName: string | null): CartItem {
  return {
    id: r.id,
    sourceKey: r.source_key,
    sourceName,
    remoteId: r.remote_id,
    url: r.url,
    name: r.name,
    folder: r.folder,
    href: r.href,
    size: r.size,
    takenAt: r.taken_at === null ? null : new Date(r.taken_at),
    contentType: r.content_type,
    group: r.grp,
    checksum: r.checksum_algo && r.checksum ? { algo: r.checksum_algo, value: r.checksum } : null,
    // A reason without a restriction code: the link answered 404, or its server could not be reached.
    access: r.restriction || r.reason ? { downloadable: false, restriction: r.restriction, reason: r.reason } : { downloadable: true, restriction: null, reason: null },
    motion: r.motion ? (JSON.parse(r.motion) as MotionPart) : null,
    addedAt: r.added_at,
  };
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
