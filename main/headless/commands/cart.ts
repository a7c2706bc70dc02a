import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { CartItem } from '../../core/cart/cart.js';
import type { CheckoutRequest } from '../../core/cart/checkout.js';
import { importSynapseList } from '../../core/cart/synapse-import.js';
import type { Core } from '../../core/core.js';
import type { DeliveryView } from '../../core/delivery/deliveries.js';
import { layouts, type Layout } from '../../core/delivery/layout.js';
import { formatBytes } from '../../core/util/format.js';
import type { CartItemJson } from '../json.js';
import { runEngine, withCore, type Io } from '../session.js';
import { parseIds, UsageError } from '../usage.js';

/** `cartage cart add|ls|rm|clear`: the download list. */
export async function cartCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const [verb, ...rest] = args;
  return withCore(dataDir, async (core) => {
    switch (verb) {
      case 'add': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} });
        if (positionals.length === 0) throw new UsageError('Say what to add: a URL, a folder URL, SOURCE:PATH or SOURCE?FILTERS.');
        const outcome = await core.cart.add(positionals);
        io.stdout.write(`${outcome.message}\n`);
        return 0;
      }
      case 'ls':
      case 'list':
        return listCart(core, rest, io);
      case 'rm':
      case 'remove': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} });
        const ids = parseIds(positionals, false, 'remove from the list');
        if (ids === 'all') throw new UsageError('Use "cartage cart clear" to empty the list.');
        const n = core.cart.remove(ids);
        io.stdout.write(`Removed ${n} entr${n === 1 ? 'y' : 'ies'} from the list.\n`);
        return 0;
      }
      case 'clear': {
        parseArgs({ args: rest, strict: true, options: {} });
        const n = core.cart.clear();
        io.stdout.write(n ? `Cleared the list (${n} entr${n === 1 ? 'y' : 'ies'}).\n` : 'The list was already empty.\n');
        return 0;
      }
      case 'import': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} });
        if (positionals.length !== 1) throw new UsageError('Say which Synapse source\'s download list to import: cartage cart import SOURCE (see "cartage source ls").');
        io.stdout.write(`${(await importSynapseList(core.cart, core.sources, positionals[0]!)).message}\n`);
        return 0;
      }
      case 'put-back': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} });
        if (positionals.length !== 1 || !/^\d+$/.test(positionals[0]!)) throw new UsageError('Give the number of one delivery (see "cartage deliveries").');
        io.stdout.write(`${core.putBack(Number(positionals[0])).message}\n`);
        return 0;
      }
      default:
        throw new UsageError(`"cartage cart" takes add, ls, rm, clear, import or put-back${verb ? `, not "${verb}"` : ''}.`);
    }
  });
}

