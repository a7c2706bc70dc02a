import type { Got, OptionsOfTextResponseBody } from 'got';
import { z } from 'zod';
import { CartageError } from '../errors.js';
import { networkError, sourceHttp } from '../net/http.js';

/**
 * The few Immich API shapes Cartage reads, checked with zod: a server that answers something else
 * gets a clear error naming the endpoint, not a crash deep in the code. Only the fields used are
 * declared; the rest pass through untouched. Checked against the v2.5.6 OpenAPI spec in the tests.
 */
export const exifSchema = z
  .object({
    fileSizeInByte: z.number().nullish(),
    dateTimeOriginal: z.string().nullish(),
    description: z.string().nullish(),
  })
  .nullish();

export const assetSchema = z.object({
  id: z.string(),
  type: z.enum(['IMAGE', 'VIDEO', 'AUDIO', 'OTHER']),
  originalFileName: z.string(),
  originalMimeType: z.string().nullish(),
  originalPath: z.string().nullish(),
  checksum: z.string(),
  fileCreatedAt: z.string(),
  fileModifiedAt: z.string().nullish(),
  localDateTime: z.string().nullish(),
  updatedAt: z.string().nullish(),
  isFavorite: z.boolean().nullish(),
  isTrashed: z.boolean(),
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
    nextPage: z.string().nullable(),
    total: z.number().optional(),
  }),
});

export const bucketsSchema = z.array(z.object({ timeBucket: z.string(), count: z.number() }));
export const versionSchema = z.object({ major: z.number(), minor: z.number(), patch: z.number() });
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
    if (res.statusCode === 401) {
      throw new CartageError(
        'auth',
        `The Immich server at ${new URL(this.apiUrl).host} refused the API key (401): create a new key in Immich (Account settings, API keys) and add the source again.`,
      );
    }
    if (res.statusCode === 403) {
      throw new CartageError('auth', `The Immich server at ${new URL(this.apiUrl).host} does not allow this (403) for ${call.path}: the API key or shared link lacks the permission.`);
    }
    if (res.statusCode === 404) throw new CartageError('not_found', `Immich has nothing at ${call.path} (404): it may have been deleted.`);
    if (res.statusCode === 400) throw new CartageError('not_found', `Immich refused ${call.path} (400): ${messageOf(res.body)}`);
    if (res.statusCode >= 500) throw new CartageError('server_error', `The Immich server had a problem answering ${call.path} (${res.statusCode}); try again later.`);
    if (res.statusCode !== 200 && res.statusCode !== 201) throw new CartageError('http_error', `Immich answered ${res.statusCode} to ${call.path}.`);
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

function messageOf(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    return Array.isArray(m) ? m.join('; ') : String(m ?? body.slice(0, 200));
  } catch {
    return body.slice(0, 200);
  }
}
