import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { sourceKinds } from '../../../preload/domain.js';
import { CartageError } from '../../core/errors.js';
import type { NewSource, SourceKind, SourceRecord } from '../../core/sources/registry.js';
import { pinCertificate } from '../../core/net/tls.js';
import type { SourceJson } from '../json.js';
import { withCore, type Io } from '../session.js';
import { UsageError } from '../usage.js';

function isSourceKind(word: string | undefined): word is SourceKind {
  return (sourceKinds as readonly (string | undefined)[]).includes(word);
}

/** `cartage source add|ls|rm`: the connections people keep; keys go to the secret store. */
export async function sourceCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'add':
      return add(rest, io, dataDir);
    case 'ls':
    case 'list':
      return list(rest, io, dataDir);
    case 'rm':
    case 'remove':
      return remove(rest, io, dataDir);
    default:
      throw new UsageError(`"cartage source" takes add, ls or rm${verb ? `, not "${verb}"` : ''}: see "cartage help".`);
  }
}

async function add(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      'api-key-file': { type: 'string' },
      'api-key-env': { type: 'string' },
      'token-file': { type: 'string' },
      'token-env': { type: 'string' },
      user: { type: 'string' },
      'password-env': { type: 'string' },
      'password-file': { type: 'string' },
      'trust-certificate': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [kindName, url, ...extra] = positionals;
  const kind = isSourceKind(kindName) ? kindName : undefined;
  if (!kind) throw new UsageError(`Say what kind of source to add: immich, webdav, web (a folder listing) or synapse${kindName ? `, not "${kindName}"` : ''}.`);
  // Synapse has one public server: its address may be left out.
  if (!url && kind !== 'synapse') throw new UsageError(`Give the address of the ${kindName} source.`);
  if (extra.length) throw new UsageError(`One address per source; "${extra[0]}" is one too many.`);
  const input: NewSource = { kind, url: url ?? '', ...(values.name ? { name: values.name } : {}) };
  const token = secretFrom(io, values['token-file'], values['token-env'], 'access token');
  if (kind === 'synapse') {
    if (token === null) throw new UsageError('Synapse signs in with a personal access token: give it with --token-file FILE or --token-env VAR (never on the command line).');
    input.token = token;
  } else if (token !== null) throw new UsageError('An access token is for Synapse sources; Immich takes --api-key-file, WebDAV and web folders --user and --password-env.');
  const apiKey = secretFrom(io, values['api-key-file'], values['api-key-env'], 'API key');
  if (apiKey !== null) {
    if (kind !== 'immich') throw new UsageError(`An API key is for Immich sources; ${kind === 'synapse' ? 'Synapse takes --token-file or --token-env' : 'WebDAV and web folders sign in with --user and --password-env'}.`);
    input.apiKey = apiKey;
  }
  const password = secretFrom(io, values['password-file'], values['password-env'], 'password');
  if (values.user !== undefined || password !== null) {
    if (kind === 'immich') throw new UsageError('Immich signs in with an API key (--api-key-file or --api-key-env), not a user name and password.');
    if (kind === 'synapse') throw new UsageError('Synapse signs in with a personal access token (--token-file or --token-env), not a user name and password.');
    if (values.user === undefined) throw new UsageError('A password needs a user name: add --user NAME.');
    input.username = values.user;
    input.password = password ?? '';
  }
  return withCore(dataDir, async (core) => {
    // Read through the proxy the requests take, so a mandatory proxy does not stop the pinning.
    if (values['trust-certificate'] !== undefined) input.certificate = await pinCertificate(url ?? '', values['trust-certificate'], { proxy: core.sources.proxyFor(url ?? '') });
    let connected;
    try {
      connected = await core.sources.add(input);
    } catch (err) {
      const fingerprint = err instanceof CartageError ? err.details?.fingerprint256 : undefined;
      if (fingerprint && err instanceof CartageError) {
        throw new CartageError(err.code, `${err.message}\nTo trust it: cartage source add ${args.join(' ')} --trust-certificate ${fingerprint}`);
      }
      throw err;
    }
    const { record, immich, synapse } = connected;
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ source: jsonSource(record), immich, ...(synapse ? { synapse: { userName: synapse.profile.userName, scopes: synapse.scopes } } : {}) }, null, 2)}\n`);
      return 0;
    }
    let who = synapse ? `, signed in as ${synapse.profile.userName} (${synapse.scopes.join(', ')})` : '';
    if (immich?.user) who = `, signed in as ${immich.user.name} <${immich.user.email}> (Immich ${immich.version.major}.${immich.version.minor}.${immich.version.patch})`;
    if (immich?.sharedLink) {
      const link = immich.sharedLink;
      who = `, a shared link to ${link.albumName ? `the album "${link.albumName}"` : `${link.files} file${link.files === 1 ? '' : 's'}`}${link.allowDownload ? '' : ' (its owner does not allow downloads)'}`;
    }
    io.stdout.write(`Added the source "${record.name}": ${record.url}${who}.\n`);
    if (record.certificate) io.stdout.write(`Trusting only the certificate ${record.certificate.fingerprint256} for it.\n`);
    io.stdout.write(`Browse it with: cartage ls ${record.name}\n`);
    return 0;
  });
}

async function list(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  return withCore(dataDir, (core) => {
    const sources = core.sources.list();
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ sources: sources.map(jsonSource) }, null, 2)}\n`);
      return 0;
    }
    if (sources.length === 0) {
      io.stdout.write('No sources yet. Add one with "cartage source add immich URL --api-key-file FILE" (or webdav, or web).\n');
      return 0;
    }
    const width = Math.max(4, ...sources.map((s) => s.name.length));
    io.stdout.write(`${'NAME'.padEnd(width)}  ${'KIND'.padEnd(6)}  ADDRESS\n`);
    for (const s of sources) {
      const notes = [s.username ? `user ${s.username}` : '', s.certificate ? 'own certificate trusted' : '', s.auth.startsWith('share') ? 'shared link' : '']
        .filter(Boolean)
        .join(', ');
      io.stdout.write(`${s.name.padEnd(width)}  ${s.kind.padEnd(6)}  ${s.url}${notes ? `  (${notes})` : ''}\n`);
    }
    return 0;
  }, { rowsOnly: true });
}

