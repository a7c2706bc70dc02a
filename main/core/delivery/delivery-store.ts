/**
 * The one writer of the delivery tables: a delivery's row is created here, and its state moves only
 * through `moveDelivery`, checked against the transitions table of `delivery-states.ts`.
 */
import type { DeliveryKind } from '../../../preload/domain.js';
import type { Db } from '../db/connection.js';
import type { Layout } from './layout.js';
import { assertDeliveryMove, type DeliveryState } from './delivery-states.js';

/** The fields that change with a move. */
export interface DeliveryPatch {
  error?: string | null;
  completedAt?: number | null;
  zipPath?: string | null;
  placing?: string | null;
  placingBytes?: number | null;
}

/** Conditions a move needs besides the state the row is in. */
export interface MoveGuard {
  /** Only a delivery of this kind moves. */
  kind?: DeliveryKind;
  /** Only a delivery whose zip is not being placed moves (a finished zip cannot be undone). */
  notPlacing?: boolean;
}

const columns: Record<keyof DeliveryPatch, string> = {
  error: 'error',
  completedAt: 'completed_at',
  zipPath: 'zip_path',
  placing: 'placing',
  placingBytes: 'placing_bytes',
};

/**
 * Moves a delivery that is in one of `from` to `to`, with the fields that change with it. A move the
 * table does not allow throws; a delivery that has left `from` meanwhile (a cancel won the race) is
 * left as it is, and the answer is false.
 */
export function moveDelivery(db: Db, id: number, from: readonly DeliveryState[], to: DeliveryState, patch: DeliveryPatch = {}, guard: MoveGuard = {}): boolean {
  for (const f of from) assertDeliveryMove(id, f, to);
  const keys = (Object.keys(patch) as (keyof DeliveryPatch)[]).filter((k) => patch[k] !== undefined);
  const sets = ['state = ?', ...keys.map((k) => `${columns[k]} = ?`)].join(', ');
  const where = [
    'id = ?',
    `state IN (${from.map(() => '?').join(', ')})`,
    ...(guard.kind ? ['kind = ?'] : []),
    ...(guard.notPlacing ? ['placing IS NULL'] : []),
  ].join(' AND ');
  const values = [to, ...keys.map((k) => patch[k] ?? null), id, ...from, ...(guard.kind ? [guard.kind] : [])];
  return db.prepare(`UPDATE deliveries SET ${sets} WHERE ${where}`).run(...values).changes === 1;
}

/** What a checkout records of a new delivery. */
export interface NewDelivery {
  name: string;
  kind: DeliveryKind;
  dir: string;
  layout: Layout;
  zipPath: string | null;
  files: number;
  bytes: number;
}

/** Records a new delivery, running; returns its id. */
export function createDelivery(db: Db, d: NewDelivery): number {
  return Number(
    db
      .prepare(
        `INSERT INTO deliveries (name, kind, dir, layout, state, zip_path, staging_dir, files, bytes, created_at)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(d.name, d.kind, d.dir, d.layout, d.zipPath, null, d.files, d.bytes, Date.now()).lastInsertRowid,
  );
}

/** One file of a delivery: its task (and its video's, for a live photo) and its names in a zip. */
export interface NewDeliveryItem {
  taskId: number;
  motionTaskId: number | null;
  entry: string;
  motionEntry: string | null;
  /** The list entry as it was stored, to put it back if its file does not arrive. */
  cartItem: string;
}

/** Ties a delivery's files to their tasks. */
export function linkDeliveryItems(db: Db, deliveryId: number, items: readonly NewDeliveryItem[]): void {
  const link = db.prepare('INSERT INTO delivery_items (delivery_id, task_id, motion_task_id, entry_name, motion_entry, cart_item) VALUES (?, ?, ?, ?, ?, ?)');
  for (const i of items) link.run(deliveryId, i.taskId, i.motionTaskId, i.entry, i.motionEntry, i.cartItem);
}

/** Records (or forgets, with null) a delivery's own staging folder. */
export function setStaging(db: Db, id: number, dir: string | null): void {
  db.prepare('UPDATE deliveries SET staging_dir = ? WHERE id = ?').run(dir, id);
}

/** Says in the row where the finished zip is about to be placed; false once the delivery has left running/assembling. */
export function intendPlacing(db: Db, id: number, candidate: string, bytes: number): boolean {
  return db.prepare("UPDATE deliveries SET placing = ?, placing_bytes = ? WHERE id = ? AND state IN ('running', 'assembling')").run(candidate, bytes, id).changes === 1;
}

/** Forgets where a zip was to be placed: it is written again. */
export function forgetPlacing(db: Db, id: number): void {
  db.prepare('UPDATE deliveries SET placing = NULL, placing_bytes = NULL WHERE id = ?').run(id);
}

/** Records that an item's files are in the zip. */
export function markZipped(db: Db, itemId: number): void {
  db.prepare('UPDATE delivery_items SET zipped = 1 WHERE id = ?').run(itemId);
}

/** Every item of a zip is to be appended again (its zip is written from the start); a delivery of files is left alone. */
export function unzipAll(db: Db, id: number): void {
  db.prepare("UPDATE delivery_items SET zipped = 0 WHERE delivery_id = ? AND (SELECT kind FROM deliveries WHERE id = ?) = 'zip'").run(id, id);
}
