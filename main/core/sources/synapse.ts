import type { Got } from 'got';
import { CartageError } from '../errors.js';
import { safeFileName } from '../naming.js';
import { groupForName } from '../queue/groups.js';
import { mapLimit } from '../util/map-limit.js';
import {
  batchSchema,
  childrenSchema,
  entitySchema,
  modelPackage as M,
  projectsSchema,
  restrictionBatchSchema,
  SynapseApi,
  type Restriction,
  type EntityHeader,
  type FileHandle,
  type JobPolling,
} from './synapse-api.js';
import { availableFiles, requiredActions, type RequiredAction } from './synapse-list.js';
import { viewRows } from './synapse-query.js';
import { downloadable, type Access, type FolderSummary, type Listing, type RemoteFile, type RemoteFolder, type Resolved, type Source } from './types.js';

/** Synapse's web portal, where entities and access requirements have their pages. */
export const portal = 'https://www.synapse.org';

type Kind = 'project' | 'folder' | 'file' | 'view' | 'other';

/** Pre-signed URLs kept in memory at most (far more than downloads run at once). */
const maxKeptUrls = 256;

/** What an entity is, from the class name Synapse gives it. */
export function kindOf(concreteType: string): Kind {
  const name = concreteType.slice(concreteType.lastIndexOf('.') + 1);
  if (name === 'Project') return 'project';
  if (name === 'Folder') return 'folder';
  if (name === 'FileEntity') return 'file';
  if (name === 'EntityView' || name === 'Dataset' || name === 'TableEntity' || name === 'MaterializedView') return 'view';
  return 'other';
}

/**
 * A Synapse repository as a source. Paths start with a project's or folder's id and go on by
 * name (`syn123`, `syn123/Raw data`); the top lists the person's projects and those shared with
 * them. A view or table lists every file its query returns, across all pages. Files download
 * through pre-signed URLs asked for at request time (`requestUrl`), never stored.
 */
export class SynapseSource implements Source {
  readonly kind = 'synapse' as const;
  readonly api: SynapseApi;
  /** Pre-signed URLs handed out in this process, by file id: reused until one expires. */
  private readonly urls = new Map<string, string>();

  constructor(options: { url: string; token: () => Promise<string>; polling?: JobPolling; http?: Got }) {
    this.api = new SynapseApi(new URL(options.url).origin, options.token, options.polling, options.http);
  }

  async list(folder: string): Promise<Listing> {
    const path = trim(folder);
    if (path === '') return { folder: '', files: [], folders: await this.projects() };
    const entity = await this.resolvePath(path);
    if (entity.kind === 'file') throw new CartageError('bad_input', `${path} is a file, not a folder: add it to the list, or list its folder.`);
    if (entity.kind === 'view') {
      const files: RemoteFile[] = [];
      for await (const f of this.query(`SELECT * FROM ${entity.id}`)) files.push({ ...f, folder: path });
      return { folder: path, files, folders: [] };
    }
    const children = await this.children(entity.id, ['folder', 'file', 'entityview']);
    const folders = await mapLimit(
      children.filter((c) => kindOf(c.type) !== 'file'),
      6,
      async (c): Promise<RemoteFolder> => {
        const sum = kindOf(c.type) === 'folder' ? await this.summaryOf(c.id) : null;
        // By name under the folder listed: layouts and mirrors keep the tree as it is on Synapse.
        return { kind: 'folder', path: `${path}/${c.name}`, name: safeFileName(c.name, 'folder'), modified: date(c.modifiedOn), count: sum?.files ?? null, bytes: sum?.bytes ?? null };
      },
    );
    const files = await this.describe(children.filter((c) => kindOf(c.type) === 'file'), path);
    return { folder: path, files, folders };
  }

  async summary(folder: string): Promise<FolderSummary> {
    const path = trim(folder);
    if (path === '') return { folder: '', files: 0, bytes: 0, unknownSizes: 0 };
    const entity = await this.resolvePath(path);
    if (entity.kind === 'view') {
      const { files } = await this.list(path);
      const known = files.filter((f) => f.size !== null);
      return { folder: path, files: files.length, bytes: known.reduce((n, f) => n + f.size!, 0), unknownSizes: files.length - known.length };
    }
    return { folder: path, ...(await this.summaryOf(entity.id)) };
  }

