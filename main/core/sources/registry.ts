import type { SourceKind } from '../../../preload/domain.js';
import type { Db } from '../db/connection.js';
import { CartageError } from '../errors.js';
import type { Task } from '../queue/task.js';
import type { SecretStore } from '../secrets.js';
import { WebSource } from './web.js';
import type { Got } from 'got';
import type { HttpClient } from '../net/client.js';
import { standaloneClient, type HttpsOptions } from '../net/http.js';
import type { ImmichAuth } from './immich-api.js';
import { connectImmich, parseImmichAddress, type ImmichConnection } from './immich-connect.js';
import { ImmichSource } from './immich.js';
import { connectSynapse, type SynapseConnection } from './synapse-connect.js';
import { SynapseSource } from './synapse.js';
import { pinnedTls, untrustedCertificateError, type PinnedCertificate } from '../net/tls.js';
import type { Source } from './types.js';
import { WebDavSource } from './webdav.js';

// The contract's word for each kind is the stored one too (the sources table's check).
export type { SourceKind } from '../../../preload/domain.js';
type AuthKind = 'none' | 'api-key' | 'password' | 'share-key' | 'share-slug';

/** A connection a person added, as stored: no secret in it. */
export interface SourceRecord {
  id: number;
  name: string;
  kind: SourceKind;
  /** What the person typed, without credentials (for Immich, the web app's root). */
  url: string;
  apiUrl: string | null;
  username: string | null;
  auth: AuthKind;
  certificate: PinnedCertificate | null;
  /** The version the server reported ('3.2.2'), for Immich; how its API is asked depends on it. */
  serverVersion: string | null;
  createdAt: number;
}

export interface NewSource {
  kind: SourceKind;
  url: string;
  name?: string;
  apiKey?: string;
  /** A Synapse personal access token. */
  token?: string;
  username?: string;
  password?: string;
  /** A certificate the person chose to trust for this source only. */
  certificate?: PinnedCertificate | null;
}

/** What adding a source found out, to show the person. */
export interface Connected {
  record: SourceRecord;
  immich: ImmichConnection | null;
  synapse?: SynapseConnection | null;
}

interface Row {
  id: number;
  name: string;
  kind: SourceKind;
  url: string;
  api_url: string | null;
  username: string | null;
  auth: AuthKind;
  cert_pem: string | null;
  cert_fingerprint: string | null;
  server_version?: string | null;
  created_at: number;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The task `sourceRef` of a file from a stored source: how the engine finds its credentials again. */
export function sourceRefOf(record: Pick<SourceRecord, 'id'>, fileId: string): string {
  return `source:${record.id}:${fileId}`;
}

/**
 * The sources people added: rows in SQLite, secrets in the secret store, live `Source` objects
 * made on demand. Adding connects first: a source that cannot be reached or signed in to is not
 * saved.
 */
export class SourceRegistry {
  private readonly open = new Map<number, Source>();

  /** `network`: what every source requests with (the Core's client, with the proxy from settings). */
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
    private readonly network: HttpClient = standaloneClient,
  ) {}

  /** The client the sources request with. */
  get http(): Got {
    return this.network.sources;
  }

  /** The proxy requests to `url` go through ('' for none): certificates are read through it too. */
  proxyFor(url: string): string {
    return this.network.proxyFor(url);
  }

  list(): SourceRecord[] {
    return (this.db.prepare('SELECT * FROM sources ORDER BY name').all() as Row[]).map(toRecord);
  }

  /** A source by name (any case) or id; a clear error naming the sources there are otherwise. */
  get(ref: string): SourceRecord {
    const row = (/^\d+$/.test(ref)
      ? this.db.prepare('SELECT * FROM sources WHERE id = ?').get(Number(ref))
      : this.db.prepare('SELECT * FROM sources WHERE name = ?').get(ref)) as Row | undefined;
    if (!row) {
      const names = this.list().map((s) => s.name);
      throw new CartageError(
        'not_found',
        names.length
          ? `There is no source called "${ref}"; the sources are ${names.join(', ')}.`
          : `There is no source called "${ref}": no source has been added yet (cartage source add).`,
      );
    }
    return toRecord(row);
  }

