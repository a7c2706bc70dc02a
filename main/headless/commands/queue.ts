import { parseArgs } from 'node:util';
import { formatBytes } from '../../core/util/format.js';
import { jsonTask, withCore, type Io } from '../session.js';

/** `cartage queue`: every task, page by page, and the totals. */
export async function queueCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  return withCore(dataDir, (core) => {
    const totals = core.queue.totals();
    if (values.json) {
      // Streamed, so a queue of 100,000 tasks prints without building one huge string.
      io.stdout.write('{"tasks":[');
      let first = true;
      for (const t of core.queue.iterate()) {
        io.stdout.write(`${first ? '' : ','}\n${JSON.stringify(jsonTask(t))}`);
        first = false;
      }
      io.stdout.write(`\n],"totals":${JSON.stringify(totals)}}\n`);
      return 0;
    }
    const c = totals.counts;
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    if (total === 0) {
      io.stdout.write('The queue is empty. Add downloads with "cartage get URL".\n');
      return 0;
    }
    io.stdout.write(`${'ID'.padStart(6)}  ${'STATE'.padEnd(9)}  ${'PROGRESS'.padEnd(21)}  NAME\n`);
    for (const t of core.queue.iterate()) {
      const size = t.totalBytes ?? t.expectedBytes;
      const progress = `${formatBytes(t.bytesOnDisk)} / ${size !== null ? formatBytes(size) : '?'}`;
      const note = t.error && t.state !== 'completed' ? `  (${t.error.message})` : '';
      io.stdout.write(`${String(t.id).padStart(6)}  ${t.state.padEnd(9)}  ${progress.padEnd(21)}  ${t.name}${note}\n`);
    }
    io.stdout.write(
      `${total} tasks: ${c.queued} queued, ${c.active} active, ${c.paused} paused, ${c.completed} completed, ${c.failed} failed, ${c.skipped} skipped, ${c.canceled} canceled; ${formatBytes(totals.bytesDone)} of ${formatBytes(totals.bytesTotal)}.\n`,
    );
    return 0;
  }, { rowsOnly: true });
}
