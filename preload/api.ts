// THE contract between the renderer and main (see ARCHITECTURE.md and STYLE.md): every request
// channel with its zod input schema and result type, every event with its payload type. main,
// preload, renderer and the headless host (`cartage serve`) all import it; nothing else defines a
// channel. Keep it free of Node and Electron imports: the renderer type-checks against it with DOM
// types only. The WebSocket messages that carry it for `cartage serve` are in serve-wire.ts.
import { z } from 'zod';
import { eventNames, requestChannels, type EventName, type RequestChannel } from './channels.js';

export { eventNames, requestChannels, type EventName, type RequestChannel };
// The browser extension's messages to `cartage native-host`.
export * from './browser.js';
import { browserKinds, type BrowserKind } from './browser-limits.js';
import {
  deliveryKinds,
  layouts,
  mirrorLayouts,
  sourceKinds,
  type DeliveryKind,
  type DeliveryState,
  type Layout,
  type MirrorLayout,
  type SourceKind,
  type TaskGroup,
  type TaskState,
} from './domain.js';
export * from './domain.js';
import { cartLimits, conflictPolicies, connectionsPerFile, themes, transfersAtOnce } from './settings-limits.js';
export { cartLimits, conflictPolicies, connectionsPerFile, themes, transfersAtOnce };

export type { ApiErrorCode, ErrorCode, WireErrorCode } from './error-codes.js';
import type { ApiErrorCode } from './error-codes.js';

/** An error a person can read, with a code the UI can switch on. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /** Facts to build advice from (an untrusted certificate's fingerprint). */
  details?: Record<string, string>;
}

/** Every request is answered with this, never with a thrown error. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

// ---- Data the renderer sees. Dates are ISO strings, sizes bytes; no secret is ever in here.

export interface SourceDto {
  id: number;
  name: string;
  kind: SourceKind;
  url: string;
  username: string | null;
  sharedLink: boolean;
  /** SHA-256 fingerprint of the one certificate trusted for this source, if any. */
  certificate: string | null;
}

export interface AddedSourceDto {
  source: SourceDto;
  /** "Ann <ann@example.org>" for an Immich key, or a description of the shared link. */
  signedInAs: string | null;
}

export interface AccessDto {
  downloadable: boolean;
  restriction: string | null;
  reason: string | null;
}

export interface FileDto {
  id: string;
  name: string;
  folder: string;
  size: number | null;
  modified: string | null;
  takenAt: string | null;
  contentType: string | null;
  group: TaskGroup;
  href: string;
  access: AccessDto;
  /** A live photo's video: one item with two parts. */
  motion: { id: string; name: string; size: number | null } | null;
}

export interface FolderDto {
  path: string;
  name: string;
  modified: string | null;
  count: number | null;
  /** The total size of those files, when the source sums it (Synapse). */
  bytes?: number | null;
}

export interface SummaryDto {
  files: number;
  bytes: number;
  unknownSizes: number;
}

export interface ListingDto {
  sourceId: number;
  folder: string;
  folders: FolderDto[];
  files: FileDto[];
  summary: SummaryDto;
}

export interface QueryPreviewDto {
  /** The first matches, to show; `summary` counts all of them (every page). */
  files: FileDto[];
  summary: SummaryDto;
}

export interface CartItemDto {
  id: number;
  sourceName: string | null;
  name: string;
  folder: string;
  href: string;
  size: number | null;
  takenAt: string | null;
  group: FileDto['group'];
  access: AccessDto;
  motion: { name: string; size: number | null } | null;
  addedAt: number;
}

export interface CartDto {
  items: CartItemDto[];
  totals: { files: number; bytes: number; unknownSizes: number; deliverable: number; restricted: number };
  limit: number;
  locked: boolean;
}

export interface AddOutcomeDto {
  added: number;
  alreadyThere: number;
  restricted: number;
  message: string;
}

/** What the person sees before starting: what goes, what stays and why, and the room for it. */
export interface CheckoutPlanDto {
  kind: DeliveryKind;
  /** The zip file, or the folder the files go under. */
  target: string;
  name: string;
  layout: Layout;
  files: number;
  bytes: number;
  unknownSizes: number;
  staying: { id: number; name: string; reason: string }[];
  freeBytes: number;
  /** A zip needs room for its files and for itself until it is complete. */
  neededBytes: number;
}

