// The points of one Qdrant collection, addressed by a name (the alias, or one generation during a
// re-index): writing a document version's points in batches, deleting, scrolling, counting,
// querying, the index's own record, and copying versions from another collection.
import type { QdrantClient } from '@qdrant/js-client-rest';
import pLimit from 'p-limit';
import { IndexUnavailableError } from '../errors.js';
import { analysisVersion, searchTerms } from '../retrieval/tokenize.js';
import { denseVectorName, sparseVectorName, type QdrantCall } from './qdrant-collection.js';
import { fromPayload, pointId, readersOf, recordPointId, spaceKey, toPayload } from './qdrant-points.js';
import type { DocumentAccess, IndexedChunk, IndexedDocument, ReaderChange, VectorSpace } from './passage-index.js';
import { analyseChunk } from './sparse-terms.js';
import type { ChunkTermSummary } from './term-statistics.js';

export type Filter = Record<string, unknown>;
export type Condition = Record<string, unknown>;
export type ScrolledPoint = { id: unknown; payload?: unknown; vector?: unknown };

const uploadsInFlight = 2;
export const scrollPage = 256;
/** Document ids per set_payload request that gives documents their readers. */
const documentsPerReadersUpdate = 1000;

/** The index's own record, in the reserved point's payload. */
export interface IndexRecord {
  vector_space: VectorSpace | null;
  analysis_version: number;
  /** The access policy the points' readers follow (PassageIndex.accessFingerprint); null before any. */
  access_fingerprint: string | null;
}

/** What access rules match on in a stored version, and its readers: document id -> version -> access. */
export type StoredAccess = Map<string, Map<number, DocumentAccess>>;

export const match = (key: string, value: string | number): Condition => ({ key, match: { value } });
export const versionFilter = (documentId: string, version: number): Filter => ({ must: [match('document_id', documentId), match('document_version', version)] });
export const otherVersions = (documentId: string, keep: number): Filter => ({ must: [match('document_id', documentId)], must_not: [match('document_version', keep)] });
export const documentsFilter = (ids: string[]): Filter => ({ must: [{ key: 'document_id', match: { any: ids } }] });

