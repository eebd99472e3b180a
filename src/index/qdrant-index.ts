// The passage index on Qdrant: one point per chunk of a document version, with a sparse vector of
// its terms (BM25-style candidates; IDF by Qdrant) and, when embedded, a dense vector; the payload
// holds what a search hit shows. Readers keep the catalogue's current version of each document
// (Qdrant only filters; the catalogue decides), and the term statistics retrieval ranks with are
// kept in the catalogue's store, added and removed with each version's points.
import type { QdrantClient } from '@qdrant/js-client-rest';
import pLimit from 'p-limit';
import type { Chunk, DocumentInfo } from '../domain.js';
import { IndexUnavailableError, InternalError, ReindexRequiredError } from '../errors.js';
import { analysisVersion, searchTerms } from '../retrieval/tokenize.js';
import type { DocumentCatalogue } from './catalogue.js';
import { createQdrantClient, explainQdrantFailure, type QdrantConnectionOptions } from './qdrant-client.js';
import { denseVectorName, QdrantCollection, sparseVectorName, type CollectionSchema } from './qdrant-collection.js';
import { fromPayload, pointId, recordPointId, spaceKey, toPayload } from './qdrant-points.js';
import type { CollectionLayout } from '../config.js';
import type { IndexedChunk, IndexedDocument, PassageIndex, SearchHit, SearchQuery, TermStatistics, VectorQuery, VectorSpace } from './passage-index.js';
import { analyseChunk, querySparse } from './sparse-terms.js';
import type { TermStatisticsStore } from './term-statistics.js';

export interface QdrantIndexOptions extends QdrantConnectionOptions {
  /** The collection is `<prefix>-passages`. */
  collectionPrefix: string;
  /** Points per upsert request (64 to 256 keeps each request well under Qdrant's limits). */
  batchSize?: number;
  /** Shards and replicas of the collection when it is created (one of each unless given). */
  layout?: CollectionLayout;
}

export interface QdrantIndexDependencies {
  /** Which version of each document readers see. */
  catalogue: Pick<DocumentCatalogue, 'currentVersions'>;
  termStatistics: TermStatisticsStore;
  /** A client of one's own (tests); made from the options otherwise. */
  client?: QdrantClient;
}

type Filter = Record<string, unknown>;
type Condition = Record<string, unknown>;

const uploadsInFlight = 2;
const scrollPage = 256;

/** The index's own record, in the reserved point's payload. */
interface IndexRecord {
  vector_space: VectorSpace | null;
  analysis_version: number;
}

const match = (key: string, value: string | number): Condition => ({ key, match: { value } });

export class QdrantIndex implements PassageIndex {
  readonly collectionName: string;
  private readonly client: QdrantClient;
  private readonly collection: QdrantCollection;
  private readonly batchSize: number;
  /** The checked schema, once the collection is known to exist. */
  private schema: Promise<CollectionSchema | null> | null = null;

  constructor(
    private readonly options: QdrantIndexOptions,
    private readonly deps: QdrantIndexDependencies,
  ) {
    this.collectionName = `${options.collectionPrefix}-passages`;
    this.client = deps.client ?? createQdrantClient(options);
    this.collection = new QdrantCollection(this.collectionName, options.url, (action, call) => this.call(action, call), options.layout);
    this.batchSize = Math.min(256, Math.max(1, options.batchSize ?? 128));
  }

