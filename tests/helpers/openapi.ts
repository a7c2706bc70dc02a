// Checks requests and responses against the real Immich OpenAPI spec (v2.5.6), so the fake Immich
// server in immich-server.ts cannot drift from the API real clients meet. The v2 fake is checked
// here; the v3 fake by @immich/sdk's types (immich-fake-v3.ts, immich-fake-v3-requests.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describeError, operationMatcher, specValidators, type Operation as BaseOperation, type Schema, type Spec as BaseSpec } from './openapi-checker.js';

/** Where the spec lives; IMMICH_OPENAPI_SPEC overrides it. */
export const SPEC_PATH =
  process.env.IMMICH_OPENAPI_SPEC ??
  [path.resolve(fileURLToPath(import.meta.url), '../../../../shared/immich/immich-openapi-specs.json'), '/work/shared/immich/immich-openapi-specs.json'].find((p) =>
    existsSync(p),
  ) ??
  '../shared/immich/immich-openapi-specs.json (not found: set IMMICH_OPENAPI_SPEC)';

interface Operation extends BaseOperation {
  security?: unknown[];
  /** The permission an API key needs for it (Immich's Permission enum). */
  'x-immich-permission'?: string;
}
type Spec = BaseSpec<Operation>;

export interface CheckOptions {
  /**
   * The response carries assets mapped with `stripMetadata` (a shared link with showMetadata off).
   * Real Immich then sends a SanitizedAssetResponseDto in place of AssetResponseDto, which lacks
   * most fields the spec requires; this option checks those assets against that smaller shape.
   */
  sanitizedAssets?: boolean;
}

/** The operation a concrete path and method resolve to. */
export interface MatchedOperation {
  template: string;
  pathParams: Record<string, string>;
  /** The operation declares a `key` query parameter: a shared link may call it. */
  sharedLinkRoute: boolean;
  /** No security requirement (ping, version...). */
  isPublic: boolean;
  /** What an API key needs to call it; null when nothing. */
  permission: string | null;
  operation: Operation;
}

let specCache: Spec | undefined;
function spec(): Spec {
  specCache ??= JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
  return specCache;
}

let matcherCache: ReturnType<typeof operationMatcher<Operation>> | undefined;
/** Finds the spec operation for a method and a concrete path (with or without the `/api` prefix). */
export function matchOperation(method: string, apiPath: string): MatchedOperation | undefined {
  // `/assets/statistics` must win over `/assets/{id}`: the matcher puts literal segments first.
  matcherCache ??= operationMatcher(spec().paths);
  const found = matcherCache(method, apiPath.startsWith('/api/') ? apiPath.slice(4) : apiPath);
  if (!found) return undefined;
  const { template, params: pathParams, operation } = found;
  return {
    template,
    pathParams,
    sharedLinkRoute: (operation.parameters ?? []).some((p) => p.in === 'query' && p.name === 'key'),
    isPublic: operation.security === undefined,
    permission: operation['x-immich-permission'] ?? null,
    operation,
  };
}

// ---- spec variants -------------------------------------------------------------------------------

/** SanitizedAssetResponseDto: what mapAsset returns with stripMetadata (not named in the spec). */
function sanitizedAsset(full: Schema): Schema {
  const props = full.properties as Record<string, Schema>;
  const keep = ['id', 'type', 'originalMimeType', 'thumbhash', 'localDateTime', 'duration', 'livePhotoVideoId', 'hasMetadata', 'width', 'height'];
  return {
    type: 'object',
    properties: Object.fromEntries(keep.map((k) => [k, props[k]])),
    required: ['id', 'type', 'thumbhash', 'localDateTime', 'duration', 'hasMetadata', 'width', 'height'],
  };
}

/**
 * OpenAPI 3.0 to JSON Schema: `nullable: true` becomes `anyOf [schema, null]` (ajv's own `nullable`
 * needs a sibling `type`, which `allOf: [$ref]` properties lack), and every object with declared
 * properties is closed, so a field the spec does not name is reported (and a removed v3 field too).
 */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (!node || typeof node !== 'object') return node;
  const s = node as Schema;
  if (s.properties) {
    const props = s.properties as Record<string, unknown>;
    for (const k of Object.keys(props)) props[k] = normalise(props[k]);
    if (s.additionalProperties === undefined) s.additionalProperties = false;
  }
  if (s.items) s.items = normalise(s.items);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[k])) s[k] = (s[k] as unknown[]).map(normalise);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') s.additionalProperties = normalise(s.additionalProperties);
  if (s.nullable === true) {
    const { nullable: _nullable, ...rest } = s;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return s;
}

