// One Qdrant collection held in memory: its configuration as Qdrant reports it, its points with
// dense and sparse named vectors and payloads, and the payload indexes created on it.
import { matchesFilter, type FilterContext, type FilterablePoint } from './filters.js';
import { NotImplemented, QdrantError } from './errors.js';
import { UUID_PATTERN } from './openapi.js';

export type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';
export interface SparseVector {
  indices: number[];
  values: number[];
}
export interface StoredPoint extends FilterablePoint {
  version: number;
  dense: Map<string, number[]>;
  sparse: Map<string, SparseVector>;
}

/** The unnamed vector of a collection created with `vectors: {size, distance}`. */
export const DEFAULT_VECTOR = '';

/** Qdrant's point ids: unsigned integers, or UUIDs in any spelling it parses, kept hyphenated and lowercase. */
export function normaliseId(id: unknown): number | string {
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && UUID_PATTERN.test(id)) {
    const hex = id.toLowerCase().replace(/^urn:uuid:/, '').replace(/[{}-]/g, '');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new QdrantError(400, `Format error in JSON body: value ${JSON.stringify(id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`);
}

/** Qdrant orders ids numbers first, then UUIDs (as 128-bit numbers, which is their hex order). */
export function compareIds(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const withoutNulls = (value: Record<string, unknown> | null | undefined) => Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== null && v !== undefined));

// The defaults Qdrant 1.19 reports for a collection created without settings.
const DEFAULT_HNSW = { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false };
const DEFAULT_OPTIMIZERS = { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, max_segment_size: null, memmap_threshold: null, indexing_threshold: 10000, flush_interval_sec: 5, max_optimization_threads: null };
const DEFAULT_WAL = { wal_capacity_mb: 32, wal_segments_ahead: 0 };

export class Collection {
  readonly points = new Map<number | string, StoredPoint>();
  readonly payloadIndexes = new Map<string, { data_type: string; params?: Record<string, unknown> }>();
  private readonly denseConfig = new Map<string, { size: number; distance: Distance; raw: Record<string, unknown> }>();
  private readonly sparseConfig = new Map<string, Record<string, unknown>>();
  private readonly params: Record<string, unknown>;
  private hnsw: Record<string, unknown>;
  private optimizers: Record<string, unknown>;
  private readonly wal: Record<string, unknown>;
  private readonly metadata: Record<string, unknown> | null;
  private operationId = 0;

  constructor(
    readonly name: string,
    body: Record<string, any>,
  ) {
    for (const key of ['quantization_config', 'sharding_method', 'strict_mode_config', 'init_from']) if (body[key] != null) throw new NotImplemented(`creating a collection with ${key}`);
    const vectors = body.vectors ?? {};
    const single = typeof vectors.size === 'number' && typeof vectors.distance === 'string';
    for (const [name, params] of Object.entries<any>(single ? { [DEFAULT_VECTOR]: vectors } : vectors)) {
      if (params.multivector_config) throw new NotImplemented('multivectors');
      if (params.quantization_config) throw new NotImplemented('vector quantization');
      this.denseConfig.set(name, { size: params.size, distance: params.distance, raw: withoutNulls(params) });
    }
    for (const [name, params] of Object.entries<any>(body.sparse_vectors ?? {})) this.sparseConfig.set(name, withoutNulls(params));
    this.params = {
      shard_number: body.shard_number ?? 1,
      replication_factor: body.replication_factor ?? 1,
      write_consistency_factor: body.write_consistency_factor ?? 1,
      on_disk_payload: body.on_disk_payload ?? true,
      ...(body.payload ? { payload: withoutNulls(body.payload) } : {}),
    };
    this.hnsw = { ...DEFAULT_HNSW, ...withoutNulls(body.hnsw_config) };
    this.optimizers = { ...DEFAULT_OPTIMIZERS, ...withoutNulls(body.optimizers_config) };
    this.wal = { ...DEFAULT_WAL, ...withoutNulls(body.wal_config) };
    this.metadata = body.metadata ?? null;
  }

  /** PATCH /collections/{name}: merges what the request changes, as Qdrant does. */
  update(body: Record<string, any>): void {
    for (const key of ['quantization_config', 'strict_mode_config']) if (body[key] != null) throw new NotImplemented(`updating ${key}`);
    if (body.optimizers_config) this.optimizers = { ...this.optimizers, ...withoutNulls(body.optimizers_config) };
    if (body.hnsw_config) this.hnsw = { ...this.hnsw, ...withoutNulls(body.hnsw_config) };
    if (body.params) Object.assign(this.params, withoutNulls(body.params));
    for (const [name, diff] of Object.entries<any>(body.vectors ?? {})) {
      const config = this.denseConfig.get(name);
      if (!config) throw new QdrantError(400, `Wrong input: Not existing vector name error: ${name}`);
      Object.assign(config.raw, withoutNulls(diff));
    }
    for (const [name, diff] of Object.entries<any>(body.sparse_vectors ?? {})) {
      const config = this.sparseConfig.get(name);
      if (!config) throw new QdrantError(400, `Wrong input: Not existing vector name error: ${name}`);
      Object.assign(config, withoutNulls(diff));
    }
  }

