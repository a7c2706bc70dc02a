import { Cart, type AddOutcome } from './cart/cart.js';
import { checkout, planCheckout, type CheckoutPlan, type CheckoutRequest, type CheckoutStep } from './cart/checkout.js';
import { SynapseListCleanup } from './cart/synapse-cleanup.js';
import type { Db } from './db/connection.js';
import { Deliveries } from './delivery/deliveries.js';
import { openDatabase } from './db/connection.js';
import { Engine, type EngineOptions } from './engine/engine.js';
import { QueueFollower } from './engine/follower.js';
import { EngineLock } from './lock.js';
import { createLogger, redactUrl, type Logger } from './log.js';
import { HttpClient } from './net/client.js';
import { databasePath } from './paths.js';
import { TaskQueue } from './queue/queue.js';
import { terminalStates } from './queue/states.js';
import type { Task } from './queue/task.js';
import { FileSecretStore, type SecretStore } from './secrets.js';
import { SettingsStore, type Settings, type SettingsPatch } from './settings.js';
import { SourceRegistry } from './sources/registry.js';
import { forgetTaskHeaders, hasTaskHeaders, taskHeaders } from './task-secrets.js';
import { Mirrors, type TrashFn } from './sync/mirrors.js';

export interface CoreOptions {
  dataDir: string;
  /** Settings that hold for this run only (the CLI's --concurrency), over the stored ones. */
  overrides?: SettingsPatch;
  logToConsole?: boolean;
  /** better-sqlite3 compiled for the runtime in use, when it is not the one in node_modules (Electron). */
  nativeBinding?: string;
  /** Where keys and passwords live (default: a 0600 file in the data folder; the app seals it with safeStorage). */
  secrets?: SecretStore;
  /** Moves files to the system trash (the app uses Electron's shell.trashItem). */
  trash?: TrashFn;
  engine?: Partial<Pick<EngineOptions, 'headersFor' | 'tlsFor' | 'progressIntervalMs' | 'random'>>;
  /** How often to look for changes another process made to the queue (default 250 ms). */
  watchIntervalMs?: number;
  /** How often a window shows the progress of the queue another process runs, and tries to take it over (ms). */
  followIntervalMs?: number;
}

/** The system trash, loaded only when a mirror first deletes something (the package is large to load). */
const moveToTrash: TrashFn = async (paths) => {
  const { default: trash } = await import('trash');
  await trash(paths);
};

/** Everything the app and the CLI share: database, settings, queue, engine, log. */
export class Core {
  readonly db: Db;
  readonly settings: SettingsStore;
  readonly queue: TaskQueue;
  readonly engine: Engine;
  readonly log: Logger;
  /** Takes delivered Synapse files off the person's download list on synapse.org. */
  readonly synapseList: SynapseListCleanup;
  readonly lock: EngineLock;
  readonly secrets: SecretStore;
  readonly sources: SourceRegistry;
  readonly cart: Cart;
  readonly deliveries: Deliveries;
  readonly mirrors: Mirrors;
  private readonly overrides: SettingsPatch;
  private follower: QueueFollower | null = null;

  constructor(readonly options: CoreOptions) {
    this.db = openDatabase(databasePath(options.dataDir), undefined, options.nativeBinding);
    this.settings = new SettingsStore(this.db);
    this.queue = new TaskQueue(this.db);
    this.overrides = options.overrides ?? {};
    this.log = createLogger(options.dataDir, options.logToConsole);
    this.lock = new EngineLock(options.dataDir);
    this.secrets = options.secrets ?? new FileSecretStore(options.dataDir);
    const settings = (): Settings => ({ ...this.settings.get(), ...this.overrides });
    // One network set-up: the sources list and probe through the same proxy the downloads use.
    const http = new HttpClient(settings);
    this.sources = new SourceRegistry(this.db, this.secrets, http);
    const { headersFor, tlsFor, ...engine } = options.engine ?? {};
    this.engine = new Engine({
      queue: this.queue,
      settings,
      http,
      // Files of stored sources sign in with the source's secret; a link from the browser with the
      // cookies it was sent with (kept for that task alone); others with what the caller gives.
      headersFor: (task) =>
        task.sourceRef.startsWith('source:') ? this.sources.headersFor(task) : hasTaskHeaders(task) ? taskHeaders(this.secrets, task) : (headersFor?.(task) ?? {}),
      tlsFor: (task) => (task.sourceRef.startsWith('source:') ? this.sources.tlsFor(task) : (tlsFor?.(task) ?? null)),
      // A source whose files download through short-lived addresses (Synapse) hands one out now.
      urlFor: (task, renew) => (task.sourceRef.startsWith('source:') ? this.sources.urlFor(task, renew) : Promise.resolve(null)),
      refusalFor: (task, status) => this.sources.refusalFor(task, status),
      ...engine,
    });
    // What went wrong goes in the log; what went right is in the queue (a line per completed file
    // cost a tenth of the CPU time of a run of small files).
    this.queue.changes.on('task', (t, origin) => {
      // A task's own cookies go once it has ended, whichever process ran it.
      if (terminalStates.includes(t.state)) this.forgetOwnHeaders(t);
      // Another process's changes are in its own log already; a task sealed after it failed is
      // sent again, and was logged then.
      if (origin === 'elsewhere' || t.sealed) return;
      if (t.error && (t.state === 'failed' || t.state === 'skipped' || t.state === 'queued' || t.state === 'paused')) {
        this.log.warn(`${t.state} #${t.id} ${redactUrl(t.url)}: [${t.error.code}] ${t.error.message}`);
      }
    });
    this.cart = new Cart(this.db, this.settings, this.sources);
    this.synapseList = new SynapseListCleanup(this.sources, () => this.settings.get(), this.log);
    // The process that ran the download takes the file off Synapse's list.
    this.queue.changes.on('task', (t, origin) => {
      if (origin === 'here' && !t.sealed) this.synapseList.onTask(t);
    });
    this.deliveries = new Deliveries(this.db, this.engine, this.log);
    this.mirrors = new Mirrors(this.db, this.engine, this.queue, this.sources, this.log, options.trash ?? moveToTrash);
    this.engine.on('queue-paused', (e) => this.log.error(`queue paused: ${e.message}`));
    this.queue.changes.on('bulk', ({ ids, state }) => {
      if (terminalStates.includes(state)) for (const id of ids) this.forgetOwnHeaders(this.queue.get(id));
    });
  }

