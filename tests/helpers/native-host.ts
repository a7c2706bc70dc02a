import { spawn, type ChildProcess } from 'node:child_process';
import type { HostReply } from '../../preload/browser.js';
import { encodeFrame, FrameReader } from '../../main/headless/native/framing.js';
import { cartageBin, projectRoot } from './cli.js';

/** A `cartage native-host` spoken to as a browser does: length-prefixed JSON both ways. */
export interface HostProcess {
  child: ChildProcess;
  /** Sends one message and waits for its answer. */
  ask(message: unknown): Promise<HostReply>;
  /** Writes bytes as they are (a broken frame, a huge one), and waits for the one answer it gets. */
  askRaw(bytes: Buffer): Promise<HostReply>;
  /** Closes stdin as the browser does, and waits for the host to exit. */
  end(): Promise<{ code: number | null; stderr: string }>;
  stderr(): string;
}

export function startHost(dataDir: string, env: NodeJS.ProcessEnv = {}): HostProcess {
  return startHostProgram(process.execPath, [cartageBin, 'native-host', '--data-dir', dataDir, 'chrome-extension://test/'], env);
}

/** A native host started as the browser starts one: a program (a launcher) and the browser's arguments. */
export function startHostProgram(program: string, args: string[], env: NodeJS.ProcessEnv = {}): HostProcess {
  const child = spawn(program, args, {
    cwd: projectRoot,
    env: { ...process.env, CARTAGE_DATA_DIR: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const reader = new FrameReader(1024 * 1024);
  const replies: HostReply[] = [];
  const waiting: ((r: HostReply) => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      if (frame.kind !== 'message') throw new Error(`the host sent a frame over 1 MB (${frame.length} bytes)`);
      const reply = JSON.parse(frame.body.toString('utf8')) as HostReply;
      const next = waiting.shift();
      if (next) next(reply);
      else replies.push(reply);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const nextReply = (): Promise<HostReply> =>
    Promise.race([
      new Promise<HostReply>((resolve) => {
        const ready = replies.shift();
        if (ready) resolve(ready);
        else waiting.push(resolve);
      }),
      exited.then((code): never => {
        throw new Error(`cartage native-host exited (${code}) before answering: ${stderr}`);
      }),
    ]);
  const askRaw = (bytes: Buffer): Promise<HostReply> => {
    child.stdin!.write(bytes);
    return nextReply();
  };
  return {
    child,
    ask: (message) => askRaw(encodeFrame(message)),
    askRaw,
    end: async () => {
      child.stdin!.end();
      return { code: await exited, stderr };
    },
    stderr: () => stderr,
  };
}
