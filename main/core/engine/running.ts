import { CartageError } from '../errors.js';
import type { HttpClient } from '../net/client.js';
import type { PinnedCertificate } from '../net/tls.js';
import type { TaskQueue } from '../queue/queue.js';
import type { Task, TaskPatch } from '../queue/task.js';
import type { Settings } from '../settings.js';
import type { TransferOutcome } from './outcome.js';
import type { RateLimiter } from './rate-limiter.js';
import { segmentStoreOf } from './segment-store.js';
import { SpeedMeter } from './speed.js';
import { runTransfer } from './transfer.js';

/** Why a running download was stopped: the engine shutting down, or a person's (or another process's) control. */
export type AbortReason = 'stop' | 'control';

/** What a task's source says for each attempt, asked when it starts and never stored. */
export interface AttemptHooks {
  /** Request headers for a task (credentials from the secret store). */
  headersFor?: ((task: Task) => Promise<Record<string, string>> | Record<string, string>) | undefined;
  /** A short-lived address for a task (a pre-signed URL), asked again when it expired; null: the task's own. */
  urlFor?: ((task: Task, renew: boolean) => Promise<string | null>) | undefined;
  /** The certificate trusted for a task's source (a self-signed home server). */
  tlsFor?: ((task: Task) => PinnedCertificate | null) | undefined;
  /** What the task's source says its server refused the download for (asked only after a refusal); null: the general words. */
  refusalFor?: ((task: Task, status: number) => Promise<string | null>) | undefined;
}

/** What a running download needs from the engine. */
export interface RunningDeps extends AttemptHooks {
  queue: TaskQueue;
  http: HttpClient;
  limiter: RateLimiter;
  /** Bytes moved: a progress snapshot is due. */
  moved: () => void;
  /** Connections to this task's host that other downloads leave free now (the per-host limit counts connections). */
  roomOnHost: (r: RunningTask) => number;
  /** A download closed some of its connections: others may start. */
  connectionsClosed: () => void;
}

const recordEveryBytes = 8 * 1024 * 1024;

/**
 * One download the engine runs now: its abort switch, its bytes and speed for the snapshots, what
 * its attempt learnt, and the rows it writes while it runs (progress, the intent to place).
 */
export class RunningTask {
  readonly controller = new AbortController();
  reason: AbortReason | null = null;
  bytes: number;
  total: number | null;
  readonly meter = new SpeedMeter();
  /** Validators and total from this attempt's response, not yet written to the row. */
  readonly learnt: TaskPatch = {};
  /** The row says where its file is being placed: the outcome's transition clears that. */
  placing = false;
  /** Connections open to the host (several for a file fetched in segments). */
  connections = 1;
  /** The attempt writes segments at their offsets: `bytes`, not the part's size, is what is on disk. */
  segmented = false;
  /** Settles once the attempt's outcome has been applied. */
  done: Promise<void> = Promise.resolve();
  private recordedAt = Date.now();
  private recordedBytes: number;

  constructor(
    readonly task: Task,
    private readonly deps: RunningDeps,
  ) {
    this.bytes = task.bytesOnDisk;
    this.total = task.totalBytes ?? task.expectedBytes;
    this.recordedBytes = task.bytesOnDisk;
  }

  /** Stops the transfer (once: the first reason holds). */
  abort(reason: AbortReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort();
  }

  /** One attempt: headers and address from the source, then the transfer. Never throws for the download's own faults. */
  async run(settings: Settings): Promise<TransferOutcome> {
    const { headersFor, urlFor } = this.deps;
    const task = this.task;
    let headers: Record<string, string> = {};
    if (headersFor) {
      try {
        headers = await headersFor(task);
      } catch (err) {
        return { kind: 'failed', error: { code: 'auth', message: `Could not sign in for ${task.name}: ${(err as Error).message}` } };
      }
    }
    let url: string | null = null;
    if (urlFor) {
      try {
        url = await urlFor(task, false);
      } catch (err) {
        return { kind: 'failed', error: { code: err instanceof CartageError ? err.code : 'auth', message: `Could not get the address of ${task.name}: ${(err as Error).message}` } };
      }
    }
    return runTransfer(task, {
      ...(url !== null && urlFor ? { url, renewUrl: async () => (await urlFor(task, true)) ?? task.url } : {}),
      http: this.deps.http,
      learnt: this.learnt,
      settings,
      limiter: this.deps.limiter,
      signal: this.controller.signal,
      headers,
      tls: this.deps.tlsFor?.(task) ?? null,
      refusal: (status) => this.deps.refusalFor?.(task, status) ?? Promise.resolve(null),
      onProgress: (bytes, total) => this.onProgress(bytes, total),
      intend: (candidate, bytes) => this.intend(candidate, bytes),
      segments: {
        store: segmentStoreOf(this.deps.queue),
        connections: () => Math.max(1, Math.min(settings.connections, this.deps.roomOnHost(this))),
        opened: (count) => {
          const closed = count < this.connections;
          this.segmented = true;
          // Counted as one until the attempt ends: verifying and placing still hold the task's slot.
          this.connections = Math.max(1, count);
          if (closed) this.deps.connectionsClosed();
        },
      },
    });
  }

  /**
   * The verified file is about to be placed at `candidate` (or no longer is): said in the row
   * before the disk changes, so that a crash at any instant after is told apart by the recovery.
   * Refused when the task was paused or canceled first.
   */
  private intend(candidate: string | null, bytes: number): boolean {
    const patch: TaskPatch = candidate === null ? { placing: null } : { ...this.learnt, bytesOnDisk: bytes, totalBytes: bytes, placing: candidate };
    const ok = this.deps.queue.record(this.task.id, patch);
    if (ok) this.placing = candidate !== null;
    return ok;
  }

  private onProgress(bytes: number, total: number | null): void {
    this.bytes = bytes;
    this.total = total;
    this.meter.sample(bytes);
    const now = Date.now();
    // Resume trusts the part file's size, but only with the validator in the row: write it once a
    // second or every 8 MiB, whichever comes first, so a crash costs at most that much re-fetching,
    // and a small file that completes within the second costs no write at all.
    if (now - this.recordedAt >= 1000 || bytes - this.recordedBytes >= recordEveryBytes) {
      this.recordedAt = now;
      this.recordedBytes = bytes;
      this.deps.queue.record(this.task.id, { ...this.learnt, bytesOnDisk: bytes });
    }
    this.deps.moved();
  }
}
