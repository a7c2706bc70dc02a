import path from 'node:path';
import type { CheckoutPlanDto } from '../../../preload/api.js';
import type { DeliveryKind } from '../../../preload/domain.js';
import type { Db } from '../db/connection.js';
import { createDelivery, linkDeliveryItems, setStaging } from '../delivery/delivery-store.js';
import { layoutFolders, type Layout } from '../delivery/layout.js';
import { zipEntryName } from '../delivery/zip-names.js';
import { CartageError } from '../errors.js';
import { safeFileName } from '../naming.js';
import type { TaskQueue } from '../queue/queue.js';
import type { TaskSpec } from '../queue/task.js';
import type { SettingsStore } from '../settings.js';
import { freeBytes } from '../util/disk.js';
import { assertWritableFolder } from '../util/folders.js';
import { formatBytes } from '../util/format.js';
import { lockedMessage, type Cart, type CartItem } from './cart.js';
import { isHeldElsewhere } from './lock.js';

export interface CheckoutRequest {
  kind: DeliveryKind;
  /** The folder the files go under, or the zip is written in. */
  dir: string;
  /** The zip's name (".zip" added when missing); for files, a folder made in `dir` for them (none: straight into `dir`). */
  name?: string;
  layout: Layout;
}

/** What the person sees before starting: the contract's plan, which the core makes as it is shown. */
export type CheckoutPlan = CheckoutPlanDto;

/** The steps of the checkout transaction, named so tests can make each one fail. */
export const checkoutSteps = ['lock', 'delivery', 'tasks', 'remove', 'release'] as const;
export type CheckoutStep = (typeof checkoutSteps)[number];

export interface CheckoutDeps {
  db: Db;
  cart: Cart;
  queue: TaskQueue;
  settings: SettingsStore;
}

/** Counts the delivery, the files left behind, and the free space at the target. Changes nothing. */
export function planCheckout(cart: Cart, req: CheckoutRequest): CheckoutPlan {
  const dir = targetDir(req);
  const view = cart.view();
  const going = view.items.filter((i) => i.access.downloadable);
  const staying = view.items.filter((i) => !i.access.downloadable).map((i) => ({ id: i.id, name: i.name, reason: i.access.reason ?? 'It cannot be downloaded.' }));
  const name = deliveryName(req, dir);
  let bytes = 0;
  let unknownSizes = 0;
  for (const i of going) {
    if (i.size === null) unknownSizes += 1;
    else bytes += i.size;
  }
  return {
    kind: req.kind,
    target: req.kind === 'zip' ? path.join(dir, name) : dir,
    name,
    layout: req.layout,
    files: going.length,
    bytes,
    unknownSizes,
    staying,
    freeBytes: freeSpace(dir),
    neededBytes: req.kind === 'zip' ? bytes * 2 : bytes,
  };
}

/**
 * Checks the list out in one SQLite transaction: lock the list, create the delivery with every
 * downloadable file, queue its tasks, take those files out of the list, release the lock. If any
 * step fails, all of it is rolled back: the list as it was, no delivery, no task.
 */
