import { afterEach, describe, expect, it } from 'vitest';
import { FakeLibrary, makeToken, startSynapse, type FakeSynapse } from '../helpers/synapse-server.js';

// The fake itself: it must hold to the spec, or every test built on it proves nothing.
let fake: FakeSynapse | null = null;
afterEach(async () => {
  await fake?.stop();
  fake = null;
});

function library(): FakeLibrary {
  const lib = new FakeLibrary();
  lib.add({ id: 'syn1', name: 'Study', type: 'project' });
  lib.add({ id: 'syn2', name: 'Raw', type: 'folder', parentId: 'syn1' });
  for (const n of ['a.csv', 'b.csv', 'c.csv']) lib.add({ name: n, type: 'file', parentId: 'syn2' });
  lib.add({ id: 'syn9', name: 'link.txt', type: 'file', parentId: 'syn2', externalUrl: 'sftp://example.org/x' });
  return lib;
}

async function call(method: string, path: string, body?: unknown, token = fake!.token): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${fake!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('the fake Synapse', () => {
  it('answers in the spec: children in pages with the count and total size, jobs 202 then 201, URLs that expire', async () => {
    fake = await startSynapse(library());
    const first = await call('POST', '/repo/v1/entity/children', { parentId: 'syn2', includeTypes: ['file'], includeTotalChildCount: true, includeSumFileSizes: true });
    expect(first.body.totalChildCount).toBe(4);
    expect(first.body.nextPageToken).toBeTruthy();
    const second = await call('POST', '/repo/v1/entity/children', { parentId: 'syn2', includeTypes: ['file'], nextPageToken: first.body.nextPageToken });
    expect((second.body.page as unknown[]).length).toBe(2);
    expect(second.body.nextPageToken).toBeUndefined();

    fake.library.downloadList.push({ fileEntityId: 'syn1000', versionNumber: 1, addedOn: new Date().toISOString() });
    const job = await call('POST', '/repo/v1/download/list/query/async/start', {
      concreteType: 'org.sagebionetworks.repo.model.download.DownloadListQueryRequest',
      requestDetails: { concreteType: 'org.sagebionetworks.repo.model.download.AvailableFilesRequest' },
    });
    const token = job.body.token as string;
    expect((await call('GET', `/repo/v1/download/list/query/async/get/${token}`)).status).toBe(202);
    const done = await call('GET', `/repo/v1/download/list/query/async/get/${token}`);
    expect(done.status).toBe(201);

    const batch = await call('POST', '/file/v1/fileHandle/batch', {
      requestedFiles: [{ fileHandleId: '5000', associateObjectId: 'syn1000', associateObjectType: 'FileEntity' }],
      includePreSignedURLs: true,
      includeFileHandles: true,
    });
    const url = (batch.body.requestedFiles as { preSignedURL: string }[])[0]!.preSignedURL;
    expect((await fetch(url)).status).toBe(200);
    fake.storage.expireAll();
    expect((await fetch(url)).status).toBe(403);

    const view = fake.add({ name: 'All CSVs', type: 'entityview', parentId: 'syn1', rows: ['syn1000', 'syn1001'] });
    const q = await call('POST', `/repo/v1/entity/${view.id}/table/query/async/start`, {
      concreteType: 'org.sagebionetworks.repo.model.table.QueryBundleRequest',
      entityId: view.id,
      query: { sql: `SELECT id FROM ${view.id}`, offset: 0, limit: 50 },
      partMask: 1,
    });
    await call('GET', `/repo/v1/entity/${view.id}/table/query/async/get/${q.body.token as string}`);
    expect((await call('GET', `/repo/v1/entity/${view.id}/table/query/async/get/${q.body.token as string}`)).status).toBe(201);
    expect(fake.violations()).toEqual([]);
  });

  it('refuses an unknown, revoked or expired token with 401, and a token without download scope a URL', async () => {
    const viewOnly = makeToken(['view']);
    const expired = makeToken(['view', 'download'], Math.floor(Date.now() / 1000) - 10);
    fake = await startSynapse(library(), { tokens: [makeToken(), viewOnly, expired] });
    expect((await call('GET', '/repo/v1/userProfile', undefined, 'nope')).status).toBe(401);
    expect((await call('GET', '/repo/v1/userProfile', undefined, expired.token)).status).toBe(401);
    expect((await call('GET', '/repo/v1/userProfile', undefined, viewOnly.token)).status).toBe(200);
    const r = await call('POST', '/file/v1/fileHandle/batch', { requestedFiles: [{ fileHandleId: '5000', associateObjectId: 'syn1000', associateObjectType: 'FileEntity' }], includePreSignedURLs: true }, viewOnly.token);
    expect(r.status).toBe(403);
    expect((await call('GET', '/repo/v1/entity/syn404')).status).toBe(404);
    expect(fake.violations()).toEqual([]);
  });

  it('reports a request off the spec', async () => {
    fake = await startSynapse(library());
    await call('POST', '/repo/v1/entity/children', { parentId: 'syn2', includeTypes: ['files'], pageSize: 3 });
    expect(fake.violations().join('\n')).toMatch(/pageSize' that the spec does not declare[\s\S]*includeTypes\/0 must be equal to one of the allowed values/);
  });
});
