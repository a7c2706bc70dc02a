import type { Got, OptionsOfTextResponseBody } from 'got';
import { z } from 'zod';
import { CartageError } from '../errors.js';
import { sourceHttp } from '../net/http.js';
import { mapLimit } from '../util/map-limit.js';
import {
  albumSchema,
  apiKeySchema,
  assetSchema,
  authHeaders,
  bucketsSchema,
  ImmichApi,
  searchSchema,
  sharedLinkSchema,
  versionSchema,
  type ImmichAlbum,
  type ImmichAsset,
  type ImmichAuth,
  type ImmichSharedLink,
  type ImmichVersion,
} from './immich-api.js';
import { permissionError } from './immich-errors.js';
import { date, fileOf, isListed, linkWithoutDownloads, motionName, sanitized } from './immich-files.js';
import { parseImmichQuery, searchBodies, searchStyleOf, type ImmichQuery, type SearchStyle } from './immich-query.js';
import { summarize } from './tree.js';
import type { Access, FolderSummary, Listing, RemoteFile, RemoteFolder, Resolved, Source } from './types.js';

export interface ImmichOptions {
  webUrl: string;
  apiUrl: string;
  /** Read from the secret store at request time; never kept in this object's fields. */
  auth: () => Promise<ImmichAuth | null>;
  /** TLS options for a pinned self-signed certificate. */
  https?: OptionsOfTextResponseBody['https'];
  http?: Got;
  /** Stored when the source was added; asked of the server when absent, and again when a call fails. */
  serverVersion?: ImmichVersion | null;
  /** Told a version read again that differs from the one stored, so the store can keep it. */
  onVersion?: (version: ImmichVersion) => void;
}

/** Assets per page of `POST /search/metadata`: the largest the API allows. */
export const pageSize = 1000;
/** Assets per listing whose missing size or live-photo video is asked for one by one. */
const maxDetailsPerListing = 2_000;
const detailConcurrency = 6;
/** How long a shared link's answer and the folder view's paths are reused: new photos show within this. */
const cacheMs = 30_000;
const hourMs = 3_600_000;
/** How long the key's permissions or the link, asked after a refused download, answer for the next refusals. */
const refusalAskMs = 1_000;

const topFolders: RemoteFolder[] = [
  { kind: 'folder', path: 'albums', name: 'Albums', modified: null },
  { kind: 'folder', path: 'folders', name: 'Folders', modified: null },
  { kind: 'folder', path: 'timeline', name: 'Timeline', modified: null },
];

/**
 * An Immich server (v2 or v3) as a source. Folders: `albums/ID` (owned and shared), `folders/PATH`
 * (the server's folder view), `timeline/YYYY-MM`; a shared link's root holds its files. Queries are
 * `POST /search/metadata` over every page. A live photo is one file whose `motion` is its video.
 */
export class ImmichSource implements Source {
  readonly kind = 'immich' as const;
  readonly api: ImmichApi;
  private serverVersion: Promise<ImmichVersion> | null;
  private link: Promise<ImmichSharedLink> | null = null;
  private linkAt = 0;
  private uniquePaths: Promise<string[]> | null = null;
  private pathsAt = 0;
  private readonly details = new Map<string, Promise<ImmichAsset | null>>();
  private granted: Promise<string[] | null> | null = null;
  private grantedAt = 0;

  constructor(private readonly options: ImmichOptions) {
    this.api = new ImmichApi(options.apiUrl, options.auth, options.http ?? sourceHttp, options.https);
    this.serverVersion = options.serverVersion ? Promise.resolve(options.serverVersion) : null;
  }

  async list(folder: string): Promise<Listing> {
    // Each listing asks afresh: a video changed on the server must not hide behind an old answer.
    this.details.clear();
    const path = normalize(folder);
    if (await this.isSharedLink()) return this.listSharedLink(path);
    const [top, ...rest] = path.split('/');
    const id = rest.join('/');
    switch (top) {
      case '':
        return { folder: '', files: [], folders: topFolders };
      case 'albums':
        if (!id) return { folder: path, files: [], folders: await this.albumFolders() };
        return { folder: path, files: await this.albumFiles(id, path), folders: [] };
      case 'folders':
        return this.listFolderView(path, id);
      case 'timeline':
        if (!id) return { folder: path, files: [], folders: await this.monthFolders() };
        return { folder: path, files: await this.collect(this.month(id, path)), folders: [] };
      default:
        throw new CartageError('not_found', `"${folder}" is not a folder of this Immich source; its folders are albums, folders and timeline.`);
    }
  }

