// What the v3 fake accepts, taken from the parameters of @immich/sdk 3.2.x's functions: each route's
// query names are checked against the SDK function's parameter type (a name the SDK lacks, or one
// left out, fails the type-check), and the search body's schema is pinned to MetadataSearchDto and
// SearchFilter the same way. Requests are then checked against these at run time.
import {
  AssetOrder,
  AssetTypeEnum,
  AssetVisibility,
  Permission,
  SearchOrderField,
  type downloadAsset,
  type getAlbumInfo,
  type getAllAlbums,
  type getAssetInfo,
  type getAssetsByOriginalPath,
  type getMySharedLink,
  type getTimeBuckets,
  type MetadataSearchDto,
  type searchAssets,
  type SearchFilter,
  type SearchFilterBranch,
} from '@immich/sdk';
import { z } from 'zod';

/** A function's parameter names, less its path parameters and body. */
type QueryOf<F extends (...args: never[]) => unknown, Drop extends string = never> = Exclude<keyof NonNullable<Parameters<F>[0]>, Drop>;

type Kind = 'string' | 'boolean';

export interface V3Route {
  /** The query parameters the SDK sends for it, with their types for coercion. */
  query: Record<string, Kind>;
  /** A shared link may call it (the SDK function takes `key` and `slug`). */
  link: boolean;
  /** What an API key needs (Immich's x-immich-permission); null for none. */
  permission: Permission | null;
}

const linkQuery: { key: Kind; slug: Kind } = { key: 'string', slug: 'string' };

/** The routes the fake serves, keyed as `verb template`. */
export const v3Routes: Record<string, V3Route> = {
  'get /server/ping': { query: {}, link: false, permission: null },
  'get /server/version': { query: {}, link: false, permission: null },
  'get /users/me': { query: {}, link: false, permission: Permission.UserRead },
  'get /api-keys/me': { query: {}, link: false, permission: null },
  'get /albums': {
    query: { assetId: 'string', id: 'string', isOwned: 'boolean', isShared: 'boolean', name: 'string' } satisfies Record<QueryOf<typeof getAllAlbums>, Kind>,
    link: false,
    permission: Permission.AlbumRead,
  },
  'get /albums/{id}': { query: linkQuery satisfies Record<QueryOf<typeof getAlbumInfo, 'id'>, Kind>, link: true, permission: Permission.AlbumRead },
  'post /search/metadata': { query: linkQuery satisfies Record<QueryOf<typeof searchAssets, 'metadataSearchDto'>, Kind>, link: true, permission: Permission.AssetRead },
  'get /view/folder/unique-paths': { query: {}, link: false, permission: Permission.FolderRead },
  'get /view/folder': { query: { path: 'string' } satisfies Record<QueryOf<typeof getAssetsByOriginalPath>, Kind>, link: false, permission: Permission.FolderRead },
  'get /timeline/buckets': {
    query: {
      albumId: 'string', bbox: 'string', isFavorite: 'boolean', isTrashed: 'boolean', key: 'string', order: 'string', orderBy: 'string', personId: 'string',
      slug: 'string', tagId: 'string', userId: 'string', visibility: 'string', withCoordinates: 'boolean', withPartners: 'boolean', withStacked: 'boolean',
    } satisfies Record<QueryOf<typeof getTimeBuckets>, Kind>,
    link: true,
    permission: Permission.AssetRead,
  },
  'get /assets/{id}': { query: linkQuery satisfies Record<QueryOf<typeof getAssetInfo, 'id'>, Kind>, link: true, permission: Permission.AssetRead },
  'get /assets/{id}/original': {
    query: { ...linkQuery, edited: 'boolean' } satisfies Record<QueryOf<typeof downloadAsset, 'id'>, Kind>,
    link: true,
    permission: Permission.AssetDownload,
  },
  'get /shared-links/me': { query: linkQuery satisfies Record<QueryOf<typeof getMySharedLink>, Kind>, link: true, permission: null },
};

// ---- the search body -----------------------------------------------------------------------------