function listCart(core: Core, args: string[], io: Io): number {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  const view = core.cart.view();
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ...view, items: view.items.map(jsonItem) }, null, 2)}\n`);
    return 0;
  }
  if (view.items.length === 0) {
    io.stdout.write('The download list is empty. Add files with "cartage cart add URL|SOURCE:PATH|SOURCE?FILTERS".\n');
    return 0;
  }
  for (const item of view.items) io.stdout.write(itemLine(item));
  const t = view.totals;
  io.stdout.write(
    `${t.files} of ${view.limit} places used, ${formatBytes(t.bytes)}${t.unknownSizes ? ` (${t.unknownSizes} sizes unknown)` : ''}; ${t.deliverable} will be downloaded${t.restricted ? `, ${t.restricted} cannot be` : ''}.${view.locked ? ' The list is being checked out.' : ''}\n`,
  );
  return 0;
}

function itemLine(item: CartItem): string {
  const size = item.size === null ? '?' : formatBytes(item.size);
  const from = item.sourceName ? `${item.sourceName}:${item.folder ? `${item.folder}/` : ''}` : '';
  const live = item.motion ? ` + ${item.motion.name}` : '';
  const why = item.access.downloadable ? '' : `\n${' '.repeat(20)}not downloadable: ${item.access.reason}`;
  return `${String(item.id).padStart(6)}  ${size.padStart(10)}  ${from}${item.name}${live}  <${item.href}>${why}\n`;
}

function jsonItem(item: CartItem): CartItemJson {
  return { ...item, takenAt: item.takenAt?.toISOString() ?? null };
}

/** `cartage checkout (--zip NAME | --files) --dir DIR`: the list becomes a delivery, downloaded now. */
export async function checkoutCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      zip: { type: 'string' },
      files: { type: 'boolean', default: false },
      dir: { type: 'string', short: 'd' },
      layout: { type: 'string', default: 'flat' },
      yes: { type: 'boolean', short: 'y', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`checkout takes no references ("${positionals[0]}"); add them with "cartage cart add" first.`);
  if ((values.zip === undefined) === !values.files) throw new UsageError('Choose one: --zip NAME (one zip file) or --files (the files in a folder).');
  if (!values.dir) throw new UsageError('Say where with --dir DIR.');
  if (!(layouts as readonly string[]).includes(values.layout)) throw new UsageError(`--layout is flat, folders or date, not "${values.layout}".`);
  const req: CheckoutRequest = {
    kind: values.zip !== undefined ? 'zip' : 'files',
    dir: values.dir.startsWith('/') ? values.dir : `${io.cwd}/${values.dir}`,
    layout: values.layout as Layout,
    ...(values.zip !== undefined ? { name: values.zip } : {}),
  };
  return withCore(dataDir, async (core) => {
    const plan = core.planCheckout(req);
    const summary = `${plan.files} file${plan.files === 1 ? '' : 's'}, ${formatBytes(plan.bytes)}${plan.unknownSizes ? ` (+${plan.unknownSizes} of unknown size)` : ''}, into ${plan.target}; ${formatBytes(plan.freeBytes)} free there.`;
    if (!values.yes) {
      if (!values.json) {
        io.stdout.write(`Check out ${summary}\n`);
        for (const s of plan.staying) io.stdout.write(`  stays in the list: ${s.name}: ${s.reason}\n`);
      }
      if (!io.stdin?.isTTY) throw new UsageError('Add --yes to start the download without being asked (no terminal to ask on).');
      const rl = readline.createInterface({ input: io.stdin, output: io.stdout });
      const answer = (await rl.question('Start? [y/N] ')).trim().toLowerCase();
      rl.close();
      if (answer !== 'y' && answer !== 'yes') {
        io.stdout.write('Nothing was checked out.\n');
        return 0;
      }
    }
    const lock = core.startEngine();
    const { deliveryId } = core.checkout(req);
    if (!values.json) io.stdout.write(`Delivery ${deliveryId}: ${summary}\n`);
    if (!lock.ok) {
      if (!values.json) io.stdout.write(`Another Cartage (pid ${lock.pid}) runs the queue and will download it; see "cartage deliveries".\n`);
      return 0;
    }
    const taskIds = core.db.prepare('SELECT task_id AS id FROM delivery_items WHERE delivery_id = ? UNION ALL SELECT motion_task_id FROM delivery_items WHERE delivery_id = ? AND motion_task_id IS NOT NULL').all(deliveryId, deliveryId) as { id: number }[];
    const settled = core.deliveries.whenSettled(deliveryId);
    const report = await runEngine(core, io, {
      json: values.json,
      watch: new Set(taskIds.map((t) => t.id)),
      header: (r) => `Delivery ${deliveryId}: ${r.completed.length} of ${taskIds.length} done, ${r.failed.length} failed`,
    });
    if (report.interrupted) return 130;
    const done = await settled;
    if (values.json) io.stdout.write(`${JSON.stringify({ delivery: done }, null, 2)}\n`);
    else io.stdout.write(deliveryText(done));
    return done.progress.failed || done.progress.canceled || report.pausedBy ? 1 : 0;
  });
}

/** `cartage deliveries`: every delivery with its progress, failures and where it was saved. */
export async function deliveriesCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  return withCore(dataDir, (core) => {
    const all = core.deliveries.list();
    if (values.json) io.stdout.write(`${JSON.stringify({ deliveries: all }, null, 2)}\n`);
    else if (all.length === 0) io.stdout.write('No deliveries yet: check the download list out with "cartage checkout".\n');
    else for (const d of all) io.stdout.write(deliveryText(d));
    return 0;
  });
}

function deliveryText(d: DeliveryView): string {
  const p = d.progress;
  const lines = [
    `#${d.id} ${d.name} (${d.kind === 'zip' ? 'zip' : `files, ${d.layout}`}): ${d.state}, ${p.done} of ${d.files} files, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}${p.failed ? `, ${p.failed} failed` : ''}${p.canceled ? `, ${p.canceled} canceled` : ''}`,
    d.state === 'completed' ? `    saved to ${d.target}` : '',
    // A finished zip cannot take a file any more; files in a folder always can.
    ...d.failures.map(
      (f) =>
        `    failed: ${f.name}: ${f.error?.message ?? 'unknown error'} (${d.kind === 'files' || d.state === 'running' ? `retry: cartage resume ${f.taskId}` : `put it back on the list: cartage cart put-back ${d.id}`})`,
    ),
  ];
  return `${lines.filter(Boolean).join('\n')}\n`;
}
