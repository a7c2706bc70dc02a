import type { z } from 'zod';
import { hostRequests, maxMessageFromHost, maxMessageToHost, type HostReply } from '../../../preload/browser.js';
import type { CartageCommand } from '../../core/browser-hosts.js';
import type { Core } from '../../core/core.js';
import { CartageError } from '../../core/errors.js';
import { encodeFrame, FrameReader, type Frame } from '../native/framing.js';
import { answer, notJson, type HostActions } from '../native/messages.js';
import { ensureQueueRuns, openCartage } from '../native/runner.js';
import { openCore, type Io } from '../session.js';
import { version } from './serve.js';

/**
 * `cartage native-host`: what the browser starts for the extension (never typed by a person). It
 * reads length-prefixed JSON messages on stdin, checks each against the contract, answers each on
 * stdout, and ends when the browser closes stdin. A bad message gets one error back and changes
 * nothing; the host goes on with the next. The browser's own arguments (the extension's origin,
 * Firefox's manifest path) are ignored: the manifest's allowed origins already chose who may call.
 */
export async function nativeHostCommand(_args: string[], io: Io, dataDir: string): Promise<number> {
  const stdin = io.stdin ?? process.stdin;
  const cartage: CartageCommand = { node: process.execPath, script: process.argv[1] ?? '' };
  let core: Core | null = null;
  const coreNow = (): Core => (core ??= openCore(dataDir));
  const actions: HostActions = {
    version: version(),
    ensureQueueRuns: () => ensureQueueRuns(dataDir, cartage, () => coreNow().queue.hasPending()),
    open: () => openCartage(dataDir, cartage, io.env),
  };
  const reader = new FrameReader(maxMessageToHost);
  let chain = Promise.resolve();
  const send = (reply: HostReply): void => {
    let frame = encodeFrame(reply);
    if (frame.length - 4 > maxMessageFromHost) {
      frame = encodeFrame({ ok: false, error: { code: 'internal', message: 'Cartage\'s answer was too long for the browser; try again with fewer links.' } });
    }
    io.stdout.write(frame);
  };
  const handle = async (frame: Frame): Promise<HostReply> => {
    if (frame.kind === 'oversized') {
      const mb = (frame.length / 1024 / 1024).toFixed(1);
      throw new CartageError('bad_input', `The browser sent Cartage ${mb} MB at once, more than the ${maxMessageToHost / 1024 / 1024} MB it takes; nothing was added. Send fewer links at a time.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(frame.body.toString('utf8'));
    } catch {
      throw notJson();
    }
    const parsed = hostRequests.safeParse(json);
    if (!parsed.success) throw new CartageError('bad_input', describeIssues(parsed.error));
    return { ok: true, value: await answer(coreNow(), actions, parsed.data) } as HostReply;
  };

  await new Promise<void>((resolve) => {
    stdin.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        chain = chain.then(async () => send(await handle(frame).catch(refusal)));
      }
    });
    stdin.once('end', resolve);
    stdin.once('close', resolve);
    stdin.once('error', () => resolve());
  });
  await chain;
  if (reader.midMessage) io.stderr.write('cartage native-host: the browser closed the connection in the middle of a message; it was ignored.\n');
  await (core as Core | null)?.close();
  return 0;
}

/** A refusal the extension can show as it is. */
function refusal(err: unknown): HostReply {
  if (err instanceof CartageError) return { ok: false, error: { code: err.code, message: err.message } };
  return { ok: false, error: { code: 'internal', message: `Cartage could not do this: ${(err as Error).message}` } };
}

/** One sentence for what is wrong with a message: the first problem, and how many links have one. */
function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  const badLinks = error.issues.filter((i) => i.code === 'custom').length;
  if (badLinks > 1) return `${badLinks.toLocaleString('en-US')} of the links cannot be sent to Cartage; the first: ${first?.message ?? ''} Nothing was added.`;
  if (first?.code === 'too_big' || first?.code === 'too_small') return `${first.message} Nothing was added.`;
  if (first?.code === 'custom') return `${first.message.replace(/\.$/, '')}; nothing was added.`;
  if (first?.code === 'invalid_union' || (first?.path.length === 1 && first.path[0] === 'type')) {
    return 'Cartage received a message it does not know from the browser; nothing was done. Update the extension or Cartage so that they match.';
  }
  return `Cartage refused the browser's message (${first?.path.join('.') || 'message'}: ${first?.message ?? 'not valid'}); nothing was added.`;
}
