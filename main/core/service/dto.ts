// Core objects as the contract's DTOs (preload/api.ts): dates as ISO strings, no secret, no
// download address. Everything the renderer sees passes through one of these functions.
import type {
  AccessDto,
  AddOutcomeDto,
  CartDto,
  CartItemDto,
  DeliveryDto,
  FileDto,
  FolderDto,
  ListingDto,
  QueueTotalsDto,
  SettingsDto,
  SourceDto,
  TaskDto,
} from '../../../preload/api.js';
import type { AddOutcome, CartItem, CartView } from '../cart/cart.js';
import type { DeliveryView } from '../delivery/deliveries.js';
import type { TaskProgress } from '../engine/engine.js';
import type { ErrorInfo } from '../errors.js';
import { defaultDownloadDir } from '../paths.js';
import type { QueueTotals } from '../queue/queue.js';
import type { Task } from '../queue/task.js';
import type { Settings } from '../settings.js';
import { summarize } from '../sources/tree.js';
import type { SourceRecord } from '../sources/registry.js';
import type { Access, Listing, RemoteFile, RemoteFolder } from '../sources/types.js';

/** A link for people, never with a user name or password in it (one typed into an address stays in memory). */
export function safeLink(href: string): string {
  try {
    const url = new URL(href);
    if (!url.username && !url.password) return href;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return href;
  }
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

export function errorDto(error: ErrorInfo | null): TaskDto['error'] {
  return error ? { code: error.code, message: error.message } : null;
}

export function sourceDto(s: SourceRecord): SourceDto {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    url: safeLink(s.url),
    username: s.username,
    sharedLink: s.auth.startsWith('share'),
    certificate: s.certificate?.fingerprint256 ?? null,
  };
}

function accessDto(a: Access): AccessDto {
  return { downloadable: a.downloadable, restriction: a.restriction, reason: a.reason };
}

export function fileDto(f: RemoteFile): FileDto {
  return {
    id: f.id,
    name: f.name,
    folder: f.folder,
    size: f.size,
    modified: iso(f.modified),
    takenAt: iso(f.takenAt),
    contentType: f.contentType,
    group: f.group,
    href: safeLink(f.href),
    access: accessDto(f.access),
    motion: f.motion ? { id: f.motion.id, name: f.motion.name, size: f.motion.size } : null,
  };
}

function folderDto(f: RemoteFolder): FolderDto {
  return { path: f.path, name: f.name, modified: iso(f.modified), count: f.count ?? null, ...(f.bytes != null ? { bytes: f.bytes } : {}) };
}

export function listingDto(sourceId: number, listing: Listing): ListingDto {
  const s = summarize(listing);
  return {
    sourceId,
    folder: listing.folder,
    folders: listing.folders.map(folderDto),
    files: listing.files.map(fileDto),
    summary: { files: s.files, bytes: s.bytes, unknownSizes: s.unknownSizes },
  };
}

function cartItemDto(i: CartItem): CartItemDto {
  return {
    id: i.id,
    sourceName: i.sourceName,
    name: i.name,
    folder: i.folder,
    href: safeLink(i.href),
    size: i.size,
    takenAt: iso(i.takenAt),
    group: i.group,
    access: accessDto(i.access),
    motion: i.motion ? { name: i.motion.name, size: i.motion.size } : null,
    addedAt: i.addedAt,
  };
}

export function cartDto(view: CartView): CartDto {
  return { items: view.items.map(cartItemDto), totals: { ...view.totals }, limit: view.limit, locked: view.locked };
}

export function addOutcomeDto(o: AddOutcome): AddOutcomeDto {
  return { added: o.added, alreadyThere: o.alreadyThere, restricted: o.restricted, message: o.message };
}

export function deliveryDto(d: DeliveryView, live: (taskId: number) => TaskProgress | undefined = () => undefined): DeliveryDto {
  let speed = 0;
  let running = 0;
  // The rows hold bytes recorded every few MB; running downloads are counted as the engine last saw them.
  let bytesDone = d.progress.bytesDone;
  for (const a of d.active) {
    const p = live(a.taskId);
    if (p) {
      speed += p.speed;
      running += 1;
      bytesDone += Math.max(0, p.bytes - a.bytes);
    }
  }
  const left = Math.max(0, d.progress.bytesTotal - bytesDone);
  return {
    speed: running ? speed : null,
    eta: running && speed > 0 ? Math.round((left / speed) * 1000) : null,
    id: d.id,
    name: d.name,
    kind: d.kind,
    layout: d.layout,
    state: d.state,
    target: d.target,
    files: d.files,
    createdAt: d.createdAt,
    completedAt: d.completedAt,
    error: d.error,
    progress: { ...d.progress, bytesDone },
    failures: d.failures.map((f) => ({ taskId: f.taskId, name: f.name, error: errorDto(f.error) })),
  };
}

/** A task; `live` is what the engine's last progress snapshot said of it while it runs. */
export function taskDto(t: Task, live?: TaskProgress, zip: string | null = null): TaskDto {
  const running = t.state === 'active' && live !== undefined;
  return {
    id: t.id,
    name: t.name,
    state: t.state,
    path: t.finalPath,
    bytes: running ? live.bytes : t.bytesOnDisk,
    total: (running ? live.total : null) ?? t.totalBytes ?? t.expectedBytes,
    speed: running ? live.speed : null,
    eta: running && live.etaMs !== null ? Math.round(live.etaMs) : null,
    error: errorDto(t.error),
    zip,
    retryable: (t.state === 'failed' || t.state === 'skipped') && !t.sealed,
  };
}

export function totalsDto(t: QueueTotals): QueueTotalsDto {
  return { counts: { ...t.counts }, bytesDone: t.bytesDone, bytesTotal: t.bytesTotal };
}

export function settingsDto(s: Settings): SettingsDto {
  return {
    downloadDir: s.downloadDir || defaultDownloadDir(),
    maxConcurrent: s.maxConcurrent,
    maxPerHost: s.maxPerHost,
    maxPerGroup: s.maxPerGroup,
    connections: s.connections,
    speedLimit: s.speedLimit,
    conflictPolicy: s.conflictPolicy,
    cartLimit: s.cartLimit,
    keepRunningInTray: s.keepRunningInTray,
    theme: s.theme,
    synapseRemoveDelivered: s.synapseRemoveDelivered,
    imagePreviews: s.imagePreviews,
  };
}
