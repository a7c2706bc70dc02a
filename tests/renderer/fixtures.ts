// Data shaped as the contract's DTOs, for component tests.
import type {
  CartDto,
  CartItemDto,
  CheckoutPlanDto,
  DeliveryDto,
  FileDto,
  ListingDto,
  MirrorDto,
  MirrorRunDto,
  QueueTotalsDto,
  SettingsDto,
  SourceDto,
  TaskDto,
} from '../../preload/api.js';
import type { Handlers } from './fakeBridge.js';
import { ok } from './fakeBridge.js';

export const settings: SettingsDto = {
  downloadDir: '/home/ann/Downloads',
  maxConcurrent: 6,
  maxPerHost: 6,
  maxPerGroup: 3,
  connections: 4,
  speedLimit: 0,
  conflictPolicy: 'rename',
  cartLimit: 100,
  keepRunningInTray: true,
  theme: 'system',
  synapseRemoveDelivered: true,
  imagePreviews: false,
};

export function item(id: number, over: Partial<CartItemDto> = {}): CartItemDto {
  return {
    id,
    sourceName: 'photos',
    name: `IMG_${id}.jpg`,
    folder: 'albums/summer',
    href: `https://photos.example.org/assets/${id}`,
    size: 2_400_000,
    takenAt: null,
    group: 'image',
    access: { downloadable: true, restriction: null, reason: null },
    motion: null,
    addedAt: 1_700_000_000_000 + id,
    ...over,
  };
}

export function cartOf(items: CartItemDto[], over: Partial<CartDto> = {}): CartDto {
  const restricted = items.filter((i) => !i.access.downloadable).length;
  return {
    items,
    totals: {
      files: items.length,
      bytes: items.reduce((sum, i) => sum + (i.size ?? 0), 0),
      unknownSizes: items.filter((i) => i.size === null).length,
      deliverable: items.length - restricted,
      restricted,
    },
    limit: 100,
    locked: false,
    ...over,
  };
}

export const photos: SourceDto = { id: 1, name: 'photos', kind: 'immich', url: 'https://photos.example.org', username: null, sharedLink: false, certificate: null };
export const nas: SourceDto = { id: 2, name: 'nas', kind: 'webdav', url: 'https://nas.example.org/dav/', username: 'ann', sharedLink: false, certificate: null };

export function file(name: string, folder: string, size: number | null = 1_000_000): FileDto {
  return {
    id: `${folder}/${name}`,
    name,
    folder,
    size,
    modified: null,
    takenAt: null,
    contentType: 'image/jpeg',
    group: 'image',
    href: `https://nas.example.org/dav/${folder}/${name}`,
    access: { downloadable: true, restriction: null, reason: null },
    motion: null,
  };
}

export function listing(sourceId: number, folder: string, folders: ListingDto['folders'], files: FileDto[]): ListingDto {
  return {
    sourceId,
    folder,
    folders,
    files,
    summary: { files: files.length, bytes: files.reduce((s, f) => s + (f.size ?? 0), 0), unknownSizes: files.filter((f) => f.size === null).length },
  };
}

export function task(id: number, over: Partial<TaskDto> = {}): TaskDto {
  return { id, name: `VID_${id}.mp4`, state: 'active', path: `/home/ann/Downloads/VID_${id}.mp4`, bytes: 0, total: 3_700_000, speed: null, eta: null, error: null, zip: null, retryable: over.state === 'failed' || over.state === 'skipped', ...over };
}

export function totals(over: Partial<QueueTotalsDto> = {}): QueueTotalsDto {
  return { counts: { queued: 0, active: 1, paused: 0, completed: 0, failed: 0, canceled: 0, skipped: 0 }, bytesDone: 0, bytesTotal: 3_700_000, ...over };
}

export function delivery(id: number, over: Partial<DeliveryDto> = {}): DeliveryDto {
  return {
    id,
    name: 'Summer 2024',
    kind: 'zip',
    layout: 'flat',
    state: 'running',
    target: '/home/ann/Downloads/Summer 2024.zip',
    files: 3,
    createdAt: 1_700_000_000_000,
    completedAt: null,
    error: null,
    progress: { done: 1, failed: 0, canceled: 0, pending: 2, bytesDone: 1_000_000, bytesTotal: 3_000_000 },
    speed: null,
    eta: null,
    failures: [],
    ...over,
  };
}

export function plan(over: Partial<CheckoutPlanDto> = {}): CheckoutPlanDto {
  return {
    kind: 'zip',
    target: '/home/ann/Downloads/Cartage.zip',
    name: 'Cartage',
    layout: 'flat',
    files: 12,
    bytes: 340_000_000,
    unknownSizes: 0,
    staying: [],
    freeBytes: 50_000_000_000,
    neededBytes: 340_000_000,
    ...over,
  };
}

export function mirrorRun(id: number, over: Partial<MirrorRunDto> = {}): MirrorRunDto {
  return {
    id,
    mirrorId: 1,
    state: 'completed',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_060_000,
    newFiles: 0,
    changed: 0,
    unchanged: 0,
    failed: 0,
    deleted: 0,
    bytes: 0,
    pending: 0,
    paused: 0,
    failures: [],
    deletions: [],
    error: null,
    ...over,
  };
}

export function mirror(id: number, over: Partial<MirrorDto> = {}): MirrorDto {
  return {
    id,
    source: 'photos',
    scope: 'photos:albums/summer',
    recursive: false,
    dir: '/home/ann/Pictures/Summer',
    layout: 'folders',
    everyMs: null,
    sidecars: false,
    applyDeletions: false,
    lastRun: null,
    nextRunAt: null,
    ...over,
  };
}

/** Answers for the first loads of the window: an empty list, no sources, default settings. */
export function baseHandlers(over: Handlers = {}): Handlers {
  return {
    'app.info': () => ok({ version: '0.1.0', dataDir: '/home/ann/.config/Cartage' }),
    'cart.get': () => ok(cartOf([])),
    'sources.list': () => ok([]),
    'settings.get': () => ok(settings),
    'tasks.list': () => ok({ tasks: [], totals: totals({ counts: { queued: 0, active: 0, paused: 0, completed: 0, failed: 0, canceled: 0, skipped: 0 }, bytesTotal: 0 }) }),
    'deliveries.list': () => ok([]),
    'mirrors.list': () => ok([]),
    'browser.status': () => ok([]),
    ...over,
  };
}
