import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../main/core/core.js';
import { cartage, cartageBin, projectRoot, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';

let nginx: Nginx;
const root = tempDir('cartage-www-');

beforeAll(async () => {
  fs.writeFileSync(path.join(root, 'photo.jpg'), 'a photo');
  for (let i = 0; i < 50; i += 1) fs.writeFileSync(path.join(root, `file-${i}.txt`), `file ${i}`);
  nginx = await startNginx(root);
});
afterAll(async () => {
  await nginx.stop();
});

/**
 * The run's result, or a failure once `ms` have passed: what is asserted here is that it ends
 * promptly, and a run that spins for ever (Node's recursive mkdir under /proc) is killed, not waited on.
 */
async function endsWithin(run: Promise<CliResult> & { child: { kill(signal: NodeJS.Signals): boolean } }, ms: number): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`cartage did not end within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Seeds a data folder: one queued task, one file in the download list, one web source. */
async function seeded(): Promise<string> {
  const data = tempDir();
  const core = new Core({ dataDir: data });
  core.queue.enqueue([{ url: 'http://127.0.0.1:9/kept.bin', dir: tempDir() }]);
  await core.sources.add({ kind: 'web', url: nginx.url(''), name: 'files' });
  await core.cart.add([nginx.url('photo.jpg')]);
  await core.close();
  return data;
}

function stateOf(data: string): { tasks: string[]; cart: number; mirrors: number; deliveries: number } {
  const core = new Core({ dataDir: data });
  try {
    return {
      tasks: [...core.queue.iterate()].map((t) => t.state),
      cart: core.cart.view().items.length,
      mirrors: core.mirrors.list().length,
      deliveries: (core.db.prepare('SELECT COUNT(*) AS n FROM deliveries').get() as { n: number }).n,
    };
  } finally {
    core.db.close();
  }
}

describe('a folder that cannot be made or written is refused at once, in one sentence, exit 2, nothing changed', () => {
  // /proc/forbidden: mkdir says ENOENT although /proc exists, and Node's recursive mkdir loops on that for ever.
  const cases: [string, string[], RegExp][] = [
    ['get --dir', ['get', 'http://127.0.0.1:9/x.bin', '--dir', '/proc/forbidden'], /^cartage: Cannot write to \/proc\/forbidden \(ENOENT\); choose another folder with --dir\.\n$/],
    ['get --dir deeper down', ['get', 'http://127.0.0.1:9/x.bin', '--dir', '/proc/forbidden/a/b'], /^cartage: Cannot write to \/proc\/forbidden\/a\/b \(ENOENT\); choose another folder with --dir\.\n$/],
    ['checkout --dir', ['checkout', '--files', '--dir', '/proc/forbidden', '--yes'], /^cartage: Cannot write to \/proc\/forbidden \(ENOENT\); choose another folder\.\n$/],
    ['checkout --zip --dir', ['checkout', '--zip', 'Trip', '--dir', '/proc/forbidden', '--yes'], /^cartage: Cannot write to \/proc\/forbidden \(ENOENT\); choose another folder\.\n$/],
    ['mirror add --to', ['mirror', 'add', 'files:', '--to', '/proc/forbidden'], /^cartage: Cannot write to \/proc\/forbidden \(ENOENT\); choose another folder for the mirror\.\n$/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what} under /proc`, async () => {
      const data = await seeded();
      const before = stateOf(data);
      const r = await endsWithin(cartage([...args, '--data-dir', data]), 10_000);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(stateOf(data)).toEqual(before);
      expect(before).toEqual({ tasks: ['queued'], cart: 1, mirrors: 0, deliveries: 0 });
    });
  }
});

describe('a data folder that cannot be made', () => {
  it('is refused at once in one sentence, exit 2, from --data-dir and from CARTAGE_DATA_DIR', async () => {
    const message = /^cartage: Cannot make the data folder \/proc\/forbidden \(ENOENT\); choose another with --data-dir or CARTAGE_DATA_DIR\.\n$/;
    const given = await endsWithin(cartage(['queue', '--data-dir', '/proc/forbidden']), 10_000);
    expect(given).toMatchObject({ code: 2, stdout: '' });
    expect(given.stderr).toMatch(message);
    const fromEnv = await endsWithin(cartage(['get', nginx.url('photo.jpg'), '--dir', tempDir()], { env: { CARTAGE_DATA_DIR: '/proc/forbidden' } }), 10_000);
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(message);
  });
});

describe('a reader that stops reading ends the command quietly', () => {
  /** `cartage ARGS | true`: the pipe's reader is gone before cartage writes, so its first write fails with EPIPE. */
  function intoClosedPipe(args: string[]): Promise<{ status: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', `"${process.execPath}" "${cartageBin}" "$@" | true; echo "\${PIPESTATUS[0]}"`, 'cartage', ...args], {
        cwd: projectRoot,
        env: { ...process.env, CARTAGE_DATA_DIR: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', () => resolve({ status: stdout.trim(), stderr }));
    });
  }

  it('exits 0 without a stack trace for help, queue, ls and --version', async () => {
    const data = await seeded();
    for (const args of [['help'], ['queue', '--data-dir', data], ['ls', 'files:', '--data-dir', data], ['--version'], ['source', 'ls', '--json', '--data-dir', data]]) {
      const r = await intoClosedPipe(args);
      expect({ args, ...r }).toEqual({ args, status: '0', stderr: '' });
    }
  });
});

describe('version and help', () => {
  it('prints the version with --version and -v', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = await cartage([flag]);
      expect(r).toMatchObject({ code: 0, stdout: `cartage ${version}\n`, stderr: '' });
    }
  });

  it('shows one command\'s help with "help COMMAND" and "COMMAND --help", and only that command\'s', async () => {
    const viaHelp = await cartage(['help', 'checkout']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stderr).toBe('');
    expect(viaHelp.stdout).toMatch(/^Usage:\n {2}cartage checkout \(--zip NAME \| --files\) --dir DIR/);
    expect(viaHelp.stdout).toContain('Without --yes, shows the count, total size and free space and asks first.');
    expect(viaHelp.stdout).not.toContain('cartage get');
    expect((await cartage(['checkout', '--help'])).stdout).toBe(viaHelp.stdout);
    expect((await cartage(['checkout', '-h'])).stdout).toBe(viaHelp.stdout);

    const mirror = await cartage(['mirror', '--help']);
    expect(mirror.code).toBe(0);
    for (const verb of ['add', 'ls', 'set', 'run', 'pause|resume', 'rm']) expect(mirror.stdout).toContain(`cartage mirror ${verb}`);
    expect(mirror.stdout).not.toContain('cartage source');
  });

  it('refuses help for a command that does not exist, naming the commands; exit 2', async () => {
    const r = await cartage(['help', 'fetch']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cartage: "fetch" is not a cartage command; the commands are get, queue, .*, help\.\n$/);
  });
});
