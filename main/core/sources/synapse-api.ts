import type { Got } from 'got';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { CartageError } from '../errors.js';
import { networkError, sourceHttp } from '../net/http.js';

/**
 * The Synapse REST calls Cartage makes, with the shapes it reads checked by zod (only the fields
 * used; the rest pass through). The tests check the same calls against Synapse's OpenAPI description.
 */
const M = 'org.sagebionetworks.repo.model';

export const entityHeaderSchema = z.object({ id: z.string(), name: z.string(), type: z.string(), versionNumber: z.number().optional(), modifiedOn: z.string().optional() });
export type EntityHeader = z.infer<typeof entityHeaderSchema>;

export const childrenSchema = z.object({
  page: z.array(entityHeaderSchema).default([]),
  nextPageToken: z.string().optional(),
  totalChildCount: z.number().optional(),
  sumFileSizesBytes: z.number().optional(),
});

export const projectsSchema = z.object({
  results: z.array(z.object({ id: z.string(), name: z.string(), modifiedOn: z.string().optional() })).default([]),
  nextPageToken: z.string().optional(),
});

export const entitySchema = z.object({
  id: z.string(),
  name: z.string(),
  concreteType: z.string(),
  parentId: z.string().optional(),
  versionNumber: z.number().optional(),
  dataFileHandleId: z.string().optional(),
  modifiedOn: z.string().optional(),
});
export type Entity = z.infer<typeof entitySchema>;

export const fileHandleSchema = z.object({
  id: z.string(),
  concreteType: z.string(),
  fileName: z.string().optional(),
  contentType: z.string().optional(),
  contentMd5: z.string().optional(),
  contentSize: z.number().optional(),
  externalURL: z.string().optional(),
});
export type FileHandle = z.infer<typeof fileHandleSchema>;

export const batchSchema = z.object({
  requestedFiles: z.array(
    z.object({ fileHandleId: z.string(), fileHandle: fileHandleSchema.optional(), preSignedURL: z.string().optional(), failureCode: z.enum(['NOT_FOUND', 'UNAUTHORIZED']).optional() }),
  ),
});

export const restrictionSchema = z.object({
  objectId: z.number(),
  hasUnmetAccessRequirement: z.boolean().optional(),
  restrictionDetails: z.array(z.object({ accessRequirementId: z.number().optional(), isMet: z.boolean().optional() })).optional(),
  userEntityPermissions: z.object({ canDownload: z.boolean().optional() }).optional(),
});

export type Restriction = z.infer<typeof restrictionSchema>;
export const restrictionBatchSchema = z.object({ restrictionInformation: z.array(restrictionSchema).default([]) });

export const profileSchema = z.object({ ownerId: z.string(), userName: z.string(), firstName: z.string().optional(), lastName: z.string().optional() });
export type Profile = z.infer<typeof profileSchema>;

const jobIdSchema = z.object({ token: z.string() });
const jobStatusSchema = z.object({ jobState: z.enum(['PROCESSING', 'FAILED', 'COMPLETE']), errorMessage: z.string().optional(), progressMessage: z.string().optional() });

/** How long an asynchronous job may take, and how the polls space out. */
export interface JobPolling {
  /** Give up after this long (default 5 minutes). */
  timeoutMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}
export const defaultPolling: JobPolling = { timeoutMs: 5 * 60_000, firstDelayMs: 100, maxDelayMs: 5_000 };

export interface SynapseCall {
  method?: 'GET' | 'POST';
  path: string;
  searchParams?: Record<string, string>;
  json?: unknown;
}

/** A thin JSON client over a Synapse repository: one place for the Bearer token, errors and shape checks. */
export class SynapseApi {
  constructor(
    /** The repository's origin, e.g. https://repo-prod.prod.sagebase.org. */
    readonly origin: string,
    private readonly token: () => Promise<string>,
    readonly polling: JobPolling = defaultPolling,
    private readonly http: Got = sourceHttp,
  ) {}

  /** Calls the API and checks the answer's shape; failures become sentences for people. */
  async call<T>(call: SynapseCall, schema: z.ZodType<T>): Promise<T> {
    const { status, body } = await this.raw(call);
    if (status !== 200 && status !== 201) throw this.failure(call.path, status, body);
    return this.parse(call.path, schema, body);
  }

