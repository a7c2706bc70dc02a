import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/core/db/connection.js';
import type { BulkChange, ChangeOrigin } from '../../main/core/queue/changes.js';
import { TaskQueue } from '../../main/core/queue/queue.js';
import { tempDir } from '../helpers/core.js';

type Heard = { event: 'task'; id: number; state: string; origin: ChangeOrigin } | { event: 'bulk'; change: BulkChange; origin: ChangeOrigin } | { event: 'external' };

const opened: TaskQueue[] = [];
afterEach(() => {
  for (const q of opened.splice(0)) {
    q.changes.stop();
    q.db.close();
  }
});

/** A queue on the database in `dir` (a second one on the same folder stands for another process). */
function queueIn(dir: string): TaskQueue {
  const q = new TaskQueue(openDatabase(path.join(dir, 'db', 'cartage.db')));
  opened.push(q);
  return q;
}

/** Everything the queue's stream says, in order. */
function listen(q: TaskQueue): Heard[] {
  const heard: Heard[] = [];
  q.changes.on('task', (t, origin) => heard.push({ event: 'task', id: t.id, state: t.state, origin }));
  q.changes.on('bulk', (change, origin) => heard.push({ event: 'bulk', change, origin }));
  q.changes.on('external', () => heard.push({ event: 'external' }));
  return heard;
}

/** Checks are driven by hand: the timer's interval is an hour. */
function watch(q: TaskQueue): void {
  q.changes.start(3_600_000, (err) => {
    throw err;
  });
}

const spec = (dir: string, i: number): { url: string; dir: string } => ({ url: `http://127.0.0.1:9/f${i}.bin`, dir });