  /** Deletes the headers a task of the browser kept in the secret store (its cookies), if it has any. */
  private forgetOwnHeaders(t: Task | undefined): void {
    if (!t || !hasTaskHeaders(t)) return;
    forgetTaskHeaders(this.secrets, t.sourceRef).catch((err: unknown) => this.log.warn(`could not delete the cookies of download #${t.id}: ${(err as Error).message}`));
  }

  /**
   * Looks for changes other processes make to the queue from now on (the engine stops what they
   * paused or canceled, and starts what they queued); they come out of `queue.changes`.
   */
  private watchOthers(): void {
    let lastError = '';
    this.queue.changes.start(this.options.watchIntervalMs ?? 250, (err) => {
      // Once per kind of trouble, not four times a second.
      const message = `looking for changes another process made to the queue: ${(err as Error).message}`;
      if (message !== lastError) this.log.warn(message);
      lastError = message;
    });
  }

  /** Takes the queue lock and starts downloading; false (and nothing started) if another process holds it. */
  startEngine(): { ok: true } | { ok: false; pid: number } {
    const got = this.lock.tryAcquire();
    if (got.ok) {
      this.watchOthers();
      // Deliveries first: a zip a crash left unfinished is taken up before new downloads end.
      this.deliveries.start();
      this.mirrors.start();
      this.engine.start();
    }
    return got;
  }

  /**
   * For what stays open (the app, `cartage serve`, `cartage get` waiting): runs the queue here, or,
   * while another process runs it, sends that process's task changes (on `queue.changes`), its
   * deliveries and its progress (as this engine's), and takes the queue over as soon as that
   * process stops. `onTakeOver` is called then.
   */
  runOrFollow(onTakeOver?: () => void): { ok: true } | { ok: false; pid: number } {
    const got = this.startEngine();
    if (got.ok || this.follower) return got;
    this.watchOthers();
    this.deliveries.followOthers();
    let lastError = '';
    this.follower = new QueueFollower({
      queue: this.queue,
      onProgress: (snapshot) => this.engine.reportFollowed(snapshot),
      intervalMs: this.options.followIntervalMs,
      onError: (err) => {
        // Once per kind of trouble, not once a second.
        const message = `following the queue another process runs: ${(err as Error).message}`;
        if (message !== lastError) this.log.warn(message);
        lastError = message;
      },
      takeOver: () => {
        if (!this.startEngine().ok) return false;
        this.follower = null;
        this.log.info('took the queue over: the process that ran it has stopped');
        onTakeOver?.();
        return true;
      },
    });
    this.follower.start();
    return got;
  }

  /** What a checkout would deliver, leave, and need; changes nothing. */
  planCheckout(req: CheckoutRequest): CheckoutPlan {
    return planCheckout(this.cart, req);
  }

  /** Checks the download list out as one transaction, then lets the engine start on it. */
  checkout(req: CheckoutRequest, options: { failAt?: CheckoutStep } = {}): { deliveryId: number; plan: CheckoutPlan } {
    const result = checkout({ db: this.db, cart: this.cart, queue: this.queue, settings: this.settings }, req, options);
    this.engine.wake();
    return result;
  }

  /** Puts the files of a finished delivery that did not arrive back on the list, as they were. */
  putBack(deliveryId: number): AddOutcome {
    const { name, rows } = this.deliveries.notArrived(deliveryId);
    return this.cart.putBack(rows, `"${name}"`);
  }

  async close(): Promise<void> {
    this.follower?.stop();
    this.follower = null;
    this.queue.changes.stop();
    this.mirrors.stop();
    await this.engine.stop();
    await this.synapseList.flush();
    await this.deliveries.stop();
    this.lock.release();
    this.db.close();
  }
}
