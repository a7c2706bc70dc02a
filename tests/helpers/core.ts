import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../../main/core/core.js';
import type { Engine } from '../../main/core/engine/engine.js';
import { terminalStates } from '../../main/core/queue/states.js';
import type { Task } from '../../main/core/queue/task.js';
import type { SettingsPatch } from '../../main/core/settings.js';

export function tempDir(prefix = 'cartage-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A core in a fresh data folder, with retries and probes fast enough for tests. */
export function testCore(settings: SettingsPatch = {}, dataDir = tempDir()): Core {
  const core = new Core({ dataDir, engine: { random: () => 0.5 } });
  core.settings.update({ retryBaseMs: 10, retryMaxMs: 50, probeIntervalMs: 50, stallTimeoutMs: 5000, ...settings });
  return core;
}

/** Cores made by a test file, closed after each test: `const cores = testCores(); afterEach(cores.closeAll)`. */
export function testCores(): { make(settings?: SettingsPatch, dataDir?: string): Core; closeAll(): Promise<void> } {
  const made: Core[] = [];
  return {
    make(settings = {}, dataDir = tempDir()) {
      const c = testCore(settings, dataDir);
      made.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(made.splice(0).map((c) => c.close()));
    },
  };
}

/** Resolves with the task when the queue's stream shows it matching `test` (or it already does). */
export function waitForTask(engine: Engine, id: number, test: (t: Task) => boolean): Promise<Task> {
  const now = engine.queue.get(id);
  if (now && test(now)) return Promise.resolve(now);
  const changes = engine.queue.changes;
  return new Promise((resolve) => {
    const onTask = (t: Task): void => {
      if (t.id === id && test(t)) {
        changes.off('task', onTask);
        resolve(t);
      }
    };
    changes.on('task', onTask);
  });
}

/** Resolves when the task reaches completed, failed, skipped or canceled. */
export function settled(engine: Engine, id: number): Promise<Task> {
  return waitForTask(engine, id, (t) => terminalStates.includes(t.state));
}

export function settledAll(engine: Engine, ids: number[]): Promise<Task[]> {
  return Promise.all(ids.map((id) => settled(engine, id)));
}

/** Resolves on the first progress snapshot in which the task has at least `bytes` on disk. */
export function progressReaches(engine: Engine, id: number, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const on = (s: { tasks: { id: number; bytes: number }[] }): void => {
      if (s.tasks.some((t) => t.id === id && t.bytes >= bytes)) {
        engine.off('progress', on);
        resolve();
      }
    };
    engine.on('progress', on);
  });
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fileSha256(file: string): string {
  return sha256(fs.readFileSync(file));
}

/** Deterministic pseudo-random bytes, so a failure is reproducible. */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeInt32LE(x | 0, Math.min(i, size - 4));
  }
  return out;
}

export function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}
