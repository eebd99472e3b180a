// The Qdrant collection of the passages: created on the first write, with a sparse vector for term
// matching (IDF applied by Qdrant), a dense vector once vectors come, and the payload indexes that
// the filters use. An existing collection is checked against that schema, never recreated.
import type { QdrantClient } from '@qdrant/js-client-rest';
import { IndexUnavailableError, ReindexRequiredError } from '../errors.js';
import type { CollectionLayout } from '../config.js';
import type { VectorSpace } from './passage-index.js';

export const sparseVectorName = 'terms';
export const denseVectorName = 'dense';

type FieldSchema = { type: 'keyword'; is_tenant?: boolean } | { type: 'integer' } | { type: 'datetime' };

/** The payload fields that filters use, and their index. */
export const payloadIndexes: Record<string, FieldSchema> = {
  document_id: { type: 'keyword' },
  document_version: { type: 'integer' },
  // Most searches filter by source: Qdrant keeps each source's points together.
  source: { type: 'keyword', is_tenant: true },
  updated_at: { type: 'datetime' },
  input_hash: { type: 'keyword' },
  vector_space: { type: 'keyword' },
  // Every search filters by the document's readers (a list of principals).
  readers: { type: 'keyword' },
};

/** What the code needs to know of an existing collection. */
export interface CollectionSchema {
  /** Size of its dense vector; null when it was created without one. */
  denseSize: number | null;
}

/** Runs one client call, explaining its failure; `action` names what it does. */
export type QdrantCall = <T>(action: string, call: (client: QdrantClient) => Promise<T>) => Promise<T>;

export class QdrantCollection {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly call: QdrantCall,
    private readonly layout: CollectionLayout = { shardNumber: 1, replicationFactor: 1 },
  ) {}

  /** The collection's schema, checked; null when it does not exist. Missing payload indexes are created. */
  async open(): Promise<CollectionSchema | null> {
    const { exists } = await this.call('checking the collection', (client) => client.collectionExists(this.name));
    if (!exists) return null;
    const info = await this.call('reading the collection', (client) => client.getCollection(this.name));
    const schema = this.check(info as unknown as CollectionInfo);
    await this.createPayloadIndexes(Object.keys((info as unknown as CollectionInfo).payload_schema ?? {}));
    return schema;
  }

  /**
   * Creates the collection, with a dense vector when the space of its first vectors is known.
   * `deferIndexing` (a re-index's bulk load): no HNSW graph is built (`m: 0`) until enableIndexing.
   */
  async create(space: VectorSpace | null, { deferIndexing = false } = {}): Promise<CollectionSchema> {
    await this.call('creating the collection', (client) =>
      client.createCollection(this.name, {
        vectors: space ? { [denseVectorName]: { size: space.dimensions, distance: 'Cosine' } } : {},
        sparse_vectors: { [sparseVectorName]: { modifier: 'idf' } },
        shard_number: this.layout.shardNumber,
        replication_factor: this.layout.replicationFactor,
        ...(deferIndexing ? { hnsw_config: { m: 0 } } : {}),
      }),
    );
    await this.createPayloadIndexes([]);
    return { denseSize: space?.dimensions ?? null };
  }

  /** Builds the HNSW graph of dense vectors (Qdrant's default `m`), after a bulk load without it. */
  async enableIndexing(): Promise<void> {
    await this.call('enabling the vector index', (client) => client.updateCollection(this.name, { hnsw_config: { m: 16 } }));
  }

  /** Refuses vectors the collection cannot hold: none made (no dense vector) or of another size. */
  checkVectors(schema: CollectionSchema, space: VectorSpace): void {
    if (schema.denseSize === space.dimensions) return;
    const has = schema.denseSize === null ? 'was created without dense vectors (keyword search only)' : `holds dense vectors of ${schema.denseSize} dimensions`;
    throw new ReindexRequiredError(
      `the Qdrant collection "${this.name}" at ${this.url} ${has}, and the embedding model "${space.model}" makes vectors of ${space.dimensions} dimensions. ` +
        'Nothing was changed. A collection cannot change its vectors: run "groundwork sync --reindex", which builds a new collection beside this one and switches to it when it is complete.',
    );
  }

  private async createPayloadIndexes(existing: string[]): Promise<void> {
    for (const [field, schema] of Object.entries(payloadIndexes)) {
      if (existing.includes(field)) continue;
      await this.call('creating a payload index', (client) =>
        client.createPayloadIndex(this.name, { field_name: field, field_schema: schema.type === 'keyword' && !schema.is_tenant ? 'keyword' : schema.type === 'keyword' ? schema : schema.type, wait: true }),
      );
    }
  }

  /** What differs from the schema this code writes, as one message; the schema when nothing does. */
  private check(info: CollectionInfo): CollectionSchema {
    const differences: string[] = [];
    const params = info.config?.params ?? {};
    const vectors = params.vectors ?? {};
    let denseSize: number | null = null;
    if (typeof (vectors as { size?: unknown }).size === 'number') {
      differences.push('it has an unnamed dense vector, not one named "dense"');
    } else {
      for (const [name, config] of Object.entries(vectors as Record<string, { size?: number; distance?: string }>)) {
        if (name !== denseVectorName) differences.push(`it has a dense vector "${name}" this code does not write`);
        else if (config.distance !== 'Cosine') differences.push(`its dense vector "${name}" uses ${config.distance} distance, not Cosine`);
        else denseSize = config.size ?? null;
      }
    }
    const sparse = params.sparse_vectors?.[sparseVectorName];
    if (!sparse) differences.push(`it has no sparse vector "${sparseVectorName}"`);
    else if (sparse.modifier !== 'idf') differences.push(`its sparse vector "${sparseVectorName}" has modifier ${sparse.modifier ?? 'none'}, not idf`);
    for (const [field, index] of Object.entries(info.payload_schema ?? {})) {
      const wanted = payloadIndexes[field];
      if (wanted && index.data_type !== wanted.type) differences.push(`its payload index on "${field}" is ${index.data_type}, not ${wanted.type}`);
    }
    if (differences.length > 0) {
      throw new IndexUnavailableError(
        `The Qdrant collection "${this.name}" at ${this.url} does not have the schema Groundwork writes: ${differences.join('; ')}. ` +
          'Nothing was changed: set QDRANT_COLLECTION to another prefix, or delete the collection and run "groundwork sync".',
      );
    }
    return { denseSize };
  }
}

/** The part of Qdrant's CollectionInfo the check reads. */
interface CollectionInfo {
  config?: {
    params?: {
      vectors?: Record<string, { size?: number; distance?: string }> | { size: number; distance: string };
      sparse_vectors?: Record<string, { modifier?: string | null }>;
    };
  };
  payload_schema?: Record<string, { data_type: string }>;
}
