import { describe, expect, it } from 'vitest';
import { CartageError } from '../../main/core/errors.js';
import type { Task } from '../../main/core/queue/task.js';
import { aTask } from '../helpers/task.js';
import {
  alreadyThere,
  bodyVerdict,
  errorVerdict,
  notTheFile,
  partialAnswerProblem,
  statusVerdict,
  validatorChanged,
} from '../../main/core/engine/verdicts.js';

const task: Task = aTask('clip.mp4', '/home/ann/Videos', { id: 9, group: 'video', etag: '"v1"', contentType: 'video/mp4' });
const noFacts = { untrusted: null, folderGone: false, room: null };

describe('what an answer means', () => {
  it('skips a file gone from the server, fails on a refusal, retries a busy server after Retry-After', () => {
    expect(statusVerdict(task, 404, undefined)).toEqual({ kind: 'skipped', error: { code: 'gone', message: 'clip.mp4 was deleted on the server (404 Not Found).' } });
    expect(statusVerdict(task, 410, undefined).kind).toBe('skipped');
    expect(statusVerdict(task, 403, undefined)).toMatchObject({ kind: 'failed', error: { code: 'auth', message: expect.stringMatching(/^127\.0\.0\.1:8080 refused clip\.mp4 \(403 Forbidden\)\. Sign in/) } });
    expect(statusVerdict(task, 429, '7', null, 0)).toEqual({
      kind: 'retry',
      error: { code: 'rate_limited', message: '127.0.0.1:8080 answered 429 Too Many Requests for clip.mp4.' },
      retryAfterMs: 7000,
      network: false,
    });
    expect(statusVerdict(task, 503, undefined)).toMatchObject({ kind: 'retry', error: { code: 'server_error' }, retryAfterMs: null });
    expect(statusVerdict(task, 408, undefined)).toMatchObject({ kind: 'retry', error: { code: 'timeout' } });
    expect(statusVerdict(task, 400, undefined)).toEqual({
      kind: 'failed',
      error: { code: 'http_error', message: '127.0.0.1:8080 answered 400 Bad Request for clip.mp4; it was not downloaded.' },
    });
  });

  it("fails a refusal with its source's words, when the source can say what was missing", () => {
    const lacks = 'The API key lacks the permission "asset.download".';
    expect(statusVerdict(task, 403, undefined, lacks)).toEqual({
      kind: 'failed',
      error: { code: 'auth', message: `127.0.0.1:8080 refused clip.mp4 (403 Forbidden). ${lacks}` },
    });
    // Immich answers a shared link without downloads with 400: the source's words make it a refusal.
    expect(statusVerdict(task, 400, undefined, 'The link does not allow downloads.')).toMatchObject({ kind: 'failed', error: { code: 'auth' } });
    expect(statusVerdict(task, 404, undefined, lacks).kind).toBe('skipped');
  });

  it('continues from a 206 only when it starts at the bytes on disk, of the same file', () => {
    expect(partialAnswerProblem(100, { start: 100 }, false)).toBeNull();
    expect(partialAnswerProblem(100, { start: 0 }, false)).toBe('the server answered from byte 0 instead of 100');
    expect(partialAnswerProblem(100, { start: 100 }, true)).toBe('the file changed on the server');
    expect(partialAnswerProblem(100, null, false)).toBe('the server answered a range request without a readable Content-Range');
  });

  it('tells a changed file by its ETag first, else by its date', () => {
    expect(validatorChanged(task, '"v2"', null)).toBe(true);
    expect(validatorChanged(task, '"v1"', 'Mon, 23 Nov 2026 12:00:00 GMT')).toBe(false);
    expect(validatorChanged({ ...task, etag: null, lastModified: 'a' }, null, 'b')).toBe(true);
    expect(validatorChanged({ ...task, etag: null }, '"v2"', null)).toBe(false);
  });

  it('refuses a web page for a video, and a size that disagrees with the source or with an earlier answer', () => {
    const ok = { total: 1000, contentType: 'video/mp4', etag: '"v1"', lastModified: null };
    expect(notTheFile(task, ok)).toBeNull();
    expect(notTheFile(task, { ...ok, contentType: 'text/html; charset=utf-8' })?.code).toBe('not_the_file');
    expect(notTheFile({ ...task, contentType: null }, { ...ok, contentType: 'text/html' })).toBeNull();
    expect(notTheFile({ ...task, expectedBytes: 999 }, ok)?.message).toMatch(/announced 1\.0 kB for clip\.mp4, but the source lists it at 999 B/);
    expect(notTheFile({ ...task, totalBytes: 999 }, ok)?.message).toMatch(/but earlier said 999 B for the same file/);
    expect(notTheFile({ ...task, totalBytes: 999 }, { ...ok, etag: '"v2"' })).toBeNull();
  });

  it('says a file kept by the conflict rule was skipped, and where', () => {
    expect(alreadyThere(task)).toEqual({
      kind: 'skipped',
      error: { code: 'already_exists', message: 'clip.mp4 is already in /home/ann/Videos; it was skipped (conflict setting: skip).' },
    });
  });
});

