import { z } from 'zod';
import { modelPackage as M, type SynapseApi } from './synapse-api.js';

/** A file on the person's Synapse download list, as the server describes it. */
export const listItemSchema = z.object({
  fileEntityId: z.string(),
  versionNumber: z.number().optional(),
  fileName: z.string().optional(),
  fileSizeBytes: z.number().optional(),
  isEligibleForPackaging: z.boolean().optional(),
});
export type ListItem = z.infer<typeof listItemSchema>;

const actionSchema = z.object({
  action: z.object({ concreteType: z.string(), accessRequirementId: z.number().optional(), benefactorId: z.number().optional() }),
  count: z.number(),
});

/** What the person must do before some files of their list can be downloaded. */
export interface RequiredAction {
  kind: 'access_requirement' | 'download_permission' | 'two_factor';
  /** The access requirement's id, or the entity whose owner grants the permission. */
  id: number | null;
  files: number;
}

const query = (details: unknown) => ({ concreteType: `${M}.download.DownloadListQueryRequest`, requestDetails: details });

/** The whole answer of one download-list query: every page, each an asynchronous job. */
async function everyPage<T>(api: SynapseApi, requestType: string, page: z.ZodType<T>, what: string): Promise<T[]> {
  const schema = z.object({ responseDetails: z.object({ page: z.array(page).default([]), nextPageToken: z.string().optional() }) });
  const out: T[] = [];
  let next: string | undefined;
  do {
    const r = await api.job('/repo/v1/download/list/query', query({ concreteType: `${M}.download.${requestType}`, ...(next ? { nextPageToken: next } : {}) }), schema, what);
    out.push(...r.responseDetails.page);
    next = r.responseDetails.nextPageToken;
  } while (next);
  return out;
}

/** Every file on the person's download list they may download now. */
export function availableFiles(api: SynapseApi): Promise<ListItem[]> {
  return everyPage(api, 'AvailableFilesRequest', listItemSchema, 'reading your download list');
}

/** The actions the files left out of `availableFiles` wait for (an access requirement to meet, a permission to ask for). */
export async function requiredActions(api: SynapseApi): Promise<RequiredAction[]> {
  const page = await everyPage(api, 'ActionRequiredRequest', actionSchema, 'reading what your download list waits for');
  return page.map(({ action, count }): RequiredAction => {
    const type = action.concreteType.slice(action.concreteType.lastIndexOf('.') + 1);
    if (type === 'MeetAccessRequirement') return { kind: 'access_requirement', id: action.accessRequirementId ?? null, files: count };
    if (type === 'RequestDownload') return { kind: 'download_permission', id: action.benefactorId ?? null, files: count };
    return { kind: 'two_factor', id: null, files: count };
  });
}

/** Takes files off the person's download list (at most 1,000 a request); returns how many went. */
export async function removeFromList(api: SynapseApi, files: readonly { id: string; version: number }[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < files.length; i += 500) {
    // An entry added without a version stands for the current one, and is a different entry: both go.
    const batch = files.slice(i, i + 500).flatMap((f) => [{ fileEntityId: f.id, versionNumber: f.version }, { fileEntityId: f.id }]);
    const r = await api.call({ method: 'POST', path: '/repo/v1/download/list/remove', json: { batchToRemove: batch } }, z.object({ numberOfFilesRemoved: z.number().default(0) }));
    removed += r.numberOfFilesRemoved;
  }
  return removed;
}