  async countFiles(folder: string): Promise<number | null> {
    const path = trim(folder);
    if (path === '' || /^syn\d+(\.\d+)?$/i.test(path)) {
      // A bare id may be a file: only a folder or project is counted.
      if (path === '') return 0;
      const e = await this.api.call({ path: `/repo/v1/entity/${path.split('.')[0]!.toLowerCase()}` }, entitySchema);
      const kind = kindOf(e.concreteType);
      return kind === 'folder' || kind === 'project' ? (await this.summaryOf(e.id)).files : null;
    }
    const entity = await this.resolvePath(path).catch(() => null);
    return entity && (entity.kind === 'folder' || entity.kind === 'project') ? (await this.summaryOf(entity.id)).files : null;
  }

  /** Every file a view or table query returns (`SELECT * FROM syn123 WHERE ...`), across all pages. */
  async *query(q: string): AsyncIterable<RemoteFile> {
    for await (const page of viewRows(this.api, q)) {
      const headers = await mapLimit(page, 6, async (row) => {
        const e = await this.api.call({ path: `/repo/v1/entity/${row.id}/version/${row.version}` }, entitySchema);
        return { id: e.id, name: e.name, type: e.concreteType, versionNumber: e.versionNumber ?? row.version, modifiedOn: e.modifiedOn };
      });
      yield* await this.describe(headers.filter((h) => kindOf(h.type) === 'file'), '');
    }
  }

  /**
   * The person's own download list on the server: the files they may download now (with why some
   * cannot be fetched in bulk), and what the others wait for (Synapse counts those, without naming them).
   */
  async downloadList(): Promise<{ files: RemoteFile[]; actions: RequiredAction[] }> {
    const items = await availableFiles(this.api);
    const headers = items.map((i) => ({ id: i.fileEntityId, name: i.fileName ?? i.fileEntityId, type: `${M}.FileEntity`, ...(i.versionNumber !== undefined ? { versionNumber: i.versionNumber } : {}) }));
    return { files: await this.describe(headers, ''), actions: await requiredActions(this.api) };
  }

  /** A file by its id (`syn123` or `syn123.4` for a version), or null when the id names something else. */
  async fileById(ref: string): Promise<RemoteFile | null> {
    const [id, version] = ref.split('.');
    const e = await this.api.call({ path: version ? `/repo/v1/entity/${id}/version/${version}` : `/repo/v1/entity/${id}` }, entitySchema);
    if (kindOf(e.concreteType) !== 'file') return null;
    const [file] = await this.describe([{ id: e.id, name: e.name, type: e.concreteType, versionNumber: e.versionNumber ?? 1, modifiedOn: e.modifiedOn }], e.parentId ?? '');
    return file ?? null;
  }

  resolve(file: RemoteFile): Promise<Resolved> {
    return Promise.resolve({ url: file.id.includes('.') ? this.versionUrl(file.id) : file.href, headers: {}, expectedBytes: file.size });
  }

  /** Downloads go to pre-signed URLs on the storage host: no credentials travel with them. */
  headers(): Promise<Record<string, string>> {
    return Promise.resolve({});
  }

  async requestUrl(fileId: string, renew: boolean): Promise<string> {
    const cached = this.urls.get(fileId);
    if (cached && !renew) return cached;
    const [id, version] = fileId.split('.');
    const e = await this.api.call({ path: `/repo/v1/entity/${id}/version/${version ?? 1}` }, entitySchema);
    if (!e.dataFileHandleId) throw new CartageError('not_found', `${id} is not a file on Synapse any more.`);
    const { requestedFiles } = await this.api.call(
      {
        method: 'POST',
        path: '/file/v1/fileHandle/batch',
        json: { requestedFiles: [{ fileHandleId: e.dataFileHandleId, associateObjectId: e.id, associateObjectType: 'FileEntity' }], includePreSignedURLs: true, includeFileHandles: false },
      },
      batchSchema,
    );
    const result = requestedFiles[0];
    if (result?.failureCode === 'UNAUTHORIZED') throw new CartageError('auth', `Synapse does not let you download ${e.name} (${id}): an access requirement is not met, or you lack the Download permission.`);
    if (!result?.preSignedURL) throw new CartageError('not_found', `Synapse has no file behind ${e.name} (${id}) any more.`);
    this.urls.delete(fileId);
    this.urls.set(fileId, result.preSignedURL);
    // Only the downloads under way need theirs: the oldest go first (a Map keeps insertion order).
    while (this.urls.size > maxKeptUrls) this.urls.delete(this.urls.keys().next().value!);
    return result.preSignedURL;
  }

