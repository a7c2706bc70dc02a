import { EventEmitter } from 'node:events';
import { prepared, type Db } from '../db/connection.js';
import type { Engine } from '../engine/engine.js';
import type { CartRow } from '../cart/cart.js';
import { CartageError } from '../errors.js';
import type { Logger } from '../log.js';
import { terminalStates, type TaskState } from '../queue/states.js';
import { openDeliveryStates } from './delivery-states.js';
import { intendPlacing, markZipped, moveDelivery, unzipAll } from './delivery-store.js';
import {
  itemsSql,
  notAllCanceledSql,
  readySql,
  toDeliveryView,
  unfinishedSql,
  type DeliveryRow,
  type DeliveryState,
  type DeliveryView,
  type ItemRow,
  type ReadyRow,
} from './delivery-view.js';
import { ZipWriter } from './zip.js';
import { recoverZipPlacing, removeStaging, removeStagingLeftovers } from './zip-placing.js';

export type { DeliveryState, DeliveryView };

const isTerminal = (s: TaskState | null): boolean => s === null || terminalStates.includes(s);

/**
 * Turns finished tasks into deliveries: files in a folder are done when their tasks are; a zip gets
 * each file appended as soon as it (both parts of a live photo) is downloaded, and is completed
 * and renamed when every task has ended. After a crash an unfinished zip is written again from the
 * files already downloaded; nothing is downloaded twice.
 */
