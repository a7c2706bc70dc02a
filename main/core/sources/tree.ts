import { CartageError } from '../errors.js';
import type { FolderSummary, Listing, RemoteFile } from './types.js';

/** Count and total size of the files in one listing (the folder's direct children). */
export function summarize(listing: Listing): FolderSummary {
  let bytes = 0;
  let unknownSizes = 0;
  for (const f of listing.files) {
    // A live photo is one file of two parts: both count towards its size.
    for (const part of f.motion ? [f, f.motion] : [f]) {
      if (part.size === null) unknownSizes += 1;
      else bytes += part.size;
    }
  }
  return { folder: listing.folder, files: listing.files.length, bytes, unknownSizes };
}

export interface TreeLimits {
  /** Levels below the root that are still read. */
  maxDepth: number;
  /** Files and folders seen before the search stops with an error (never a silently short result). */
  maxEntries: number;
}

export const defaultTreeLimits: TreeLimits = { maxDepth: 10, maxEntries: 100_000 };

/**
 * A search by name over a folder tree, breadth-first, one listing per folder: what `query` is for
 * sources without a search of their own. `read` lists a folder cheaply; `names` gives the names a
 * file matches by; `finish` completes the matches of one folder (sizes from a HEAD, say) before
 * they are yielded.
 */
export async function* searchTree<F>(opts: {
  root: string;
  query: string;
  where: string;
  limits: TreeLimits;
  read(path: string): Promise<{ files: F[]; folders: { path: string }[] }>;
  names(file: F): string[];
  finish(matches: F[]): Promise<RemoteFile[]>;
}): AsyncGenerator<RemoteFile> {
  const needle = opts.query.normalize('NFC').toLowerCase();
  const pending = [{ path: opts.root, depth: 0 }];
  const seen = new Set([opts.root]);
  let entries = 0;
  while (pending.length > 0) {
    const { path, depth } = pending.shift()!;
    const folder = await opts.read(path);
    entries += folder.files.length + folder.folders.length;
    if (entries > opts.limits.maxEntries) {
      throw new CartageError(
        'bad_input',
        `The search in ${opts.where} stopped after ${opts.limits.maxEntries.toLocaleString('en-US')} files and folders; search in a smaller folder.`,
      );
    }
    const matches = folder.files.filter((f) => opts.names(f).some((n) => n.normalize('NFC').toLowerCase().includes(needle)));
    if (matches.length) yield* await opts.finish(matches);
    if (depth >= opts.limits.maxDepth) continue;
    for (const sub of folder.folders) {
      if (seen.has(sub.path)) continue;
      seen.add(sub.path);
      pending.push({ path: sub.path, depth: depth + 1 });
    }
  }
}
