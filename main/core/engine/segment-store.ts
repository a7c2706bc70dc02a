import type { Statement } from 'better-sqlite3';
import type { TaskQueue } from '../queue/queue.js';
import type { TaskPatch } from '../queue/task.js';
import type { Segment } from './segments.js';

/**
 * The rows of a segmented download: where each segment stands, and the downloads that must go on
 * over one connection. Read only when a part file is resumed or a large file is about to be
 * split, so that small files cost no query.
 */
export class SegmentStore {
  private readonly select: Statement;
  private readonly remove: Statement;
  private readonly insert: Statement;
  private readonly marked: Statement;
  private readonly mark: Statement;

  constructor(private readonly queue: TaskQueue) {
    const db = queue.db;
    this.select = db.prepare('SELECT start_byte AS start, end_byte AS end, written_to AS written FROM task_segments WHERE task_id = ?');
    this.remove = db.prepare('DELETE FROM task_segments WHERE task_id = ?');
    this.insert = db.prepare('INSERT INTO task_segments (task_id, start_byte, end_byte, written_to) VALUES (?, ?, ?, ?)');
    this.marked = db.prepare('SELECT 1 FROM one_connection_tasks WHERE task_id = ?').pluck();
    this.mark = db.prepare('INSERT OR IGNORE INTO one_connection_tasks (task_id) VALUES (?)');
  }

  /** The segments recorded for a task (none when it is not segmented). */
  load(taskId: number): Segment[] {
    return this.select.all(taskId) as Segment[];
  }

  /**
   * Records the segments and what the task's row learnt, in one transaction. A task that has
   * ended meanwhile (canceled from elsewhere) keeps no segments; false then.
   */
  save(taskId: number, segments: readonly Segment[], patch: TaskPatch): boolean {
    return this.queue.db.transaction(() => {
      this.remove.run(taskId);
      if (!this.queue.record(taskId, patch, ['active', 'paused', 'queued'])) return false;
      for (const s of segments) this.insert.run(taskId, s.start, s.end, s.written);
      return true;
    })();
  }

  /** Forgets the segments (the part file was removed, or is complete). */
  clear(taskId: number): void {
    this.remove.run(taskId);
  }

  /** Whether a server answered one of this task's segments wrongly before. */
  oneConnection(taskId: number): boolean {
    return this.marked.get(taskId) !== undefined;
  }

  /** From now on the task downloads over one connection, and its segments are forgotten. */
  keepToOneConnection(taskId: number): void {
    this.queue.db.transaction(() => {
      this.remove.run(taskId);
      this.mark.run(taskId);
    })();
  }
}

const stores = new WeakMap<TaskQueue, SegmentStore>();

/** The one store of a queue, its statements prepared once. */
export function segmentStoreOf(queue: TaskQueue): SegmentStore {
  let store = stores.get(queue);
  if (!store) {
    store = new SegmentStore(queue);
    stores.set(queue, store);
  }
  return store;
}
