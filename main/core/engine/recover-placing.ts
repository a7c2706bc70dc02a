import fs from 'node:fs';
import type { TaskQueue } from '../queue/queue.js';
import type { Task } from '../queue/task.js';
import { placedAt } from './place.js';

/**
 * On start: each task whose file was being placed when Cartage stopped is completed if the disk
 * shows the file placed (the part's name, if still there, is removed: it is the final file), or
 * else forgets the intent and is taken up again from its part file. Returns the tasks completed.
 */
export function recoverPlacing(queue: TaskQueue): Task[] {
  const completed: Task[] = [];
  for (const t of queue.placingTasks()) {
    const target = t.placing!;
    const found = placedAt(t.tempPath, target, t.totalBytes ?? t.expectedBytes);
    if (found.placed) {
      if (found.partLinked) fs.rmSync(t.tempPath, { force: true });
      const done = queue.completePlaced(t.id, target, found.bytes);
      if (done) completed.push(done);
    } else {
      queue.record(t.id, { placing: null }, [t.state]);
    }
  }
  return completed;
}
