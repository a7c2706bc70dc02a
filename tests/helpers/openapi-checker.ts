// A spec checker for any OpenAPI 3.0 document: requests and JSON responses against the operations
// and schemas it declares. openapi.ts does the same for Immich with Immich's own quirks (v3
// relaxations, class-validator's 400s); this file holds only what every spec shares, so a second
// fake (Synapse) does not copy it. Objects with declared properties are closed, so a field the
// spec does not name is reported.
import { readFileSync } from 'node:fs';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// CommonJS with `exports.default`: this form type-checks under NodeNext and runs under Node and vitest.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

export type Schema = Record<string, unknown>;
export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
export interface Spec<O extends Operation = Operation> {
  paths: Record<string, Record<string, O>>;
  components: { schemas: Record<string, Schema> };
}

/** How a spec's number and string formats are checked, beyond those ajv-formats knows. */
export interface Formats {
  /** Whole numbers of any safe size (a server's longs the spec calls int32). */
  integers: string[];
  /** Not checked at all. */
  unchecked: string[];
}

/**
 * Validators for the schemas of an OpenAPI document, compiled once per key by one ajv that holds
 * the document as 'spec', so that the schemas' `#/components/...` refs resolve in it.
 */
export function specValidators(spec: object, formats: Formats): (key: string, schema: Schema) => ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  for (const f of formats.integers) ajv.addFormat(f, { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  for (const f of formats.unchecked) ajv.addFormat(f, true);
  ajv.addSchema(spec as Schema, 'spec');
  const compiled = new Map<string, ValidateFunction>();
  return (key, schema) => {
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(rebase(schema) as Schema);
      compiled.set(key, fn);
    }
    return fn;
  };
}

/** Finds the operation of a method and a concrete path among a document's path templates. */
export function operationMatcher<O extends Operation>(
  paths: Record<string, Record<string, O>>,
): (method: string, path: string) => { template: string; params: Record<string, string>; operation: O } | undefined {
  const templates = Object.keys(paths)
    .map((template) => {
      const names: string[] = [];
      const parts = template.split('/').map((seg) => {
        const m = /^\{(.+)\}$/.exec(seg);
        if (!m) return seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return '([^/]+)';
      });
      return { template, regex: new RegExp(`^${parts.join('/')}$`), names, literals: parts.length - names.length };
    })
    // A literal segment wins over a parameter (`/entity/children` over `/entity/{id}`).
    .sort((a, b) => b.literals - a.literals);
  return (method, path) => {
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    for (const t of templates) {
      const m = t.regex.exec(path);
      const operation = m ? paths[t.template]?.[verb] : undefined;
      if (!m || !operation) continue;
      const params: Record<string, string> = {};
      t.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { template: t.template, params, operation };
    }
    return undefined;
  };
}

/** Closes every object that declares properties, except a polymorphic base (oneOf): its branches are closed instead. */
function close(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(close);
  if (!node || typeof node !== 'object') return node;
  const s = node as Schema;
  for (const [k, v] of Object.entries(s)) if (k !== 'enum' && k !== 'example') s[k] = close(v);
  if (s.properties && s.oneOf === undefined && s.additionalProperties === undefined) s.additionalProperties = false;
  return s;
}

