import type { Got } from 'got';
import { CartageError } from '../errors.js';
import { profileSchema, SynapseApi, tokenClaims, type Profile } from './synapse-api.js';

/** Synapse's public repository, when no address is given. */
export const defaultSynapseUrl = 'https://repo-prod.prod.sagebase.org';

const tokenPage = 'https://www.synapse.org/#!PersonalAccessTokens:';

/** What adding a Synapse source found out: where it is, and who the token signs in as. */
export interface SynapseConnection {
  origin: string;
  profile: Profile;
  scopes: string[];
}

/** The repository's origin from what a person typed (a bare host is https). */
export function synapseOrigin(url: string | undefined): string {
  const text = url?.trim() || defaultSynapseUrl;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    return u.origin;
  } catch {
    throw new CartageError('bad_input', `"${text}" is not the address of a Synapse server, such as ${defaultSynapseUrl}.`);
  }
}

/**
 * Checks a personal access token before it is kept: its own claims first (expired, or without the
 * View and Download permissions: nothing to ask the server), then the server (GET /repo/v1/userProfile).
 */
export async function connectSynapse(url: string | undefined, token: string, http?: Got): Promise<SynapseConnection> {
  const origin = synapseOrigin(url);
  const claims = tokenClaims(token.trim());
  if (!claims) {
    throw new CartageError('bad_input', `That is not a Synapse personal access token (a long text in three parts separated by dots). Create one at ${tokenPage} and give it with --token-file or --token-env.`);
  }
  if (claims.expiresAt && claims.expiresAt.getTime() <= Date.now()) {
    throw new CartageError('auth', `This personal access token expired on ${claims.expiresAt.toISOString().slice(0, 10)}: create a new one at ${tokenPage} and add the source again.`);
  }
  const missing = ['view', 'download'].filter((s) => !claims.scopes.includes(s));
  if (missing.length) {
    throw new CartageError(
      'auth',
      `This personal access token lacks the ${missing.join(' and ')} permission${missing.length > 1 ? 's' : ''} Cartage needs to browse and download: create a token with View and Download at ${tokenPage}. Nothing was added.`,
    );
  }
  const profile = await new SynapseApi(origin, () => Promise.resolve(token.trim()), undefined, http).call({ path: '/repo/v1/userProfile' }, profileSchema);
  return { origin, profile, scopes: claims.scopes };
}