export interface DeliveryDto {
  id: number;
  name: string;
  kind: DeliveryKind;
  layout: Layout;
  state: DeliveryState;
  target: string;
  files: number;
  /** Why it failed (its zip could not be written) and what to do; `deliveries.retry` writes it again. */
  error: string | null;
  createdAt: number;
  completedAt: number | null;
  progress: { done: number; failed: number; canceled: number; pending: number; bytesDone: number; bytesTotal: number };
  /** Bytes a second over its running downloads, and milliseconds left at that speed (null when idle). */
  speed: number | null;
  eta: number | null;
  failures: { taskId: number; name: string; error: ApiError | null }[];
}

/** The core's task states, as the window sees them. */
export type TaskStateDto = TaskState;

export interface TaskDto {
  id: number;
  name: string;
  state: TaskStateDto;
  /** Where the file is (or will be). */
  path: string;
  bytes: number;
  total: number | null;
  /** Bytes a second, while active. */
  speed: number | null;
  /** Milliseconds left, while active and the total is known. */
  eta: number | null;
  error: ApiError | null;
  /** The zip this file goes into (its path is then a staging copy, removed once the zip is written). */
  zip: string | null;
  /** False once the zip it was for is written or canceled: a retry could no longer put it anywhere. */
  retryable: boolean;
}

export interface QueueTotalsDto {
  counts: Record<TaskStateDto, number>;
  bytesDone: number;
  bytesTotal: number;
}

export interface SettingsDto {
  downloadDir: string;
  maxConcurrent: number;
  maxPerHost: number;
  maxPerGroup: number;
  /** Connections one large file is fetched over at once (1: never split). */
  connections: number;
  speedLimit: number;
  conflictPolicy: (typeof conflictPolicies)[number];
  cartLimit: number;
  keepRunningInTray: boolean;
  theme: (typeof themes)[number];
  /** A Synapse file Cartage delivered leaves the person's download list on synapse.org. */
  synapseRemoveDelivered: boolean;
  /** Previews of web and WebDAV images (each one is downloaded to show it); off unless asked. */
  imagePreviews: boolean;
}

/** A mirror run's report. */
export interface MirrorRunDto {
  id: number;
  mirrorId: number;
  state: 'enumerating' | 'downloading' | 'completed' | 'interrupted' | 'failed';
  startedAt: number;
  endedAt: number | null;
  newFiles: number;
  changed: number;
  unchanged: number;
  failed: number;
  deleted: number;
  bytes: number;
  /** Downloads still to finish. */
  pending: number;
  /** Of the pending downloads, those paused (the run waits for them). */
  paused: number;
  failures: { name: string; reason: string }[];
  deletions: { path: string; action: string }[];
  error: string | null;
}

/** A folder kept in step with a source scope. */
export interface MirrorDto {
  id: number;
  source: string;
  /** `SOURCE:PATH` or `SOURCE?FILTERS`, as the person gave it. */
  scope: string;
  recursive: boolean;
  dir: string;
  layout: MirrorLayout;
  everyMs: number | null;
  sidecars: boolean;
  applyDeletions: boolean;
  lastRun: MirrorRunDto | null;
  nextRunAt: number | null;
}

/** A browser the extension can reach Cartage from, and whether it can now. */
export interface BrowserHostDto {
  browser: BrowserKind;
  name: string;
  connected: boolean;
  /** The native host manifest written for it (null when not connected). */
  manifest: string | null;
}

export interface AppInfoDto {
  version: string;
  /** Where the queue, the list and the logs live. */
  dataDir: string;
}

// ---- Requests: the input main parses before it acts on anything the renderer sends.

const id = z.number().int().positive();
const ids = z.object({ ids: z.array(id).min(1).max(100_000) });
const none = z.object({}).strict();
const checkoutInput = z
  .object({
    kind: z.enum(deliveryKinds),
    dir: z.string().min(1).max(4096),
    name: z.string().max(255).optional(),
    layout: z.enum(layouts),
  })
  .strict();

