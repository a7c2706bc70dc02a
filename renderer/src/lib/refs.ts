// Source references, as the cart and the CLI read them: `photos:albums/ID` (a folder or a file in a
// stored source), `photos?after=2024-01-01` (a query's matches), or a web address. The browse pane
// drags them onto the cart under refMime; links from other apps arrive as URI lists or plain text.
import type { FileDto, SourceDto } from '../../../preload/api';

/** The drag-and-drop type that carries source references, one a line. */
export const refMime = 'application/x-cartage-ref';

/** A folder's own files (not its sub-folders); the empty path is the source's top folder. */
export function folderRef(source: Pick<SourceDto, 'name'>, path: string): string {
  return path ? `${source.name}:${path}` : source.name;
}

/** One file: an Immich asset by id, elsewhere by its path in the source. */
export function fileRef(source: Pick<SourceDto, 'name' | 'kind'>, file: Pick<FileDto, 'id' | 'folder' | 'name'>): string {
  if (source.kind === 'immich') return `${source.name}:assets/${file.id}`;
  return `${source.name}:${file.folder ? `${file.folder.replace(/\/+$/, '')}/` : ''}${file.name}`;
}

/** All of a query's matches (every page, not only the ones shown). */
export function queryRef(source: Pick<SourceDto, 'name'>, query: string): string {
  return `${source.name}?${query}`;
}

const urlPattern = /[a-z][a-z0-9+.-]*:\/\/[^\s<>"'`]+/gi;

/** Web addresses in free text: one or more a line; '#' lines are comments; local file: links are left out. */
export function urlsFromText(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    for (const match of trimmed.matchAll(urlPattern)) {
      const url = match[0].replace(/[.,;:!?)\]}]+$/, '');
      if (!/^file:/i.test(url)) found.push(url);
    }
  }
  return unique(found);
}

/** The addresses of a text/uri-list: one a line, '#' lines are comments. */
export function urlsFromUriList(text: string): string[] {
  return unique(
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#') && !/^file:/i.test(l)),
  );
}

/** What a drop carries that the cart can read; a subset of DataTransfer so tests can make one. */
export interface DropData {
  readonly types: readonly string[];
  getData(format: string): string;
  readonly files?: ArrayLike<File> | null;
}

/** Whether a drag carries anything the cart could take (decides if the cart accepts the drop). */
export function canTake(types: readonly string[]): boolean {
  return types.some((t) => t === refMime || t === 'text/uri-list' || t === 'text/plain' || t === 'Files');
}

/**
 * The references a drop carries: our own references first; else the URLs of dropped text files
 * (read with File.text()), of a URI list, or found in plain text.
 */
export async function refsFromDrop(data: DropData): Promise<string[]> {
  if (data.types.includes(refMime)) {
    const refs = data.getData(refMime).split('\n').map((r) => r.trim()).filter(Boolean);
    if (refs.length > 0) return refs;
  }
  const files = Array.from(data.files ?? []).filter(isTextFile);
  if (files.length > 0) {
    const texts = await Promise.all(files.map((f) => f.text()));
    return unique(texts.flatMap(urlsFromText));
  }
  if (data.types.includes('text/uri-list')) {
    const urls = urlsFromUriList(data.getData('text/uri-list'));
    if (urls.length > 0) return urls;
  }
  if (data.types.includes('text/plain')) return urlsFromText(data.getData('text/plain'));
  return [];
}

function isTextFile(file: File): boolean {
  return file.type.startsWith('text/') || /\.(txt|list|urls?|csv)$/i.test(file.name);
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
