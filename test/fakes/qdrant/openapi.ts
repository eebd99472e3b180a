// Qdrant's REST contract, read from its official OpenAPI 3.0.1 document at run time (Apache-2.0,
// kept outside the repository): which operations exist, and whether a request body or a response
// matches the schema the operation declares.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where the OpenAPI document lives: the shared data folder beside the repository. */
export const qdrantOpenApiPath = path.resolve(repoRoot, '../shared/data/qdrant/openapi-v1.19.x.json');

export function qdrantOpenApiAvailable(): boolean {
  return fs.existsSync(qdrantOpenApiPath);
}

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  pathParams: Record<string, string>;
  queryParams: Array<{ name: string; schema: any; required: boolean }>;
  hasBody: boolean;
}

export type Validation = { ok: true } | { ok: false; message: string };

interface CompiledOperation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  queryParams: Operation['queryParams'];
  bodySchema: unknown;
  responseSchemas: Map<string, unknown>;
  // Compiled on first use: compiling every schema up front would cost seconds.
  body?: ValidateFunction | null;
  responses: Map<string, ValidateFunction>;
}

const SPEC_ID = 'qdrant-openapi';

/**
 * OpenAPI 3.0 is not JSON Schema: `nullable` needs turning into a `null` type, and a bare
 * `{nullable: true}` (how the spec writes "or null" inside anyOf) means exactly `null`.
 * Local refs are made absolute so that inline response schemas can be compiled on their own.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' || key === 'example' || key === 'deprecated') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out.$ref = `${SPEC_ID}${value}`;
    else out[key] = toJsonSchema(value);
  }
  if ((node as Record<string, unknown>).nullable === true) {
    if (out.type === undefined && !out.$ref && !out.anyOf && !out.oneOf && !out.enum) out.type = 'null';
    else if (typeof out.type === 'string') out.type = [out.type, 'null'];
  }
  return out;
}

const INT_RANGES: Record<string, [number, number]> = {
  uint: [0, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  uint32: [0, 2 ** 32 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint8: [0, 255],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The UUID spellings Qdrant's parser accepts: hyphenated, simple (32 hex), braced, urn. */