  async summary(folder: string): Promise<FolderSummary> {
    return summarize(await this.list(folder));
  }

  async *query(q: string): AsyncGenerator<RemoteFile> {
    const query = parseImmichQuery(q);
    this.details.clear();
    if (await this.isSharedLink()) {
      throw new CartageError('bad_input', 'A shared link cannot be searched; list its files instead.');
    }
    yield* this.search(query, 'search');
  }

  async resolve(file: RemoteFile): Promise<Resolved> {
    const url = this.originalUrl(file.id);
    return { url, headers: await this.headers(url), expectedBytes: file.size };
  }

  async headers(url: string): Promise<Record<string, string>> {
    return new URL(url).origin === new URL(this.options.apiUrl).origin ? authHeaders(await this.options.auth()) : {};
  }

  /**
   * What a refused download lacked: asset.download on the API key (403), or "Allow download" on
   * the shared link, which Immich answers as it does an unknown asset (400). Asked of the server
   * again, as the key or the link may have changed since the files were listed, but at most once a
   * second: the refusals of a whole cart share the answer.
   */
  async refusal(status: number): Promise<string | null> {
    if (await this.isSharedLink()) {
      if (status !== 400 && status !== 403) return null;
      if (Date.now() - this.linkAt > refusalAskMs) this.link = null;
      return (await this.sharedLink()).allowDownload ? null : linkWithoutDownloads;
    }
    if (status !== 403) return null;
    if (Date.now() - this.grantedAt > refusalAskMs) this.granted = null;
    return (await this.downloadBlocked())?.reason ?? null;
  }

  /** The download address of an asset's original file. */
  originalUrl(assetId: string): string {
    return `${this.options.apiUrl}/assets/${encodeURIComponent(assetId)}/original`;
  }

  /**
   * The names of the albums each asset is in (owned and shared), for sidecar files: one listing
   * per album, made when asked (album contents change between mirror runs).
   */
  async albumNamesByAsset(): Promise<Map<string, string[]>> {
    const byAsset = new Map<string, string[]>();
    if (await this.isSharedLink()) return byAsset;
    for (const album of await this.albumFolders()) {
      const id = album.path.slice('albums/'.length);
      for (const f of await this.albumFiles(id, album.path)) {
        for (const assetId of f.motion ? [f.id, f.motion.id] : [f.id]) {
          const names = byAsset.get(assetId) ?? [];
          names.push(album.name);
          byAsset.set(assetId, names);
        }
      }
    }
    return byAsset;
  }

  /** One asset by id, as a file (`assets/ID` references). */
  async asset(id: string): Promise<RemoteFile> {
    const asset = await this.api.call({ path: `/assets/${encodeURIComponent(id)}` }, assetSchema);
    const [file] = await this.toFiles([asset], 'assets', await this.sharedLinkOrNull());
    return file!;
  }

  private version(): Promise<ImmichVersion> {
    if (!this.serverVersion) {
      this.serverVersion = this.api.call({ path: '/server/version' }, versionSchema);
      void this.serverVersion.catch(() => (this.serverVersion = null));
    }
    return this.serverVersion;
  }

  /** Asks the server its version again (an upgrade changes what a call takes); true when it changed. */
  private async versionChanged(): Promise<boolean> {
    const before = await this.version();
    this.serverVersion = null;
    const now = await this.version();
    if (now.major === before.major && now.minor === before.minor) return false;
    this.options.onVersion?.(now);
    return true;
  }

  private async isSharedLink(): Promise<boolean> {
    const auth = await this.options.auth();
    return auth !== null && !('apiKey' in auth);
  }

  private sharedLink(): Promise<ImmichSharedLink> {
    if (!this.link || Date.now() - this.linkAt > cacheMs) {
      this.linkAt = Date.now();
      this.link = this.api.call({ path: '/shared-links/me' }, sharedLinkSchema);
      void this.link.catch(() => (this.link = null));
    }
    return this.link;
  }

