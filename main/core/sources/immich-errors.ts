import { CartageError } from '../errors.js';

/**
 * Immich's failure answers as sentences. v2 (NestJS, class-validator) sends `{ message: string |
 * string[], error, statusCode, correlationId }`; v3 (nestjs-zod) sends `{ message, statusCode,
 * errors: [{ code, path, message }] }` and the request's id in an `X-Correlation-ID` header. Every
 * shape ends as words, never as "[object Object]".
 */
export function immichFailure(apiUrl: string, path: string, status: number, body: string, headers: Record<string, string | string[] | undefined>): CartageError {
  const host = new URL(apiUrl).host;
  const said = messageOf(body);
  const id = correlationId(body, headers);
  // The server's own words and the id its log knows the request by: what an admin needs to look.
  const tail = `${said ? ` Immich said: ${said}.` : ''}${id ? ` (Immich's correlation id: ${id}.)` : ''}`;
  if (status === 401) {
    return new CartageError(
      'auth',
      `The Immich server at ${host} refused the API key (401): create a new key in Immich (Account settings, API keys) and add the source again.${tail}`,
    );
  }
  if (status === 403) {
    const permission = missingPermission(said);
    if (permission) return permissionError(host, [permission], path);
    return new CartageError('auth', `The Immich server at ${host} does not allow this (403) for ${path}: the API key or shared link lacks the permission.${tail}`);
  }
  if (status === 404) return new CartageError('not_found', `Immich has nothing at ${path} (404): it may have been deleted.${tail}`);
  if (status === 400) return new CartageError('not_found', `Immich refused ${path} (400).${tail}`);
  if (status >= 500) return new CartageError('server_error', `The Immich server had a problem answering ${path} (${status}); try again later.${tail}`);
  return new CartageError('http_error', `Immich answered ${status} to ${path}.${tail}`);
}

/** One sentence naming the permissions an API key lacks, and where to give them. */
export function permissionError(host: string, missing: string[], path?: string): CartageError {
  const list = missing.map((p) => `"${p}"`).join(', ');
  return new CartageError(
    'auth',
    `The API key for the Immich server at ${host} lacks the permission${missing.length === 1 ? '' : 's'} ${list}${path ? `, which ${path} needs` : ''}: allow ${missing.length === 1 ? 'it' : 'them'} on the key in Immich (Account settings, API keys), or create a key that has ${missing.length === 1 ? 'it' : 'them'}.`,
    { details: { missingPermissions: missing.join(',') } },
  );
}

/** Immich's auth guard says `Missing required permission: asset.download`. */
export function missingPermission(message: string): string | null {
  return /missing required permission:?\s*"?([A-Za-z][\w.]*)/i.exec(message)?.[1] ?? null;
}

/** The words of an error body, whatever its shape; '' when it has none. */
export function messageOf(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 200);
  }
  if (!parsed || typeof parsed !== 'object') return typeof parsed === 'string' ? parsed.slice(0, 200) : '';
  const { message, errors } = parsed as { message?: unknown; errors?: unknown };
  const parts = [...words(message), ...words(errors)];
  // nestjs-zod's 'Validation failed' says nothing the issues after it do not.
  const useful = parts.length > 1 ? parts.filter((p) => !/^validation failed$/i.test(p)) : parts;
  return [...new Set(useful)].join('; ').slice(0, 400);
}

/** Strings, arrays and zod issues (`{ path, message }`) as phrases. */
function words(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(words);
  if (typeof value === 'object') {
    const { message, path } = value as { message?: unknown; path?: unknown };
    const text = words(message).join(', ');
    const where = Array.isArray(path) ? path.map(String).join('.') : typeof path === 'string' ? path : '';
    if (text) return [where ? `${where}: ${text}` : text];
    return [JSON.stringify(value).slice(0, 120)];
  }
  return [];
}

function correlationId(body: string, headers: Record<string, string | string[] | undefined>): string | null {
  const header = headers['x-correlation-id'] ?? headers['x-immich-cid'];
  if (header) return String(Array.isArray(header) ? header[0] : header);
  try {
    const id = (JSON.parse(body) as { correlationId?: unknown }).correlationId;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}