  private async call<T>(action: string, call: (client: QdrantClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.client);
    } catch (error) {
      // The collection may have been deleted under us: look again next time.
      if ((error as { status?: number }).status === 404) this.schema = null;
      throw explainQdrantFailure(error, this.options.url, action, this.options.timeoutMs);
    }
  }

  /** The collection's schema, or null while it does not exist (reads then find nothing). */
  private opened(): Promise<CollectionSchema | null> {
    if (!this.schema) {
      const opening = this.collection.open();
      this.schema = opening;
      // Only an existing collection is remembered; a failure or absence is asked again.
      opening.then(
        (schema) => {
          if (schema === null && this.schema === opening) this.schema = null;
        },
        () => {
          if (this.schema === opening) this.schema = null;
        },
      );
    }
    return this.schema;
  }

  /** The collection for a write, created if absent (with a dense vector when `space` is given). */
  private async writable(space: VectorSpace | null): Promise<CollectionSchema> {
    const existing = await this.opened();
    if (existing) return existing;
    const created = await this.collection.create(space);
    this.schema = Promise.resolve(created);
    await this.writeRecord({ vector_space: null, analysis_version: analysisVersion });
    return created;
  }

  private async readRecord(): Promise<IndexRecord | null> {
    if (!(await this.opened())) return null;
    const points = await this.call('reading the index record', (client) => client.retrieve(this.collectionName, { ids: [recordPointId], with_payload: true, with_vector: false }));
    if (!Array.isArray(points)) throw this.malformed('reading the index record');
    const payload = points[0]?.payload as Partial<IndexRecord> | undefined;
    if (!payload) return null;
    const space = payload.vector_space;
    if (space !== null && (typeof space?.model !== 'string' || typeof space.dimensions !== 'number')) throw this.malformed('reading the index record');
    return { vector_space: space ?? null, analysis_version: payload.analysis_version ?? analysisVersion };
  }

  private async writeRecord(record: IndexRecord): Promise<void> {
    await this.call('writing the index record', (client) =>
      client.upsert(this.collectionName, { wait: true, points: [{ id: recordPointId, vector: {}, payload: { ...record } }] }),
    );
  }

  private malformed(action: string): IndexUnavailableError {
    return new IndexUnavailableError(`Qdrant at ${this.options.url} answered ${action} with something that is not a Qdrant answer`);
  }

  async writeVersion(document: IndexedDocument, version: number, chunks: IndexedChunk[], space?: VectorSpace): Promise<void> {
    const withVectors = chunks.some((chunk) => chunk.embedding);
    if (withVectors && !space) throw new InternalError('chunks with vectors need their vector space');
    const ids = new Set<string>();
    for (const chunk of chunks) {
      if (ids.has(chunk.id)) throw new InternalError(`two chunks of document ${document.id} have the id ${chunk.id}`);
      ids.add(chunk.id);
    }
    const schema = await this.writable(withVectors ? space! : null);
    if (withVectors) await this.useVectorSpace(schema, space!);

    // Whatever an interrupted write of this version left goes first, so that the version holds exactly these chunks.
    await this.deletePoints({ must: [match('document_id', document.id), match('document_version', version)] });
    const titleTerms = searchTerms(document.title);
    const summaries: Array<{ terms: Set<string>; tokenCount: number }> = [];
    const points = chunks.map(({ embedding, ...chunk }) => {
      const analysed = analyseChunk(titleTerms, chunk.headingPath, chunk.text);
      summaries.push({ terms: analysed.distinctTerms, tokenCount: chunk.tokenCount });
      const vector: Record<string, number[] | { indices: number[]; values: number[] }> = {};
      if (analysed.sparse.indices.length > 0) vector[sparseVectorName] = analysed.sparse;
      if (embedding) vector[denseVectorName] = Array.from(embedding.vector);
      return {
        id: pointId(document.id, chunk.id, version),
        vector,
        payload: toPayload(document, version, chunk, analysed.bodyTerms, embedding ? { inputHash: embedding.inputHash, space: space! } : null) as unknown as Record<string, unknown>,
      };
    });
    const limit = pLimit(uploadsInFlight);
    const batches: Array<typeof points> = [];
    for (let at = 0; at < points.length; at += this.batchSize) batches.push(points.slice(at, at + this.batchSize));
    await Promise.all(batches.map((batch) => limit(() => this.call('writing passages', (client) => client.upsert(this.collectionName, { wait: true, points: batch })))));
    await this.deps.termStatistics.record(document.id, version, summaries);
  }

  /** Sets the space of the index's first vectors; refuses vectors of another space. */
  private async useVectorSpace(schema: CollectionSchema, space: VectorSpace): Promise<void> {
    const record = await this.readRecord();
    const current = record?.vector_space ?? null;
    if (current && (current.model !== space.model || current.dimensions !== space.dimensions)) {
      throw new ReindexRequiredError(
        `the index holds vectors of ${describeSpace(current)}, not of ${describeSpace(space)}: run "groundwork sync --reindex" to embed every passage again`,
      );
    }
    this.collection.checkVectors(schema, space);
    if (!current) await this.writeRecord({ vector_space: space, analysis_version: record?.analysis_version ?? analysisVersion });
  }

  private async deletePoints(filter: Filter): Promise<void> {
    if (!(await this.opened())) return;
    await this.call('deleting passages', (client) => client.delete(this.collectionName, { wait: true, filter }));
  }

  async deleteOtherVersions(documentId: string, keep: number): Promise<void> {
    await this.deletePoints({ must: [match('document_id', documentId)], must_not: [match('document_version', keep)] });
    await this.deps.termStatistics.forget(documentId, { except: keep });
  }

  async deleteDocuments(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.deletePoints({ must: [{ key: 'document_id', match: { any: ids } }] });
    for (const id of ids) await this.deps.termStatistics.forget(id, 'all');
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.terms.length === 0 || !(await this.opened())) return [];
    const must = query.sources ? [{ key: 'source', match: { any: query.sources } }] : [];
    return this.query('searching passages', { query: querySparse(query.terms), using: sparseVectorName, ...(must.length ? { filter: { must } } : {}) }, query.limit);
  }

  async searchVectors(query: VectorQuery): Promise<SearchHit[]> {
    const space = (await this.readRecord())?.vector_space;
    if (!space || (await this.opened())?.denseSize !== space.dimensions || query.vector.length !== space.dimensions) return [];
    const must: Condition[] = [match('vector_space', spaceKey(space))];
    if (query.sources) must.push({ key: 'source', match: { any: query.sources } });
    return this.query('searching vectors', { query: Array.from(query.vector), using: denseVectorName, filter: { must } }, query.limit);
  }

  /**
   * Runs a query for a few more points than asked, since some may belong to a version readers do
   * not see (written before its commit, or not deleted yet), and keeps the current ones.
   */
  private async query(action: string, request: Record<string, unknown>, limit: number): Promise<SearchHit[]> {
    const asked = limit + Math.max(10, Math.ceil(limit / 4));
    const answer = await this.call(action, (client) => client.query(this.collectionName, { ...request, limit: asked, with_payload: true } as Parameters<QdrantClient['query']>[1]));
    if (!Array.isArray(answer?.points)) throw this.malformed(action);
    const hits = answer.points.map((point) => {
      const stored = fromPayload(point.payload);
      if (!stored || typeof point.score !== 'number') throw this.malformed(action);
      return { ...stored, relevance: point.score };
    });
    const current = await this.deps.catalogue.currentVersions([...new Set(hits.map((hit) => hit.document.id))]);
    return hits
      .filter((hit) => current.get(hit.document.id) === hit.version)
      .slice(0, limit)
      .map(({ chunk, document, bodyTerms, relevance }) => ({ chunk, document, bodyTerms, relevance }));
  }

  async termStatistics(terms: string[]): Promise<TermStatistics> {
    return this.deps.termStatistics.statistics(terms);
  }

  async termsStartingWith(prefix: string): Promise<Map<string, number>> {
    return this.deps.termStatistics.startingWith(prefix);
  }

  async documentChunks(documentId: string): Promise<{ document: DocumentInfo; chunks: Chunk[] } | null> {
    const version = (await this.deps.catalogue.currentVersions([documentId])).get(documentId);
    if (version === undefined) return null;
    const points = await this.scroll('reading a document', { must: [match('document_id', documentId), match('document_version', version)] }, true, false);
    const stored = points.map((point) => fromPayload(point.payload) ?? this.fail('reading a document'));
    if (stored.length === 0) return null;
    stored.sort((a, b) => a.chunk.position - b.chunk.position);
    return { document: stored[0]!.document, chunks: stored.map((s) => s.chunk) };
  }

  private fail(action: string): never {
    throw this.malformed(action);
  }

  /** Every point matching the filter, page by page. */
  private async scroll(action: string, filter: Filter, withPayload: boolean | string[], withVector: boolean | string[]): Promise<Array<{ id: unknown; payload?: unknown; vector?: unknown }>> {
    if (!(await this.opened())) return [];
    const points: Array<{ id: unknown; payload?: unknown; vector?: unknown }> = [];
    let offset: string | number | undefined;
    for (;;) {
      const page = await this.call(action, (client) =>
        client.scroll(this.collectionName, { filter, limit: scrollPage, with_payload: withPayload, with_vector: withVector, ...(offset !== undefined ? { offset } : {}) }),
      );
      if (!Array.isArray(page?.points)) throw this.malformed(action);
      points.push(...page.points);
      const next = page.next_page_offset;
      if (next === null || next === undefined || typeof next === 'object') return points;
      offset = next;
    }
  }

  private async count(action: string, filter: Filter): Promise<number> {
    if (!(await this.opened())) return 0;
    const answer = await this.call(action, (client) => client.count(this.collectionName, { filter, exact: true }));
    if (typeof answer?.count !== 'number') throw this.malformed(action);
    return answer.count;
  }

  async chunkCount(): Promise<number> {
    return this.count('counting passages', { must_not: [{ has_id: [recordPointId] }] });
  }

  async vectorSpace(): Promise<VectorSpace | null> {
    return (await this.readRecord())?.vector_space ?? null;
  }

  /**
   * Forgets the space: points keep their dense vectors until they are written again, but every
   * vector read (search, reuse, count) asks for the current space's points only, so none is used.
   */
  async resetVectors(): Promise<void> {
    const record = await this.readRecord();
    if (record?.vector_space) await this.writeRecord({ ...record, vector_space: null });
  }

  async storedVectors(inputHashes: string[]): Promise<Map<string, Float32Array>> {
    const vectors = new Map<string, Float32Array>();
    const space = inputHashes.length > 0 ? (await this.readRecord())?.vector_space : null;
    if (!space) return vectors;
    for (let at = 0; at < inputHashes.length; at += scrollPage) {
      const filter = { must: [{ key: 'input_hash', match: { any: inputHashes.slice(at, at + scrollPage) } }, match('vector_space', spaceKey(space))] };
      for (const point of await this.scroll('reading stored vectors', filter, ['input_hash'], [denseVectorName])) {
        const hash = (point.payload as { input_hash?: unknown } | undefined)?.input_hash;
        const vector = (point.vector as Record<string, unknown> | undefined)?.[denseVectorName];
        if (typeof hash !== 'string' || !Array.isArray(vector)) throw this.malformed('reading stored vectors');
        if (!vectors.has(hash)) vectors.set(hash, Float32Array.from(vector as number[]));
      }
    }
    return vectors;
  }

  async vectorCount(): Promise<number> {
    const space = await this.vectorSpace();
    return space ? this.count('counting vectors', { must: [match('vector_space', spaceKey(space))] }) : 0;
  }
}

function describeSpace(space: VectorSpace): string {
  return `the embedding model "${space.model}" (${space.dimensions} dimensions)`;
}