export class QdrantPassages {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly call: QdrantCall,
    private readonly batchSize: number,
  ) {}

  malformed(action: string): IndexUnavailableError {
    return new IndexUnavailableError(`Qdrant at ${this.url} answered ${action} with something that is not a Qdrant answer`);
  }

  async readRecord(): Promise<IndexRecord | null> {
    const points = await this.call('reading the index record', (client) => client.retrieve(this.name, { ids: [recordPointId], with_payload: true, with_vector: false }));
    if (!Array.isArray(points)) throw this.malformed('reading the index record');
    const payload = points[0]?.payload as Partial<IndexRecord> | undefined;
    if (!payload) return null;
    const space = payload.vector_space;
    if (space !== null && (typeof space?.model !== 'string' || typeof space.dimensions !== 'number')) throw this.malformed('reading the index record');
    const fingerprint = payload.access_fingerprint;
    if (fingerprint !== undefined && fingerprint !== null && typeof fingerprint !== 'string') throw this.malformed('reading the index record');
    return { vector_space: space ?? null, analysis_version: payload.analysis_version ?? analysisVersion, access_fingerprint: fingerprint ?? null };
  }

  async writeRecord(record: IndexRecord): Promise<void> {
    await this.call('writing the index record', (client) => client.upsert(this.name, { wait: true, points: [{ id: recordPointId, vector: {}, payload: { ...record } }] }));
  }

  /**
   * Changes some fields of the record and keeps the others (set_payload merges), so that two
   * writers of different fields (the sync's vector space, a server's access fingerprint) do not
   * undo each other's change.
   */
  async updateRecord(fields: Partial<IndexRecord>): Promise<void> {
    const record = await this.readRecord();
    if (!record) {
      await this.writeRecord({ vector_space: null, analysis_version: analysisVersion, access_fingerprint: null, ...fields });
      return;
    }
    await this.call('writing the index record', (client) => client.setPayload(this.name, { wait: true, points: [recordPointId], payload: { ...fields } }));
  }

  /**
   * Gives documents new readers in every version they have here (one set_payload request per
   * readers set and per thousand documents, filtered by document id), then records the fingerprint
   * of the access policy they follow.
   */
  async setReaders(changes: ReaderChange[], fingerprint: string | null): Promise<void> {
    for (const { documentIds, readers } of changes) {
      const payload = { readers: [...new Set(readers)] };
      for (let at = 0; at < documentIds.length; at += documentsPerReadersUpdate) {
        const filter = documentsFilter(documentIds.slice(at, at + documentsPerReadersUpdate));
        await this.call('setting the readers of documents', (client) => client.setPayload(this.name, { wait: true, filter, payload }));
      }
    }
    await this.updateRecord({ access_fingerprint: fingerprint });
  }

  /** Each stored version's access, read from its points (only the fields access needs). */
  async storedAccess(): Promise<StoredAccess> {
    const stored: StoredAccess = new Map();
    const fields = ['document_id', 'document_version', 'source', 'path', 'labels', 'readers', 'title', 'updated_at'];
    for (const point of await this.scroll('listing the readers of documents', { must_not: [{ has_id: [recordPointId] }] }, fields, false)) {
      const p = (point.payload ?? {}) as { document_id?: unknown; document_version?: unknown; source?: unknown; path?: unknown; labels?: unknown; readers?: unknown; title?: unknown; updated_at?: unknown };
      if (typeof p.document_id !== 'string' || typeof p.document_version !== 'number' || typeof p.source !== 'string' || typeof p.path !== 'string') {
        throw this.malformed('listing the readers of documents');
      }
      const versions = stored.get(p.document_id) ?? new Map<number, DocumentAccess>();
      stored.set(p.document_id, versions);
      if (versions.has(p.document_version)) continue;
      const labels = Array.isArray(p.labels) ? p.labels.map(String) : [];
      const title = typeof p.title === 'string' ? p.title : '';
      const updatedAt = typeof p.updated_at === 'string' ? new Date(p.updated_at) : null;
      versions.set(p.document_version, { id: p.document_id, source: p.source, path: p.path, labels, readers: readersOf(p), title, updatedAt });
    }
    return stored;
  }

  /**
   * Writes a version's points over whatever an interrupted write of it left, so that the version
   * holds exactly these chunks; returns what the term statistics record of them.
   */
  async writeVersion(document: IndexedDocument, version: number, chunks: IndexedChunk[], space: VectorSpace | undefined): Promise<ChunkTermSummary[]> {
    await this.deletePoints(versionFilter(document.id, version));
    const titleTerms = searchTerms(document.title);
    const summaries: ChunkTermSummary[] = [];
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
    await this.upsert(points);
    return summaries;
  }

  async upsert(points: Array<{ id: string | number; vector: Record<string, unknown>; payload: Record<string, unknown> }>): Promise<void> {
    const limit = pLimit(uploadsInFlight);
    const batches: Array<typeof points> = [];
    for (let at = 0; at < points.length; at += this.batchSize) batches.push(points.slice(at, at + this.batchSize));
    await Promise.all(
      batches.map((batch) => limit(() => this.call('writing passages', (client) => client.upsert(this.name, { wait: true, points: batch as Array<{ id: string | number; vector: Record<string, number[]>; payload: Record<string, unknown> }> })))),
    );
  }

  async deletePoints(filter: Filter): Promise<void> {
    await this.call('deleting passages', (client) => client.delete(this.name, { wait: true, filter }));
  }

  /** Every point matching the filter, page by page. */
  async scroll(action: string, filter: Filter, withPayload: boolean | string[], withVector: boolean | string[]): Promise<ScrolledPoint[]> {
    const points: ScrolledPoint[] = [];
    let offset: string | number | undefined;
    for (;;) {
      const page = await this.call(action, (client) =>
        client.scroll(this.name, { filter, limit: scrollPage, with_payload: withPayload, with_vector: withVector, ...(offset !== undefined ? { offset } : {}) }),
      );
      if (!Array.isArray(page?.points)) throw this.malformed(action);
      points.push(...page.points);
      const next = page.next_page_offset;
      if (next === null || next === undefined || typeof next === 'object') return points;
      offset = next;
    }
  }

  async count(action: string, filter: Filter): Promise<number> {
    const answer = await this.call(action, (client) => client.count(this.name, { filter, exact: true }));
    if (typeof answer?.count !== 'number') throw this.malformed(action);
    return answer.count;
  }

  /** Runs a query and reads each hit's stored chunk and version. */
  async query(action: string, request: Record<string, unknown>, limit: number) {
    const answer = await this.call(action, (client) => client.query(this.name, { ...request, limit, with_payload: true } as Parameters<QdrantClient['query']>[1]));
    return this.readHits(action, answer);
  }

  /** Runs several queries in one request (a query batch); their hits in the order asked. */
  async queryBatch(action: string, requests: Array<{ request: Record<string, unknown>; limit: number }>) {
    const searches = requests.map(({ request, limit }) => ({ ...request, limit, with_payload: true }));
    const answers = await this.call(action, (client) => client.queryBatch(this.name, { searches } as Parameters<QdrantClient['queryBatch']>[1]));
    if (!Array.isArray(answers) || answers.length !== requests.length) throw this.malformed(action);
    return answers.map((answer) => this.readHits(action, answer));
  }

  private readHits(action: string, answer: { points?: unknown } | undefined) {
    if (!Array.isArray(answer?.points)) throw this.malformed(action);
    return (answer.points as Array<{ payload?: unknown; score?: unknown }>).map((point) => {
      const stored = fromPayload(point.payload as Parameters<typeof fromPayload>[0]);
      if (!stored || typeof point.score !== 'number') throw this.malformed(action);
      return { ...stored, relevance: point.score };
    });
  }

  /** Vectors of these embedding inputs in `space`, by input hash. */
  async storedVectors(inputHashes: string[], space: VectorSpace): Promise<Map<string, Float32Array>> {
    const vectors = new Map<string, Float32Array>();
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

  /**
   * Copies a document version's points from another collection, with their dense vectors when
   * `keepDense` (the same vector space), keyword-only otherwise.
   */
  async copyVersion(from: QdrantPassages, documentId: string, version: number, keepDense: boolean): Promise<void> {
    const points = await from.scroll('reading passages to copy', versionFilter(documentId, version), true, keepDense ? [sparseVectorName, denseVectorName] : [sparseVectorName]);
    await this.upsert(
      points.map((point) => {
        if (!fromPayload(point.payload)) throw from.malformed('reading passages to copy');
        const payload = { ...(point.payload as Record<string, unknown>) };
        const vector = { ...((point.vector ?? {}) as Record<string, unknown>) };
        if (!keepDense || !vector[denseVectorName]) Object.assign(payload, { input_hash: null, vector_space: null });
        return { id: point.id as string, vector, payload };
      }),
    );
  }
}