const uuid = z.uuid();
const date = z.iso.datetime({ offset: true });
const some = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).partial().refine((o) => Object.keys(o).length > 0, 'an empty filter');
const ids = some({ all: z.array(uuid).min(1), any: z.array(uuid).min(1), none: z.array(uuid).min(1) });
const id = some({ eq: uuid, ne: uuid });
const idNull = some({ eq: uuid.nullable(), ne: uuid.nullable() });
const strings = { in: z.array(z.string()).min(1), notIn: z.array(z.string()).min(1) };
const str = some({ eq: z.string(), ne: z.string(), ...strings });
const strNull = some({ eq: z.string().nullable(), ne: z.string().nullable(), ...strings });
const pattern = some({
  eq: z.string().nullable(), ne: z.string().nullable(), ...strings,
  like: z.string().min(1), notLike: z.string().min(1), startsWith: z.string().min(1), endsWith: z.string().min(1),
});
const range = { lt: z.number(), lte: z.number(), gt: z.number(), gte: z.number(), in: z.array(z.number()).min(1), notIn: z.array(z.number()).min(1) };
const num = some({ eq: z.number(), ne: z.number(), ...range });
const numNull = some({ eq: z.number().nullable(), ne: z.number().nullable(), ...range });
const dates = { gt: date, gte: date, lt: date, lte: date };
const day = some({ eq: date, ne: date, ...dates });
const dayNull = some({ eq: date.nullable(), ne: date.nullable(), ...dates });
const bool = z.strictObject({ eq: z.boolean() });
const oneOf = <T extends z.ZodType>(v: T) => some({ eq: v, ne: v, in: z.array(v).min(1), notIn: z.array(v).min(1) });

const branchShape = {
  albumIds: ids, checksum: str, city: strNull, country: strNull, createdAt: day, description: pattern, encodedVideoPath: str,
  fileSizeInBytes: num, hasAlbums: bool, hasPeople: bool, hasTags: bool, id, isEncoded: bool, isFavorite: bool, isMotion: bool,
  isOffline: bool, lensModel: strNull, libraryId: idNull, make: strNull, model: strNull, ocr: z.strictObject({ matches: z.string().min(1) }),
  originalFileName: pattern, originalPath: pattern, personIds: ids, rating: numNull, state: strNull, tagIds: ids, takenAt: day,
  trashedAt: dayNull, type: oneOf(z.enum(AssetTypeEnum)), updatedAt: day, visibility: oneOf(z.enum(AssetVisibility)),
} satisfies Record<keyof SearchFilterBranch, z.ZodType>;
const branch: z.ZodType<SearchFilterBranch> = z.strictObject(branchShape).partial();
const filterShape = { ...branchShape, or: z.array(branch).min(1) } satisfies Record<keyof SearchFilter, z.ZodType>;
const filter: z.ZodType<SearchFilter> = z.strictObject(filterShape).partial();

const optionalString = z.string().optional();
const metadataShape = {
  albumIds: z.array(uuid).optional(), checksum: optionalString, city: z.string().nullish(), country: z.string().nullish(),
  createdAfter: date.optional(), createdBefore: date.optional(), cursor: z.string().min(1).optional(), description: optionalString,
  encodedVideoPath: optionalString, filter: filter.optional(), id: uuid.optional(), isEncoded: z.boolean().optional(), isFavorite: z.boolean().optional(),
  isMotion: z.boolean().optional(), isNotInAlbum: z.boolean().optional(), isOffline: z.boolean().optional(), lensModel: z.string().nullish(),
  libraryId: uuid.nullish(), make: z.string().nullish(), model: z.string().nullish(), ocr: optionalString, order: z.enum(AssetOrder).optional(),
  orderBy: z.strictObject({ field: z.enum(SearchOrderField).optional(), direction: z.enum(AssetOrder).optional() }).optional(),
  originalFileName: optionalString, originalPath: optionalString, page: z.int().min(1).optional(), personIds: z.array(uuid).optional(),
  previewPath: optionalString, rating: z.int().min(1).max(5).nullish(), size: z.int().min(1).max(1000).optional(), state: z.string().nullish(),
  tagIds: z.array(uuid).nullish(), takenAfter: date.optional(), takenBefore: date.optional(), thumbnailPath: optionalString,
  trashedAfter: date.optional(), trashedBefore: date.optional(), type: z.enum(AssetTypeEnum).optional(), updatedAfter: date.optional(),
  updatedBefore: date.optional(), visibility: z.enum(AssetVisibility).optional(), withDeleted: z.boolean().optional(),
  withExif: z.boolean().optional(), withPeople: z.boolean().optional(), withStacked: z.boolean().optional(),
} satisfies Record<keyof MetadataSearchDto, z.ZodType>;