  /** The CollectionInfo Qdrant answers GET /collections/{name} with. */
  info(): Record<string, unknown> {
    const single = this.denseConfig.size === 1 && this.denseConfig.has(DEFAULT_VECTOR);
    const vectors = single ? this.denseConfig.get(DEFAULT_VECTOR)!.raw : Object.fromEntries([...this.denseConfig].map(([name, c]) => [name, c.raw]));
    const payloadSchema = Object.fromEntries(
      [...this.payloadIndexes].map(([field, index]) => [field, { ...index, points: [...this.points.values()].filter((p) => valuesCount(p.payload, field) > 0).length }]),
    );
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: this.points.size,
      segments_count: 1,
      config: {
        params: { vectors, ...this.params, ...(this.sparseConfig.size ? { sparse_vectors: Object.fromEntries(this.sparseConfig) } : {}) },
        hnsw_config: this.hnsw,
        optimizer_config: this.optimizers,
        wal_config: this.wal,
        quantization_config: null,
        ...(this.metadata ? { metadata: this.metadata } : {}),
      },
      payload_schema: payloadSchema,
    };
  }

  nextOperation(): number {
    return this.operationId++;
  }

  denseDistance(name: string): Distance | undefined {
    return this.denseConfig.get(name)?.distance;
  }

  isSparse(name: string): boolean {
    return this.sparseConfig.has(name);
  }

  sparseModifier(name: string): string | undefined {
    return this.sparseConfig.get(name)?.modifier as string | undefined;
  }

  filterContext(): FilterContext {
    return { normaliseId, textIndexed: (key) => this.payloadIndexes.get(key)?.data_type === 'text' };
  }

  matching(filter: Record<string, any> | null | undefined): StoredPoint[] {
    const ctx = this.filterContext();
    return [...this.points.values()].filter((p) => matchesFilter(filter, p, ctx)).sort((a, b) => compareIds(a.id, b.id));
  }

  /** Checks one dense vector against its config, normalising it for Cosine as Qdrant does at insert. */
  prepareDense(name: string, vector: unknown): number[] {
    const config = this.denseConfig.get(name);
    if (!config) throw new QdrantError(400, `Wrong input: Not existing vector name error: ${name === DEFAULT_VECTOR ? '(default vector)' : name}`);
    if (!Array.isArray(vector) || vector.some((x) => typeof x !== 'number')) {
      if (Array.isArray(vector)) throw new NotImplemented('multivectors');
      throw new QdrantError(400, `Wrong input: Conversion between sparse and regular vectors failed for vector \`${name}\``);
    }
    if (vector.length !== config.size) throw new QdrantError(400, `Wrong input: Vector dimension error: expected dim: ${config.size}, got ${vector.length}`);
    return config.distance === 'Cosine' ? normalise(vector) : [...vector];
  }

  prepareSparse(name: string, vector: unknown): SparseVector {
    if (!this.sparseConfig.has(name)) throw new QdrantError(400, `Wrong input: Not existing vector name error: ${name}`);
    const v = vector as SparseVector;
    if (!v || !Array.isArray(v.indices) || !Array.isArray(v.values)) throw new QdrantError(400, `Wrong input: Conversion between sparse and regular vectors failed for vector \`${name}\``);
    if (v.indices.length !== v.values.length) throw new QdrantError(400, 'Validation error in JSON body: [indices: must be the same length as values]');
    if (new Set(v.indices).size !== v.indices.length) throw new QdrantError(400, 'Validation error in JSON body: [indices: must be unique]');
    const order = v.indices.map((_, i) => i).sort((a, b) => v.indices[a]! - v.indices[b]!);
    return { indices: order.map((i) => v.indices[i]!), values: order.map((i) => v.values[i]!) };
  }

  /** Turns a point's `vector` field (unnamed array, or named map of dense/sparse) into stored vectors. */
  prepareVectors(vector: unknown): Pick<StoredPoint, 'dense' | 'sparse'> {
    const dense = new Map<string, number[]>();
    const sparse = new Map<string, SparseVector>();
    if (Array.isArray(vector)) {
      dense.set(DEFAULT_VECTOR, this.prepareDense(DEFAULT_VECTOR, vector));
    } else if (vector && typeof vector === 'object') {
      if (needsInference(vector)) throw new NotImplemented('server-side inference (Document, Image or InferenceObject vectors)');
      for (const [name, value] of Object.entries(vector)) {
        if (needsInference(value)) throw new NotImplemented('server-side inference (Document, Image or InferenceObject vectors)');
        if (this.isSparse(name)) sparse.set(name, this.prepareSparse(name, value));
        else dense.set(name, this.prepareDense(name, value));
      }
    }
    return { dense, sparse };
  }

  upsert(id: unknown, vector: unknown, payload: Record<string, unknown> | null | undefined, version: number): void {
    const key = normaliseId(id);
    const { dense, sparse } = this.prepareVectors(vector);
    const vectorNames = new Set([...dense.keys(), ...sparse.keys()]);
    this.points.set(key, { id: key, version, dense, sparse, vectorNames, payload: structuredClone(payload ?? {}) });
  }
}

/** Document, Image and InferenceObject inputs all name the `model` Qdrant would run. */
const needsInference = (value: unknown) => !!value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { model?: unknown }).model === 'string';

export function normalise(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm === 0 ? [...vector] : vector.map((x) => x / norm);
}

function valuesCount(payload: Record<string, unknown>, field: string): number {
  let value: unknown = payload;
  for (const step of field.replace(/\[\d*\]/g, '').split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  return value === undefined || value === null ? 0 : Array.isArray(value) ? value.length : 1;
}
