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

const availableSchema = z.object({
  responseDetails: z.object({ page: z.array(listItemSchema).default([]), nextPageToken: z.string().optional() }),
});

const actionsSchema = z.object({
  responseDetails: z.object({
    page: z
      .array(z.object({ action: z.object({ concreteType: z.string(), accessRequirementId: z.number().optional(), benefactorId: z.number().optional() }), count: z.number() }))
      .default([]),
    nextPageToken: z.string().optional(),
  }),
});

/** What the person must do before some files of their list can be downloaded. */
export interface RequiredAction {
  kind: 'access_requirement' | 'download_permission' | 'two_factor';
  /** The access requirement's id, or the entity whose owner grants the permission. */
  id: number | null;
  files: number;
}

const query = (details: unknown) => ({ concreteType: `${M}.download.DownloadListQueryRequest`, requestDetails: details });

/** Every file on the person's download list they may download now, page after page (each an asynchronous job). */
export async function availableFiles(api: SynapseApi): Promise<ListItem[]> {
  const out: ListItem[] = [];
  let next: string | undefined;
  do {
    const r = await api.job(
      '/repo/v1/download/list/query',
      query({ concreteType: `${M}.download.AvailableFilesRequest`, ...(next ? { nextPageToken: next } : {}) }),
      availableSchema,
      'reading your download list',
    );
    out.push(...r.responseDetails.page);
    next = r.responseDetails.nextPageToken;
  } while (next);
  return out;
}

/** The actions the files left out of `availableFiles` wait for (an access requirement to meet, a permission to ask for). */
export async function requiredActions(api: SynapseApi): Promise<RequiredAction[]> {
  const out: RequiredAction[] = [];
  let next: string | undefined;
  do {
    const r = await api.job(
      '/repo/v1/download/list/query',
      query({ concreteType: `${M}.download.ActionRequiredRequest`, ...(next ? { nextPageToken: next } : {}) }),
      actionsSchema,
      'reading what your download list waits for',
    );
    for (const { action, count } of r.responseDetails.page) {
      const type = action.concreteType.slice(action.concreteType.lastIndexOf('.') + 1);
      if (type === 'MeetAccessRequirement') out.push({ kind: 'access_requirement', id: action.accessRequirementId ?? null, files: count });
      else if (type === 'RequestDownload') out.push({ kind: 'download_permission', id: action.benefactorId ?? null, files: count });
      else out.push({ kind: 'two_factor', id: null, files: count });
    }
    next = r.responseDetails.nextPageToken;
  } while (next);
  return out;
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