  /** The stable address of a file version, for the queue and the logs (the download itself goes to a pre-signed URL). */
  versionUrl(fileId: string): string {
    const [id, version] = fileId.split('.');
    return `${this.api.origin}/repo/v1/entity/${id}/version/${version ?? 1}`;
  }

  /** Count and total size of the files directly in a folder, as the server sums them (one request). */
  private async summaryOf(parentId: string): Promise<{ files: number; bytes: number; unknownSizes: number }> {
    const r = await this.api.call(
      { method: 'POST', path: '/repo/v1/entity/children', json: { parentId, includeTypes: ['file'], includeTotalChildCount: true, includeSumFileSizes: true } },
      childrenSchema,
    );
    return { files: r.totalChildCount ?? 0, bytes: r.sumFileSizesBytes ?? 0, unknownSizes: 0 };
  }

  private async projects(): Promise<RemoteFolder[]> {
    const out: RemoteFolder[] = [];
    let next: string | undefined;
    do {
      const r = await this.api.call({ path: '/repo/v1/projects', ...(next ? { searchParams: { nextPageToken: next } } : {}) }, projectsSchema);
      for (const p of r.results) out.push({ kind: 'folder', path: p.id, name: safeFileName(p.name, 'project'), modified: date(p.modifiedOn), count: null });
      next = r.nextPageToken;
    } while (next);
    return out;
  }

  private async children(parentId: string, includeTypes: string[]): Promise<EntityHeader[]> {
    const out: EntityHeader[] = [];
    let next: string | undefined;
    do {
      const r = await this.api.call(
        { method: 'POST', path: '/repo/v1/entity/children', json: { parentId, includeTypes, sortBy: 'NAME', sortDirection: 'ASC', ...(next ? { nextPageToken: next } : {}) } },
        childrenSchema,
      );
      out.push(...r.page);
      next = r.nextPageToken;
    } while (next);
    return out;
  }

  /** `syn123` or `syn123/Name/Name`: the entity it names, walking folders by name. */
  private async resolvePath(path: string): Promise<{ id: string; kind: Kind }> {
    const [first, ...rest] = path.split('/');
    if (!/^syn\d+$/i.test(first!)) {
      throw new CartageError('bad_input', `A Synapse path starts with a project's or folder's id, such as syn123 or syn123/Raw data; "${first}" is not one.`);
    }
    const e = await this.api.call({ path: `/repo/v1/entity/${first!.toLowerCase()}` }, entitySchema);
    let at = { id: e.id, kind: kindOf(e.concreteType) };
    for (const name of rest) {
      const found = (await this.children(at.id, ['folder', 'file', 'entityview'])).find((c) => c.name === name || safeFileName(c.name) === name);
      if (!found) throw new CartageError('not_found', `There is no "${name}" in ${at.id} on Synapse.`);
      at = { id: found.id, kind: kindOf(found.type) };
    }
    return at;
  }