async function remove(args: string[], io: Io, dataDir: string): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length === 0) throw new UsageError('Say which source to remove (see "cartage source ls").');
  return withCore(dataDir, async (core) => {
    for (const ref of positionals) {
      const record = await core.sources.remove(ref);
      io.stdout.write(`Removed the source "${record.name}" and its saved key or password.\n`);
    }
    return 0;
  });
}

/** A secret from a file (first line) or an environment variable; never from the command line, where `ps` would show it. */
function secretFrom(io: Io, file: string | undefined, env: string | undefined, what: string): string | null {
  if (file !== undefined && env !== undefined) throw new UsageError(`Give the ${what} once: from a file or from the environment, not both.`);
  let value: string | undefined;
  if (file !== undefined) {
    try {
      value = fs.readFileSync(file === '-' ? 0 : file, 'utf8').split(/\r?\n/)[0]?.trim();
    } catch (err) {
      throw new UsageError(`Cannot read the ${what} from ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    if (!value) throw new UsageError(`The file ${file} is empty: it should hold the ${what} on its first line.`);
  } else if (env !== undefined) {
    value = io.env[env];
    if (!value) throw new UsageError(`The environment variable ${env} is not set (or empty): it should hold the ${what}.`);
  }
  return value ?? null;
}

function jsonSource(s: SourceRecord): SourceJson {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    url: s.url,
    username: s.username,
    sharedLink: s.auth.startsWith('share'),
    certificate: s.certificate?.fingerprint256 ?? null,
  };
}