/** One ajv error as words: where in the value, and what is wrong. */
export function describeError(e: ErrorObject): string {
  const at = e.instancePath || '(body)';
  if (e.keyword === 'additionalProperties') return `${at} has property '${String(e.params.additionalProperty)}' that the spec does not declare`;
  if (e.keyword === 'enum') return `${at} ${e.message}: ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return `${at} ${e.message ?? e.keyword}`;
}

/** An OpenAPI document, loaded once, with compiled validators for its operations. */
export class OpenApiChecker {
  private readonly spec: Spec;
  private readonly compile: (key: string, schema: Schema) => ValidateFunction;
  /** The operation a method and a concrete path resolve to, with its path parameters. */
  readonly match: (method: string, path: string) => { template: string; params: Record<string, string>; operation: Operation } | undefined;

  constructor(specPath: string) {
    this.spec = close(JSON.parse(readFileSync(specPath, 'utf8'))) as Spec;
    // Sizes and ids the spec calls int32 are Java longs on the server: check the type, not the range.
    this.compile = specValidators(this.spec, { integers: ['int32', 'int64'], unchecked: ['double', 'float', 'binary', 'byte', 'string'] });
    this.match = operationMatcher(this.spec.paths);
  }

  /** Violations of a named component schema by a value (for bodies the spec leaves undeclared). */
  checkSchema(name: string, value: unknown, where: string): string[] {
    return this.validate(`schema ${name}`, { $ref: `#/components/schemas/${name}` }, value, where);
  }

  /** Violations by a request: the operation exists, its query parameters are declared and typed, its JSON body fits. */
  checkRequest(method: string, path: string, query: URLSearchParams, body: unknown): string[] {
    const where = `${method.toUpperCase()} ${path}`;
    const match = this.match(method, path);
    if (!match) return [`${where}: no such operation in the spec`];
    const out: string[] = [];
    const params = match.operation.parameters ?? [];
    const declared = new Map(params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    for (const name of new Set(query.keys())) {
      const p = declared.get(name);
      if (!p) out.push(`${where}: query parameter '${name}' is not declared for this operation`);
      else {
        const raw = query.get(name)!;
        const type = p.schema?.type;
        const value = type === 'integer' || type === 'number' ? (/^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw) : type === 'boolean' ? raw === 'true' ? true : raw === 'false' ? false : raw : raw;
        out.push(...this.validate(`query ${match.template} ${name}`, p.schema ?? {}, value, `${where} ?${name}`));
      }
    }
    for (const p of declared.values()) if (p.required && !query.has(p.name)) out.push(`${where}: required query parameter '${p.name}' is missing`);
    const schema = match.operation.requestBody?.content?.['application/json']?.schema;
    if (body === undefined) {
      if (match.operation.requestBody?.required && schema) out.push(`${where}: the request body the spec requires is missing`);
    } else if (!match.operation.requestBody) out.push(`${where}: a request body was sent but the operation declares none`);
    else if (schema) out.push(...this.validate(`body ${method} ${match.template}`, schema, body, `${where} body`));
    return out;
  }

  /**
   * Violations by a response. A status the operation does not declare is a violation when it is a
   * success, unless `undeclared` names the schema the real server answers it with.
   */
  checkResponse(method: string, path: string, status: number, body: unknown, undeclared?: string): string[] {
    const where = `${method.toUpperCase()} ${path} -> ${status}`;
    const match = this.match(method, path);
    if (!match) return [`${where}: no such operation in the spec`];
    const declared = match.operation.responses?.[String(status)];
    if (!declared) {
      if (undeclared) return this.checkSchema(undeclared, body, where);
      return status >= 300 ? [] : [`${where}: status ${status} is not declared by the spec`];
    }
    const schema = declared.content?.['application/json']?.schema;
    if (!schema) return body === undefined || body === '' ? [] : [`${where}: the spec declares no body`];
    return this.validate(`res ${method} ${match.template} ${status}`, schema, body, where);
  }

  private validate(key: string, schema: Schema, value: unknown, where: string): string[] {
    const fn = this.compile(key, schema);
    if (fn(value)) return [];
    // A oneOf reports every branch's complaint; the branch named by concreteType is the one that matters.
    const errors = fn.errors ?? [];
    const kept = errors.filter((e) => e.keyword !== 'oneOf' && !(e.keyword === 'enum' && e.instancePath.endsWith('/concreteType')));
    return [...new Set((kept.length ? kept : errors).map((e) => `${where}: ${describeError(e)}`))];
  }
}

/** `#/components/...` refs point into the document added to ajv as 'spec'. */
function rebase(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(rebase);
  if (!n || typeof n !== 'object') return n;
  return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `spec${v}` : rebase(v)]));
}