export const requests = {
  'app.info': none,
  'sources.list': none,
  'sources.add': z
    .object({
      kind: z.enum(sourceKinds),
      url: z.string().min(1).max(4096),
      name: z.string().max(64).optional(),
      /** An Immich API key, or a Synapse personal access token (a JWT of a few thousand characters). */
      apiKey: z.string().max(8192).optional(),
      username: z.string().max(256).optional(),
      password: z.string().max(1024).optional(),
      /** The fingerprint the person saw and chose to trust. */
      trustFingerprint: z.string().max(200).optional(),
    })
    .strict(),
  /** Changes a source and keeps its id; fields left out (or blank) keep what the source had. */
  'sources.update': z
    .object({
      id,
      url: z.string().max(4096).optional(),
      name: z.string().max(64).optional(),
      apiKey: z.string().max(8192).optional(),
      username: z.string().max(256).optional(),
      password: z.string().max(1024).optional(),
      trustFingerprint: z.string().max(200).optional(),
    })
    .strict(),
  'sources.remove': z.object({ id }).strict(),
  'sources.browse': z.object({ sourceId: id, path: z.string().max(4096) }).strict(),
  'sources.query': z.object({ sourceId: id, query: z.string().max(4096), preview: z.number().int().min(0).max(1000).default(100) }).strict(),
  /** A photo's or video's small preview, fetched by main with the source's key (Immich's thumbnail; a web or WebDAV image itself). */
  'sources.thumbnail': z
    .object({
      sourceId: id,
      fileId: z.string().min(1).max(512),
      /** A web or WebDAV image's address (FileDto.href): its preview is the image itself, when the setting allows. */
      href: z.string().max(8192).optional(),
    })
    .strict(),
  'cart.get': none,
  'cart.add': z.object({ refs: z.array(z.string().min(1).max(8192)).min(1).max(10_000) }).strict(),
  'cart.remove': ids.strict(),
  'cart.clear': none,
  /** Brings a Synapse source's own download list into this one. */
  'cart.importSynapse': z.object({ sourceId: id }).strict(),
  'checkout.plan': checkoutInput,
  'checkout.start': checkoutInput,
  'deliveries.list': none,
  'deliveries.cancel': z.object({ id }).strict(),
  'deliveries.retry': z.object({ id }).strict(),
  /** The files of a finished delivery that did not arrive go back on the list, as they were. */
  'deliveries.putBack': z.object({ id }).strict(),
  'deliveries.reveal': z.object({ id }).strict(),
  'tasks.list': z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  'tasks.pause': ids.strict(),
  'tasks.resume': ids.strict(),
  'tasks.cancel': ids.strict(),
  'tasks.retry': ids.strict(),
  'tasks.pauseAll': none,
  'tasks.resumeAll': none,
  'tasks.cancelAll': none,
  'settings.get': none,
  'settings.update': z
    .object({
      downloadDir: z.string().min(1).max(4096),
      maxConcurrent: z.number().int().min(transfersAtOnce.min).max(transfersAtOnce.max),
      maxPerHost: z.number().int().min(transfersAtOnce.min).max(transfersAtOnce.max),
      maxPerGroup: z.number().int().min(transfersAtOnce.min).max(transfersAtOnce.max),
      connections: z.number().int().min(connectionsPerFile.min).max(connectionsPerFile.max),
      speedLimit: z.number().int().min(0),
      conflictPolicy: z.enum(conflictPolicies),
      cartLimit: z.number().int().min(cartLimits.min).max(cartLimits.max),
      keepRunningInTray: z.boolean(),
      theme: z.enum(themes),
      synapseRemoveDelivered: z.boolean(),
      imagePreviews: z.boolean(),
    })
    .partial()
    .strict(),
  'mirrors.list': none,
  'mirrors.add': z
    .object({
      /** `SOURCE[:PATH]` or `SOURCE?FILTERS`. */
      ref: z.string().min(1).max(8192),
      dir: z.string().min(1).max(4096),
      layout: z.enum(mirrorLayouts),
      recursive: z.boolean().default(false),
      everyHours: z.number().min(0.1).max(24 * 365).nullable().default(null),
      sidecars: z.boolean().default(false),
      applyDeletions: z.boolean().default(false),
    })
    .strict(),
  /** When it runs, sidecars and deletions; what it copies and where make it another mirror. */
  'mirrors.update': z
    .object({
      id,
      everyHours: z.number().min(0.1).max(24 * 365).nullable().optional(),
      sidecars: z.boolean().optional(),
      applyDeletions: z.boolean().optional(),
    })
    .strict(),
  'mirrors.run': z.object({ id }).strict(),
  'mirrors.pause': z.object({ id }).strict(),
  'mirrors.resume': z.object({ id }).strict(),
  'mirrors.remove': z.object({ id }).strict(),
  'links.open': z.object({ url: z.string().max(8192) }).strict(),
  'browser.status': none,
  /** Lets the extension in this browser reach Cartage (writes its native host manifest), or stops it. */
  'browser.connect': z.object({ browser: z.enum(browserKinds), connected: z.boolean() }).strict(),
} as const satisfies Record<RequestChannel, z.ZodType>;

