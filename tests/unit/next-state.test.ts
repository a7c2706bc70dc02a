import { describe, expect, it } from 'vitest';
import { nextState, type NextStateContext } from '../../main/core/engine/next-state.js';
import type { ErrorInfo } from '../../main/core/errors.js';
import type { Task } from '../../main/core/queue/task.js';
import { aTask } from '../helpers/task.js';

const task: Task = aTask('a.jpg', '/home/ann/Downloads', { id: 4, group: 'image', expectedBytes: 1000 });
const ctx: NextStateContext = { now: 10_000, settings: { maxRetries: 3, retryBaseMs: 1000, retryMaxMs: 60_000 }, bytesOnDisk: 300, random: () => 1 };
const down: ErrorInfo = { code: 'network', message: 'The connection to 127.0.0.1:8080 was refused.' };

describe('next state of a task after an attempt', () => {
  it('completes with the bytes placed, writing the final path only when it changed', () => {
    expect(nextState(task, { kind: 'completed', finalPath: task.finalPath, bytes: 1000 }, ctx)).toEqual({
      to: 'completed',
      patch: { bytesOnDisk: 1000, totalBytes: 1000, completedAt: 10_000, error: null },
      then: { kind: 'none' },
    });
    const renamed = nextState(task, { kind: 'completed', finalPath: '/home/ann/Downloads/a (1).jpg', bytes: 1000 }, ctx);
    expect(renamed.patch.finalPath).toBe('/home/ann/Downloads/a (1).jpg');
  });

  it('queues a retry after the backoff, or after Retry-After when that is longer, keeping the bytes on disk', () => {
    expect(nextState(task, { kind: 'retry', error: down, retryAfterMs: null, network: true }, ctx)).toEqual({
      to: 'queued',
      patch: { attempts: 1, nextAttemptAt: 11_000, bytesOnDisk: 300, error: down },
      then: { kind: 'none' },
    });
    expect(nextState(task, { kind: 'retry', error: down, retryAfterMs: 30_000, network: false }, ctx).patch.nextAttemptAt).toBe(40_000);
  });

  it('gives up after the last retry, and watches the host when it was the network that went', () => {
    const tired = { ...task, attempts: 3 };
    const lost = nextState(tired, { kind: 'retry', error: down, retryAfterMs: null, network: true }, ctx);
    expect(lost.to).toBe('failed');
    expect(lost.patch.error?.message).toBe(`${down.message} Gave up after 3 retries; it will go on by itself when 127.0.0.1:8080 answers again.`);
    expect(lost.then).toEqual({ kind: 'watch-host', host: task.host, url: task.url });
    const busy = nextState(tired, { kind: 'retry', error: { code: 'http_error', message: '503' } as ErrorInfo, retryAfterMs: null, network: false }, ctx);
    expect(busy).toMatchObject({ to: 'failed', patch: { attempts: 4, error: { message: '503 Gave up after 3 retries.' } }, then: { kind: 'none' } });
  });

  it('restarts from zero at once, counting it as a retry', () => {
    expect(nextState(task, { kind: 'restart', reason: 'the file changed on the server' }, ctx)).toEqual({
      to: 'queued',
      patch: { attempts: 1, nextAttemptAt: 10_000, bytesOnDisk: 300, error: { code: 'network', message: 'a.jpg restarts from zero: the file changed on the server.' } },
      then: { kind: 'none' },
    });
  });

  it('goes on at once after a partial answer, without counting a retry', () => {
    expect(nextState(task, { kind: 'continue' }, ctx)).toEqual({ to: 'queued', patch: { nextAttemptAt: 0, bytesOnDisk: 300 }, then: { kind: 'none' } });
  });

  it('downloads once more from zero after a checksum mismatch, and fails on the second', () => {
    const first = nextState(task, { kind: 'checksum-mismatch' }, ctx);
    expect(first).toMatchObject({ to: 'queued', patch: { checksumFailures: 1, bytesOnDisk: 0, nextAttemptAt: 0 } });
    const second = nextState({ ...task, checksumFailures: 1 }, { kind: 'checksum-mismatch' }, ctx);
    expect(second).toMatchObject({ to: 'failed', patch: { checksumFailures: 2, bytesOnDisk: 0 } });
    expect(second.patch.error?.message).toMatch(/downloaded twice and neither copy matched/);
  });

  it('fails, skips, or pauses the whole queue on a full disk, saying why', () => {
    const gone: ErrorInfo = { code: 'gone', message: 'a.jpg was deleted on the server (404 Not Found).' };
    expect(nextState(task, { kind: 'failed', error: down }, ctx)).toEqual({ to: 'failed', patch: { bytesOnDisk: 300, error: down }, then: { kind: 'none' } });
    expect(nextState(task, { kind: 'skipped', error: gone }, ctx)).toEqual({ to: 'skipped', patch: { bytesOnDisk: 300, error: gone }, then: { kind: 'none' } });
    const full: ErrorInfo = { code: 'disk_full', message: 'The disk is full.' };
    expect(nextState(task, { kind: 'disk-full', error: full }, ctx)).toEqual({
      to: 'paused',
      patch: { bytesOnDisk: 300, error: full },
      then: { kind: 'pause-queue', reason: { code: 'disk_full', message: 'Paused because the disk is full (see a.jpg). Free some space, then resume.' }, cause: full },
    });
  });

  it('puts a task stopped by a shutdown back in the queue', () => {
    expect(nextState(task, { kind: 'aborted' }, ctx)).toEqual({ to: 'queued', patch: { bytesOnDisk: 300, nextAttemptAt: 0 }, then: { kind: 'none' } });
  });

  it('refuses an outcome it does not know', () => {
    expect(() => nextState(task, { kind: 'teleported' } as never, ctx)).toThrow('Unexpected transfer outcome');
  });
});
