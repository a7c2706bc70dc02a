import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/core/db/connection.js';
import { FinishingError, MovedError, TaskQueue } from '../../main/core/queue/queue.js';
import type { Task } from '../../main/core/queue/task.js';
import { tempDir } from '../helpers/core.js';

function queue(): { q: TaskQueue; dir: string } {
  const dir = tempDir();
  return { q: new TaskQueue(openDatabase(path.join(dir, 'db', 'cartage.db'))), dir };
}

describe('task queue', () => {
  it('stores what a crash needs to finish the work: url, paths, group, host, checksum', () => {
    const { q, dir } = queue();
    const [id] = q.enqueue([
      { url: 'https://example.com:8443/a/IMG_1.HEIC', dir, checksum: { algo: 'sha1-base64', value: 'abc=' }, expectedBytes: 10 },
    ]);
    const t = q.get(id!)!;
    expect(t).toMatchObject({
      state: 'queued',
      url: 'https://example.com:8443/a/IMG_1.HEIC',
      name: 'IMG_1.HEIC',
      finalPath: path.join(dir, 'IMG_1.HEIC'),
      tempPath: path.join(dir, 'IMG_1.HEIC.cartage-part'),
      group: 'image',
      host: 'example.com:8443',
      checksumAlgo: 'sha1-base64',
      checksum: 'abc=',
      expectedBytes: 10,
      attempts: 0,
    });
  });

  it('gives downloads with the same name distinct paths, and never one a file on disk has', () => {
    const { q, dir } = queue();
    fs.writeFileSync(path.join(dir, 'a.jpg'), 'mine');
    const ids = q.enqueue([
      { url: 'http://h/1/a.jpg', dir },
      { url: 'http://h/2/a.jpg', dir },
    ]);
    const more = q.enqueue([{ url: 'http://h/3/a.jpg', dir }]);
    expect([...ids, ...more].map((id) => path.basename(q.get(id)!.finalPath))).toEqual(['a (1).jpg', 'a (2).jpg', 'a (3).jpg']);
  });

  it('refuses a batch with a bad URL and queues nothing of it', () => {
    const { q, dir } = queue();
    expect(() => q.enqueue([{ url: 'http://h/ok.bin', dir }, { url: 'not a url', dir }])).toThrow(/not a web address/);
    expect(() => q.enqueue([{ url: 'ftp://h/x', dir }])).toThrow(/only http and https/);
    expect(q.totals().counts.queued).toBe(0);
  });

  it('puts tasks left active by a crash back in the queue', () => {
    const { q, dir } = queue();
    const [a, b] = q.enqueue([{ url: 'http://h/a', dir }, { url: 'http://h/b', dir }]);
    q.transition(a!, 'active');
    expect(q.recoverActive()).toBe(1);
    expect(q.get(a!)!.state).toBe('queued');
    expect(q.get(b!)!.state).toBe('queued');
  });

  it('changes rows only by legal transitions', () => {
    const { q, dir } = queue();
    const [id] = q.enqueue([{ url: 'http://h/a', dir }]);
    expect(() => q.transition(id!, 'completed')).toThrow(/cannot go from queued to completed/);
    expect(q.get(id!)!.state).toBe('queued');
    expect(() => q.transition(999, 'active')).toThrow(/no task 999/);
  });

  it('records progress only for an active task', () => {
    const { q, dir } = queue();
    const [id] = q.enqueue([{ url: 'http://h/a', dir }]);
    expect(q.record(id!, { bytesOnDisk: 5 })).toBe(false);
    q.transition(id!, 'active');
    expect(q.record(id!, { bytesOnDisk: 5, etag: '"x"' })).toBe(true);
    expect(q.get(id!)).toMatchObject({ bytesOnDisk: 5, etag: '"x"' });
  });

  it('hands out runnable work oldest first, skipping busy hosts and groups and waiting retries', () => {
    const { q, dir } = queue();
    const ids = q.enqueue([
      { url: 'http://a/1.jpg', dir },
      { url: 'http://b/2.jpg', dir },
      { url: 'http://b/3.mp4', dir },
      { url: 'http://c/4.bin', dir },
    ]);
    q.transition(ids[3]!, 'active');
    q.transition(ids[3]!, 'queued', { nextAttemptAt: 5000 }, 0);
    expect(q.runnable(10, 1000, [], []).map((t) => t.id)).toEqual(ids.slice(0, 3));
    expect(q.runnable(10, 1000, ['a'], ['video']).map((t) => t.id)).toEqual([ids[1]]);
    expect(q.nextWake(1000)).toBe(5000);
    expect(q.runnable(10, 6000, [], []).map((t) => t.id)).toEqual(ids);
  });

  it('pages through the queue without loading it whole', () => {
    const { q, dir } = queue();
    q.enqueue(Array.from({ length: 1234 }, (_, i) => ({ url: `http://h/${i}.bin`, dir })));
    let n = 0;
    for (const _ of q.iterate()) n += 1;
    expect(n).toBe(1234);
    expect(q.page(0, 10)).toHaveLength(10);
  });
  it('makes a move from a given state only if the task is still in it, and says where it is otherwise', () => {
    const { q, dir } = queue();
    const [id] = q.enqueue([{ url: 'http://h/a', dir }]);
    const heard: string[] = [];
    q.changes.on('task', (t) => heard.push(t.state));
    expect(q.transition(id!, 'active', { bytesOnDisk: 3 }, 10, 'queued')).toMatchObject({ state: 'active', bytesOnDisk: 3, updatedAt: 10 });
    q.control([id!], 'pause');
    let moved: unknown;
    try {
      q.transition(id!, 'completed', { bytesOnDisk: 9 }, 20, 'active');
    } catch (err) {
      moved = err;
    }
    expect(moved).toBeInstanceOf(MovedError);
    expect((moved as MovedError).task).toMatchObject({ id, state: 'paused', bytesOnDisk: 3 });
    expect(q.get(id!)).toMatchObject({ state: 'paused', bytesOnDisk: 3 });
    expect(heard).toEqual(['active', 'paused']);
    expect(() => q.transition(999, 'active', {}, 30, 'queued')).toThrow(/no task 999/);
    expect(() => q.transition(id!, 'completed', {}, 30, 'queued')).toThrow(/cannot go from queued to completed/);
  });

  it('refuses to pause or cancel a task whose file is being placed, with or without the state it was in', () => {
    const { q, dir } = queue();
    const [id] = q.enqueue([{ url: 'http://h/a', dir }]);
    q.transition(id!, 'active', {}, 10, 'queued');
    expect(q.record(id!, { placing: path.join(dir, 'a') })).toBe(true);
    expect(() => q.transition(id!, 'paused', {}, 20, 'active')).toThrow(FinishingError);
    expect(() => q.transition(id!, 'canceled')).toThrow(FinishingError);
    expect(q.control([id!], 'pause')).toEqual([]);
    expect(q.get(id!)).toMatchObject({ state: 'active', placing: path.join(dir, 'a') });
    expect(q.transition(id!, 'completed', { placing: null }, 30, 'active')).toMatchObject({ state: 'completed', placing: null });
  });

  it('never queues a sealed task again, whoever asks', () => {
    const { q, dir } = queue();
    const [id] = q.enqueue([{ url: 'http://h/a', dir }]);
    q.transition(id!, 'active', {}, 10, 'queued');
    q.seal([id!]);
    expect(() => q.transition(id!, 'queued', {}, 20, 'active')).toThrow(/zip that is already written/);
    expect(q.get(id!)!.state).toBe('active');
  });

  it('starts a pass of tasks in one go, leaving those moved meanwhile, and announces each it moved', () => {
    const { q, dir } = queue();
    const [a, b, c] = q.enqueue([{ url: 'http://h/a', dir }, { url: 'http://h/b', dir }, { url: 'http://h/c', dir }]);
    q.control([b!], 'pause');
    const heard: Task[] = [];
    q.changes.on('task', (t) => heard.push(t));
    const started = q.transitionEach([a!, b!, c!], 'queued', 'active', 50);
    expect(started.map((t) => [t.id, t.state, t.updatedAt])).toEqual([[a, 'active', 50], [c, 'active', 50]]);
    expect(heard.map((t) => t.id)).toEqual([a, c]);
    expect(q.get(b!)!.state).toBe('paused');
  });
});
