import { z } from 'zod';
import type { Db } from './db/connection.js';
import { cartLimits, conflictPolicies, connectionsPerFile, themes, transfersAtOnce } from '../../preload/settings-limits.js';
import { CartageError } from './errors.js';

export { conflictPolicies };
export type ConflictPolicy = (typeof conflictPolicies)[number];

export const settingsSchema = z.object({
  /** At most this many transfers at once (the seed's 6). */
  maxConcurrent: z.number().int().min(transfersAtOnce.min).max(transfersAtOnce.max).default(6),
  /** At most this many transfers to one host at once. */
  maxPerHost: z.number().int().min(transfersAtOnce.min).max(transfersAtOnce.max).default(6),
  /** At most this many transfers of one group (image, video, livephoto, other) at once. */
  maxPerGroup: z.number().int().min(transfersAtOnce.min).max(transfersAtOnce.max).default(3),
  /**
   * Connections a file of 16 MiB or more is fetched over at once, when its server answers ranges
   * with a strong ETag; 1 turns splitting off. They count against `maxPerHost`.
   */
  connections: z.number().int().min(connectionsPerFile.min).max(connectionsPerFile.max).default(4),
  /** Global speed limit in bytes per second; 0 means no limit. */
  speedLimit: z.number().int().min(0).default(0),
  conflictPolicy: z.enum(conflictPolicies).default('rename'),
  /** Retries after the first attempt for network errors, 5xx, 408 and 429. */
  maxRetries: z.number().int().min(0).max(20).default(3),
  /** First backoff delay; each retry doubles it (with jitter). */
  retryBaseMs: z.number().int().min(1).default(2000),
  retryMaxMs: z.number().int().min(1).default(5 * 60_000),
  /** How often a host that dropped off the network is probed for its return. */
  probeIntervalMs: z.number().int().min(10).default(15_000),
  /** A connection that delivers nothing for this long is treated as lost. */
  stallTimeoutMs: z.number().int().min(100).default(30_000),
  /** Proxy for every request, overriding HTTPS_PROXY / HTTP_PROXY; empty means the environment's. */
  proxy: z.string().default(''),
  /** Hosts that bypass the proxy set above (comma separated, like NO_PROXY). */
  noProxy: z.string().default(''),
  /** Files the download list holds at most (the design's 100; up to 10,000). */
  cartLimit: z.number().int().min(cartLimits.min).max(cartLimits.max).default(100),
  /** Where downloads and deliveries go by default; empty means the system's Downloads folder. */
  downloadDir: z.string().default(''),
  /** A Synapse file Cartage delivered (downloaded and verified) leaves the person's download list on synapse.org. */
  synapseRemoveDelivered: z.boolean().default(true),
  /** Closing the window keeps downloads going in the tray. */
  keepRunningInTray: z.boolean().default(true),
  theme: z.enum(themes).default('system'),
  /** Small previews of the images on web folders and WebDAV shares (each one shown is downloaded): only when asked. */
  imagePreviews: z.boolean().default(false),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsPatch = Partial<Settings>;

export const defaultSettings: Settings = settingsSchema.parse({});

/** Settings persisted as one row per key in SQLite, validated on every read and write. */
export class SettingsStore {
  private cache: Settings | null = null;

  constructor(private readonly db: Db) {}

  /** The current settings; read from the database once, then kept in step by `update`. */
  get(): Settings {
    this.cache ??= this.read();
    return this.cache;
  }

  /** Forgets the cached copy, for when another process may have changed the settings. */
  reload(): Settings {
    this.cache = null;
    return this.get();
  }

  private read(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const raw: Record<string, unknown> = {};
    for (const row of rows) {
      if (row.key in settingsSchema.shape) raw[row.key] = JSON.parse(row.value) as unknown;
    }
    const parsed = settingsSchema.safeParse(raw);
    // A bad stored value falls back to defaults rather than stopping the app.
    return parsed.success ? parsed.data : defaultSettings;
  }

  /** Validates and saves a change; a bad value is refused and nothing is written. */
  update(patch: SettingsPatch): Settings {
    const merged = settingsSchema.safeParse({ ...this.get(), ...patch });
    if (!merged.success) {
      const issue = merged.error.issues[0];
      throw new CartageError('bad_input', `The setting ${issue?.path.join('.') ?? ''} is not valid: ${issue?.message ?? 'unknown problem'}.`);
    }
    const put = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const key of Object.keys(patch) as (keyof Settings)[]) put.run(key, JSON.stringify(merged.data[key]));
    })();
    this.cache = merged.data;
    return merged.data;
  }
}