export const UUID_PATTERN = /^(?:urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

function buildAjv(spec: any): Ajv {
  // strict: false because the document carries descriptions, defaults and examples ajv's strict mode rejects.
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv, formats: string[]) => Ajv;
  addFormats(ajv, ['date-time', 'uri']);
  for (const [name, [min, max]] of Object.entries(INT_RANGES)) {
    ajv.addFormat(name, { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
  }
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('uuid', { type: 'string', validate: (s: string) => UUID_PATTERN.test(s) });
  // RFC 3339 without the offset, as Qdrant's datetime ranges also accept.
  ajv.addFormat('partial-date-time', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addSchema({ $id: SPEC_ID, components: toJsonSchema(spec.components) }, SPEC_ID);
  return ajv;
}

/** Turns ajv's errors into one line naming the place and the problem, as Qdrant's 400s do. */
function describe(errors: ErrorObject[] | null | undefined): string {
  const list = errors ?? [];
  // The deepest concrete complaint explains an anyOf failure better than "must match a schema in anyOf".
  const concrete = list.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const best = [...(concrete.length ? concrete : list)].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!best) return 'invalid';
  const where = best.instancePath ? `at ${best.instancePath}` : 'at the top level';
  const extra = best.keyword === 'additionalProperties' ? ` (unknown field \`${(best.params as any).additionalProperty}\`)` : '';
  const shapes = list.some((e) => e.keyword === 'anyOf') ? '; it matches none of the shapes the schema allows there' : '';
  return `${where}: ${best.message}${extra}${shapes}`;
}

export class QdrantOpenApi {
  readonly version: string;
  private readonly operations: CompiledOperation[] = [];
  private readonly ajv: Ajv;

  private constructor(spec: any) {
    this.version = spec.info?.version ?? 'unknown';
    this.ajv = buildAjv(spec);
    for (const [template, item] of Object.entries<any>(spec.paths)) {
      const names: string[] = [];
      const pattern = new RegExp(`^${template.replace(/\{([^}]+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
      for (const [method, op] of Object.entries<any>(item)) {
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const responseSchemas = new Map<string, unknown>();
        for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
          const schema = response?.content?.['application/json']?.schema;
          if (schema) responseSchemas.set(status, toJsonSchema(schema));
        }
        this.operations.push({
          operationId: op.operationId,
          method: method.toUpperCase(),
          template,
          pattern,
          names,
          queryParams: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => ({ name: p.name, schema: toJsonSchema(p.schema), required: !!p.required })),
          bodySchema: bodySchema ? toJsonSchema(bodySchema) : null,
          responseSchemas,
          responses: new Map(),
        });
      }
    }
  }

  private static cached: QdrantOpenApi | null = null;

  /** Parses and compiles the document once per process (compiling takes a moment). */
  static load(): QdrantOpenApi {
    if (!QdrantOpenApi.cached) {
      if (!qdrantOpenApiAvailable()) throw new Error(`Qdrant's OpenAPI document is missing: ${qdrantOpenApiPath}`);
      QdrantOpenApi.cached = new QdrantOpenApi(JSON.parse(fs.readFileSync(qdrantOpenApiPath, 'utf8')));
    }
    return QdrantOpenApi.cached;
  }

  /**
   * The operation a request addresses, or `null` (a 404: Qdrant's router needs path and method to
   * match one route, so the removed `POST /points/search` is not found, not "method not allowed").
   */
  find(method: string, pathname: string): Operation | null {
    // Literal segments win over parameters (`/collections/aliases` is not a collection called "aliases").
    const candidates = this.operations
      .map((op) => ({ op, match: op.pattern.exec(pathname) }))
      .filter((c) => c.match)
      .sort((a, b) => a.op.names.length - b.op.names.length);
    for (const { op, match } of candidates) {
      if (op.method !== method) continue;
      const pathParams = Object.fromEntries(op.names.map((name, i) => [name, decodeURIComponent(match![i + 1]!)]));
      return { operationId: op.operationId, method: op.method, template: op.template, pathParams, queryParams: op.queryParams, hasBody: !!op.bodySchema };
    }
    return null;
  }

  private compiled(operationId: string): CompiledOperation {
    const op = this.operations.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`no operation ${operationId}`);
    return op;
  }

  validateBody(operationId: string, body: unknown): Validation {
    const op = this.compiled(operationId);
    if (op.body === undefined) op.body = op.bodySchema ? this.ajv.compile(op.bodySchema as object) : null;
    const validate = op.body;
    if (!validate || validate(body)) return { ok: true };
    return { ok: false, message: `Format error in JSON body: ${describe(validate.errors)}` };
  }

  /** Query parameters are strings on the wire; they are checked as the integers and booleans they stand for. */
  validateQuery(operationId: string, query: URLSearchParams): Validation {
    for (const param of this.compiled(operationId).queryParams) {
      const raw = query.get(param.name);
      if (raw === null) continue;
      const types: string[] = [param.schema?.type].flat().filter(Boolean);
      if (types.includes('boolean') && !['true', 'false'].includes(raw)) return { ok: false, message: `Query deserialize error: ${param.name}: provided string was not \`true\` or \`false\`` };
      if (types.includes('integer') && (!/^\d+$/.test(raw) || (param.schema.minimum !== undefined && Number(raw) < param.schema.minimum))) {
        return { ok: false, message: `Query deserialize error: ${param.name}: invalid digit found in string` };
      }
    }
    return { ok: true };
  }

  /** Checks a response the fake produced against what the operation promises for that status. */
  validateResponse(operationId: string, status: number, body: unknown): Validation {
    const op = this.compiled(operationId);
    const key = [String(status), status >= 400 && status < 500 ? '4XX' : '', 'default'].find((k) => op.responseSchemas.has(k));
    if (!key) return { ok: true };
    if (!op.responses.has(key)) op.responses.set(key, this.ajv.compile(op.responseSchemas.get(key) as object));
    const validate = op.responses.get(key)!;
    if (!validate || validate(body)) return { ok: true };
    return { ok: false, message: `response ${status} of ${operationId} does not match the schema ${describe(validate.errors)}` };
  }
}
