// A fake Synapse for tests: a real node:http server on 127.0.0.1 answering the REST calls a
// downloader makes, the way repo-prod.prod.sagebase.org does. Every request it receives and every
// JSON body it sends is checked against Synapse's OpenAPI description (../shared/synapse/); tests
// assert `violations()` is empty. Asynchronous jobs answer 202 (still PROCESSING) before their
// result, lists page with nextPageToken, and pre-signed URLs point at a second port (synapse-storage.ts).
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenApiChecker } from './openapi-checker.js';
import { concreteType, FAKE_USER, FakeLibrary, makeToken, type FakeEntity, type FakeEntityInput, type FakeToken } from './synapse-fake-data.js';
import { startStorage, type FakeStorage } from './synapse-storage.js';

export { FAKE_USER, FakeLibrary, makeToken };
export type { FakeEntity, FakeEntityInput, FakeToken };

/** Where the spec lives; SYNAPSE_OPENAPI_SPEC overrides it. */
export const SYNAPSE_SPEC_PATH =
  process.env.SYNAPSE_OPENAPI_SPEC ??
  [path.resolve(fileURLToPath(import.meta.url), '../../../../shared/synapse/synapse-openapi.json'), '/work/shared/synapse/synapse-openapi.json'].find((p) => existsSync(p)) ??
  '../shared/synapse/synapse-openapi.json (not found: set SYNAPSE_OPENAPI_SPEC)';

let checker: OpenApiChecker | undefined;
const spec = (): OpenApiChecker => (checker ??= new OpenApiChecker(SYNAPSE_SPEC_PATH));

const M = 'org.sagebionetworks.repo.model';

export interface SynapseOptions {
  /** Tokens the server accepts (default: one with view, download and modify). */
  tokens?: FakeToken[];
  /** Children per page of /entity/children and /projects (default 2, so paging is always exercised). */
  pageSize?: number;
  /** How many polls of a job answer 202 before its result (default 1). Infinity: a job that never ends. */
  jobPolls?: number;
  /** Rows a page of a table query holds at most, whatever the limit asked (default 2; Synapse caps pages by size). */
  maxRowsPerPage?: number;
  /** How long a pre-signed URL is valid (default 15 minutes). */
  urlLifetimeMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
  authorization: string | null;
}

export interface FakeSynapse {
  /** The repository's origin (what `cartage source add synapse` takes). */
  url: string;
  token: string;
  library: FakeLibrary;
  storage: FakeStorage;
  add(e: FakeEntityInput): FakeEntity;
  violations(): string[];
  requests(): RecordedRequest[];
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  /** The schema a status the spec does not declare is answered with (a job's 202). */
  undeclared?: string;
}

const error = (status: number, reason: string): Reply => ({ status, body: { concreteType: `${M}.ErrorResponse`, reason } });

