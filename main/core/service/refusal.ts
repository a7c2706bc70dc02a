// What the service answers when a request cannot be acted on: a payload the contract refuses, a
// CartageError, or a bug. Each is a code and one sentence; a bug's details go to the log only.
import type { z } from 'zod';
import type { ApiError } from '../../../preload/api.js';
import { CartageError } from '../errors.js';

type Issue = z.core.$ZodIssue;

/** Dotted path of an issue, as a person would name the field: `ids[2]`, `refs`. */
function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = raw;
  for (const p of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[p];
  }
  return at;
}

const kinds: Record<string, string> = {
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object of named fields',
};

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return kinds[typeof v] ?? typeof v;
}

/** "should have at least 1 item", "should be more than 0". */
function bound(origin: string, n: number | bigint, side: 'least' | 'most', inclusive: boolean | undefined): string {
  const count = Number(n);
  if (origin === 'array' || origin === 'set') return `should have at ${side} ${count} item${count === 1 ? '' : 's'}`;
  if (origin === 'string') return `should have at ${side} ${count} character${count === 1 ? '' : 's'}`;
  if (inclusive === false) return `should be ${side === 'least' ? 'more' : 'less'} than ${count}`;
  return `should be at ${side} ${count}`;
}

/** What is wrong with one field, in words. */
function problem(channel: string, issue: Issue, raw: unknown): string {
  const field = `"${fieldName(issue.path)}"`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${channel} does not take ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type': {
      const value = valueAt(raw, issue.path);
      if (issue.path.length === 0) return `${channel} takes ${kinds.object}, not ${describeValue(value)}`;
      if (value === undefined) return `${channel} needs ${field}`;
      return `${field} should be ${kinds[issue.expected] ?? issue.expected}, not ${describeValue(value)}`;
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `${field} cannot be empty`;
      return `${field} ${bound(issue.origin, issue.minimum, 'least', issue.inclusive)}`;
    case 'too_big':
      return `${field} ${bound(issue.origin, issue.maximum, 'most', issue.inclusive)}`;
    case 'invalid_value':
      return `${field} should be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field} is not valid (${issue.message})`;
  }
}

/** The sentence for a payload the contract refuses: which field, and what is wrong with it. */
export function refusalMessage(channel: string, issues: readonly Issue[], raw: unknown): string {
  const first = issues[0];
  const what = first ? problem(channel, first, raw) : 'the request is not valid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length === 2 ? '' : 's'})` : '';
  return `Cartage refused ${channel}: ${what}${more}; nothing was changed.`;
}

/** A refusal with a code of the contract's own, beyond the core's ErrorCode ('unsupported'). */
export class Refusal extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'Refusal';
  }
}

/** A thrown error as the answer's error: a CartageError keeps its code, sentence and facts. */
export function apiError(err: unknown): { error: ApiError; unexpected: boolean } {
  if (err instanceof Refusal) return { error: err.error, unexpected: false };
  if (err instanceof CartageError) {
    return { error: { code: err.code, message: err.message, ...(err.details ? { details: { ...err.details } } : {}) }, unexpected: false };
  }
  return {
    error: { code: 'internal', message: 'Something went wrong inside Cartage and nothing more could be done; the details are in its log.' },
    unexpected: true,
  };
}
