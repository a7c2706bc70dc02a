import type { Got, OptionsOfTextResponseBody } from 'got';
import { z } from 'zod';
import { CartageError } from '../errors.js';
import { networkError, sourceHttp } from '../net/http.js';
import { apiKeySchema, ImmichApi, sharedLinkSchema, userSchema, versionSchema, type ImmichAuth } from './immich-api.js';
import { permissionError } from './immich-errors.js';

/**
 * What Cartage asks of an API key: its user, albums, assets and their originals, the folder view
 * (Immich's Permission names; its timeline asks for asset.read).
 */
export const neededPermissions = ['user.read', 'album.read', 'asset.read', 'asset.download', 'folder.read'] as const;

/** An address as a person types it: the server, or a shared link to part of it. */
export interface ImmichAddress {
  /** The web app's root (scheme, host, port and any path prefix), without credentials or query. */
  webUrl: string;
  /** Set when the address is a shared link (`/share/KEY` or `/s/SLUG`). */
  share: { key: string } | { slug: string } | null;
}

/** Reads `https://photos.example`, `photos.example:2283`, `https://photos.example/share/KEY` or `.../s/SLUG`. */
export function parseImmichAddress(typed: string): ImmichAddress {
  const text = typed.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new CartageError('bad_input', `"${typed}" is not a web address; give the address of the Immich server, such as https://photos.example.org.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CartageError('bad_input', `An Immich server is reached over http:// or https://, not ${url.protocol}//.`);
  }
  if (url.username || url.password) {
    throw new CartageError('bad_input', 'Leave the user name and password out of the Immich address: Immich signs in with an API key (--api-key-file or --api-key-env).');
  }
  const segments = url.pathname.split('/').filter(Boolean);
  let share: ImmichAddress['share'] = null;
  // A shared link, or a page inside one (/share/KEY/photos/ID): everything from 'share' on goes.
  const at = segments.findIndex((s, i) => (s === 'share' || s === 's') && i < segments.length - 1);
  if (at >= 0) {
    const token = decodeURIComponent(segments[at + 1]!);
    share = segments[at] === 'share' ? { key: token } : { slug: token };
    segments.splice(at);
  } else if (url.searchParams.get('key')) {
    share = { key: url.searchParams.get('key')! };
  }
  // The web app's root: drop what people paste from inside it (/photos/ID, /albums/ID, /api).
  const cut = segments.findIndex((s) => ['photos', 'albums', 'api', 'search', 'people', 'folders'].includes(s));
  if (cut >= 0) segments.splice(cut);
  const webUrl = `${url.origin}${segments.length ? `/${segments.join('/')}` : ''}`;
  return { webUrl, share };
}

export interface ImmichConnection {
  webUrl: string;
  apiUrl: string;
  version: { major: number; minor: number; patch: number };
  /** Who the API key belongs to (null for a shared link). */
  user: { name: string; email: string } | null;
  sharedLink: { type: 'ALBUM' | 'INDIVIDUAL'; allowDownload: boolean; albumName: string | null; files: number } | null;
}

const wellKnownSchema = z.object({ api: z.object({ endpoint: z.string() }) });
const pingSchema = z.object({ res: z.literal('pong') });

/**
 * Finds the API the way Immich's own apps do (`/.well-known/immich`, else `/api`), checks it
 * answers `/server/ping`, reads `/server/version`, and signs in: `/users/me` with an API key, or
 * `/shared-links/me` with a shared link. Every failure says what to check.
 */
export async function connectImmich(
  address: ImmichAddress,
  auth: ImmichAuth | null,
  options: { http?: Got; https?: OptionsOfTextResponseBody['https'] } = {},
): Promise<ImmichConnection> {
  const http = options.http ?? sourceHttp;
  const apiUrl = await discoverApi(address.webUrl, http, options.https);
  const open = new ImmichApi(apiUrl, () => Promise.resolve(null), http, options.https);
  try {
    await open.call({ path: '/server/ping' }, pingSchema);
  } catch (err) {
    if (err instanceof CartageError && (err.code === 'network' || err.code === 'timeout')) throw err;
    throw new CartageError('bad_input', `${address.webUrl} does not answer like an Immich server (no pong from ${apiUrl}/server/ping): check the address.`);
  }
  const version = await open.call({ path: '/server/version' }, versionSchema);
  if (version.major < 2) {
    throw new CartageError('bad_input', `The Immich server at ${address.webUrl} runs v${version.major}.${version.minor}; Cartage needs v2 or later: update Immich.`);
  }
  if (!auth) {
    throw new CartageError('bad_input', `Give an API key for ${address.webUrl} (--api-key-file or --api-key-env); create one in Immich under Account settings, API keys.`);
  }
  const api = new ImmichApi(apiUrl, () => Promise.resolve(auth), http, options.https);
  if ('apiKey' in auth) {
    const user = await api.call({ path: '/users/me' }, userSchema);
    await checkPermissions(api);
    return { webUrl: address.webUrl, apiUrl, version, user: { name: user.name, email: user.email }, sharedLink: null };
  }
  let link;
  try {
    link = await api.call({ path: '/shared-links/me' }, sharedLinkSchema);
  } catch (err) {
    if (err instanceof CartageError && err.code === 'auth') {
      throw new CartageError('auth', `The shared link ${address.webUrl}/share/… is not valid any more (expired, removed, or protected by a password): ask its owner for a new one.`);
    }
    throw err;
  }
  return {
    webUrl: address.webUrl,
    apiUrl,
    version,
    user: null,
    sharedLink: {
      type: link.type,
      allowDownload: link.allowDownload,
      albumName: link.album?.albumName ?? null,
      files: link.type === 'ALBUM' ? (link.album?.assetCount ?? 0) : link.assets.length,
    },
  };
}

/** Refuses a key that lacks a permission Cartage needs, naming each one, before anything is saved. */
async function checkPermissions(api: ImmichApi): Promise<void> {
  let granted: string[];
  try {
    granted = (await api.call({ path: '/api-keys/me' }, apiKeySchema)).permissions;
  } catch (err) {
    // A server that cannot say (no such endpoint): each call names what it lacks when it is made.
    if (err instanceof CartageError && (err.code === 'network' || err.code === 'timeout')) throw err;
    return;
  }
  if (granted.includes('all')) return;
  const missing = neededPermissions.filter((p) => !granted.includes(p));
  if (missing.length) throw permissionError(new URL(api.apiUrl).host, missing);
}

async function discoverApi(webUrl: string, http: Got, https: OptionsOfTextResponseBody['https']): Promise<string> {
  const wellKnown = `${new URL(webUrl).origin}/.well-known/immich`;
  let res;
  try {
    res = await http(wellKnown, { headers: { accept: 'application/json' }, ...(https ? { https } : {}) });
  } catch (err) {
    throw networkError(webUrl, err);
  }
  if (res.statusCode === 200) {
    try {
      const parsed = wellKnownSchema.safeParse(JSON.parse(res.body));
      if (parsed.success) return new URL(parsed.data.api.endpoint, `${webUrl}/`).href.replace(/\/+$/, '');
    } catch {
      // Not JSON: fall back to the usual place.
    }
  }
  return `${webUrl}/api`;
}