/** What each request answers with. */
export interface Results {
  'app.info': AppInfoDto;
  'sources.list': SourceDto[];
  'sources.add': AddedSourceDto;
  'sources.update': AddedSourceDto;
  'sources.remove': null;
  'sources.browse': ListingDto;
  'sources.query': QueryPreviewDto;
  /** A data: URL (no address, no key): the page shows it without a network of its own. */
  'sources.thumbnail': { dataUrl: string };
  'cart.get': CartDto;
  'cart.add': AddOutcomeDto;
  'cart.remove': CartDto;
  'cart.clear': CartDto;
  'cart.importSynapse': AddOutcomeDto;
  'checkout.plan': CheckoutPlanDto;
  'checkout.start': { deliveryId: number; plan: CheckoutPlanDto };
  'deliveries.list': DeliveryDto[];
  'deliveries.cancel': DeliveryDto;
  'deliveries.retry': DeliveryDto;
  'deliveries.putBack': AddOutcomeDto;
  /** The path shown (the app opens the folder; a browser can only show the path). */
  'deliveries.reveal': { path: string };
  'tasks.list': { tasks: TaskDto[]; totals: QueueTotalsDto };
  'tasks.pause': TaskDto[];
  'tasks.resume': TaskDto[];
  'tasks.cancel': TaskDto[];
  'tasks.retry': TaskDto[];
  'tasks.pauseAll': { count: number };
  'tasks.resumeAll': { count: number };
  'tasks.cancelAll': { count: number };
  'settings.get': SettingsDto;
  'settings.update': SettingsDto;
  'mirrors.list': MirrorDto[];
  'mirrors.add': MirrorDto;
  'mirrors.update': MirrorDto;
  /** The run as it starts (listing done, downloads queued); its end comes as `mirrors.changed`. */
  'mirrors.run': MirrorRunDto;
  'mirrors.pause': MirrorRunDto;
  'mirrors.resume': MirrorRunDto;
  'mirrors.remove': null;
  'links.open': null;
  'browser.status': BrowserHostDto[];
  'browser.connect': BrowserHostDto[];
}

export type RequestInput<C extends RequestChannel> = z.input<(typeof requests)[C]>;
export type ParsedInput<C extends RequestChannel> = z.output<(typeof requests)[C]>;

// ---- Events: snapshots at most 5 a second; settled states (ended, or paused) at once.

export interface Events {
  /** Active downloads and the queue's totals (throttled). */
  'tasks.progress': { tasks: TaskDto[]; totals: QueueTotalsDto };
  /** A download reached a new state (sent at once for settled states). */
  'tasks.changed': TaskDto;
  'deliveries.changed': DeliveryDto;
  'cart.changed': CartDto;
  /** The whole queue paused itself (a full disk) and needs the person. */
  'queue.paused': ApiError;
  /** A mirror run progressed or ended (its report). */
  'mirrors.changed': MirrorRunDto;
}

// ---- The bridge: `window.cartage.cart.add({ refs })`, named verbs only.

type Split<C extends string> = C extends `${infer NS}.${infer V}` ? [NS, V] : never;
type Namespaces = Split<RequestChannel>[0];
type VerbsOf<NS extends string> = Extract<RequestChannel, `${NS}.${string}`> extends `${NS}.${infer V}` ? V : never;
type ChannelOf<NS extends string, V extends string> = `${NS}.${V}` & RequestChannel;

// `{}` here means "an input whose fields are all optional": those verbs may be called without one.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type Verb<C extends RequestChannel> = {} extends RequestInput<C>
  ? (input?: RequestInput<C>) => Promise<ApiResult<Results[C]>>
  : (input: RequestInput<C>) => Promise<ApiResult<Results[C]>>;

/** What the preload (or the `cartage serve` page) exposes as `window.cartage`. */
export type CartageBridge = {
  readonly [NS in Namespaces]: { readonly [V in VerbsOf<NS>]: Verb<ChannelOf<NS, V>> };
} & {
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, fn: (payload: Events[E]) => void): () => void;
};