  /**
   * Runs an asynchronous job: `.../async/start`, then `.../async/get/{token}`, which answers 202
   * while the job runs. Polls with a growing pause, and gives up with a sentence after `timeoutMs`.
   */
  async job<T>(base: string, request: unknown, schema: z.ZodType<T>, what: string): Promise<T> {
    const { token } = await this.call({ method: 'POST', path: `${base}/async/start`, json: request }, jobIdSchema);
    const started = Date.now();
    let delay = this.polling.firstDelayMs;
    for (;;) {
      const path = `${base}/async/get/${encodeURIComponent(token)}`;
      const { status, body } = await this.raw({ path });
      if (status === 200 || status === 201) return this.parse(path, schema, body);
      if (status !== 202) throw this.failure(path, status, body);
      const job = jobStatusSchema.safeParse(body);
      if (job.success && job.data.jobState === 'FAILED') {
        throw new CartageError('server_error', `Synapse could not ${what}: ${job.data.errorMessage ?? 'the job failed'}.`);
      }
      if (Date.now() - started + delay > this.polling.timeoutMs) {
        throw new CartageError(
          'timeout',
          `Synapse did not finish ${what} within ${formatDuration(this.polling.timeoutMs)} (it was still working on it); nothing was changed. Try again later.`,
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, this.polling.maxDelayMs);
    }
  }

  private async raw(call: SynapseCall): Promise<{ status: number; body: string }> {
    const url = `${this.origin}${call.path}`;
    const token = await this.token();
    try {
      const res = await this.http(url, {
        method: call.method ?? 'GET',
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
        ...(call.searchParams ? { searchParams: call.searchParams } : {}),
        ...(call.json !== undefined ? { json: call.json } : {}),
      });
      return { status: res.statusCode, body: res.body };
    } catch (err) {
      throw networkError(url, err);
    }
  }

  private parse<T>(path: string, schema: z.ZodType<T>, body: string): T {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new CartageError('http_error', `${this.origin}${path} did not answer with JSON: this does not look like a Synapse server.`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CartageError('http_error', `Synapse answered ${path} in a shape Cartage does not know (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}).`);
    }
    return parsed.data;
  }

  private failure(path: string, status: number, body: string): CartageError {
    const reason = reasonOf(body);
    const host = new URL(this.origin).host;
    if (status === 401) {
      return new CartageError(
        'auth',
        `Synapse (${host}) refused the access token (401: ${reason ?? 'not signed in'}): it is wrong, revoked or expired. Create a new personal access token on synapse.org (Account Settings, Personal Access Tokens) and add the source again.`,
      );
    }
    if (status === 403) {
      const scope = /scope/i.test(reason ?? '');
      return new CartageError(
        'auth',
        scope
          ? `The access token lacks a permission Synapse needs here (${reason}): create a token with the View and Download permissions and add the source again.`
          : `Synapse does not let you do this (403: ${reason ?? 'forbidden'}).`,
      );
    }
    if (status === 404) {
      const id = /\/entity\/(syn\d+)/.exec(path)?.[1];
      return new CartageError('not_found', id ? `There is no ${id} on Synapse, or it was deleted (404).` : `Synapse has nothing at ${path} (404${reason ? `: ${reason}` : ''}).`);
    }
    if (status >= 500) return new CartageError('server_error', `Synapse had a problem answering ${path} (${status}); try again later.`);
    return new CartageError('http_error', `Synapse answered ${status} to ${path}${reason ? `: ${reason}` : ''}.`);
  }
}

/** What a personal access token says of itself (a JWT's claims, read without checking its signature). */
export interface TokenClaims {
  scopes: string[];
  expiresAt: Date | null;
}

/** Reads a token's claims, or null when it is not shaped like a Synapse personal access token. */
export function tokenClaims(token: string): TokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload || token.split('.').length !== 3) return null;
  try {
    const claims = z
      .object({ access: z.object({ scope: z.array(z.string()) }).optional(), exp: z.number().optional() })
      .parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return { scopes: claims.access?.scope ?? [], expiresAt: claims.exp !== undefined ? new Date(claims.exp * 1000) : null };
  } catch {
    return null;
  }
}

function reasonOf(body: string): string | null {
  try {
    const r = (JSON.parse(body) as { reason?: unknown }).reason;
    return typeof r === 'string' ? r : null;
  } catch {
    return null;
  }
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} minutes`;
}

export { M as modelPackage };