describe('what a finished body means', () => {
  const body = { received: 1000, total: 1000, rangeEnd: null, etag: '"v1"', lastModified: null };

  it('is the whole file when every announced byte came', () => {
    expect(bodyVerdict(task, body)).toBeNull();
  });

  it('goes on at once when a range answer sent all it said it would', () => {
    expect(bodyVerdict(task, { ...body, received: 500, rangeEnd: 500 })).toEqual({ kind: 'continue' });
  });

  it('retries a connection that ended early, keeping the bytes', () => {
    expect(bodyVerdict(task, { ...body, received: 400 })).toMatchObject({ kind: 'retry', error: { code: 'network' }, network: true });
  });

  it('without a length, holds the body to the size learnt before or listed by the source', () => {
    expect(bodyVerdict({ ...task, expectedBytes: 1200 }, { ...body, total: null })).toMatchObject({
      kind: 'retry',
      error: { code: 'length_mismatch', message: '127.0.0.1:8080 sent 1.0 kB of clip.mp4, which is 1.2 kB; the file was not saved.' },
    });
    expect(bodyVerdict({ ...task, totalBytes: 1000 }, { ...body, total: null })).toBeNull();
    expect(bodyVerdict({ ...task, totalBytes: 900 }, { ...body, total: null, etag: '"v2"' })).toBeNull();
    expect(bodyVerdict(task, { ...body, total: null })).toBeNull();
  });
});

describe('what an error means', () => {
  it('fails on an untrusted certificate: trying again will not help', () => {
    const untrusted = { code: 'untrusted_certificate' as const, message: 'The certificate of 127.0.0.1 is not trusted.' };
    expect(errorVerdict(Object.assign(new Error('self-signed'), { code: 'ECONNRESET' }), task, { ...noFacts, untrusted })).toEqual({ kind: 'failed', error: untrusted });
  });

  it('retries what Cartage itself refused (a short or wrong body), and a folder removed meanwhile at once', () => {
    expect(errorVerdict(new CartageError('length_mismatch', 'too long'), task, noFacts)).toEqual({
      kind: 'retry',
      error: { code: 'length_mismatch', message: 'too long' },
      retryAfterMs: null,
      network: false,
    });
    const enoent = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    expect(errorVerdict(enoent, task, { ...noFacts, folderGone: true })).toMatchObject({ kind: 'retry', retryAfterMs: 0, error: { code: 'cannot_write' } });
    expect(errorVerdict(enoent, task, noFacts)).toMatchObject({ kind: 'failed', error: { code: 'http_error' } });
  });

  it('pauses on a full disk, saying how much more the file needs and how much is free', () => {
    const full = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(errorVerdict(full, task, { ...noFacts, room: { onDisk: 400, total: 1000, free: 10 } })).toEqual({
      kind: 'disk-full',
      error: {
        code: 'disk_full',
        message: 'The disk is full: clip.mp4 needs 600 B more in /home/ann/Videos (10 B free). Free some space, then resume; what was downloaded is kept.',
      },
    });
    expect(errorVerdict(full, task, { ...noFacts, room: { onDisk: 0, total: null, free: null } }).kind).toBe('disk-full');
  });

  it('fails on a folder it may not write to, naming why', () => {
    const rofs = Object.assign(new Error('read-only'), { code: 'EROFS' });
    expect(errorVerdict(rofs, task, noFacts)).toMatchObject({ kind: 'failed', error: { code: 'cannot_write', message: expect.stringMatching(/^cannot write to \/home\/ann\/Videos \(it is read-only\)/) } });
    expect(errorVerdict(Object.assign(new Error('x'), { code: 'ENOTDIR' }), task, noFacts).kind).toBe('failed');
  });

  it('retries a lost connection as the network, and fails on anything else with its message', () => {
    expect(errorVerdict(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), task, noFacts)).toEqual({
      kind: 'retry',
      error: { code: 'network', message: 'Lost the connection to 127.0.0.1:8080 while downloading clip.mp4 (ECONNREFUSED).' },
      retryAfterMs: null,
      network: true,
    });
    expect(errorVerdict(new Error('odd'), task, noFacts)).toEqual({ kind: 'failed', error: { code: 'http_error', message: 'clip.mp4 could not be downloaded: odd.' } });
  });
});