  async add(input: NewSource): Promise<Connected> {
    const name = input.name ?? this.freeName(defaultName(input.url, input.kind));
    if (!namePattern.test(name)) {
      throw new CartageError('bad_input', `"${name}" cannot name a source: use letters, digits, '.', '_' or '-' (up to 64), starting with a letter or digit.`);
    }
    if (this.db.prepare('SELECT 1 FROM sources WHERE name = ?').get(name)) {
      throw new CartageError('already_exists', `There is already a source called "${name}"; choose another name with --name, or remove that one first.`);
    }
    try {
      return await this.connectAndSave(name, input);
    } catch (err) {
      // A certificate this computer does not trust: say whose, and its fingerprint, so the person can choose to trust it.
      const untrusted = await untrustedCertificateError(input.url, (err as { cause?: unknown }).cause ?? err, input.certificate, (u) => this.proxyFor(u));
      throw untrusted ?? err;
    }
  }

  /**
   * Changes a source in place (its id, and so the list entries and downloads that name it, stay):
   * what is not given is kept, the source is connected to again with the result, and only then saved.
   */
  async update(ref: string, changes: Partial<Omit<NewSource, 'kind'>>): Promise<Connected> {
    const record = this.get(ref);
    const name = changes.name ?? record.name;
    if (!namePattern.test(name)) {
      throw new CartageError('bad_input', `"${name}" cannot name a source: use letters, digits, '.', '_' or '-' (up to 64), starting with a letter or digit.`);
    }
    const clash = this.db.prepare('SELECT id FROM sources WHERE name = ?').get(name) as { id: number } | undefined;
    if (clash && clash.id !== record.id) throw new CartageError('already_exists', `There is already a source called "${name}"; choose another name.`);
    const secret = record.auth === 'none' ? null : await this.secrets.get(secretKey(record.id));
    let url = changes.url ?? record.url;
    if (!changes.url && secret !== null && record.auth === 'share-key') url = `${record.url}/share/${encodeURIComponent(secret)}`;
    if (!changes.url && secret !== null && record.auth === 'share-slug') url = `${record.url}/s/${encodeURIComponent(secret)}`;
    const input: NewSource = {
      kind: record.kind,
      url,
      name,
      ...(record.kind === 'immich' && (changes.apiKey ?? (record.auth === 'api-key' ? secret : null)) ? { apiKey: changes.apiKey ?? secret! } : {}),
      ...(record.kind === 'synapse' ? { token: changes.token ?? secret ?? '' } : {}),
      ...((changes.username ?? record.username) ? { username: changes.username ?? record.username! } : {}),
      ...((changes.password ?? (record.auth === 'password' ? secret : null)) !== null ? { password: changes.password ?? secret ?? '' } : {}),
      certificate: changes.certificate !== undefined ? changes.certificate : record.certificate,
    };
    try {
      return await this.connectAndSave(name, input, record.id);
    } catch (err) {
      const untrusted = await untrustedCertificateError(input.url, (err as { cause?: unknown }).cause ?? err, input.certificate, (u) => this.proxyFor(u));
      throw untrusted ?? err;
    }
  }

  private async connectAndSave(name: string, input: NewSource, existing?: number): Promise<Connected> {
    const https = input.certificate ? pinnedTls(input.certificate) : undefined;
    let url = input.url;
    let apiUrl: string | null = null;
    let auth: AuthKind = 'none';
    let secret: string | null = null;
    let immich: ImmichConnection | null = null;
    let synapse: SynapseConnection | null = null;
    switch (input.kind) {
      case 'immich': {
        const address = parseImmichAddress(input.url);
        const immichAuth: ImmichAuth | null = address.share
          ? 'key' in address.share
            ? { shareKey: address.share.key }
            : { shareSlug: address.share.slug }
          : input.apiKey
            ? { apiKey: input.apiKey }
            : null;
        immich = await connectImmich(address, immichAuth, { https, http: this.http });
        url = address.webUrl;
        apiUrl = immich.apiUrl;
        if (immichAuth && 'apiKey' in immichAuth) [auth, secret] = ['api-key', immichAuth.apiKey];
        else if (immichAuth && 'shareKey' in immichAuth) [auth, secret] = ['share-key', immichAuth.shareKey];
        else if (immichAuth) [auth, secret] = ['share-slug', immichAuth.shareSlug];
        break;
      }
      case 'webdav': {
        const source = new WebDavSource({ url: input.url, ...(input.username ? { username: input.username, password: input.password ?? '' } : {}), https, http: this.http });
        await source.list('');
        url = source.base.href;
        if (input.username) [auth, secret] = ['password', input.password ?? ''];
        break;
      }
      case 'synapse': {
        if (!input.token) throw new CartageError('bad_input', 'A Synapse source needs a personal access token (--token-file or --token-env).');
        synapse = await connectSynapse(input.url, input.token, this.http);
        url = synapse.origin;
        [auth, secret] = ['api-key', input.token.trim()];
        break;
      }
      case 'web': {
        const credentials = input.username ? { username: input.username, password: input.password ?? '' } : null;
        const source = new WebSource({ url: input.url, credentials: () => Promise.resolve(credentials), https, http: this.http });
        await source.list('');
        url = source.folderUrl('').href;
        if (input.username) [auth, secret] = ['password', input.password ?? ''];
        break;
      }
    }
    if (existing !== undefined) {
      // The secret first: a failure leaves the old row and the old secret, which still go together.
      if (secret !== null) await this.secrets.set(secretKey(existing), secret);
      else await this.secrets.delete(secretKey(existing));
      this.db
        .prepare('UPDATE sources SET name = ?, url = ?, api_url = ?, username = ?, auth = ?, cert_pem = ?, cert_fingerprint = ?, server_version = ? WHERE id = ?')
        .run(name, url, apiUrl, input.username ?? null, auth, input.certificate?.pem ?? null, input.certificate?.fingerprint256 ?? null, versionText(immich), existing);
      this.open.delete(existing);
      return { record: this.get(String(existing)), immich, synapse };
    }
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO sources (name, kind, url, api_url, username, auth, cert_pem, cert_fingerprint, server_version, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(name, input.kind, url, apiUrl, input.username ?? null, auth, input.certificate?.pem ?? null, input.certificate?.fingerprint256 ?? null, versionText(immich), Date.now())
        .lastInsertRowid,
    );
    if (secret !== null) {
      try {
        await this.secrets.set(secretKey(id), secret);
      } catch (err) {
        this.db.prepare('DELETE FROM sources WHERE id = ?').run(id);
        throw err;
      }
    }
    return { record: this.get(String(id)), immich, synapse };
  }