  /**
   * Why this API key cannot download originals, when it lacks asset.download (its permissions
   * asked every 30 s); null when it can, or the server cannot say. Listed files then carry the
   * reason, so a cart or a mirror says it instead of failing each download with a bare 403.
   */
  private async downloadBlocked(): Promise<Access | null> {
    const auth = await this.options.auth();
    if (!auth || !('apiKey' in auth)) return null;
    if (!this.granted || Date.now() - this.grantedAt > cacheMs) {
      this.grantedAt = Date.now();
      this.granted = this.api.call({ path: '/api-keys/me' }, apiKeySchema).then(
        (key) => key.permissions,
        () => null,
      );
    }
    const granted = await this.granted;
    if (!granted || granted.includes('all') || granted.includes('asset.download')) return null;
    return { downloadable: false, restriction: 'needs_sign_in', reason: permissionError(new URL(this.options.apiUrl).host, ['asset.download']).message };
  }

  private async sharedLinkOrNull(): Promise<ImmichSharedLink | null> {
    return (await this.isSharedLink()) ? this.sharedLink() : null;
  }

  private async listSharedLink(path: string): Promise<Listing> {
    if (path !== '') throw new CartageError('not_found', `A shared link has one folder; "${path}" is not in it.`);
    const link = await this.sharedLink();
    if (link.type !== 'ALBUM' || !link.album) return { folder: '', files: await this.toFiles(link.assets.filter(isListed), '', link), folders: [] };
    const album = link.album;
    let files: RemoteFile[] | null = null;
    if ((await this.version()).major < 3) {
      // v2 leaves an album link's assets out of its own answer: they come with the album, as the web app asks.
      const full = await this.api.call({ path: `/albums/${encodeURIComponent(album.id)}` }, albumSchema);
      if (full.assets) files = await this.toFiles(full.assets.filter(isListed), '', link);
      // An album without the field is v3's: the server was upgraded since its version was stored.
      else await this.versionChanged();
    }
    if (files === null) {
      // v3 has neither: the album's assets are a search with the link's key, as its web app does.
      files = await this.collect(this.search({ albumIds: [album.id], archived: 'include', trashed: 'exclude' }, '', undefined, link));
    }
    if (files.length === 0 && album.assetCount > 0) throw emptyListing(album.assetCount, `the shared album "${album.albumName}"`);
    return { folder: '', files, folders: [] };
  }

  private async albumFolders(): Promise<RemoteFolder[]> {
    // v2 lists owned albums, and those shared with you on request; v3 lists both at once
    // (its isOwned/isShared narrow it, and its `shared` parameter is gone).
    const lists =
      (await this.version()).major < 3
        ? await Promise.all([
            this.api.call({ path: '/albums' }, z.array(albumSchema)),
            this.api.call({ path: '/albums', searchParams: { shared: 'true' } }, z.array(albumSchema)),
          ])
        : [await this.api.call({ path: '/albums' }, z.array(albumSchema))];
    const byId = new Map<string, ImmichAlbum>();
    for (const a of lists.flat()) byId.set(a.id, a);
    return [...byId.values()]
      .sort((a, b) => a.albumName.localeCompare(b.albumName))
      .map((a) => ({ kind: 'folder', path: `albums/${a.id}`, name: a.albumName, modified: date(a.updatedAt), count: a.assetCount }));
  }

  /** v2 lists an album's assets with the album; v3 removed that, so its assets come from a search. */
  private async albumFiles(id: string, folder: string): Promise<RemoteFile[]> {
    if ((await this.version()).major < 3) {
      const album = await this.api.call({ path: `/albums/${encodeURIComponent(id)}` }, albumSchema);
      if (album.assets) return this.toFiles(album.assets.filter(isListed), folder, null);
    }
    const files = await this.collect(this.search({ albumIds: [id], archived: 'include', trashed: 'exclude' }, folder));
    if (files.length === 0) {
      // Nothing found: asked once more whether the album itself counts files (see emptyListing).
      const album = await this.api.call({ path: `/albums/${encodeURIComponent(id)}` }, albumSchema);
      if (album.assetCount > 0) throw emptyListing(album.assetCount, `the album "${album.albumName}"`);
    }
    return files;
  }

