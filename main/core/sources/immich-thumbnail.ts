// An Immich photo's or video's small preview (GET /assets/{id}/thumbnail), fetched by main with the
// source's own credentials and handed to the window as a data: URL, so the key never reaches the
// page and the page needs no network of its own. Kept apart from immich.ts: it only reads.
import { CartageError } from '../errors.js';
import type { ImmichSource } from './immich.js';
import type { Got } from 'got';
import { networkError, sourceHttp, type HttpsOptions } from '../net/http.js';

/** Larger than any thumbnail Immich makes (about 250 px, tens of KB): a bigger answer is not one. */
const maxBytes = 2 * 1024 * 1024;

/** The thumbnail of an asset as a data: URL (image/jpeg or image/webp, as the server made it). */
export async function immichThumbnail(source: ImmichSource, assetId: string, https?: HttpsOptions, http: Got = sourceHttp): Promise<string> {
  const url = `${source.api.apiUrl}/assets/${encodeURIComponent(assetId)}/thumbnail`;
  let res;
  try {
    res = await http(url, {
      searchParams: { size: 'thumbnail' },
      headers: { accept: 'image/*', ...(await source.headers(url)) },
      responseType: 'buffer',
      ...(https ? { https } : {}),
    });
  } catch (err) {
    throw networkError(url, err);
  }
  const what = `the preview of asset ${assetId}`;
  if (res.statusCode === 401 || res.statusCode === 403) throw new CartageError('auth', `Immich refused to show ${what} (${res.statusCode}): the key or shared link does not allow viewing it.`);
  if (res.statusCode === 400 || res.statusCode === 404) throw new CartageError('not_found', `Immich has no preview of asset ${assetId} (${res.statusCode}): it may have been deleted.`);
  if (res.statusCode !== 200) throw new CartageError('http_error', `Immich answered ${res.statusCode} when asked for ${what}.`);
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!/^image\/(jpeg|webp|png|avif)$/.test(type)) throw new CartageError('http_error', `Immich sent ${what} as "${type || 'no type'}", not as an image.`);
  if (res.body.length > maxBytes) throw new CartageError('http_error', `Immich sent ${res.body.length} bytes for ${what}: too large for a preview.`);
  return `data:${type};base64,${res.body.toString('base64')}`;
}