  /** Files as the cart shows them: size and MD5 from their file handles, and whether they can be downloaded. */
  private async describe(headers: EntityHeader[], folder: string): Promise<RemoteFile[]> {
    const out: RemoteFile[] = [];
    for (let i = 0; i < headers.length; i += 50) {
      const chunk = headers.slice(i, i + 50);
      // No version: the current one (an entry of the download list added without a version).
      const entities = await mapLimit(chunk, 6, (h) =>
        this.api.call({ path: h.versionNumber !== undefined ? `/repo/v1/entity/${h.id}/version/${h.versionNumber}` : `/repo/v1/entity/${h.id}` }, entitySchema),
      );
      const { requestedFiles } = await this.api.call(
        {
          method: 'POST',
          path: '/file/v1/fileHandle/batch',
          json: {
            requestedFiles: entities.filter((e) => e.dataFileHandleId).map((e) => ({ fileHandleId: e.dataFileHandleId, associateObjectId: e.id, associateObjectType: 'FileEntity' })),
            includePreSignedURLs: false,
            includeFileHandles: true,
          },
        },
        batchSchema,
      );
      const handles = new Map(requestedFiles.map((r) => [r.fileHandleId, r.fileHandle]));
      const stored = entities.filter((e) => !isExternal(handles.get(e.dataFileHandleId ?? '')));
      const restrictions = stored.length
        ? await this.api.call({ method: 'POST', path: '/repo/v1/restrictionInformation/batch', json: { restrictableObjectType: 'ENTITY', objectIds: stored.map((e) => e.id) } }, restrictionBatchSchema)
        : { restrictionInformation: [] };
      const byId = new Map(restrictions.restrictionInformation.map((r) => [`syn${r.objectId}`, r]));
      const access = entities.map((e) => this.access(e.id, e.name, handles.get(e.dataFileHandleId ?? ''), byId.get(e.id)));
      entities.forEach((e, n) => {
        const handle = handles.get(e.dataFileHandleId ?? '');
        const id = `${e.id}.${e.versionNumber ?? 1}`;
        const name = safeFileName(handle?.fileName ?? e.name);
        out.push({
          kind: 'file',
          id,
          name,
          folder,
          size: handle?.contentSize ?? null,
          modified: date(e.modifiedOn),
          contentType: handle?.contentType ?? null,
          group: groupForName(name),
          etag: null,
          href: access[n]!.link ?? `${portal}/Synapse:${id}`,
          access: access[n]!.access,
          checksum: handle?.contentMd5 ? { algo: 'md5-hex', value: handle.contentMd5.toLowerCase() } : null,
        });
      });
    }
    return out;
  }

  /** Whether a file can be downloaded in bulk, and if not, why and where to ask (the access requirement's page). */
  private access(id: string, name: string, handle: FileHandle | undefined, r: Restriction | undefined): { access: Access; link: string | null } {
    if (handle && isExternal(handle)) {
      const url = handle.externalURL ?? '';
      if (/^sftp:/i.test(url)) {
        return { access: blocked('unsupported_protocol', `${name} is kept on an SFTP server (${hostOf(url)}), not by Synapse: it cannot be downloaded in bulk; fetch it from that server.`), link: null };
      }
      return { access: blocked('external_link', `${name} is a link to another site (${hostOf(url)}), not a file Synapse stores: open it there.`), link: url || null };
    }
    if (!r) return { access: blocked('not_allowed', `Synapse said nothing of whether you may download ${name} (${id}); try adding it again.`), link: null };
    const unmet = r.restrictionDetails?.find((d) => d.isMet === false)?.accessRequirementId;
    if (r.hasUnmetAccessRequirement) {
      const link = unmet !== undefined ? `${portal}/#!AccessRequirement:AR_ID=${unmet}&TYPE=ENTITY&ID=${id}` : `${portal}/Synapse:${id}`;
      return {
        access: blocked('access_requirement', `${name} (${id}) has an access requirement${unmet !== undefined ? ` (${unmet})` : ''} you have not met yet: request access on synapse.org, then add it again.`),
        link,
      };
    }
    if (r.userEntityPermissions?.canDownload === false) {
      return { access: blocked('not_allowed', `You may see ${name} (${id}) but not download it: ask the project's owner for the Download permission.`), link: null };
    }
    return { access: downloadable, link: null };
  }
}

/** A file Synapse does not store itself (an external link, SFTP): not part of a bulk download. */
function isExternal(handle: FileHandle | undefined): boolean {
  return handle !== undefined && (handle.externalURL !== undefined || handle.concreteType !== `${M}.file.S3FileHandle`);
}

function blocked(restriction: NonNullable<Access['restriction']>, reason: string): Access {
  return { downloadable: false, restriction, reason };
}

function trim(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}

function date(s: string | undefined): Date | null {
  const ms = s ? Date.parse(s) : NaN;
  return Number.isFinite(ms) ? new Date(ms) : null;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