  private async monthFolders(): Promise<RemoteFolder[]> {
    const buckets = await this.api.call({ path: '/timeline/buckets', searchParams: { visibility: 'timeline' } }, bucketsSchema);
    return buckets
      .map((b) => b.timeBucket.slice(0, 7))
      .map((month, i) => ({ kind: 'folder' as const, path: `timeline/${month}`, name: month, modified: null, count: buckets[i]!.count }))
      .sort((a, b) => b.name.localeCompare(a.name));
  }

  private month(month: string, folder: string): AsyncGenerator<RemoteFile> {
    const m = /^(\d{4})-(\d{2})$/.exec(month);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
      throw new CartageError('not_found', `"timeline/${month}" is not a month; months look like timeline/2024-05.`);
    }
    // Immich puts a photo in the month of the wall-clock time where it was taken (localDateTime),
    // while a search's dates are instants: search the month widened by the farthest time zones
    // (UTC-12 to UTC+14), then keep what the timeline itself shows in that month.
    const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) - 14 * hourMs;
    const end = Date.UTC(Number(m[1]), Number(m[2]), 1) + 12 * hourMs;
    return this.search({ takenAfter: new Date(start).toISOString(), takenBefore: new Date(end - 1).toISOString() }, folder, (a) =>
      (a.localDateTime ?? a.fileCreatedAt ?? '').startsWith(`${month}-`),
    );
  }

  private async listFolderView(path: string, sub: string): Promise<Listing> {
    const all = await this.folderPaths();
    const children = new Map<string, string>();
    for (const p of all) {
      const rel = p.replace(/^\/+/, '');
      if (sub && !rel.startsWith(`${sub}/`)) continue;
      const rest = sub ? rel.slice(sub.length + 1) : rel;
      const name = rest.split('/')[0];
      if (name) children.set(name, sub ? `${sub}/${name}` : name);
    }
    const folders: RemoteFolder[] = [...children.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, rel]) => ({ kind: 'folder', path: `folders/${rel}`, name, modified: null }));
    const exact = all.find((p) => p.replace(/^\/+/, '') === sub);
    if (sub && exact === undefined && folders.length === 0) {
      throw new CartageError('not_found', `Immich has no folder "${sub}" in its folder view.`);
    }
    const files =
      exact === undefined
        ? []
        : await this.toFiles(
            (await this.api.call({ path: '/view/folder', searchParams: { path: exact } }, z.array(assetSchema))).filter(isListed),
            path,
            null,
          );
    return { folder: path, files, folders };
  }

  private folderPaths(): Promise<string[]> {
    if (!this.uniquePaths || Date.now() - this.pathsAt > cacheMs) {
      this.pathsAt = Date.now();
      this.uniquePaths = this.api.call({ path: '/view/folder/unique-paths' }, z.array(z.string()));
      void this.uniquePaths.catch(() => (this.uniquePaths = null));
    }
    return this.uniquePaths;
  }

  /**
   * Every asset a search matches, 1,000 at a time, in the style the server's version takes. A
   * search refused before it yielded anything asks the version again: after an upgrade the
   * other style is tried once.
   */
  private async *search(
    query: ImmichQuery,
    folder: string,
    keep: (a: ImmichAsset) => boolean = () => true,
    link: ImmichSharedLink | null = null,
  ): AsyncGenerator<RemoteFile> {
    const style = searchStyleOf(await this.version());
    let yielded = false;
    try {
      for await (const f of this.searchAs(style, query, folder, keep, link)) {
        yielded = true;
        yield f;
      }
    } catch (err) {
      if (yielded || !(err instanceof CartageError) || !['not_found', 'http_error'].includes(err.code)) throw err;
      if (!(await this.versionChanged().catch(() => false)) || searchStyleOf(await this.version()) === style) throw err;
      yield* this.searchAs(searchStyleOf(await this.version()), query, folder, keep, link);
    }
  }

  private async *searchAs(
    style: SearchStyle,
    query: ImmichQuery,
    folder: string,
    keep: (a: ImmichAsset) => boolean,
    link: ImmichSharedLink | null,
  ): AsyncGenerator<RemoteFile> {
    for (const body of searchBodies(query, pageSize, style)) {
      // Flat: page numbers from 1; filter: an opaque cursor, none for the first page.
      let page: number | null = 1;
      let cursor: string | null = null;
      const asked = new Set<string>();
      for (;;) {
        const json = style === 'flat' ? { ...body, page } : { ...body, ...(cursor ? { cursor } : {}) };
        const res: z.infer<typeof searchSchema> = await this.api.call({ method: 'POST', path: '/search/metadata', json }, searchSchema);
        yield* await this.toFiles(res.assets.items.filter((a) => isListed(a) && keep(a)), folder, link);
        if (style === 'filter') {
          cursor = res.assets.nextCursor ?? null;
          if (cursor === null) break;
          if (asked.has(cursor)) throw new CartageError('http_error', 'Immich gave a search cursor it had given before; the search stopped so as not to loop.');
          asked.add(cursor);
          continue;
        }
        const next: number | null = res.assets.nextPage == null ? null : Number(res.assets.nextPage);
        if (next !== null && (!Number.isInteger(next) || next <= page!)) {
          throw new CartageError('http_error', `Immich gave page "${res.assets.nextPage}" after page ${page}; the search stopped so as not to loop.`);
        }
        if (next === null) break;
        page = next;
      }
    }
  }

  private async collect(files: AsyncIterable<RemoteFile>): Promise<RemoteFile[]> {
    const out: RemoteFile[] = [];
    for await (const f of files) out.push(f);
    return out;
  }

  /** Assets as files; sizes the answer lacked and live-photo videos come from `GET /assets/ID`, 6 at a time. */
  private async toFiles(assets: ImmichAsset[], folder: string, link: ImmichSharedLink | null): Promise<RemoteFile[]> {
    // A sanitized asset (a link hiding metadata) gets no more from GET /assets/ID: not asked.
    const needDetail = assets.filter((a) => a.exifInfo?.fileSizeInByte == null && !sanitized(a)).slice(0, maxDetailsPerListing);
    const videos = assets.filter((a) => a.livePhotoVideoId).slice(0, maxDetailsPerListing);
    const detailed = new Map<string, ImmichAsset>();
    const blocked = await this.downloadBlocked();
    await mapLimit([...needDetail.map((a) => a.id), ...videos.map((a) => a.livePhotoVideoId!)], detailConcurrency, async (id) => {
      const a = await this.detail(id);
      if (a) detailed.set(id, a);
    });
    return assets.map((a) => {
      const full = detailed.get(a.id) ?? a;
      const file = fileOf(full, folder, link, this.options.webUrl);
      if (a.livePhotoVideoId) {
        file.group = 'livephoto';
        const video = detailed.get(a.livePhotoVideoId);
        // Without its details (a failed request, or past the limit) the video is still part of the
        // item: its size and checksum are unknown, its name guessed; never silently left out.
        file.motion = video
          ? { ...fileOf(video, folder, link, this.options.webUrl), name: motionName(file.name, video), group: 'livephoto' }
          : { ...file, id: a.livePhotoVideoId, name: motionName(file.name, null), size: null, checksum: null, contentType: null, group: 'livephoto', motion: null };
      }
      if (blocked) {
        for (const part of file.motion ? [file, file.motion] : [file]) if (part.access.downloadable) part.access = blocked;
      }
      return file;
    });
  }

  private detail(id: string): Promise<ImmichAsset | null> {
    let p = this.details.get(id);
    if (!p) {
      // A missing detail leaves a size unknown: listing goes on, and the next listing asks again.
      p = this.api.call({ path: `/assets/${encodeURIComponent(id)}` }, assetSchema).catch(() => {
        this.details.delete(id);
        return null;
      });
      this.details.set(id, p);
    }
    return p;
  }

}

/**
 * An empty answer where Immich itself counts files is not an empty album: said, rather than
 * listed as nothing, which a mirror would read as everything deleted.
 */
function emptyListing(count: number, what: string): CartageError {
  return new CartageError(
    'http_error',
    `Immich counts ${count} file${count === 1 ? '' : 's'} in ${what} but listed none; Cartage does not take that as an empty album. Try again, or update Immich if this persists.`,
  );
}

function normalize(folder: string): string {
  return folder
    .split('/')
    .filter((s) => s && s !== '.')
    .join('/');
}
