// The query builder's filters as the query text the sources read: Immich takes
// `after=2024-01-01&type=image&album=ID&person=ID&favorite=true&archived=include&name=IMG`;
// web folders and WebDAV shares are searched by name only (`name=TEXT`).

export interface ImmichFilters {
  after: string;
  before: string;
  type: '' | 'image' | 'video';
  favorite: '' | 'true' | 'false';
  album: string;
  /** Person ids, separated by commas or spaces. */
  person: string;
  archived: 'exclude' | 'include' | 'only';
  name: string;
}

export const noFilters: ImmichFilters = { after: '', before: '', type: '', favorite: '', album: '', person: '', archived: 'exclude', name: '' };

/** The Immich query text for these filters (empty: the whole timeline). */
export function immichQuery(f: ImmichFilters): string {
  const params = new URLSearchParams();
  if (f.after) params.set('after', f.after);
  if (f.before) params.set('before', f.before);
  if (f.type) params.set('type', f.type);
  if (f.favorite) params.set('favorite', f.favorite);
  if (f.album) params.append('album', f.album);
  for (const id of f.person.split(/[\s,]+/).filter(Boolean)) params.append('person', id);
  if (f.archived !== 'exclude') params.set('archived', f.archived);
  if (f.name.trim()) params.set('name', f.name.trim());
  return params.toString();
}

/** A search by name, for sources that only know names. */
export function nameQuery(name: string): string {
  const text = name.trim();
  return text ? new URLSearchParams({ name: text }).toString() : '';
}

/** What is wrong with the filters, in a sentence, or null. */
export function filtersProblem(f: ImmichFilters): string | null {
  if (f.after && f.before && f.after > f.before) return '"Taken after" is later than "taken before": no photo can match.';
  return null;
}