/** Starts the fake on a free loopback port, with its bucket on another. */
export async function startSynapse(library = new FakeLibrary(), options: SynapseOptions = {}): Promise<FakeSynapse> {
  const tokens = options.tokens ?? [makeToken()];
  const pageSize = options.pageSize ?? 2;
  const jobPolls = options.jobPolls ?? 1;
  const storage = await startStorage(library, options.urlLifetimeMs ?? 15 * 60_000);
  const violations: string[] = [];
  const log: RecordedRequest[] = [];
  const jobs = new Map<string, { polls: number; request: Record<string, unknown>; run: () => Reply }>();
  let nextJob = 1;

  const entityBody = (e: FakeEntity): Record<string, unknown> => {
    const common = { id: e.id, name: e.name, etag: `etag-${e.id}`, createdOn: e.modifiedOn, modifiedOn: e.modifiedOn, createdBy: FAKE_USER.ownerId, modifiedBy: FAKE_USER.ownerId, concreteType: concreteType(e.type) };
    switch (e.type) {
      case 'project':
        return common;
      case 'folder':
        return { ...common, parentId: e.parentId };
      case 'file':
        return { ...common, parentId: e.parentId, dataFileHandleId: e.fileHandleId, versionNumber: e.versionNumber, versionLabel: String(e.versionNumber), isLatestVersion: true };
      case 'entityview':
        return { ...common, parentId: e.parentId, versionNumber: 1, isLatestVersion: true, scopeIds: [], viewTypeMask: 1 };
    }
  };
  const header = (e: FakeEntity): Record<string, unknown> => ({
    id: e.id,
    name: e.name,
    type: concreteType(e.type),
    versionNumber: e.versionNumber,
    versionLabel: String(e.versionNumber),
    isLatestVersion: true,
    benefactorId: Number(library.projectOf(e).id.slice(3)),
    createdOn: e.modifiedOn,
    modifiedOn: e.modifiedOn,
    createdBy: FAKE_USER.ownerId,
    modifiedBy: FAKE_USER.ownerId,
  });
  const fileHandle = (e: FakeEntity): Record<string, unknown> => {
    const common = { id: e.fileHandleId, etag: `fh-${e.fileHandleId}`, createdBy: FAKE_USER.ownerId, createdOn: e.modifiedOn, modifiedOn: e.modifiedOn, fileName: e.name, contentType: 'application/octet-stream', status: 'AVAILABLE' };
    if (e.externalUrl) return { ...common, concreteType: `${M}.file.ExternalFileHandle`, externalURL: e.externalUrl, ...(e.content ? { contentSize: e.content.length } : {}) };
    return { ...common, concreteType: `${M}.file.S3FileHandle`, contentMd5: e.md5, contentSize: e.content!.length, bucketName: 'proddata.sagebase.org', key: `${FAKE_USER.ownerId}/${e.fileHandleId}/${e.name}`, storageLocationId: 1, isPreview: false };
  };
  const page = <T>(items: T[], token: unknown): { items: T[]; next: string | undefined } => {
    const from = typeof token === 'string' && /^\d+a$/.test(token) ? Number(token.slice(0, -1)) : 0;
    const to = from + pageSize;
    return { items: items.slice(from, to), next: to < items.length ? `${to}a` : undefined };
  };
  const startJob = (request: Record<string, unknown>, run: () => Reply): Reply => {
    const token = String(nextJob++);
    jobs.set(token, { polls: 0, request, run });
    return { status: 201, body: { token } };
  };

  const routes: Record<string, (ctx: { params: Record<string, string>; body: Record<string, unknown>; query: URLSearchParams; scopes: string[] }) => Reply> = {
    'GET /repo/v1/userProfile': () => ({ status: 200, body: { ...FAKE_USER, etag: 'p1', emails: ['ada@example.org'] } }),
    'GET /repo/v1/projects': ({ query }) => {
      const { items, next } = page(library.children(null, ['project']), query.get('nextPageToken'));
      return { status: 200, body: { results: items.map((p) => ({ id: p.id, name: p.name, modifiedOn: p.modifiedOn, modifiedBy: Number(FAKE_USER.ownerId) })), ...(next ? { nextPageToken: next } : {}) } };
    },
    'GET /repo/v1/entity/{id}': ({ params }) => {
      const e = library.entities.get(params.id!);
      return e ? { status: 200, body: entityBody(e) } : error(404, `Resource: '${params.id}' does not exist`);
    },
    'GET /repo/v1/entity/{id}/version/{versionNumber}': ({ params }) => {
      const e = library.entities.get(params.id!);
      if (!e || Number(params.versionNumber) !== e.versionNumber) return error(404, `Resource: '${params.id}' version ${params.versionNumber} does not exist`);
      return { status: 200, body: entityBody(e) };
    },
    'POST /repo/v1/entity/children': ({ body }) => {
      const parentId = (body.parentId as string | undefined) ?? null;
      if (parentId !== null && !library.entities.has(parentId)) return error(404, `Resource: '${parentId}' does not exist`);
      const types = (body.includeTypes as string[] | undefined) ?? ['file', 'folder'];
      const all = library.children(parentId, types);
      const { items, next } = page(all, body.nextPageToken);
      return {
        status: 200,
        body: {
          page: items.map(header),
          ...(next ? { nextPageToken: next } : {}),
          ...(body.includeTotalChildCount ? { totalChildCount: all.length } : {}),
          ...(body.includeSumFileSizes ? { sumFileSizesBytes: all.reduce((n, e) => n + (e.content?.length ?? 0), 0) } : {}),
        },
      };
    },
    'POST /repo/v1/restrictionInformation': ({ body }) => {
      const e = library.entities.get(String(body.objectId));
      return e ? { status: 200, body: restriction(e) } : error(404, `Resource: '${String(body.objectId)}' does not exist`);
    },
    'POST /repo/v1/restrictionInformation/batch': ({ body }) => {
      const ids = body.objectIds as string[];
      if (ids.length > 50) return error(400, 'Limited to a max of 50 object ids');
      const missing = ids.find((id) => !library.entities.has(id));
      if (missing) return error(404, `Resource: '${missing}' does not exist`);
      return { status: 200, body: { restrictionInformation: ids.map((id) => restriction(library.entities.get(id)!)) } };
    },
    'POST /file/v1/fileHandle/batch': ({ body, scopes }) => {
      const wanted = body.requestedFiles as { fileHandleId: string; associateObjectId: string }[];
      if (body.includePreSignedURLs && !scopes.includes('download')) return error(403, 'Request lacks scope(s) required by this service: download');
      return {
        status: 201,
        body: {
          requestedFiles: wanted.map((w) => {
            const e = library.byHandle(w.fileHandleId);
            if (!e || e.id !== w.associateObjectId) return { fileHandleId: w.fileHandleId, failureCode: 'NOT_FOUND' };
            if (body.includePreSignedURLs && (e.noDownload || e.accessRequirement !== null)) return { fileHandleId: w.fileHandleId, failureCode: 'UNAUTHORIZED' };
            return {
              fileHandleId: w.fileHandleId,
              ...(body.includeFileHandles ? { fileHandle: fileHandle(e) } : {}),
              ...(body.includePreSignedURLs ? { preSignedURL: e.externalUrl ?? storage.sign(e) } : {}),
            };
          }),
        },
      };
    },
    'POST /repo/v1/download/list/query/async/start': ({ body }) => startJob(body, () => downloadListQuery(body.requestDetails as Record<string, unknown>)),
    'GET /repo/v1/download/list/query/async/get/{asyncToken}': ({ params }) => poll(params.asyncToken!, `${M}.download.DownloadListQueryRequest`),
    'POST /repo/v1/download/list/remove': ({ body }) => {
      const batch = body.batchToRemove as { fileEntityId: string; versionNumber?: number }[];
      const before = library.downloadList.length;
      library.downloadList = library.downloadList.filter((i) => !batch.some((b) => b.fileEntityId === i.fileEntityId && (b.versionNumber === undefined || b.versionNumber === i.versionNumber)));
      return { status: 200, body: { numberOfFilesRemoved: before - library.downloadList.length } };
    },
    'POST /repo/v1/entity/{id}/table/query/async/start': ({ params, body }) => {
      const view = library.entities.get(params.id!);
      if (!view || view.type !== 'entityview') return error(404, `Resource: '${params.id}' does not exist`);
      return startJob(body, () => tableQuery(view, body.query as { offset?: number; limit?: number }, Number(body.partMask ?? 0)));
    },
    'GET /repo/v1/entity/{id}/table/query/async/get/{asyncToken}': ({ params }) => poll(params.asyncToken!, `${M}.table.QueryBundleRequest`),
  };

  function restriction(e: FakeEntity): Record<string, unknown> {
    const ar = e.accessRequirement;
    return {
      objectId: Number(e.id.slice(3)),
      restrictionLevel: ar ? 'CONTROLLED_BY_ACT' : 'OPEN',
      hasUnmetAccessRequirement: ar !== null,
      restrictionDetails: ar ? [{ accessRequirementId: ar, isApproved: false, isMet: false, isExempt: false }] : [],
      userEntityPermissions: { canView: true, canDownload: !e.noDownload && ar === null, canEdit: false, isCertifiedUser: true },
    };
  }

  function poll(token: string, requestType: string): Reply {
    const job = jobs.get(token);
    if (!job) return error(404, `Asynchronous job ${token} does not exist`);
    job.polls += 1;
    if (job.polls <= jobPolls) {
      const now = new Date().toISOString();
      return {
        status: 202,
        undeclared: `${M}.asynch.AsynchronousJobStatus`,
        body: { jobState: 'PROCESSING', jobCanceling: false, jobId: token, etag: `job-${job.polls}`, startedByUserId: Number(FAKE_USER.ownerId), startedOn: now, changedOn: now, progressMessage: 'Working', progressCurrent: 0, progressTotal: 100, requestBody: { ...job.request, concreteType: requestType } },
      };
    }
    return job.run();
  }

  function downloadListQuery(details: Record<string, unknown>): Reply {
    const items = library.downloadList.map((i) => ({ item: i, e: library.entities.get(i.fileEntityId) })).filter((x): x is { item: (typeof library.downloadList)[number]; e: FakeEntity } => !!x.e);
    if (details.concreteType === `${M}.download.ActionRequiredRequest`) {
      const counts = new Map<number, number>();
      for (const { e } of items) if (e.accessRequirement !== null) counts.set(e.accessRequirement, (counts.get(e.accessRequirement) ?? 0) + 1);
      return {
        status: 201,
        body: {
          concreteType: `${M}.download.DownloadListQueryResponse`,
          responseDetails: { concreteType: `${M}.download.ActionRequiredResponse`, page: [...counts].map(([id, count]) => ({ action: { concreteType: `${M}.download.MeetAccessRequirement`, accessRequirementId: id }, count })) },
        },
      };
    }
    // Available files: those the person may download now (unmet requirements are counted as actions instead).
    const available = items.filter(({ e }) => e.accessRequirement === null && !e.noDownload);
    const { items: shown, next } = page(available, details.nextPageToken);
    return {
      status: 201,
      body: {
        concreteType: `${M}.download.DownloadListQueryResponse`,
        responseDetails: {
          concreteType: `${M}.download.AvailableFilesResponse`,
          page: shown.map(({ item, e }) => {
            const project = library.projectOf(e);
            return {
              fileEntityId: e.id,
              versionNumber: item.versionNumber,
              fileName: e.name,
              addedOn: item.addedOn,
              projectId: project.id,
              projectName: project.name,
              createdBy: FAKE_USER.ownerId,
              createdOn: e.modifiedOn,
              fileHandleId: e.fileHandleId,
              isEligibleForPackaging: e.externalUrl === null,
              ...(e.content ? { fileSizeBytes: e.content.length } : {}),
            };
          }),
          ...(next ? { nextPageToken: next } : {}),
        },
      },
    };
  }

  function tableQuery(view: FakeEntity, q: { offset?: number; limit?: number }, partMask: number): Reply {
    const offset = q.offset ?? 0;
    const limit = Math.min(q.limit ?? 100, options.maxRowsPerPage ?? 2);
    const rows = view.rows.slice(offset, offset + limit).map((id) => library.entities.get(id)!);
    return {
      status: 201,
      body: {
        concreteType: `${M}.table.QueryResultBundle`,
        queryResult: {
          concreteType: `${M}.table.QueryResult`,
          queryResults: {
            concreteType: `${M}.table.RowSet`,
            tableId: view.id,
            etag: `rows-${view.id}`,
            headers: [{ name: 'id', columnType: 'ENTITYID' }],
            rows: rows.map((e) => ({ rowId: Number(e.id.slice(3)), versionNumber: e.versionNumber, values: [e.id] })),
          },
        },
        ...(partMask & 0x2 ? { queryCount: view.rows.length } : {}),
      },
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      let body: Record<string, unknown> | undefined;
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw) {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          violations.push(`${method} ${url.pathname}: the body is not JSON`);
        }
      }
      violations.push(...spec().checkRequest(method, url.pathname, url.searchParams, body));
      const reply = answer(method, url, body ?? {}, req.headers.authorization ?? null);
      log.push({ method, path: url.pathname, body, status: reply.status, authorization: req.headers.authorization ?? null });
      violations.push(...spec().checkResponse(method, url.pathname, reply.status, reply.body, reply.status >= 400 ? `${M}.ErrorResponse` : reply.undeclared));
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });

  function answer(method: string, url: URL, body: Record<string, unknown>, authorization: string | null): Reply {
    const match = spec().match(method, url.pathname);
    const route = match ? routes[`${method} ${match.template}`] : undefined;
    if (!match || !route) return error(404, `No fake for ${method} ${url.pathname}`);
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!bearer) return error(401, 'Missing access token');
    const known = tokens.find((t) => t.token === bearer);
    if (!known || known.revoked) return error(401, 'Invalid access token');
    if (known.exp !== null && known.exp * 1000 <= Date.now()) return error(401, 'The access token has expired.');
    return route({ params: match.params, body, query: url.searchParams, scopes: known.scopes });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token: tokens[0]!.token,
    library,
    storage,
    add: (e) => library.add(e),
    violations: () => [...violations],
    requests: () => [...log],
    stop: async () => {
      await storage.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
