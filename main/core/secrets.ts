import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { CartageError } from './errors.js';
import { makeFolder } from './util/folders.js';

/**
 * Where API keys and passwords live: never in the database, a log, or a payload to the renderer.
 * Requests build their headers from it when they are sent.
 */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Encryption the platform offers (Electron's safeStorage); the file holds only what it returns. */
export interface SecretCipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

const fileSchema = z.object({
  version: z.literal(1),
  secrets: z.record(z.string(), z.object({ sealed: z.boolean(), value: z.string() })),
});

/**
 * Secrets in one file of the data folder, readable by its owner only (mode 0600), replaced
 * atomically. The app seals each value with the OS keychain (safeStorage); the headless
 * command, like ssh and rclone, relies on the file's permissions.
 */
export class FileSecretStore implements SecretStore {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly cipher: SecretCipher | null = null,
  ) {
    this.file = path.join(dataDir, 'secrets.json');
  }

  async get(key: string): Promise<string | null> {
    const entry = this.read().secrets[key];
    if (entry === undefined) return null;
    if (!entry.sealed) return entry.value;
    if (!this.cipher) {
      throw new CartageError(
        'auth',
        'This key was saved by the Cartage app, sealed with the system keychain, which the cartage command cannot open: add the source again on the command line, or use the app.',
      );
    }
    return this.cipher.decrypt(entry.value);
  }

  async set(key: string, value: string): Promise<void> {
    await this.change((data) => {
      data.secrets[key] = this.cipher ? { sealed: true, value: this.cipher.encrypt(value) } : { sealed: false, value };
      return true;
    });
  }

  async delete(key: string): Promise<void> {
    await this.change((data) => {
      if (!(key in data.secrets)) return false;
      delete data.secrets[key];
      return true;
    });
  }

  /**
   * Reads, changes and writes the file while holding its lock: the app and a `cartage source add`
   * in a terminal can save keys at the same moment, and neither may lose the other's.
   */
  private async change(edit: (data: z.infer<typeof fileSchema>) => boolean): Promise<void> {
    makeFolder(path.dirname(this.file));
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.file, { realpath: false, stale: 10_000, retries: { retries: 60, minTimeout: 10, maxTimeout: 200 } });
    } catch (err) {
      if ((err as { code?: string }).code === 'ELOCKED') {
        throw new CartageError(
          'cannot_write',
          `Cannot save to the secret store ${this.file}: another Cartage has held it for several seconds. Try again; if it goes on and no Cartage is running, remove the folder ${this.file}.lock.`,
        );
      }
      throw new CartageError('cannot_write', `Cannot save to the secret store ${this.file}: ${(err as Error).message}. Check that the data folder can be written.`);
    }
    try {
      const data = this.read();
      if (edit(data)) this.write(data);
    } finally {
      await release();
    }
  }

  private read(): z.infer<typeof fileSchema> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw new CartageError('cannot_write', `Cannot read the secret store ${this.file}: ${(err as Error).message}.`);
    }
    const parsed = fileSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new CartageError('bad_input', `The secret store ${this.file} is damaged; move it away and add the sources' keys again.`);
    }
    return parsed.data;
  }

  private write(data: z.infer<typeof fileSchema>): void {
    makeFolder(path.dirname(this.file));
    const temp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(data, null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, this.file);
    fs.chmodSync(this.file, 0o600);
  }
}

/** Secrets held in memory only (tests, and one-off runs with keys from the environment). */
export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>();
  get(key: string): Promise<string | null> {
    return Promise.resolve(this.map.get(key) ?? null);
  }
  set(key: string, value: string): Promise<void> {
    this.map.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