export class Deliveries extends EventEmitter<{ delivery: [DeliveryView] }> {
  private readonly writers = new Map<number, ZipWriter>();
  private readonly chains = new Map<number, Promise<void>>();
  private readonly waiting = new Set<number>();
  private readonly pendingEmits = new Set<number>();
  private emitTimer: NodeJS.Timeout | null = null;
  private started = false;
  /** Deliveries another process moves whose views were sent and may still change, with the view sent (following only). */
  private shownOthers: Map<number, string> | null = null;
  /** When the last look at another process's deliveries began. */
  private othersLookedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly log: Logger,
  ) {
    super();
    // In every process, not only the one running the queue: a retry from a window that follows
    // another process, or from `cartage resume`, reopens the delivery too.
    this.engine.queue.changes.on('task', (t) => {
      // A file of a finished delivery tried again (a retry, not the engine's own backoff).
      if (t.state === 'queued' && t.attempts === 0) this.reopen(this.deliveryOfTask(t.id));
    });
    this.engine.queue.changes.on('bulk', (e) => {
      if (e.state === 'queued') for (const id of this.reopenable()) this.reopen(id);
    });
  }

  /** Follows the queue's changes, and takes up deliveries a crash or a stop interrupted. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.engine.queue.changes.on('task', (t) => {
      if (isTerminal(t.state)) this.touchTask(t.id);
    });
    this.engine.queue.changes.on('bulk', (e) => {
      if (!isTerminal(e.state)) return;
      const seen = new Set<number>();
      for (const id of e.ids) {
        const d = this.deliveryOfTask(id);
        if (d !== null && !seen.has(d)) {
          seen.add(d);
          this.schedule(d);
        }
      }
    });
    removeStagingLeftovers(this.db);
    for (const id of this.openIds()) {
      // The zip of an earlier run was left unfinished: it is written again from the start
      // (unless it was finished and being placed: see `recoverZipPlacing`).
      unzipAll(this.db, id);
      this.schedule(id);
    }
  }

  /**
   * While another process runs the queue: each time it writes, the deliveries it moved are sent as
   * they are now (open ones, and those that ended since the last look: a small one may start and
   * end between two).
   */
  followOthers(): void {
    if (this.shownOthers) return;
    this.othersLookedAt = Date.now();
    this.shownOthers = new Map(this.openIds().map((id) => [id, JSON.stringify(this.get(id))]));
    this.engine.queue.changes.on('external', () => this.showOthers());
  }

  private showOthers(): void {
    const shown = this.shownOthers!;
    const startedAt = Date.now();
    // Further back than a write waits for SQLite's lock, as the queue's own look does.
    const since = this.othersLookedAt - 10_000;
    for (const id of this.idsOpenOrEndedSince(since)) if (!shown.has(id)) shown.set(id, '');
    for (const [id, last] of shown) {
      const view = this.get(id);
      const text = JSON.stringify(view);
      if (text !== last) this.emit('delivery', view);
      if (view.state !== 'running' && view.state !== 'assembling' && (view.completedAt === null || view.completedAt < since)) shown.delete(id);
      else shown.set(id, text);
    }
    this.othersLookedAt = startedAt;
  }

  /** Waits for the zips being written; an unfinished one is taken up again on the next start. */
  async stop(): Promise<void> {
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = null;
    await Promise.allSettled([...this.chains.values()]);
    for (const w of this.writers.values()) await w.abort();
    this.writers.clear();
  }

  list(): DeliveryView[] {
    const rows = this.db.prepare('SELECT * FROM deliveries ORDER BY id').all() as DeliveryRow[];
    return rows.map((r) => this.view(r));
  }

  /** Deliveries still downloading or being zipped, and those that ended at or after `since` (ms). */
  private idsOpenOrEndedSince(since: number): number[] {
    return (
      this.db
        .prepare("SELECT id FROM deliveries WHERE state IN ('running', 'assembling') OR completed_at >= ? ORDER BY id")
        .all(since) as { id: number }[]
    ).map((r) => r.id);
  }

  /** Deliveries still downloading or being zipped. */
  openIds(): number[] {
    return (this.db.prepare("SELECT id FROM deliveries WHERE state IN ('running', 'assembling') ORDER BY id").all() as { id: number }[]).map((r) => r.id);
  }

  get(id: number): DeliveryView {
    return this.view(this.row(id));
  }

  /** Resolves when the delivery has completed, failed or was canceled. */
  whenSettled(id: number): Promise<DeliveryView> {
    const ended = (state: DeliveryState): boolean => state === 'completed' || state === 'canceled' || state === 'failed';
    const now = this.get(id);
    if (ended(now.state)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const on = (d: DeliveryView): void => {
        if (d.id === id && ended(d.state)) {
          this.off('delivery', on);
          resolve(d);
        }
      };
      this.on('delivery', on);
    });
  }

  /** Cancels every download of the delivery; the zip being written is removed, downloaded files are kept. */
  async cancel(id: number): Promise<DeliveryView> {
    const d = this.row(id);
    if (d.state === 'completed' || d.state === 'canceled') {
      throw new CartageError('illegal_transition', `The delivery "${d.name}" has already ${d.state === 'completed' ? 'completed' : 'been canceled'}.`);
    }
    if (d.placing) throw this.finished(d);
    const tasks = this.taskIds(id);
    const moved = this.db.transaction(() => {
      // Not a zip being placed: it is finished, and a cancel cannot undo it.
      const changed = moveDelivery(this.db, id, ['running', 'assembling', 'failed'], 'canceled', { completedAt: Date.now() }, { notPlacing: true });
      if (changed && d.kind === 'zip') this.engine.queue.seal(tasks);
      return changed;
    })();
    if (!moved) {
      const now = this.row(id);
      if (now.placing) throw this.finished(now);
      return this.get(id);
    }
    // Only rows change here: the engine hears the cancel and stops the transfers (ended files stay as they are).
    this.engine.queue.control(tasks, 'cancel');
    // The zip goes first: an append under way stops now instead of finishing gigabytes for nothing.
    await this.writers.get(id)?.abort();
    this.writers.delete(id);
    await this.chains.get(id);
    // A pass that was opening the zip as the cancel came has ended since: what it opened goes too.
    await this.writers.get(id)?.abort();
    this.writers.delete(id);
    // A file that was being placed in the staging folder is placed before the folder goes.
    await this.engine.whenLetGo(tasks);
    removeStaging(this.db, id, d.staging_dir);
    const view = this.get(id);
    this.emit('delivery', view);
    return view;
  }

  private finished(d: DeliveryRow): CartageError {
    return new CartageError('illegal_transition', `The zip "${d.name}" is finished and being saved as ${d.placing ?? d.zip_path}; it was kept, not canceled.`);
  }

  /** Queues the delivery's failed files again; a delivery whose zip failed is written again. */
  retry(id: number): number[] {
    const d = this.row(id);
    if (d.state === 'failed') {
      moveDelivery(this.db, id, ['failed'], 'running', { error: null });
      unzipAll(this.db, id);
    } else if (d.state !== 'running') {
      throw new CartageError('illegal_transition', `The delivery "${d.name}" has ${d.state === 'canceled' ? 'been canceled' : 'completed'}; add the failed files to the list again to fetch them.`);
    }
    const failed = this.items(id).flatMap((i) => [i.t_state === 'failed' ? i.task_id : null, i.m_state === 'failed' ? i.m_id : null]).filter((x): x is number => x !== null);
    const ids = failed.length ? this.engine.queue.control(failed, 'retry').map((t) => t.id) : [];
    this.schedule(id);
    return ids;
  }

  /** The zip a task's file goes into (its own file is only a staging copy), or null. */
  zipOfTask(taskId: number): string | null {
    const d = this.deliveryOfTask(taskId);
    if (d === null) return null;
    const row = this.db.prepare("SELECT name FROM deliveries WHERE id = ? AND kind = 'zip'").get(d) as { name: string } | undefined;
    return row?.name ?? null;
  }

  /**
   * The list entries of a finished delivery's files that did not arrive (failed, skipped, canceled),
   * as they were when checked out, to put them back on the list.
   */
  notArrived(id: number): { name: string; rows: CartRow[] } {
    const d = this.row(id);
    if (d.state !== 'completed' && d.state !== 'canceled') {
      throw new CartageError(
        'illegal_transition',
        d.state === 'failed' ? `The zip "${d.name}" could not be written: try it again instead.` : `"${d.name}" is still downloading; its files can go back on the list once it has finished or been canceled.`,
      );
    }
    // A canceled zip was removed with the files it had taken: none of its files arrived.
    const all = d.kind === 'zip' && d.state === 'canceled' ? 1 : 0;
    const rows = this.db
      .prepare(
        `SELECT di.cart_item FROM delivery_items di JOIN tasks t ON t.id = di.task_id LEFT JOIN tasks m ON m.id = di.motion_task_id
         WHERE di.delivery_id = ? AND (? = 1 OR t.state != 'completed' OR (m.id IS NOT NULL AND m.state != 'completed')) ORDER BY di.id`,
      )
      .pluck()
      .all(id, all) as (string | null)[];
    if (rows.length === 0) throw new CartageError('not_found', `Every file of "${d.name}" arrived; there is nothing to put back on the list.`);
    if (rows.some((r) => r === null)) {
      throw new CartageError('not_found', `"${d.name}" was checked out by an older Cartage, which did not keep its list entries: add its missing files again from Browse.`);
    }
    return { name: d.name, rows: rows.map((r) => JSON.parse(r!) as CartRow) };
  }

  /** A delivery of files that had completed has a file to fetch again (a retry, the network back): it runs again. */
  private reopen(id: number | null): void {
    if (id === null) return;
    if (moveDelivery(this.db, id, ['completed'], 'running', { completedAt: null }, { kind: 'files' })) this.emit('delivery', this.get(id));
  }

  /** Completed deliveries of files with a file queued again. */
  private reopenable(): number[] {
    const rows = this.db
      .prepare(
        `SELECT d.id FROM deliveries d WHERE d.kind = 'files' AND d.state = 'completed' AND EXISTS (
           SELECT 1 FROM delivery_items di JOIN tasks t ON t.id = di.task_id OR t.id = di.motion_task_id
           WHERE di.delivery_id = d.id AND t.state = 'queued')`,
      )
      .all() as { id: number }[];
    return rows.map((r) => r.id);
  }

  private touchTask(taskId: number): void {
    const d = this.deliveryOfTask(taskId);
    if (d !== null) this.schedule(d);
  }

  /** Every task of a delivery: one per file, two for a live photo. */
  private taskIds(id: number): number[] {
    return this.items(id).flatMap((i) => [i.task_id, ...(i.m_id !== null ? [i.m_id] : [])]);
  }

  /** The delivery a task's file is part of, or null. */
  deliveryOfTask(taskId: number): number | null {
    const row = (prepared(this.db, 'SELECT delivery_id FROM delivery_items WHERE task_id = ?').get(taskId) ??
      prepared(this.db, 'SELECT delivery_id FROM delivery_items WHERE motion_task_id = ?').get(taskId)) as { delivery_id: number } | undefined;
    return row?.delivery_id ?? null;
  }

  /**
   * One check at a time per delivery, in order: zip entries are appended one after another. Checks
   * asked for while one waits are one check: a burst of finished files costs one pass, not one each.
   */
  private schedule(id: number): void {
    if (this.waiting.has(id)) return;
    this.waiting.add(id);
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev
      .then(() => {
        this.waiting.delete(id);
        return this.advance(id);
      })
      .catch((err: unknown) => this.fail(id, err));
    this.chains.set(id, next);
  }

  /** A running delivery's progress goes out at most four times a second (it costs a pass over its files). */
  private emitSoon(id: number): void {
    this.pendingEmits.add(id);
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      const ids = [...this.pendingEmits];
      this.pendingEmits.clear();
      for (const d of ids) {
        const view = this.get(d);
        if (view.state === 'running' || view.state === 'assembling') this.emit('delivery', view);
      }
    }, 250);
    this.emitTimer.unref();
  }

  /** The zip could not be written: the delivery says why and waits for a retry; its downloaded files stay. */
  private async fail(id: number, err: unknown): Promise<void> {
    const message = err instanceof CartageError ? err.message : `The zip could not be written: ${(err as Error).message}`;
    this.log.error(`delivery #${id}: ${message}`);
    await this.writers.get(id)?.abort();
    this.writers.delete(id);
    if (moveDelivery(this.db, id, openDeliveryStates, 'failed', { error: message })) this.emit('delivery', this.get(id));
  }

  private isOpen(id: number): boolean {
    const state = (this.db.prepare('SELECT state FROM deliveries WHERE id = ?').get(id) as { state: DeliveryState } | undefined)?.state;
    return state === 'running' || state === 'assembling';
  }

  private async advance(id: number): Promise<void> {
    const d = this.row(id);
    if (d.state !== 'running' && d.state !== 'assembling') return;
    if (d.kind === 'zip' && d.placing) {
      const placed = await recoverZipPlacing(this.db, d);
      if (placed !== null) {
        this.complete(d, placed);
        return;
      }
    }
    if (d.kind === 'zip') {
      // A live photo goes in whole: both parts, or (when one failed) neither. Files that finish
      // while others are appended are taken in the same pass.
      const readyNow = this.db.prepare(readySql);
      for (let ready = readyNow.all(id) as ReadyRow[]; ready.length > 0; ready = readyNow.all(id) as ReadyRow[]) {
        for (const item of ready) {
          if (!this.isOpen(id)) return;
          const writer = await this.writer(d);
          await writer.add(item.t_path, item.entry_name);
          if (item.m_path && item.motion_entry) await writer.add(item.m_path, item.motion_entry);
          markZipped(this.db, item.id);
        }
      }
    }
    if (this.db.prepare(unfinishedSql).get(id)) {
      this.emitSoon(id);
      return;
    }
    let target = d.zip_path;
    if (d.kind === 'zip') {
      if (!this.isOpen(id)) return;
      // Already assembling when taken up after a crash: it stays so.
      moveDelivery(this.db, id, ['running'], 'assembling');
      const zipped = (this.db.prepare('SELECT count(*) AS n FROM delivery_items WHERE delivery_id = ? AND zipped = 1').get(id) as { n: number }).n;
      const writer = this.writers.get(id);
      if (zipped > 0 && writer) {
        target = (await writer.finish((candidate, bytes) => intendPlacing(this.db, id, candidate, bytes))).path;
      } else {
        // Nothing arrived: no empty zip is left behind.
        await writer?.abort();
        target = null;
      }
      this.writers.delete(id);
    }
    this.complete(d, target);
  }

  /** Records the delivery completed (its zip at `target`), or canceled when every file was, then removes its staging folder. */
  private complete(d: DeliveryRow, target: string | null): void {
    const id = d.id;
    // Completed before the staging folder goes: a crash in between leaves only files to tidy (at the
    // next start), not a zip to redo. A zip's files are sealed in the same transaction: none of them
    // can be retried into it any more.
    // Every file canceled (the person canceled them all, one by one or with "Cancel all"): the delivery was canceled, not done.
    const ended: DeliveryState = this.db.prepare(notAllCanceledSql).get(id) ? 'completed' : 'canceled';
    this.db.transaction(() => {
      moveDelivery(this.db, id, openDeliveryStates, ended, { completedAt: Date.now(), zipPath: target, placing: null, placingBytes: null });
      // The zip is written: its files that failed can no longer go into it.
      if (d.kind === 'zip') this.engine.queue.seal(this.taskIds(id));
    })();
    if (d.kind === 'zip') removeStaging(this.db, id, d.staging_dir);
    const view = this.get(id);
    this.log.info(`delivery #${id} "${d.name}" ${ended}: ${view.progress.done} of ${view.files} files${view.progress.failed ? `, ${view.progress.failed} failed` : ''}`);
    this.emit('delivery', view);
  }

  private async writer(d: DeliveryRow): Promise<ZipWriter> {
    let w = this.writers.get(d.id);
    if (!w) {
      w = await ZipWriter.open(d.zip_path!);
      this.writers.set(d.id, w);
    }
    return w;
  }

  private row(id: number): DeliveryRow {
    const row = this.db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
    if (!row) throw new CartageError('not_found', `There is no delivery ${id} (see "cartage deliveries").`);
    return row;
  }

  private items(id: number): ItemRow[] {
    return this.db.prepare(itemsSql).all(id) as ItemRow[];
  }

  private view(d: DeliveryRow): DeliveryView {
    return toDeliveryView(d, this.items(d.id));
  }
}
