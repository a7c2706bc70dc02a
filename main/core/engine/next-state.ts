import type { ErrorInfo } from '../errors.js';
import type { TaskState } from '../queue/states.js';
import type { Task, TaskPatch } from '../queue/task.js';
import type { Settings } from '../settings.js';
import { assertNever } from '../util/assert-never.js';
import type { TransferOutcome } from './outcome.js';
import { backoffDelay } from './retry.js';

/** What the engine does besides the task's own move. */
export type Aftermath =
  /** Nothing more. */
  | { kind: 'none' }
  /** The task gave up because its host dropped off the network: probe the host, and go on when it answers. */
  | { kind: 'watch-host'; host: string; url: string }
  /** The disk is full: the whole queue pauses, with this reason for the others, and waits for the person. */
  | { kind: 'pause-queue'; reason: ErrorInfo; cause: ErrorInfo };

/** Where an attempt's outcome takes an active task. */
export interface NextState {
  to: TaskState;
  patch: TaskPatch;
  then: Aftermath;
}

/** What the next state depends on besides the task and the outcome, so that it is computed without clocks or disks. */
export interface NextStateContext {
  now: number;
  settings: Pick<Settings, 'maxRetries' | 'retryBaseMs' | 'retryMaxMs'>;
  /** Bytes of the task's part file now (the outcome's own count for a completed file). */
  bytesOnDisk: number;
  random?: () => number;
}

const none: Aftermath = { kind: 'none' };

/**
 * Turns one attempt's outcome into the running task's next state and row changes: a pure function,
 * the whole of the engine's retry, give-up and checksum policy.
 */
export function nextState(task: Task, outcome: TransferOutcome, ctx: NextStateContext): NextState {
  const { now, settings: s } = ctx;
  const onDisk = outcome.kind === 'completed' ? outcome.bytes : ctx.bytesOnDisk;
  switch (outcome.kind) {
    case 'completed':
      return {
        to: 'completed',
        patch: {
          // Written only when it changed (a name taken meanwhile): an unchanged indexed column still costs an index update.
          ...(outcome.finalPath !== task.finalPath ? { finalPath: outcome.finalPath } : {}),
          bytesOnDisk: outcome.bytes,
          totalBytes: outcome.bytes,
          completedAt: now,
          error: null,
        },
        then: none,
      };
    case 'retry':
    case 'restart': {
      const retries = task.attempts + 1;
      const error: ErrorInfo =
        outcome.kind === 'retry' ? outcome.error : { code: 'network', message: `${task.name} restarts from zero: ${outcome.reason}.` };
      if (retries > s.maxRetries) {
        const lost = outcome.kind === 'retry' && outcome.network;
        const tail = lost
          ? ` Gave up after ${s.maxRetries} retries; it will go on by itself when ${task.host} answers again.`
          : ` Gave up after ${s.maxRetries} retries.`;
        return {
          to: 'failed',
          patch: { attempts: retries, bytesOnDisk: onDisk, error: { code: error.code, message: error.message + tail } },
          then: lost ? { kind: 'watch-host', host: task.host, url: task.url } : none,
        };
      }
      const delay =
        outcome.kind === 'restart' ? 0 : Math.max(backoffDelay(retries, s.retryBaseMs, s.retryMaxMs, ctx.random), outcome.retryAfterMs ?? 0);
      return { to: 'queued', patch: { attempts: retries, nextAttemptAt: now + delay, bytesOnDisk: onDisk, error }, then: none };
    }
    case 'continue':
      return { to: 'queued', patch: { nextAttemptAt: 0, bytesOnDisk: onDisk }, then: none };
    case 'checksum-mismatch':
      if (task.checksumFailures === 0) {
        return {
          to: 'queued',
          patch: {
            checksumFailures: 1,
            bytesOnDisk: 0,
            nextAttemptAt: 0,
            error: { code: 'checksum_mismatch', message: `checksum mismatch: ${task.name} did not match its checksum; downloading it again from zero.` },
          },
          then: none,
        };
      }
      return {
        to: 'failed',
        patch: {
          checksumFailures: task.checksumFailures + 1,
          bytesOnDisk: 0,
          error: {
            code: 'checksum_mismatch',
            message: `checksum mismatch: ${task.name} was downloaded twice and neither copy matched the checksum the source gave; it was not saved.`,
          },
        },
        then: none,
      };
    case 'failed':
      return { to: 'failed', patch: { bytesOnDisk: onDisk, error: outcome.error }, then: none };
    case 'skipped':
      return { to: 'skipped', patch: { bytesOnDisk: onDisk, error: outcome.error }, then: none };
    case 'disk-full':
      return {
        to: 'paused',
        patch: { bytesOnDisk: onDisk, error: outcome.error },
        // The others keep their own story: the queue waits for room, it was not their file.
        then: {
          kind: 'pause-queue',
          reason: { code: 'disk_full', message: `Paused because the disk is full (see ${task.name}). Free some space, then resume.` },
          cause: outcome.error,
        },
      };
    case 'aborted':
      // Only a shutdown aborts a task that is still active: it goes back to the queue for next time.
      return { to: 'queued', patch: { bytesOnDisk: onDisk, nextAttemptAt: 0 }, then: none };
    default:
      return assertNever(outcome, 'transfer outcome');
  }
}
