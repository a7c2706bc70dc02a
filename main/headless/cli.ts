import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CartageError } from '../core/errors.js';
import { defaultDataDir } from '../core/paths.js';
import { assertNever } from '../core/util/assert-never.js';
import { commandHelp } from './help.js';
import type { Io } from './session.js';
import { usage, UsageError } from './usage.js';
import { cartageVersion } from './version.js';

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
    if (name === '--version' || name === '-v') {
      io.stdout.write(`cartage ${cartageVersion()}\n`);
      return 0;
    }
    if (!(commands as readonly string[]).includes(name)) {
      throw new UsageError(`"${name}" is not a cartage command; the commands are ${commands.join(', ')} (see "cartage help").`);
    }
    const command = name as Command;
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(`${commandHelp(command, commands)}\n`);
      return 0;
    }
    // Each command's module is loaded when it runs: the others' dependencies (the native host's
    // message schemas, the web server, WebDAV's XML parser) cost start-up CPU on every command.
    switch (command) {
      case 'help':
        if (args.length > 1) throw new UsageError(`help takes one command ("cartage help get"), not ${args.length}.`);
        io.stdout.write(`${args[0] === undefined ? usage : commandHelp(args[0], commands)}\n`);
        return 0;
      case 'get':
        return await (await import('./commands/get.js')).getCommand(args, io, dataDir);
      case 'queue':
        return await (await import('./commands/queue.js')).queueCommand(args, io, dataDir);
      case 'pause':
      case 'resume':
      case 'cancel':
        return await (await import('./commands/control.js')).controlCommand(command, args, io, dataDir);
      case 'run':
        return await (await import('./commands/run.js')).runCommand(args, io, dataDir);
      case 'source':
        return await (await import('./commands/source.js')).sourceCommand(args, io, dataDir);
      case 'ls':
        return await (await import('./commands/browse.js')).lsCommand(args, io, dataDir);
      case 'summary':
        return await (await import('./commands/browse.js')).summaryCommand(args, io, dataDir);
      case 'search':
        return await (await import('./commands/browse.js')).searchCommand(args, io, dataDir);
      case 'cart':
        return await (await import('./commands/cart.js')).cartCommand(args, io, dataDir);
      case 'checkout':
        return await (await import('./commands/cart.js')).checkoutCommand(args, io, dataDir);
      case 'deliveries':
        return await (await import('./commands/cart.js')).deliveriesCommand(args, io, dataDir);
      case 'serve':
        return await (await import('./commands/serve.js')).serveCommand(args, io, dataDir);
      case 'mirror':
        return await (await import('./commands/mirror.js')).mirrorCommand(args, io, dataDir);
      case 'browser':
        return (await import('./commands/browser.js')).browserCommand(args, io, dataDir);
      case 'native-host':
        return await (await import('./commands/native-host.js')).nativeHostCommand(args, io, dataDir);
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
      return err.code === 'bad_input' || err.code === 'cannot_write' || err.code === 'database_too_new' || err.code === 'database_corrupt' || err.code === 'not_found' ? 2 : 1;
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

/**
 * A reader that stopped reading (`cartage ls | head`) ends the command quietly with exit code 0, as
 * Unix tools do: Node ignores SIGPIPE, so the write fails with EPIPE instead, and an unhandled
 * stream error would print a stack trace. Whatever else happens to stdout, or to stderr, is not
 * worth a crash either: there is nowhere left to say it.
 */
export function endQuietlyWhenOutputCloses(exit: (code: number) => void = (code) => process.exit(code)): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => exit(err.code === 'EPIPE' ? 0 : 1));
  process.stderr.on('error', () => undefined);
}

/** The `cartage` command as bin/cartage.js runs it: the process's own streams, arguments and exit code. */
export async function main(): Promise<void> {
  endQuietlyWhenOutputCloses();
  const io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  try {
    process.exitCode = await runCli(process.argv.slice(2), io);
  } catch (err) {
    process.stderr.write(`cartage: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) void main();