  async remove(ref: string): Promise<SourceRecord> {
    const record = this.get(ref);
    // Refused before anything changes: a mirror of this source would lose its way.
    const mirrors = this.db.prepare('SELECT id FROM mirrors WHERE source_id = ?').pluck().all(record.id) as number[];
    if (mirrors.length) {
      throw new CartageError(
        'bad_input',
        `The source "${record.name}" is kept by mirror${mirrors.length === 1 ? '' : 's'} ${mirrors.join(', ')}; remove ${mirrors.length === 1 ? 'that mirror' : 'those mirrors'} first (its files stay on disk). Nothing was removed.`,
      );
    }
    // The row first: if that fails, the key is still there for the source that is still there.
    this.db.prepare('DELETE FROM sources WHERE id = ?').run(record.id);
    this.open.delete(record.id);
    await this.secrets.delete(secretKey(record.id));
    return record;
  }

  /** The live source for a record; made once and kept. */
  source(record: SourceRecord): Source {
    let source = this.open.get(record.id);
    if (source) return source;
    const https = this.tls(record);
    const secret = async (): Promise<string | null> => {
      const value = await this.secrets.get(secretKey(record.id));
      if (value === null && record.auth !== 'none') {
        throw new CartageError('auth', `The ${record.auth === 'password' ? 'password' : 'key'} of the source "${record.name}" is missing from the secret store: remove the source and add it again.`);
      }
      return value;
    };
    switch (record.kind) {
      case 'immich':
        source = new ImmichSource({
          webUrl: record.url,
          apiUrl: record.apiUrl ?? `${record.url}/api`,
          auth: async () => immichAuth(record.auth, await secret()),
          https,
          http: this.http,
          serverVersion: parseVersion(record.serverVersion),
          // An upgraded server: kept, so the next start asks it the new way at once.
          onVersion: (v) => this.db.prepare('UPDATE sources SET server_version = ? WHERE id = ?').run(`${v.major}.${v.minor}.${v.patch}`, record.id),
        });
        break;
      case 'webdav':
        source = new LazyWebDav(record, secret, https, this.http);
        break;
      case 'synapse':
        source = new SynapseSource({ url: record.url, token: async () => (await secret()) ?? '', http: this.http });
        break;
      case 'web':
        source = new WebSource({
          url: record.url,
          credentials: async () => (record.username ? { username: record.username, password: (await secret()) ?? '' } : null),
          https,
          http: this.http,
        });
        break;
    }
    this.open.set(record.id, source);
    return source;
  }

  /** Request headers for a task from a stored source, built now from the secret store. */
  async headersFor(task: Task): Promise<Record<string, string>> {
    const record = this.recordOf(task);
    return record ? this.source(record).headers(task.url) : {};
  }