/** The v2.5.6 spec as JSON Schema (v3 answers are typed with @immich/sdk's DTOs instead: immich-fake-v3.ts). */
function buildVariant(sanitized: boolean): Spec {
  const copy = structuredClone(spec());
  const schemas = copy.components.schemas;
  if (sanitized) schemas.AssetResponseDto = sanitizedAsset(schemas.AssetResponseDto as Schema);
  for (const name of Object.keys(schemas)) schemas[name] = normalise(schemas[name]) as Schema;
  for (const ops of Object.values(copy.paths)) {
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) if (p.schema) p.schema = normalise(p.schema) as Schema;
      for (const c of Object.values(op.requestBody?.content ?? {})) if (c.schema) c.schema = normalise(c.schema) as Schema;
      for (const r of Object.values(op.responses ?? {})) for (const c of Object.values(r.content ?? {})) if (c.schema) c.schema = normalise(c.schema) as Schema;
    }
  }
  return copy;
}

interface Variant {
  spec: Spec;
  compile(key: string, schema: Schema): ValidateFunction;
}
const variants = new Map<string, Variant>();

function variant(sanitized = false): Variant {
  const id = String(sanitized);
  let v = variants.get(id);
  if (v) return v;
  const built = buildVariant(sanitized);
  // ajv-formats checks int32's range and byte's base64; the rest are Immich's own names.
  v = { spec: built, compile: specValidators(built, { integers: ['int64'], unchecked: ['double', 'binary', 'string'] }) };
  variants.set(id, v);
  return v;
}

// ---- messages ------------------------------------------------------------------------------------

/** Drops the noise a nullable field's `anyOf [x, null]` adds (the null branch and the anyOf summary). */
function meaningful(errors: ErrorObject[] | null | undefined): ErrorObject[] {
  const all = errors ?? [];
  const kept = all.filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'));
  return kept.length > 0 ? kept : all;
}

