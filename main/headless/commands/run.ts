import { parseArgs } from 'node:util';
import { jsonTask, printSummary, runEngine, withCore, type Io } from '../session.js';
import { connectionsPerFile } from '../../../preload/settings-limits.js';
import { parseRate, parseWhole, UsageError } from '../usage.js';

/** `cartage run`: work through the saved queue until it is empty. */
export async function runCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { json: { type: 'boolean', default: false }, 'limit-rate': { type: 'string' }, connections: { type: 'string' } },
  });
  const overrides = {
    ...(values['limit-rate'] !== undefined ? { speedLimit: parseRate(values['limit-rate']) } : {}),
    ...(values.connections !== undefined ? { connections: parseWhole('--connections', values.connections, connectionsPerFile) } : {}),
  };
  return withCore(dataDir, async (core) => {
    const lock = core.startEngine();
    if (!lock.ok) throw new UsageError(`Another Cartage (pid ${lock.pid}) is already running this queue; it will finish it.`);
    const before = core.queue.totals().counts;
    if (!values.json && before.queued + before.active === 0) io.stdout.write('Nothing to do: the queue has no waiting downloads.\n');
    const report = await runEngine(core, io, {
      json: values.json,
      header: (r) => `Working through the queue: ${r.completed.length} done, ${r.failed.length} failed`,
    });
    const after = core.queue.totals().counts;
    const left = after.queued + after.active + (report.pausedBy ? after.paused : 0);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ completed: report.completed.map(jsonTask), failed: report.failed.map(jsonTask), skipped: report.skipped.map(jsonTask), left }, null, 2)}\n`);
    } else printSummary(io, report, left);
    if (report.interrupted && left > 0) return 130;
    return report.failed.length > 0 || report.pausedBy ? 1 : 0;
  }, { overrides });
}