  /** A short-lived download address for a task, from its source now (null: the task's own URL will do). */
  async urlFor(task: Task, renew: boolean): Promise<string | null> {
    const record = this.recordOf(task);
    const source = record ? this.source(record) : null;
    if (!source?.requestUrl) return null;
    return source.requestUrl(task.sourceRef.slice(`source:${record!.id}:`.length), renew);
  }

  /** What a task's source says its server refused the download for (null: it cannot tell, or it is not a stored source's file). */
  async refusalFor(task: Task, status: number): Promise<string | null> {
    const record = this.recordOf(task);
    const source = record ? this.source(record) : null;
    // The refusal is reported either way: a failure to explain it leaves the general words.
    return (await source?.refusal?.(status).catch(() => null)) ?? null;
  }

  /** The stored source a task's file comes from, and the file's id there; null for a plain link or a removed source. */
  fileOf(task: Task): { record: SourceRecord; source: Source; fileId: string } | null {
    const record = this.recordOf(task);
    return record ? { record, source: this.source(record), fileId: task.sourceRef.slice(`source:${record.id}:`.length) } : null;
  }

  /** The pinned certificate a task's source trusts, if any. */
  tlsFor(task: Task): PinnedCertificate | null {
    return this.recordOf(task)?.certificate ?? null;
  }

  private recordOf(task: Task): SourceRecord | null {
    const m = /^source:(\d+):/.exec(task.sourceRef);
    if (!m) return null;
    const row = this.db.prepare('SELECT * FROM sources WHERE id = ?').get(Number(m[1])) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  private tls(record: SourceRecord): HttpsOptions {
    return record.certificate ? pinnedTls(record.certificate) : undefined;
  }

  private freeName(base: string): string {
    let name = base;
    for (let n = 2; this.db.prepare('SELECT 1 FROM sources WHERE name = ?').get(name); n += 1) name = `${base}-${n}`;
    return name;
  }
}

/**
 * WebDAV keeps its password in a private field read at construction; this defers that to the
 * first request, so the secret store is read only when the share is used.
 */
class LazyWebDav implements Source {
  readonly kind = 'webdav' as const;
  private inner: Promise<WebDavSource> | null = null;
  constructor(
    private readonly record: SourceRecord,
    private readonly secret: () => Promise<string | null>,
    private readonly https: HttpsOptions,
    private readonly http: Got,
  ) {}
  private dav(): Promise<WebDavSource> {
    this.inner ??= this.secret().then(
      (password) =>
        new WebDavSource({ url: this.record.url, ...(this.record.username ? { username: this.record.username, password: password ?? '' } : {}), https: this.https, http: this.http }),
    );
    return this.inner;
  }
  async list(folder: string) {
    return (await this.dav()).list(folder);
  }
  async summary(folder: string) {
    return (await this.dav()).summary(folder);
  }
  async *query(q: string) {
    yield* (await this.dav()).query(q);
  }
  async resolve(file: Parameters<Source['resolve']>[0]) {
    return (await this.dav()).resolve(file);
  }
  async headers(url: string) {
    return (await this.dav()).headers(url);
  }
}

function versionText(immich: ImmichConnection | null): string | null {
  return immich ? `${immich.version.major}.${immich.version.minor}.${immich.version.patch}` : null;
}

function parseVersion(text: string | null): { major: number; minor: number; patch: number } | null {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : null;
}

function immichAuth(kind: AuthKind, secret: string | null): ImmichAuth | null {
  if (secret === null) return null;
  if (kind === 'api-key') return { apiKey: secret };
  if (kind === 'share-key') return { shareKey: secret };
  if (kind === 'share-slug') return { shareSlug: secret };
  return null;
}

function secretKey(id: number): string {
  return `source:${id}`;
}

/** A name from the host ("photos" for photos.example.org), or the kind for an IP address or localhost. */
function defaultName(url: string, kind: SourceKind): string {
  if (kind === 'synapse') return 'synapse';
  try {
    const host = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`).hostname;
    if (/^[\d.]+$|^\[|^localhost$/i.test(host)) return kind;
    const label = host.replace(/^www\./, '').split('.')[0] ?? '';
    return label.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || kind;
  } catch {
    return kind;
  }
}

function toRecord(row: Row): SourceRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: row.url,
    apiUrl: row.api_url,
    username: row.username,
    auth: row.auth,
    certificate: row.cert_pem && row.cert_fingerprint ? { pem: row.cert_pem, fingerprint256: row.cert_fingerprint } : null,
    serverVersion: row.server_version ?? null,
    createdAt: row.created_at,
  };
}