/** What class-validator would say, roughly: the real server answers 400 with these. */
function classValidatorMessage(e: ErrorObject, name?: string): string {
  const segs = e.instancePath.split('/').filter(Boolean);
  const inArray = segs.length > 1 && /^\d+$/.test(segs[segs.length - 1] as string);
  const prop = name ?? (inArray ? segs[segs.length - 2] : segs[segs.length - 1]) ?? 'value';
  const each = inArray ? `each value in ${prop}` : prop;
  switch (e.keyword) {
    case 'maximum':
      return `${prop} must not be greater than ${String(e.params.limit)}`;
    case 'minimum':
      return `${prop} must not be less than ${String(e.params.limit)}`;
    case 'enum':
      return `${prop} must be one of the following values: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'format':
      if (e.params.format === 'uuid') return `${each} must be a UUID`;
      if (e.params.format === 'date-time') return `${prop} must be a valid ISO 8601 date string`;
      return `${prop} must match format ${String(e.params.format)}`;
    case 'type': {
      const t = String(e.params.type);
      if (t === 'boolean') return `${prop} must be a boolean value`;
      if (t === 'number') return `${prop} must be a number conforming to the specified constraints`;
      if (t === 'integer') return `${prop} must be an integer number`;
      return `${prop} must be ${t === 'array' ? 'an array' : `a ${t}`}`;
    }
    default:
      return `${prop} ${e.message ?? 'is invalid'}`;
  }
}

// ---- responses -----------------------------------------------------------------------------------

/** Violations of the spec by a response body (empty when it conforms). Binary bodies are not checked. */
export function checkResponse(method: string, apiPath: string, status: number, body: unknown, opts: CheckOptions = {}): string[] {
  const where = `${method.toUpperCase()} ${apiPath} -> ${status}`;
  const match = matchOperation(method, apiPath);
  if (!match) return [`${where}: no such operation in the spec`];
  const responses = match.operation.responses ?? {};
  // The spec documents success codes only; 206 answers the 200 operation for a byte range.
  const statusKey = responses[String(status)] ? String(status) : status === 206 && responses['200'] ? '200' : undefined;
  if (!statusKey) return status >= 300 ? [] : [`${where}: status ${status} is not declared by the spec`];
  const declared = responses[statusKey]!;
  if (!declared.content?.['application/json']) {
    if (!declared.content && body !== undefined && body !== '') return [`${where}: the spec declares no body`];
    return [];
  }
  const v = variant(opts.sanitizedAssets ?? false);
  const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const key = `res ${verb} ${match.template} ${statusKey}`;
  const schema = v.spec.paths[match.template]?.[verb]?.responses?.[statusKey]?.content?.['application/json']?.schema ?? {};
  const validate = v.compile(key, schema);
  if (validate(body)) return [];
  return [...new Set(meaningful(validate.errors).map((e) => `${where}: ${describeError(e)}`))];
}

// ---- requests ------------------------------------------------------------------------------------

export interface RequestAnalysis {
  /** The operation, when the spec has one for this method and path. */
  match: MatchedOperation | undefined;
  /** Everything off-spec about the request. */
  violations: string[];
  /**
   * The subset real Immich answers 400 for (its ValidationPipe has `whitelist: true`, so unknown
   * query parameters and body properties are silently dropped, not rejected), in class-validator's words.
   */
  rejected: string[];
  /** Query values coerced to the types the spec declares (what the server's DTO sees). */
  query: Record<string, unknown>;
  /** The JSON body with numeric strings in number fields made numbers (what the server's DTO sees). */
  body: unknown;
}

function coerceBody(v: Variant, schema: Schema, body: unknown): unknown {
  const ref = schema.$ref as string | undefined;
  const target = ref?.startsWith('#/components/schemas/') ? v.spec.components.schemas[ref.slice('#/components/schemas/'.length)] : schema;
  const props = target?.properties as Record<string, Schema> | undefined;
  if (!props || !body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const [k, val] of Object.entries(out)) {
    const type = props[k] ? resolveType(v, props[k]) : undefined;
    if ((type === 'number' || type === 'integer') && typeof val === 'string') out[k] = coerce(type, val);
  }
  return out;
}

function resolveType(v: Variant, schema: Schema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  const ref = (schema.$ref ?? (schema.allOf as Schema[] | undefined)?.[0]?.$ref) as string | undefined;
  if (ref?.startsWith('#/components/schemas/')) {
    const target = v.spec.components.schemas[ref.slice('#/components/schemas/'.length)];
    return target ? resolveType(v, target) : undefined;
  }
  const any = schema.anyOf as Schema[] | undefined;
  return any ? resolveType(v, any[0] as Schema) : undefined;
}

function coerce(type: string | undefined, raw: string): unknown {
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if ((type === 'number' || type === 'integer') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

/** Full analysis of a request: violations, what the real server would reject, and coerced query values. */
export function analyseRequest(method: string, apiPath: string, query: URLSearchParams, body: unknown): RequestAnalysis {
  const where = `${method.toUpperCase()} ${apiPath}`;
  const out: RequestAnalysis = { match: matchOperation(method, apiPath), violations: [], rejected: [], query: {}, body };
  const match = out.match;
  if (!match) {
    out.violations.push(`${where}: no such operation in the spec`);
    return out;
  }
  const v = variant(false);
  const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const op = v.spec.paths[match.template]?.[verb] as Operation;
  const params = op.parameters ?? [];
  const fail = (violation: string, rejection?: string) => {
    out.violations.push(`${where}: ${violation}`);
    if (rejection) out.rejected.push(rejection);
  };
  const check = (key: string, schema: Schema, name: string, value: unknown) => {
    const validate = v.compile(key, schema);
    if (validate(value)) return;
    for (const e of meaningful(validate.errors)) {
      fail(`parameter '${name}' ${describeError(e).replace('(body)', '').trim()} (got ${JSON.stringify(value)})`, classValidatorMessage(e, name));
    }
  };
  for (const p of params.filter((x) => x.in === 'path')) {
    check(`path ${verb} ${match.template} ${p.name}`, p.schema ?? {}, p.name, match.pathParams[p.name]);
  }
  const declared = new Map(params.filter((x) => x.in === 'query').map((x) => [x.name, x]));
  for (const name of new Set(query.keys())) {
    const p = declared.get(name);
    if (!p) {
      fail(`query parameter '${name}' is not declared for this operation`);
      continue;
    }
    const schema = p.schema ?? {};
    const type = resolveType(v, schema);
    const raws = query.getAll(name);
    let value: unknown;
    if (type === 'array') value = raws.map((r) => coerce(resolveType(v, (schema.items as Schema) ?? {}), r));
    else value = raws.length > 1 ? raws : coerce(type, raws[0] as string);
    out.query[name] = value;
    check(`query ${verb} ${match.template} ${name}`, schema, name, value);
  }
  for (const p of declared.values()) {
    if (p.required && !query.has(p.name)) fail(`required query parameter '${p.name}' is missing`, `${p.name} must be a string`);
  }
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  if (body === undefined) {
    if (op.requestBody?.required && bodySchema) fail('the request body the spec requires is missing');
  } else if (!op.requestBody) {
    fail('a request body was sent but the operation declares none');
  } else if (bodySchema) {
    const validate = v.compile(`body ${verb} ${match.template}`, bodySchema);
    if (!validate(body)) for (const e of meaningful(validate.errors)) fail(`body ${describeError(e)}`);
    // What the real server rejects is judged on the body its DTO sees: numeric strings in number
    // fields become numbers (class-transformer's @Type(() => Number)), unknown properties are
    // stripped (whitelist: true), so neither is a 400 there, though both are off-spec.
    out.body = coerceBody(v, bodySchema, body);
    if (!validate(out.body)) {
      for (const e of meaningful(validate.errors)) if (e.keyword !== 'additionalProperties') out.rejected.push(classValidatorMessage(e));
    }
  }
  out.violations = [...new Set(out.violations)];
  out.rejected = [...new Set(out.rejected)];
  return out;
}

/** Violations of the spec by a request (empty when it conforms): operation, query parameters, JSON body. */
export function checkRequest(method: string, apiPath: string, query: URLSearchParams, body: unknown): string[] {
  return analyseRequest(method, apiPath, query, body).violations;
}
