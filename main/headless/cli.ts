import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CartageError } from '../core/errors.js';
import { defaultDataDir } from '../core/paths.js';
import { assertNever } from '../core/util/assert-never.js';
import { lsCommand, searchCommand, summaryCommand } from './commands/browse.js';
import { browserCommand } from './commands/browser.js';
import { cartCommand, checkoutCommand, deliveriesCommand } from './commands/cart.js';
import { controlCommand } from './commands/control.js';
import { getCommand } from './commands/get.js';
import { mirrorCommand } from './commands/mirror.js';
import { nativeHostCommand } from './commands/native-host.js';
import { queueCommand } from './commands/queue.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { sourceCommand } from './commands/source.js';
import type { Io } from './session.js';
import { usage, UsageError } from './usage.js';

const commands = ['get', 'queue', 'pause', 'resume', 'cancel', 'run', 'source', 'ls', 'summary', 'search', 'cart', 'checkout', 'deliveries', 'mirror', 'serve', 'browser', 'native-host', 'help'] as const;
type Command = (typeof commands)[number];

/** Runs one `cartage` command and returns its exit code: 0 ok, 1 some download failed, 2 bad input. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  try {
    const { dataDir, rest } = takeDataDir(argv, io);
    const [name, ...args] = rest;
    if (name === undefined || name === '--help' || name === '-h') {
      io.stdout.write(`${usage}\n`);
      return name === undefined ? 2 : 0;
    }
    if (!(commands as readonly string[]).includes(name)) {
      throw new UsageError(`"${name}" is not a cartage command; the commands are ${commands.join(', ')} (see "cartage help").`);
    }
    const command = name as Command;
    switch (command) {
      case 'help':
        io.stdout.write(`${usage}\n`);
        return 0;
      case 'get':
        return await getCommand(args, io, dataDir);
      case 'queue':
        return queueCommand(args, io, dataDir);
      case 'pause':
      case 'resume':
      case 'cancel':
        return controlCommand(command, args, io, dataDir);
      case 'run':
        return await runCommand(args, io, dataDir);
      case 'source':
        return await sourceCommand(args, io, dataDir);
      case 'ls':
        return await lsCommand(args, io, dataDir);
      case 'summary':
        return await summaryCommand(args, io, dataDir);
      case 'search':
        return await searchCommand(args, io, dataDir);
      case 'cart':
        return await cartCommand(args, io, dataDir);
      case 'checkout':
        return await checkoutCommand(args, io, dataDir);
      case 'deliveries':
        return await deliveriesCommand(args, io, dataDir);
      case 'serve':
        return await serveCommand(args, io, dataDir);
      case 'mirror':
        return await mirrorCommand(args, io, dataDir);
      case 'browser':
        return browserCommand(args, io, dataDir);
      case 'native-host':
        return await nativeHostCommand(args, io, dataDir);
      default:
        return assertNever(command, 'command');
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (err instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`cartage: ${cleanParseError(err as Error)}\n`);
      return 2;
    }
    if (err instanceof CartageError) {
      io.stderr.write(`cartage: ${err.message}\n`);
      return err.code === 'bad_input' || err.code === 'database_too_new' || err.code === 'database_corrupt' || err.code === 'not_found' ? 2 : 1;
    }
    throw err;
  }
}

/** `--data-dir DIR` is accepted anywhere on the line, by every command. */
function takeDataDir(argv: string[], io: Io): { dataDir: string; rest: string[] } {
  const rest: string[] = [];
  let dataDir: string | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--data-dir') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError('--data-dir needs a folder.');
      dataDir = next;
      i += 1;
    } else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else rest.push(arg);
  }
  return { dataDir: dataDir ? path.resolve(io.cwd, dataDir) : defaultDataDir(io.env), rest };
}

function cleanParseError(err: Error): string {
  const m = err.message.replace(/\. To specify a positional argument.*$/s, '');
  if (/^Unknown option/.test(m)) return `${m.replace(/\.$/, '')}; see "cartage help" for the options.`;
  return m;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`cartage: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