/** POST /search/metadata's body as v3.2 validates it: exactly MetadataSearchDto's fields and types. */
export const metadataSearchV3: z.ZodType<MetadataSearchDto> = z.strictObject(metadataShape);

/** The flat filters and `page` v3.2 deprecated for `filter` and `cursor` (removal planned for v4). */
export const deprecatedSearchFields = [
  'albumIds', 'checksum', 'city', 'country', 'createdAfter', 'createdBefore', 'description', 'encodedVideoPath', 'id', 'isEncoded', 'isFavorite',
  'isMotion', 'isNotInAlbum', 'isOffline', 'lensModel', 'libraryId', 'make', 'model', 'ocr', 'originalFileName', 'originalPath', 'page', 'personIds',
  'previewPath', 'rating', 'state', 'tagIds', 'takenAfter', 'takenBefore', 'thumbnailPath', 'trashedAfter', 'trashedBefore', 'type', 'updatedAfter',
  'updatedBefore', 'visibility',
] as const satisfies readonly (keyof MetadataSearchDto)[];

/** Fields a v3.0 or v3.1 server does not know yet (added in 3.2): it refuses them. */
export const v32SearchFields = ['filter', 'cursor', 'orderBy'] as const satisfies readonly (keyof MetadataSearchDto)[];

/**
 * A v3 request against the SDK: query names the SDK function does not send, and a search body
 * that is not a MetadataSearchDto, are violations; what v3's zod pipe refuses is `rejected`
 * (`path: message`), with 3.0 and 3.1 refusing the fields 3.2 added.
 */
export function checkV3Request(
  route: string,
  pathParams: Record<string, string>,
  query: URLSearchParams,
  body: unknown,
  minor: number,
): { violations: string[]; rejected: string[]; query: Record<string, unknown> } {
  const out = { violations: [] as string[], rejected: [] as string[], query: {} as Record<string, unknown> };
  const known = v3Routes[route];
  if (!known) {
    out.violations.push(`the v3 fake has no SDK parameters for ${route}`);
    return out;
  }
  // Every `{id}` of these routes is a UUID (v3's z.uuidv4()).
  if (pathParams.id !== undefined && !uuid.safeParse(pathParams.id).success) {
    out.violations.push(`path parameter 'id' is not a UUID (got ${JSON.stringify(pathParams.id)})`);
    out.rejected.push('id: Invalid UUID');
  }
  for (const name of new Set(query.keys())) {
    const kind = known.query[name];
    if (!kind) {
      out.violations.push(`query parameter '${name}' is not a parameter of this call in @immich/sdk 3.2`);
      continue;
    }
    const raw = query.get(name)!;
    out.query[name] = kind === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw;
  }
  if (route === 'post /search/metadata') {
    const parsed = metadataSearchV3.safeParse(body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        out.violations.push(`body ${issue.path.join('.') || '(body)'}: ${issue.message}`);
        out.rejected.push(`${issue.path.join('.')}: ${issue.message}`);
      }
    }
    if (minor < 2 && body && typeof body === 'object') {
      for (const field of v32SearchFields) if (field in body) out.rejected.push(`${field}: Unrecognized key (added in v3.2)`);
    }
  }
  return out;
}
