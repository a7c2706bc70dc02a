// A web folder's or WebDAV share's image shown small: there is no thumbnail to ask for, so the image
// itself is downloaded (only when the person turned previews on), with the source's credentials,
// and handed to the window as a data: URL. Only addresses inside the source are fetched: the page
// cannot make main send the source's password anywhere else.
import { CartageError } from '../errors.js';
import type { Got } from 'got';
import { networkError, sourceHttp, type HttpsOptions } from '../net/http.js';
import type { Source } from './types.js';

/** Images larger than this are not downloaded for a preview (a RAW file, a panorama). */
export const maxPreviewBytes = 8 * 1024 * 1024;

const imageTypes = /^image\/(jpeg|png|gif|webp|avif|bmp)$/;

/** The image at `href` (inside the source at `root`) as a data: URL. */
export async function imagePreview(source: Source, root: string, href: string, https?: HttpsOptions, http: Got = sourceHttp): Promise<string> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new CartageError('bad_input', `"${href.slice(0, 200)}" is not a web address.`);
  }
  const base = new URL(root);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname) || url.username || url.password) {
    throw new CartageError('bad_input', `${url.origin}${url.pathname} is not a file of this source: only its own images are shown as previews.`);
  }
  const request = http(url.href, { headers: { accept: 'image/*', ...(await source.headers(url.href)) }, responseType: 'buffer', ...(https ? { https } : {}) });
  let tooLarge = false;
  request.on('downloadProgress', (p: { transferred: number; total?: number }) => {
    if (p.transferred > maxPreviewBytes || (p.total ?? 0) > maxPreviewBytes) {
      tooLarge = true;
      request.cancel();
    }
  });
  const name = decodeURIComponent(url.pathname.split('/').pop() ?? '') || url.pathname;
  let res;
  try {
    res = await request;
  } catch (err) {
    if (tooLarge) throw new CartageError('bad_input', `${name} is larger than ${maxPreviewBytes / 1024 / 1024} MB: too large to download for a preview.`);
    throw networkError(url.href, err);
  }
  if (res.statusCode !== 200) throw new CartageError(res.statusCode === 404 ? 'not_found' : 'http_error', `The server answered ${res.statusCode} when asked for ${name}, so it has no preview.`);
  const said = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // Many servers send images as application/octet-stream: their first bytes tell.
  const type = said === '' || said === 'application/octet-stream' ? (sniffImage(res.body) ?? said) : said;
  if (!imageTypes.test(type)) throw new CartageError('bad_input', `${name} is sent as "${type || 'no type'}", not as an image a window can show.`);
  return `data:${type};base64,${res.body.toString('base64')}`;
}

/** The image type a file's first bytes show (the formats every browser draws), or null. */
function sniffImage(b: Buffer): string | null {
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}
