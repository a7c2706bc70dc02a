// A fake Immich server for tests: a real node:http server on 127.0.0.1 that answers the endpoints a
// downloader needs the way Immich v2.5 or v3.2 (or v3.0) does. As v2, every request it receives and
// every JSON body it sends is checked against the real v2.5.6 OpenAPI spec (openapi.ts); as v3, its
// answers are typed with @immich/sdk's DTOs and its requests checked against the SDK's parameters
// (immich-fake-v3*.ts). Tests assert `violations()` is empty.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeLibrary } from './immich-fake-data.js';
import { answerOriginal } from './immich-fake-original.js';
import { cursorAt, folderAssets, pageStart, searchMatches, searchMetadata, timeBuckets, uniquePaths } from './immich-fake-queries.js';
import { DEFAULT_USER, FRIEND_USER, type Auth, type FakeAlbum, type FakeAsset, type FakeSharedLink, type FakeUser } from './immich-fake-types.js';
import { albumV3, apiKeyV3, assetV3, bucketsV3, errorV3, linkV3, sanitizedAssetV3, searchV3, serverVersionV3, userAdminV3 } from './immich-fake-v3.js';
import { checkV3Request, v3Routes } from './immich-fake-v3-requests.js';
import { analyseRequest, checkResponse } from './openapi.js';
import type { Permission } from '@immich/sdk';

export { DEFAULT_USER, FRIEND_USER };
export type { FakeAlbum, FakeAsset, FakeSharedLink, FakeUser };

