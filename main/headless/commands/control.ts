import { parseArgs } from 'node:util';
import { sealedReason } from '../../core/queue/queue.js';
import type { Task } from '../../core/queue/task.js';
import { withCore, type Io } from '../session.js';
import { parseIds, UsageError } from '../usage.js';

type Verb = 'pause' | 'resume' | 'cancel';

const past: Record<Verb, string> = { pause: 'Paused', resume: 'Resumed', cancel: 'Canceled' };

/**
 * `cartage pause|resume|cancel ID...|--all`. Works on the stored queue; an engine running in another
 * process (the app, `cartage run`) sees the change within a moment and acts on it.
 */
export async function controlCommand(verb: Verb, args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { all: { type: 'boolean', default: false } },
  });
  const ids = parseIds(positionals, values.all, verb);
  return withCore(dataDir, (core) => {
    const { engine, queue } = core;
    if (ids !== 'all') {
      // Check every id first, so a typo changes nothing.
      const missing = ids.filter((id) => !queue.get(id));
      if (missing.length) throw new UsageError(`There is no task ${missing.join(', ')} in the queue; nothing was changed.`);
    }
    let count: number;
    if (ids === 'all') {
      count = verb === 'pause' ? engine.pauseAll().length : verb === 'cancel' ? engine.cancelAll().length : engine.resumeAll().length + engine.retryAll().length;
      if (verb !== 'resume') for (const t of queue.placingTasks()) io.stdout.write(`${finishing(t)}\n`);
    } else {
      const moved: Task[] =
        verb === 'pause' ? engine.pause(ids) : verb === 'cancel' ? engine.cancel(ids) : [...engine.resume(ids), ...engine.retry(ids)];
      count = moved.length;
      const untouched = ids.filter((id) => !moved.some((t) => t.id === id));
      for (const id of untouched) {
        const t = queue.get(id)!;
        if (t.sealed && verb === 'resume') io.stdout.write(`Task ${id} (${t.name}) ${sealedReason}\n`);
        else if (t.placing && verb !== 'resume') io.stdout.write(`${finishing(t)}\n`);
        else io.stdout.write(`Task ${id} (${t.name}) is ${t.state}; there is nothing to ${verb}.\n`);
      }
    }
    io.stdout.write(`${past[verb]} ${count} download${count === 1 ? '' : 's'}.\n`);
    return 0;
  }, { rowsOnly: true });
}

/** A task whose file was complete when the pause or cancel came: it is kept, and recorded as completed. */
function finishing(t: Task): string {
  return `Task ${t.id} (${t.name}) had finished downloading and is being saved as ${t.placing}; it was kept.`;
}
