import { parseArgs } from 'node:util';
import { parseRef, queryText } from '../../core/sources/refs.js';
import { findTarget } from '../../core/sources/refs.js';
import { summarize } from '../../core/sources/tree.js';
import type { RemoteFile, RemoteFolder } from '../../core/sources/types.js';
import { formatBytes } from '../../core/util/format.js';
import type { FileJson, FolderJson } from '../json.js';
import { withCore, type Io } from '../session.js';
import { UsageError } from '../usage.js';

/** `cartage ls SOURCE[:PATH]`: the folders and files directly in a folder, with sizes and what stops a download. */
export async function lsCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean', default: false } } });
  const ref = oneSourceRef(positionals, 'ls');
  return withCore(dataDir, async (core) => {
    const source = core.sources.source(core.sources.get(ref.source));
    const target = await findTarget(source, ref.path);
    const listing = target.kind === 'folder' ? target.listing : { folder: ref.path, files: [target.file], folders: [] };
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ folder: listing.folder, folders: listing.folders.map(jsonFolder), files: listing.files.map(jsonFile), summary: summarize(listing) }, null, 2)}\n`);
      return 0;
    }
    if (listing.folders.length === 0 && listing.files.length === 0) {
      io.stdout.write(`${ref.source}:${listing.folder} is empty.\n`);
      return 0;
    }
    for (const f of listing.folders) {
      const inside = f.count != null ? `  (${f.count} file${f.count === 1 ? '' : 's'}${f.bytes != null ? `, ${formatBytes(f.bytes)}` : ''})` : '';
      io.stdout.write(`${'folder'.padStart(10)}  ${''.padEnd(10)}  ${f.name}/${inside}  ->  ${ref.source}:${f.path}\n`);
    }
    for (const f of listing.files) io.stdout.write(fileLine(f));
    const s = summarize(listing);
    io.stdout.write(`${listing.folders.length} folder${listing.folders.length === 1 ? '' : 's'}, ${summaryText(s)}\n`);
    return 0;
  }, { rowsOnly: true });
}

/** `cartage summary SOURCE[:PATH]`: how many files a folder holds directly, and their total size. */
export async function summaryCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean', default: false } } });
  const ref = oneSourceRef(positionals, 'summary');
  return withCore(dataDir, async (core) => {
    const source = core.sources.source(core.sources.get(ref.source));
    const s = await source.summary(ref.path);
    if (values.json) io.stdout.write(`${JSON.stringify(s)}\n`);
    else io.stdout.write(`${ref.source}:${s.folder}: ${summaryText(s)}\n`);
    return 0;
  }, { rowsOnly: true });
}

/** `cartage search SOURCE [filters]`: every matching file, across all pages, printed as they come. */
export async function searchCommand(args: string[], io: Io, dataDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      after: { type: 'string' },
      before: { type: 'string' },
      type: { type: 'string' },
      favorite: { type: 'boolean' },
      album: { type: 'string', multiple: true },
      person: { type: 'string', multiple: true },
      archived: { type: 'string' },
      trashed: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('Give one source to search, then the filters: cartage search photos --after 2024-01-01 --type video.');
  const parsed = parseRef(positionals[0]!);
  if (parsed.kind === 'url') throw new UsageError('Search a source you added (see "cartage source ls"), not an address.');
  const params = new URLSearchParams(parsed.kind === 'query' ? parsed.query : '');
  if (parsed.kind === 'path' && parsed.path) throw new UsageError(`Search a whole source, "${parsed.source}", not a folder in it.`);
  for (const key of ['after', 'before', 'type', 'archived', 'trashed', 'name'] as const) {
    const v = values[key];
    if (v !== undefined) params.set(key, v);
  }
  if (values.favorite) params.set('favorite', 'true');
  for (const a of values.album ?? []) params.append('album', a);
  for (const p of values.person ?? []) params.append('person', p);
  return withCore(dataDir, async (core) => {
    const source = core.sources.source(core.sources.get(parsed.source));
    const q = queryText(source, params.toString());
    let count = 0;
    let bytes = 0;
    let unknown = 0;
    if (values.json) io.stdout.write('{"files":[');
    for await (const f of source.query(q)) {
      if (values.json) io.stdout.write(`${count ? ',' : ''}\n${JSON.stringify(jsonFile(f))}`);
      else io.stdout.write(fileLine(f));
      count += 1;
      for (const part of f.motion ? [f, f.motion] : [f]) {
        if (part.size === null) unknown += 1;
        else bytes += part.size;
      }
    }
    const summary = { files: count, bytes, unknownSizes: unknown };
    if (values.json) io.stdout.write(`\n],"summary":${JSON.stringify(summary)}}\n`);
    else io.stdout.write(count ? `${summaryText(summary)}\n` : 'Nothing matches.\n');
    return 0;
  }, { rowsOnly: true });
}

function oneSourceRef(positionals: string[], verb: string): { source: string; path: string } {
  if (positionals.length !== 1) throw new UsageError(`Give one source and folder to ${verb}, such as photos or photos:albums (see "cartage source ls").`);
  const ref = parseRef(positionals[0]!);
  if (ref.kind === 'url') throw new UsageError(`"cartage ${verb}" reads sources you added; add this address first with "cartage source add web|webdav|immich URL".`);
  if (ref.kind === 'query') throw new UsageError(`"cartage ${verb}" takes a folder; search with "cartage search ${ref.source} ...".`);
  return ref;
}

function fileLine(f: RemoteFile): string {
  const size = f.size === null ? '?' : formatBytes(f.size + (f.motion?.size ?? 0));
  const date = (f.takenAt ?? f.modified)?.toISOString().slice(0, 10) ?? '';
  const live = f.motion ? ` + ${f.motion.name}` : '';
  const why = f.access.downloadable ? '' : `  [not downloadable: ${f.access.reason}]`;
  return `${size.padStart(10)}  ${date.padEnd(10)}  ${f.name}${live}${why}\n`;
}

function summaryText(s: { files: number; bytes: number; unknownSizes: number }): string {
  const unknown = s.unknownSizes ? ` (${s.unknownSizes} size${s.unknownSizes === 1 ? '' : 's'} unknown)` : '';
  return `${s.files} file${s.files === 1 ? '' : 's'}, ${formatBytes(s.bytes)}${unknown}`;
}

function jsonFolder(f: RemoteFolder): FolderJson {
  return { path: f.path, name: f.name, modified: f.modified?.toISOString() ?? null, count: f.count ?? null, bytes: f.bytes ?? null };
}

/** A file for scripts; its download address is left out (it is an API address that needs the key). */
export function jsonFile(f: RemoteFile): FileJson {
  return {
    id: f.id,
    name: f.name,
    folder: f.folder,
    size: f.size,
    modified: f.modified?.toISOString() ?? null,
    takenAt: f.takenAt?.toISOString() ?? null,
    type: f.contentType,
    group: f.group,
    href: f.href,
    downloadable: f.access.downloadable,
    restriction: f.access.restriction,
    reason: f.access.reason,
    motion: f.motion ? { id: f.motion.id, name: f.motion.name, size: f.motion.size } : null,
  };
}
