import type { Got, OptionsOfTextResponseBody } from 'got';
import { z } from 'zod';
import { CartageError } from '../errors.js';
import { networkError, sourceHttp } from '../net/http.js';
import { immichFailure } from './immich-errors.js';

/**
 * The few Immich API shapes Cartage reads, checked with zod: a server that answers something else
 * gets a clear error naming the endpoint, not a crash deep in the code. Only the fields used are
 * declared; the rest pass through untouched. Checked against the v2.5.6 OpenAPI spec and the v3.2
 * SDK's types in the tests.
 */
export const exifSchema = z
  .object({
    fileSizeInByte: z.number().nullish(),
    dateTimeOriginal: z.string().nullish(),
    description: z.string().nullish(),
  })
  .nullish();

/**
 * An asset. Behind a shared link with "Show metadata" off, Immich sends a sanitized asset: no
 * file name, checksum, file dates, trash flag or exif, so those are optional here.
 */
export const assetSchema = z.object({
  id: z.string(),
  type: z.enum(['IMAGE', 'VIDEO', 'AUDIO', 'OTHER']),
  originalFileName: z.string().nullish(),
  originalMimeType: z.string().nullish(),
  originalPath: z.string().nullish(),
  checksum: z.string().nullish(),
  fileCreatedAt: z.string().nullish(),
  fileModifiedAt: z.string().nullish(),
  localDateTime: z.string().nullish(),
  updatedAt: z.string().nullish(),
  isFavorite: z.boolean().nullish(),
  isTrashed: z.boolean().nullish(),
  isOffline: z.boolean().nullish(),
  libraryId: z.string().nullish(),
  livePhotoVideoId: z.string().nullish(),
  visibility: z.string().nullish(),
  exifInfo: exifSchema,
});
export type ImmichAsset = z.infer<typeof assetSchema>;

export const albumSchema = z.object({
  id: z.string(),
  albumName: z.string(),
  assetCount: z.number(),
  updatedAt: z.string().nullish(),
  /** v2 lists the album's assets here; v3 removed the field (list with search/metadata instead). */
  assets: z.array(assetSchema).optional(),
});
export type ImmichAlbum = z.infer<typeof albumSchema>;

export const searchSchema = z.object({
  assets: z.object({
    items: z.array(assetSchema),
    /** v2 and v3's page number, deprecated in v3.2 for nextCursor. */
    nextPage: z.string().nullish(),
    nextCursor: z.string().nullish(),
    total: z.number().optional(),
  }),
});

export const bucketsSchema = z.array(z.object({ timeBucket: z.string(), count: z.number() }));
export const versionSchema = z.object({ major: z.number(), minor: z.number(), patch: z.number() });
export type ImmichVersion = z.infer<typeof versionSchema>;
/** `GET /api-keys/me`: what the key may do ('all', or names such as 'asset.download'). */
export const apiKeySchema = z.object({ permissions: z.array(z.string()) });
export const userSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });
export const sharedLinkSchema = z.object({
  id: z.string(),
  type: z.enum(['ALBUM', 'INDIVIDUAL']),
  allowDownload: z.boolean(),
  album: albumSchema.nullish(),
  assets: z.array(assetSchema),
  expiresAt: z.string().nullish(),
});
export type ImmichSharedLink = z.infer<typeof sharedLinkSchema>;

/** How a request proves who it is: an API key, or a shared link's key or slug. */
export type ImmichAuth = { apiKey: string } | { shareKey: string } | { shareSlug: string };

/** The headers for an auth: credentials travel in headers, never in a URL that could be logged or stored. */
export function authHeaders(auth: ImmichAuth | null): Record<string, string> {
  if (!auth) return {};
  if ('apiKey' in auth) return { 'x-api-key': auth.apiKey };
  if ('shareKey' in auth) return { 'x-immich-share-key': auth.shareKey };
  return { 'x-immich-share-slug': auth.shareSlug };
}

export interface ApiCall {
  method?: 'GET' | 'POST';
  path: string;
  searchParams?: Record<string, string>;
  json?: unknown;
}

/** A thin JSON client over the API base URL: one place for auth, TLS, errors and shape checks. */
export class ImmichApi {
  constructor(
    readonly apiUrl: string,
    private readonly auth: () => Promise<ImmichAuth | null>,
    private readonly http: Got = sourceHttp,
    private readonly https: OptionsOfTextResponseBody['https'] = undefined,
  ) {}

  /** Calls the API and checks the answer's shape; 401/403 and other failures become errors for people. */
  async call<T>(call: ApiCall, schema: z.ZodType<T>): Promise<T> {
    const url = `${this.apiUrl}${call.path}`;
    let res;
    try {
      res = await this.http(url, {
        method: call.method ?? 'GET',
        headers: { accept: 'application/json', ...authHeaders(await this.auth()) },
        ...(call.searchParams ? { searchParams: call.searchParams } : {}),
        ...(call.json !== undefined ? { json: call.json } : {}),
        ...(this.https ? { https: this.https } : {}),
      });
    } catch (err) {
      throw networkError(url, err);
    }
    if (res.statusCode !== 200 && res.statusCode !== 201) throw immichFailure(this.apiUrl, call.path, res.statusCode, res.body, res.headers);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new CartageError('http_error', `${url} did not answer with JSON: this does not look like an Immich server.`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CartageError(
        'http_error',
        `Immich answered ${call.path} in a shape Cartage does not know (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}); is the server a supported version (v2 or v3)?`,
      );
    }
    return parsed.data;
  }
}