describe("the queue's stream of changes", () => {
  it('announces each transition once, as it is made, and a move of many as one bulk change', () => {
    const dir = tempDir();
    const q = queueIn(dir);
    const heard = listen(q);
    const [a, b, c] = q.enqueue([spec(dir, 1), spec(dir, 2), spec(dir, 3)]);
    // New tasks are not a change of state: nothing is announced.
    expect(heard).toEqual([]);

    q.transition(a!, 'active');
    q.transition(a!, 'failed', { error: { code: 'network', message: 'The network is down.' } });
    expect(heard).toEqual([
      { event: 'task', id: a, state: 'active', origin: 'here' },
      { event: 'task', id: a, state: 'failed', origin: 'here' },
    ]);

    heard.length = 0;
    expect(q.transitionAll(['queued'], 'paused').sort()).toEqual([b, c]);
    expect(heard).toEqual([{ event: 'bulk', change: { ids: expect.arrayContaining([b, c]) as number[], state: 'paused' }, origin: 'here' }]);

    heard.length = 0;
    // Nothing moved: nothing is said.
    expect(q.transitionAll(['queued'], 'paused')).toEqual([]);
    expect(q.requeueLostToNetwork('127.0.0.1:9')).toEqual([a]);
    expect(heard).toEqual([{ event: 'bulk', change: { ids: [a], state: 'queued' }, origin: 'here' }]);
  });

  it('announces the sealed files a person could have retried, and a placed file completed', () => {
    const dir = tempDir();
    const q = queueIn(dir);
    const [failed, done, placed] = q.enqueue([spec(dir, 1), spec(dir, 2), spec(dir, 3)]);
    for (const id of [failed, done, placed]) q.transition(id!, 'active');
    q.transition(failed!, 'failed', { error: { code: 'auth', message: 'Refused.' } });
    q.transition(done!, 'completed');
    const heard = listen(q);
    q.seal([failed!, done!]);
    expect(heard).toEqual([{ event: 'task', id: failed, state: 'failed', origin: 'here' }]);
    expect(q.get(failed!)!.sealed).toBe(true);

    heard.length = 0;
    q.completePlaced(placed!, path.join(dir, 'f3.bin'), 10);
    // Already completed: no change, nothing said.
    q.completePlaced(placed!, path.join(dir, 'f3.bin'), 10);
    expect(heard).toEqual([{ event: 'task', id: placed, state: 'completed', origin: 'here' }]);
  });

  it('says a paused task again once its transfer has let go, with the bytes it flushed last', () => {
    const dir = tempDir();
    const q = queueIn(dir);
    const [id] = q.enqueue([spec(dir, 1)]);
    q.transition(id!, 'active');
    q.transition(id!, 'paused', { bytesOnDisk: 100 });
    const heard: number[] = [];
    q.changes.on('task', (t) => heard.push(t.bytesOnDisk));
    q.letGo(id!, { bytesOnDisk: 120 });
    expect(heard).toEqual([120]);
  });

  it("hears another process's change once, and never its own again, when that process writes", () => {
    const dir = tempDir();
    const here = queueIn(dir);
    const other = queueIn(dir);
    const heard = listen(here);
    watch(here);
    // A third stays queued: rows this process queued are not news when read back either.
    const [mine, theirs] = here.enqueue([spec(dir, 1), spec(dir, 2), spec(dir, 3)]);
    here.transition(mine!, 'active');
    here.record(mine!, { bytesOnDisk: 10 });
    expect(heard).toEqual([{ event: 'task', id: mine, state: 'active', origin: 'here' }]);

    heard.length = 0;
    other.transition(theirs!, 'paused');
    here.changes.check();
    // Only their pause: not this process's own new task, its start, or the bytes it recorded.
    expect(heard).toEqual([{ event: 'task', id: theirs, state: 'paused', origin: 'elsewhere' }, { event: 'external' }]);

    heard.length = 0;
    here.changes.check();
    expect(heard).toEqual([]);
    // The other process writes again: its pause is not news again, nor this process's bytes.
    here.record(mine!, { bytesOnDisk: 20 });
    other.transition(theirs!, 'canceled');
    here.changes.check();
    expect(heard).toEqual([{ event: 'task', id: theirs, state: 'canceled', origin: 'elsewhere' }, { event: 'external' }]);

    // What the other process queues is news here.
    heard.length = 0;
    const [added] = other.enqueue([spec(dir, 4)]);
    here.changes.check();
    expect(heard).toEqual([{ event: 'task', id: added, state: 'queued', origin: 'elsewhere' }, { event: 'external' }]);
  });

  it("reads no task rows when no other process wrote: one pragma a look", () => {
    const dir = tempDir();
    const q = queueIn(dir);
    watch(q);
    const reads = { changed: 0, rows: 0 };
    const { changedSince, get } = q;
    q.changedSince = (since) => {
      reads.changed += 1;
      return changedSince.call(q, since);
    };
    q.get = (id) => {
      reads.rows += 1;
      return get.call(q, id);
    };
    const [id] = q.enqueue([spec(dir, 1)]);
    q.transition(id!, 'active');
    q.transition(id!, 'completed');
    for (let i = 0; i < 5; i++) q.changes.check();
    expect(reads).toEqual({ changed: 0, rows: 0 });
    // Another process's write is read, once.
    queueIn(dir).enqueue([spec(dir, 2)]);
    q.changes.check();
    q.changes.check();
    expect(reads).toEqual({ changed: 1, rows: 1 });
  });

  it("sends another process's pause of many tasks as one bulk change per state", () => {
    const dir = tempDir();
    const here = queueIn(dir);
    const other = queueIn(dir);
    const ids = other.enqueue(Array.from({ length: 250 }, (_, i) => spec(dir, i)));
    const heard = listen(here);
    watch(here);
    other.transition(ids[0]!, 'active');
    other.transitionAll(['queued'], 'paused');
    here.changes.check();
    expect(heard).toEqual([
      { event: 'bulk', change: { ids: [ids[0]], state: 'active' }, origin: 'elsewhere' },
      { event: 'bulk', change: { ids: ids.slice(1), state: 'paused' }, origin: 'elsewhere' },
      { event: 'external' },
    ]);
  });
});