export interface ImmichOptions {
  /** Major version the server claims and behaves as (default 2). */
  version?: 2 | 3;
  /** v3's minor version (default 2): 3.0 and 3.1 know neither `filter` nor `cursor` in searches. */
  minor?: number;
  /** What the API key may do (default ['all']); a call that needs more gets 403. */
  permissions?: string[];
  /** The API key accepted in `x-api-key` (default 'test-key'). */
  apiKey?: string;
  user?: FakeUser;
  assets: FakeAsset[];
  albums?: FakeAlbum[];
  sharedLinks?: FakeSharedLink[];
  basePath?: '/api';
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

export interface FakeImmich {
  /** The origin, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** origin + '/api'. */
  apiUrl: string;
  apiKey: string;
  user: FakeUser;
  /** Ids of `options.assets` and `options.albums`, in order (generated when not given). */
  assetIds: string[];
  albumIds: string[];
  /** Everything off-spec seen so far, in requests received and responses sent. */
  violations(): string[];
  requests(): RecordedRequest[];
  /** Adds an asset; returns its id. */
  addAsset(a: FakeAsset): string;
  /** Changes an asset; new bytes change its checksum, size, mtime (ETag, Last-Modified) and updatedAt. */
  updateAsset(id: string, patch: Partial<Omit<FakeAsset, 'id'>>): void;
  /** Moves an asset to the trash (isTrashed true), as DELETE /assets without force does. */
  removeAsset(id: string): void;
  /** Upgrades (or downgrades) a v3 server's minor version, as a restart on another release would. */
  setMinor(minor: number): void;
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The body holds SanitizedAssetResponseDto assets (see openapi.ts CheckOptions). */
  sanitizedAssets?: boolean;
  /** Raw bytes (originals), not JSON. */
  raw?: Buffer;
}

interface Ctx {
  auth: Auth;
  /** The caller's user id: the API key's user, or the shared link's owner. */
  userId: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  method: string;
  headers: http.IncomingHttpHeaders;
}

/** A NestJS exception body as Immich v2's GlobalExceptionFilter sends it. */
function failV2(status: number, message: string | string[], error?: string): Reply {
  const correlationId = randomBytes(6).toString('hex').slice(0, 8);
  const body: Record<string, unknown> = { message };
  if (error) body.error = error;
  return { status, body: { ...body, statusCode: status, correlationId }, headers: { 'x-immich-cid': correlationId } };
}

/** v3's body (ApiExceptionResponse), zod's issues in `errors`, the request's id in X-Correlation-ID. */
function failV3(status: number, message: string | string[], issues?: { path: (string | number)[]; message: string }[]): Reply {
  const text = Array.isArray(message) ? 'Validation failed' : message;
  const errors = issues ?? (Array.isArray(message) ? message.map((m) => ({ path: [], message: m })) : undefined);
  return { status, body: errorV3(status, text, errors), headers: { 'x-correlation-id': randomBytes(8).toString('hex') } };
}

/** Starts the fake on a free loopback port. */
export async function startImmich(options: ImmichOptions): Promise<FakeImmich> {
  const version = options.version ?? 2;
  let minor = options.minor ?? 2;
  const v3 = version === 3;
  const fail = (status: number, message: string | string[], error?: string): Reply => (v3 ? failV3(status, message) : failV2(status, message, error));
  const badRequest = (message: string) => fail(400, message, 'Bad Request');
  const internalError = () => fail(500, 'Internal server error');
  const permissions = options.permissions ?? ['all'];
  const apiKey = options.apiKey ?? 'test-key';
  const me = options.user ?? DEFAULT_USER;
  const lib = new FakeLibrary(me, version);
  const assetIds = options.assets.map((a) => lib.addAsset(a));
  const albumIds = (options.albums ?? []).map((a) => lib.addAlbum(a));
  for (const l of options.sharedLinks ?? []) lib.addLink(l);
  const violations: string[] = [];
  const requests: RecordedRequest[] = [];

  const authenticate = (headers: http.IncomingHttpHeaders, query: URLSearchParams): Auth | Reply => {
    const hv = (n: string) => {
      const v = headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    // auth.service validate(): a share key wins over everything, then slug, session, API key.
    const shareKey = hv('x-immich-share-key') || query.get('key');
    const shareSlug = hv('x-immich-share-slug') || query.get('slug');
    const bearer = /^bearer (.+)$/i.exec(hv('authorization') ?? '')?.[1];
    const cookie = /(?:^|;\s*)immich_access_token=([^;]+)/.exec(hv('cookie') ?? '')?.[1];
    const session = hv('x-immich-user-token') || hv('x-immich-session-token') || query.get('sessionKey') || bearer || cookie;
    const key = hv('x-api-key') || query.get('apiKey');
    if (shareKey) {
      const link = lib.links.find((l) => l.key === shareKey);
      return link ? { kind: 'link', link } : fail(401, 'Invalid share key', 'Unauthorized');
    }
    if (shareSlug) {
      const link = lib.links.find((l) => l.slug === shareSlug);
      return link ? { kind: 'link', link } : fail(401, 'Invalid share slug', 'Unauthorized');
    }
    if (session) return fail(401, 'Invalid user token', 'Unauthorized');
    if (key) return key === apiKey ? { kind: 'user', userId: me.id } : fail(401, 'Invalid API key', 'Unauthorized');
    return fail(401, 'Authentication required', 'Unauthorized');
  };

  const routes: Record<string, (c: Ctx) => Reply> = {
    'get /server/ping': () => ({ status: 200, body: { res: 'pong' } }),
    'get /server/version': () => ({ status: 200, body: v3 ? serverVersionV3(minor) : { major: 2, minor: 5, patch: 6 } }),
    'get /users/me': () => ({ status: 200, body: v3 ? userAdminV3(lib) : lib.userAdminDto() }),
    'get /api-keys/me': ({ auth }) => {
      if (auth.kind !== 'user') return fail(403, 'Forbidden', 'Forbidden');
      const key = { id: '1f0e2d3c-4b5a-4968-8776-655443322110', name: 'Cartage', permissions, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
      return { status: 200, body: v3 ? apiKeyV3(permissions as Permission[]) : key };
    },
    'get /albums': ({ userId, query }) => {
      if (v3) {
        // v3 lists every album you may read; isOwned / isShared narrow it (its `shared` is gone).
        let albums = lib.albums.filter((al) => al.ownerId === userId || al.memberIds.includes(userId));
        if (query.assetId) albums = albums.filter((al) => al.assetIds.includes(String(query.assetId)));
        if (query.isOwned !== undefined) albums = albums.filter((al) => (al.ownerId === userId) === query.isOwned);
        if (query.isShared !== undefined) albums = albums.filter((al) => (al.memberIds.length > 0 || lib.links.some((l) => l.albumId === al.id)) === query.isShared);
        albums.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime());
        return { status: 200, body: albums.map((al) => albumV3(lib, al)) };
      }
      const mine = (al: (typeof lib.albums)[number]) => al.ownerId === userId;
      const isShared = (al: (typeof lib.albums)[number]) => al.memberIds.length > 0 || lib.links.some((l) => l.albumId === al.id);
      let albums = lib.albums.filter(mine);
      if (query.assetId) albums = lib.albums.filter((al) => (mine(al) || al.memberIds.includes(userId)) && al.assetIds.includes(String(query.assetId)));
      else if (query.shared === true) albums = lib.albums.filter((al) => al.memberIds.includes(userId) || (mine(al) && isShared(al)));
      else if (query.shared === false) albums = lib.albums.filter((al) => mine(al) && !isShared(al));
      albums.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime());
      return { status: 200, body: albums.map((al) => lib.albumDto(al, { authUserId: userId })) };
    },
    'get /albums/{id}': ({ auth, userId, params, query }) => {
      const album = lib.albums.find((al) => al.id === params.id);
      if (!album || !lib.canReadAlbum(auth, album)) return badRequest('Not found or no album.read access');
      if (v3) return { status: 200, body: albumV3(lib, album, { detail: true }) };
      return { status: 200, body: lib.albumDto(album, { authUserId: userId, withAssets: query.withoutAssets !== true, detail: true }) };
    },
    'post /search/metadata': ({ auth, userId, body }) => {
      const visibility = body.visibility ?? (body.filter as { visibility?: { eq?: unknown; in?: unknown[] } } | undefined)?.visibility?.eq;
      if (visibility === 'locked') return fail(401, 'Elevated permission is required', 'Unauthorized');
      if (!v3) return { status: 200, body: searchMetadata(lib, userId, body) };
      if (auth.kind === 'link' && body.albumIds === undefined && !(body.filter as Record<string, unknown> | undefined)?.albumIds && !auth.link.assetIds.length) {
        return badRequest('Not found or no album.read access');
      }
      const unsupported: string[] = [];
      const all = searchMatches(lib, auth.kind === 'link' ? { kind: 'link', link: auth.link } : { kind: 'user', userId }, body, unsupported);
      violations.push(...unsupported.map((u) => `the fake does not implement ${u} in POST /search/metadata`));
      const size = Number(body.size) || 250;
      const start = pageStart(body, size);
      const window = all.slice(start, start + size + 1);
      const strip = auth.kind === 'link' && !auth.link.showMetadata;
      const items = window.slice(0, size).map((a) => (strip ? sanitizedAssetV3(a) : assetV3(lib, a, { authUserId: userId, exif: !!body.withExif })));
      const more = window.length > size;
      const page = Number(body.page ?? 1);
      // A 3.2 server pages by cursor; a flat search (page numbers) also gets its next page number.
      const nextCursor = more && minor >= 2 ? cursorAt(start + size) : null;
      const nextPage = more && body.cursor === undefined ? String(page + 1) : null;
      return { status: 200, body: searchV3(items, { nextPage, nextCursor }), sanitizedAssets: strip };
    },
    'get /view/folder/unique-paths': ({ userId }) => ({ status: 200, body: uniquePaths(lib, userId) }),
    'get /view/folder': ({ userId, query }) => ({ status: 200, body: folderAssets(lib, userId, String(query.path)) }),
    'get /timeline/buckets': ({ auth, userId, query: q }) => {
      if (q.visibility === 'locked') return fail(401, 'Elevated permission is required', 'Unauthorized');
      let owner: string | undefined;
      if (q.albumId) {
        const album = lib.albums.find((al) => al.id === q.albumId);
        if (!album || !lib.canReadAlbum(auth, album)) return badRequest('Not found or no album.read access');
      } else {
        owner = (q.userId as string | undefined) ?? userId;
        // timeline.read: only your own timeline (no partners here); never through a shared link.
        if (auth.kind === 'link' || owner !== userId) return badRequest('Not found or no timeline.read access');
      }
      if (q.withPartners && (q.visibility === 'archive' || q.visibility === undefined || q.isFavorite !== undefined || q.isTrashed === true)) {
        return badRequest('withPartners is only supported for non-archived, non-trashed, non-favorited assets');
      }
      const buckets = timeBuckets(lib, { ...q, userIds: owner ? [owner] : undefined });
      return { status: 200, body: v3 ? bucketsV3(buckets) : buckets };
    },
    'get /assets/{id}': ({ auth, userId, params }) => {
      const a = lib.assets.get(params.id ?? '');
      if (!a || !lib.canAccessAsset(auth, a)) return badRequest('Not found or no asset.read access');
      if (auth.kind === 'link' && !auth.link.showMetadata) return { status: 200, body: v3 ? sanitizedAssetV3(a) : lib.assetDto(a, { strip: true }), sanitizedAssets: true };
      if (v3) return { status: 200, body: assetV3(lib, a, { authUserId: userId, exif: true, owner: auth.kind === 'user' }) };
      const view = { authUserId: userId, exif: true, owner: auth.kind === 'user', faces: true, tags: true, stack: true };
      return { status: 200, body: lib.assetDto(a, { ...view, hidePeople: auth.kind === 'link' || a.ownerId !== userId }) };
    },
    'get /assets/{id}/original': ({ auth, params, method, headers }) => {
      const a = lib.assets.get(params.id ?? '');
      // A shared link without allowDownload fails the same access check as an unknown id: 400, not 403.
      if (!a || !lib.canAccessAsset(auth, a, true)) return badRequest('Not found or no asset.download access');
      // Offline means the file is gone from disk: fs.access throws ENOENT, which Immich answers with 500.
      if (a.isOffline) return internalError();
      const answer = answerOriginal(method, headers, a);
      if (answer.kind === 'send-error') {
        const e = internalError();
        return { ...e, headers: { ...answer.headers, ...e.headers, 'cache-control': 'none' } };
      }
      return { status: answer.status, headers: answer.headers, raw: answer.body ?? Buffer.alloc(0) };
    },
    // A 1×1 PNG for every asset the caller may see, where Immich answers with the thumbnail it made.
    'get /assets/{id}/thumbnail': ({ auth, params }) => {
      const fakeThumbnail = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
      const a = lib.assets.get(params.id ?? '');
      if (!a || !lib.canAccessAsset(auth, a)) return badRequest('Not found or no asset.view access');
      return { status: 200, headers: { 'content-type': 'image/png', 'cache-control': 'private, max-age=86400, no-transform' }, raw: Buffer.from(fakeThumbnail, 'base64') };
    },
    'get /shared-links/me': ({ auth }) => {
      if (auth.kind !== 'link') return fail(403, 'Forbidden');
      return { status: 200, body: v3 ? linkV3(lib, auth.link) : lib.linkDto(auth.link), sanitizedAssets: !auth.link.showMetadata };
    },
  };

  const route = (req: http.IncomingMessage, url: URL, raw: Buffer): Reply => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/.well-known/immich' && (method === 'GET' || method === 'HEAD')) {
      return { status: 200, body: { api: { endpoint: '/api' } } };
    }
    if (!url.pathname.startsWith('/api/')) return { status: 404, raw: Buffer.from('Not Found'), headers: { 'content-type': 'text/plain' } };
    const apiPath = url.pathname.slice(4);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        violations.push(`request ${method} ${apiPath}: the body is not JSON`);
        return badRequest((e as Error).message);
      }
    }
    const analysis = analyseRequest(method, apiPath, url.searchParams, body);
    const match = analysis.match;
    if (!match) return fail(404, `Cannot ${method} ${url.pathname}`, 'Not Found');
    const verb = method === 'HEAD' ? 'get' : method.toLowerCase();
    const v3Route = v3Routes[`${verb} ${match.template}`];
    if (v3) {
      // The v2 spec does not judge a v3 request: the SDK's parameters do.
      const checked = checkV3Request(`${verb} ${match.template}`, match.pathParams, url.searchParams, body, minor);
      violations.push(...checked.violations.map((v) => `request ${method} ${apiPath}: ${v}`));
      analysis.rejected = checked.rejected;
      analysis.query = checked.query;
      analysis.body = body;
    } else {
      violations.push(...analysis.violations.map((v) => `request ${v}`));
    }
    const handler = routes[`${verb} ${match.template}`];
    if (!handler) {
      violations.push(`the fake does not implement ${verb.toUpperCase()} ${match.template}`);
      return fail(501, 'Not implemented by the fake Immich server');
    }
    let auth: Auth = { kind: 'user', userId: me.id };
    if (!match.isPublic) {
      const result = authenticate(req.headers, url.searchParams);
      if ('status' in result) return result;
      // A shared link may only call the routes that declare the `key` parameter.
      if (result.kind === 'link' && !(v3 ? v3Route?.link : match.sharedLinkRoute)) return fail(403, 'Forbidden', 'Forbidden');
      // An API key needs the route's permission (auth.service authenticate()).
      const needed = v3 ? v3Route?.permission : match.permission;
      if (result.kind === 'user' && needed && !permissions.includes('all') && !permissions.includes(needed)) {
        return fail(403, `Missing required permission: ${needed}`, 'Forbidden');
      }
      auth = result;
    }
    // Guards run before pipes: authentication errors come before validation errors.
    if (analysis.rejected.length > 0) return v3 ? failV3(400, 'Validation failed', analysis.rejected.map((m) => ({ path: [m.split(':')[0] ?? ''], message: m.split(': ').slice(1).join(': ') || m }))) : fail(400, analysis.rejected, 'Bad Request');
    const userId = auth.kind === 'user' ? auth.userId : auth.link.userId;
    const dto = analysis.body && typeof analysis.body === 'object' ? (analysis.body as Record<string, unknown>) : {};
    return handler({ auth, userId, params: match.pathParams, query: analysis.query, body: dto, method, headers: req.headers });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const raw = Buffer.concat(chunks);
      let recorded: unknown;
      try {
        recorded = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        recorded = raw.toString('utf8');
      }
      const method = (req.method ?? 'GET').toUpperCase();
      requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: recorded, headers: req.headers });
      let reply: Reply;
      try {
        reply = route(req, url, raw);
      } catch (e) {
        violations.push(`the fake crashed on ${method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`);
        reply = internalError();
      }
      const headers: Record<string, string> = { ...reply.headers };
      let payload: Buffer;
      if (reply.raw) {
        payload = reply.raw;
      } else {
        if (url.pathname.startsWith('/api/') && !v3) {
          const opts = { sanitizedAssets: reply.sanitizedAssets ?? false };
          violations.push(...checkResponse(method, url.pathname.slice(4), reply.status, reply.body, opts).map((v) => `response ${v}`));
        }
        payload = Buffer.from(reply.body === undefined ? '' : JSON.stringify(reply.body));
        headers['content-type'] = 'application/json; charset=utf-8';
        headers['content-length'] = String(payload.length);
      }
      res.writeHead(reply.status, headers);
      res.end(method === 'HEAD' ? undefined : payload);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    apiUrl: `${origin}${options.basePath ?? '/api'}`,
    apiKey,
    user: me,
    assetIds,
    albumIds,
    violations: () => [...violations],
    requests: () => [...requests],
    addAsset: (a) => lib.addAsset(a),
    updateAsset: (id, patch) => lib.updateAsset(id, patch),
    removeAsset: (id) => lib.updateAsset(id, { isTrashed: true }),
    setMinor: (m) => {
      minor = m;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
