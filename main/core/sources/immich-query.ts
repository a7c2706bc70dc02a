import { z } from 'zod';
import { CartageError } from '../errors.js';

/**
 * What people filter an Immich library by, as a query string (`after=2024-01-01&type=image&album=ID`):
 * the same text in the CLI (`cartage search photos --after 2024-01-01`), a cart reference
 * (`photos?after=2024-01-01`) and the app's query builder.
 */
export interface ImmichQuery {
  takenAfter?: string;
  takenBefore?: string;
  type?: 'IMAGE' | 'VIDEO';
  isFavorite?: boolean;
  albumIds?: string[];
  personIds?: string[];
  /** Archived assets: left out (the timeline's default), included, or only them. */
  archived?: 'exclude' | 'include' | 'only';
  /** Assets in the trash: left out, or included (they list as not downloadable). */
  trashed?: 'exclude' | 'include';
  originalFileName?: string;
}

const day = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'a date such as 2024-05-31');
const filters = z
  .object({
    after: day.optional(),
    before: day.optional(),
    type: z.enum(['image', 'video']).optional(),
    favorite: z.enum(['true', 'false']).optional(),
    album: z.array(z.string().min(1)).optional(),
    person: z.array(z.string().min(1)).optional(),
    archived: z.enum(['exclude', 'include', 'only']).optional(),
    trashed: z.enum(['exclude', 'include']).optional(),
    name: z.string().min(1).optional(),
  })
  .strict();

/** Names of the filters, for messages and the CLI. */
export const queryFilterNames = ['after', 'before', 'type', 'favorite', 'album', 'person', 'archived', 'trashed', 'name'] as const;

/** Parses a query string; an unknown filter or a bad value fails with the filter's name and what it takes. */
export function parseImmichQuery(q: string): ImmichQuery {
  const params = new URLSearchParams(q.replace(/^\?/, ''));
  const raw: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    if (key === 'album' || key === 'person') raw[key] = [...((raw[key] as string[] | undefined) ?? []), value];
    else if (key in raw) throw new CartageError('bad_input', `The filter "${key}" is given twice in "${q}".`);
    else raw[key] = value;
  }
  const parsed = filters.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new CartageError('bad_input', `Immich searches do not know the filter "${issue.keys.join('", "')}"; the filters are ${queryFilterNames.join(', ')}.`);
    }
    throw new CartageError('bad_input', `The filter "${issue.path.join('.')}" in "${q}" is not valid: ${issue.message}.`);
  }
  const f = parsed.data;
  const query: ImmichQuery = {};
  if (f.after) query.takenAfter = new Date(f.after).toISOString();
  if (f.before) query.takenBefore = endOf(f.before);
  if (f.type) query.type = f.type === 'image' ? 'IMAGE' : 'VIDEO';
  if (f.favorite) query.isFavorite = f.favorite === 'true';
  if (f.album) query.albumIds = f.album;
  if (f.person) query.personIds = f.person;
  if (f.archived) query.archived = f.archived;
  if (f.trashed) query.trashed = f.trashed;
  if (f.name) query.originalFileName = f.name;
  if (query.takenAfter && query.takenBefore && query.takenAfter > query.takenBefore) {
    throw new CartageError('bad_input', `"after" (${f.after}) is later than "before" (${f.before}); no photo can match.`);
  }
  return query;
}

/** A day given alone (`2024-05-31`) includes that whole day. */
function endOf(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return new Date(Date.parse(text) + 86_400_000 - 1).toISOString();
  return new Date(text).toISOString();
}

/**
 * How a server pages and filters `POST /search/metadata`: `flat` filters and `page` numbers (v2 to
 * v3.1), or one nested `filter` and an opaque `cursor` (v3.2, which deprecated the flat fields for
 * removal in v4).
 */
export type SearchStyle = 'flat' | 'filter';

/** The style a server version takes. */
export function searchStyleOf(version: { major: number; minor: number }): SearchStyle {
  return version.major > 3 || (version.major === 3 && version.minor >= 2) ? 'filter' : 'flat';
}

/**
 * The `POST /search/metadata` bodies for a query, without their page or cursor. Flat: one per
 * visibility (the flat field takes one at a time, and v3 returns every visibility, live-photo parts
 * included, when none is given). Filter: one body, the visibilities in one `in`.
 */
export function searchBodies(q: ImmichQuery, size: number, style: SearchStyle = 'flat'): Record<string, unknown>[] {
  const { archived = 'exclude', trashed = 'exclude', ...rest } = q;
  const visibilities = archived === 'only' ? ['archive'] : archived === 'include' ? ['timeline', 'archive'] : ['timeline'];
  const options = { ...(trashed === 'include' ? { withDeleted: true } : {}), withExif: true, size };
  if (style === 'filter') return [{ filter: nestedFilter(rest, visibilities), ...options }];
  return visibilities.map((visibility) => ({ ...rest, visibility, ...options }));
}

/** The v3.2 `SearchFilter` for a query's filters. */
function nestedFilter(q: Omit<ImmichQuery, 'archived' | 'trashed'>, visibilities: string[]): Record<string, unknown> {
  const taken = { ...(q.takenAfter ? { gte: q.takenAfter } : {}), ...(q.takenBefore ? { lte: q.takenBefore } : {}) };
  return {
    visibility: visibilities.length === 1 ? { eq: visibilities[0] } : { in: visibilities },
    ...(Object.keys(taken).length ? { takenAt: taken } : {}),
    ...(q.type ? { type: { eq: q.type } } : {}),
    ...(q.isFavorite !== undefined ? { isFavorite: { eq: q.isFavorite } } : {}),
    ...(q.albumIds?.length ? { albumIds: { all: q.albumIds } } : {}),
    ...(q.personIds?.length ? { personIds: { all: q.personIds } } : {}),
    // The flat field matched anywhere in the name, case aside (SQL ilike '%name%'): the same here.
    ...(q.originalFileName ? { originalFileName: { like: `%${q.originalFileName}%` } } : {}),
  };
}