export function checkout(deps: CheckoutDeps, req: CheckoutRequest, options: { failAt?: CheckoutStep } = {}): { deliveryId: number; plan: CheckoutPlan } {
  const plan = planCheckout(deps.cart, req);
  if (plan.files === 0) {
    throw new CartageError(
      'bad_input',
      plan.staying.length
        ? `None of the ${plan.staying.length} files in the list can be downloaded (${plan.staying[0]!.reason}); nothing was checked out.`
        : 'The download list is empty: add files first.',
    );
  }
  // Made and written once now: a folder that cannot be is refused before anything is queued.
  assertWritableFolder(path.resolve(req.dir), 'choose another folder');
  if (plan.freeBytes < plan.neededBytes) {
    throw new CartageError(
      'disk_full',
      `${plan.target} needs ${formatBytes(plan.neededBytes)}${plan.kind === 'zip' ? ' (the files, and the zip until it is complete)' : ''} but only ${formatBytes(plan.freeBytes)} is free there: free some space or choose another folder. Nothing was checked out.`,
    );
  }
  const step = (name: CheckoutStep): void => {
    if (options.failAt === name) throw new Error(`checkout failed at the "${name}" step (forced by a test)`);
  };
  const dir = targetDir(req);
  const { db, queue } = deps;
  const run = db.transaction(() => {
    // 1. Lock the list: edits from now on are refused.
    step('lock');
    const held = db.prepare('SELECT pid FROM cart_lock WHERE id = 1').get() as { pid: number } | undefined;
    if (held && isHeldElsewhere(held.pid)) throw new CartageError('engine_busy', lockedMessage);
    db.prepare('INSERT OR REPLACE INTO cart_lock (id, pid, since) VALUES (1, ?, ?)').run(process.pid, Date.now());

    // 2. The delivery, with every file that has no unmet restriction.
    step('delivery');
    if (req.kind === 'zip' && db.prepare("SELECT 1 FROM deliveries WHERE zip_path = ? AND state IN ('running', 'assembling', 'failed')").get(plan.target)) {
      throw new CartageError('already_exists', `${plan.name} is already being written in ${dir}: choose another name, or wait for it to finish.`);
    }
    const items = deps.cart.view().items.filter((i) => i.access.downloadable);
    const deliveryId = createDelivery(db, {
      name: plan.name,
      kind: req.kind,
      dir,
      layout: req.layout,
      zipPath: req.kind === 'zip' ? plan.target : null,
      files: items.length,
      bytes: plan.bytes,
    });
    // Its own staging folder: two deliveries never share (or delete) each other's files.
    const staging = req.kind === 'zip' ? path.join(dir, `.${plan.name}.cartage-${deliveryId}`) : null;
    if (staging) setStaging(db, deliveryId, staging);

    // 3. Its download job: a task per file (two for a live photo), tied to the delivery.
    step('tasks');
    const entries = new Set<string>();
    const planned = items.map((item) => placeItem(item, req, dir, staging, entries));
    const specs = planned.flatMap((p) => p.specs);
    // Staged files of a zip never meet the person's files, so they are numbered, never overwritten.
    const ids = queue.enqueue(specs, req.kind === 'zip' ? 'rename' : deps.settings.get().conflictPolicy);
    // Each entry as stored, to be put back on the list as it was if its file does not arrive.
    const stored = new Map((db.prepare('SELECT * FROM cart_items').all() as { id: number }[]).map((r) => [r.id, JSON.stringify(r)]));
    let at = 0;
    linkDeliveryItems(
      db,
      deliveryId,
      planned.map((p, i) => ({
        taskId: ids[at++]!,
        motionTaskId: p.specs.length > 1 ? ids[at++]! : null,
        entry: p.entry,
        motionEntry: p.motionEntry,
        cartItem: stored.get(items[i]!.id)!,
      })),
    );

    // 4. The delivered files leave the list; the others stay, with their reasons.
    step('remove');
    const del = db.prepare('DELETE FROM cart_items WHERE id = ?');
    for (const item of items) del.run(item.id);

    // 5. Release the list.
    step('release');
    db.prepare('DELETE FROM cart_lock WHERE id = 1').run();
    return deliveryId;
  });
  return { deliveryId: run.immediate(), plan };
}

/** Where a file goes: its task(s), and its entry name in a zip. */
function placeItem(item: CartItem, req: CheckoutRequest, dir: string, staging: string | null, entries: Set<string>) {
  const folders = layoutFolders(item, req.layout);
  const taskDir = staging ?? path.join(dir, ...folders);
  const spec = (url: string, name: string, size: number | null, checksum: CartItem['checksum']): TaskSpec => ({
    url,
    dir: taskDir,
    name,
    group: item.group,
    sourceRef: item.sourceKey === 'url' ? 'url' : `${item.sourceKey}:${item.remoteId}`,
    // Staged files are numbered, never overwritten or skipped, whatever the settings say.
    ...(staging ? { conflict: 'rename' as const } : {}),
    ...(size !== null ? { expectedBytes: size } : {}),
    ...(checksum ? { checksum } : {}),
  });
  const m = item.motion;
  const imageSize = item.size !== null && m ? item.size - (m.size ?? 0) : item.size;
  const specs = [spec(item.url, item.name, m ? (m.size === null ? null : imageSize) : item.size, item.checksum)];
  if (m) specs.push({ ...spec(m.url, m.name, m.size, m.checksum), sourceRef: `${item.sourceKey}:${m.id}` });
  const rel = [...folders, item.name].join('/');
  const entry = req.kind === 'zip' ? zipEntryName(rel, entries) : rel;
  const motionEntry = m ? (req.kind === 'zip' ? zipEntryName([...folders, m.name].join('/'), entries) : [...folders, m.name].join('/')) : null;
  return { specs, entry, motionEntry };
}

/** The folder the files land in (a named files delivery gets a folder of that name in `dir`), or the zip is written in. */
function targetDir(req: CheckoutRequest): string {
  const dir = path.resolve(req.dir);
  const name = req.kind === 'files' ? req.name?.trim() : undefined;
  return name ? path.join(dir, safeFileName(name)) : dir;
}

function deliveryName(req: CheckoutRequest, dir: string): string {
  if (req.kind === 'files') return path.basename(dir) || 'Download';
  const raw = (req.name ?? '').trim();
  if (!raw) throw new CartageError('bad_input', 'Name the zip (for example "Holidays 2024").');
  const safe = safeFileName(raw.toLowerCase().endsWith('.zip') ? raw : `${raw}.zip`);
  return safe;
}

/** Free bytes at the target (or its nearest existing parent); a target that cannot be used is refused. */
export function freeSpace(dir: string): number {
  try {
    return freeBytes(dir);
  } catch (err) {
    throw new CartageError('cannot_write', `Cannot use ${dir} as the target (${(err as NodeJS.ErrnoException).code ?? 'error'}): choose another folder.`);
  }
}
