import { CartageError } from '../errors.js';
import { ImmichSource } from './immich.js';
import { SynapseSource } from './synapse.js';
import { inPeopleOrder } from './order.js';
import type { SourceRecord, SourceRegistry } from './registry.js';
import type { Listing, RemoteFile, Source } from './types.js';

/**
 * What a person points at, in the CLI and the cart: a URL; a path in a stored source
 * (`photos:albums/ID`, `nas:Holidays/2024`, or just `photos` for its root); or a query
 * (`photos?after=2024-01-01&type=video`).
 */
export type Ref =
  | { kind: 'url'; url: string }
  | { kind: 'path'; source: string; path: string }
  | { kind: 'query'; source: string; query: string };

/** A source path without the slashes people put around it ('/a/b/' is 'a/b'). */
export function trimSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}

/** Reads a reference; a URL is anything that starts with a scheme and `//`. */
export function parseRef(text: string): Ref {
  const t = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return { kind: 'url', url: t };
  const q = t.indexOf('?');
  const c = t.indexOf(':');
  if (q > 0 && (c < 0 || q < c)) return { kind: 'query', source: t.slice(0, q), query: t.slice(q + 1) };
  if (c === 0 || q === 0 || t === '') {
    throw new CartageError('bad_input', `"${text}" is neither a web address nor a source reference such as photos:albums/ID or nas:Holidays.`);
  }
  if (c < 0) return { kind: 'path', source: t, path: '' };
  return { kind: 'path', source: t.slice(0, c), path: trimSlashes(t.slice(c + 1)) };
}

/** What a path in a source turned out to be. */
export type Target = { kind: 'folder'; listing: Listing } | { kind: 'file'; file: RemoteFile };

/**
 * Finds what a path names: a file (looked up in its parent's listing; `assets/ID` for an Immich
 * asset) or a folder. Files win over folders of the same name, as a file manager shows them. A
 * folder's listing comes in people's order (order.ts), for the window, `cartage ls` and the list alike.
 */
export async function findTarget(source: Source, path: string): Promise<Target> {
  const asset = /^assets\/([^/]+)$/.exec(path);
  if (asset && source instanceof ImmichSource) return { kind: 'file', file: await source.asset(asset[1]!) };
  // A Synapse file by its id alone (syn123, or syn123.2 for a version); a folder's id lists it.
  if (source instanceof SynapseSource && /^syn\d+(\.\d+)?$/i.test(path)) {
    const file = await source.fileById(path.toLowerCase());
    if (file) return { kind: 'file', file };
    return { kind: 'folder', listing: inPeopleOrder(source, await source.list(path)) };
  }
  if (path === '') return { kind: 'folder', listing: inPeopleOrder(source, await source.list('')) };

  const cut = path.lastIndexOf('/');
  const parent = cut < 0 ? '' : path.slice(0, cut);
  const name = path.slice(cut + 1);
  const around = await source.list(parent);
  const file = around.files.find((f) => f.name === name) ?? around.files.find((f) => f.name.normalize('NFC') === name.normalize('NFC'));
  if (file) return { kind: 'file', file };
  const folder = around.folders.find((f) => f.path === path || f.name === name);
  if (folder) return { kind: 'folder', listing: inPeopleOrder(source, await source.list(folder.path)) };
  throw new CartageError('not_found', `There is no file or folder "${name}" in ${parent ? `"${parent}"` : 'the top folder'} of this source.`);
}

/** The files a source reference stands for: a file, the files directly in a folder (not its sub-folders), or a query's matches. */
export async function* filesOfRef(ref: Exclude<Ref, { kind: 'url' }>, registry: SourceRegistry): AsyncGenerator<{ record: SourceRecord; source: Source; file: RemoteFile }> {
  const record = registry.get(ref.source);
  const source = registry.source(record);
  if (ref.kind === 'query') {
    for await (const file of source.query(queryText(source, ref.query))) yield { record, source, file };
    return;
  }
  const target = await findTarget(source, ref.path);
  const files = target.kind === 'file' ? [target.file] : target.listing.files;
  for (const file of files) yield { record, source, file };
}

/**
 * Immich takes the whole filter string; web folders and WebDAV shares are searched by name only,
 * so `name=TEXT` (or bare text) is all they accept.
 */
export function queryText(source: Source, query: string): string {
  if (source.kind === 'immich') return query;
  // Synapse takes a view or table query as written (SELECT * FROM syn123 WHERE name LIKE '%ecg%'): no decoding.
  if (source.kind === 'synapse') return query;
  if (!query.includes('=')) return decodeURIComponent(query);
  const params = new URLSearchParams(query);
  const keys = [...new Set(params.keys())];
  const name = params.get('name');
  if (keys.length !== 1 || name === null || name === '') {
    throw new CartageError('bad_input', `Web folders and WebDAV shares are searched by name only ("name=TEXT"); "${query}" asks for ${keys.join(', ')}.`);
  }
  return name;
}
