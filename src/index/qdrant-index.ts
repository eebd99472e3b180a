// The passage index on Qdrant: one point per chunk of a document version, with a sparse vector of
// its terms (BM25-style candidates; IDF by Qdrant) and, when embedded, a dense vector; the payload
// holds what a search hit shows. Readers keep the catalogue's current version of each document
// (Qdrant only filters; the catalogue decides), and the term statistics retrieval ranks with are
// kept in the catalogue's store, added and removed with each version's points. Everything is
// addressed through the alias `<prefix>-passages` (qdrant-generations.ts); a re-index builds a new
// collection behind it (qdrant-rebuild.ts).
import type { QdrantClient } from '@qdrant/js-client-rest';
import type { Chunk, DocumentInfo } from '../domain.js';
import { InternalError } from '../errors.js';
import { analysisVersion } from '../retrieval/tokenize.js';
import type { DocumentCatalogue } from './catalogue.js';
import { createQdrantClient, explainQdrantFailure, type QdrantConnectionOptions } from './qdrant-client.js';
import { denseVectorName, QdrantCollection, sparseVectorName, type CollectionSchema, type QdrantCall } from './qdrant-collection.js';
import { aliasName, findGenerations, generationName, pointAlias } from './qdrant-generations.js';
import { documentsFilter, match, otherVersions, QdrantPassages, versionFilter, type Condition, type Filter } from './qdrant-passages.js';
import { fromPayload, recordPointId, spaceKey } from './qdrant-points.js';
import { QdrantRebuild } from './qdrant-rebuild.js';
import { checkChunks, currentAccess, writeInto, type OpenCollection } from './qdrant-writes.js';
import type { CollectionLayout } from '../config.js';
import type { DocumentAccess, IndexedChunk, IndexedDocument, IndexRebuild, PassageIndex, ReaderChange, SearchHit, SearchQuery, TermStatistics, VectorQuery, VectorSpace } from './passage-index.js';
import { querySparse } from './sparse-terms.js';
import type { TermStatisticsStore } from './term-statistics.js';

export interface QdrantIndexOptions extends QdrantConnectionOptions {
  /** Readers and writers address the alias `<prefix>-passages`; the collections are `<prefix>-passages-<n>`. */
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

/** What `groundwork status` shows of the index (describe). */
export type QdrantDescription =
  | { reachable: true; url: string; alias: string; collection: string | null; aliased: boolean; points: number; denseSize: number | null }
  | { reachable: false; url: string; alias: string; error: string };

export class QdrantIndex implements PassageIndex {
  /** The name readers and writers address: the alias (or a collection made before aliases). */
  readonly collectionName: string;
  readonly call: QdrantCall;
  /** The URL as messages show it (without credentials). */
  private readonly shownUrl: string;
  private readonly batchSize: number;
  /** The collection behind the alias, checked, once known to exist. */
  private opening: Promise<OpenCollection | null> | null = null;

  constructor(
    readonly options: QdrantIndexOptions,
    readonly deps: QdrantIndexDependencies,
  ) {
    this.collectionName = aliasName(options.collectionPrefix);
    const shownUrl = withoutCredentials(options.url);
    this.shownUrl = shownUrl;
    const client = deps.client ?? createQdrantClient(options);
    this.call = async (action, call) => {
      try {
        return await call(client);
      } catch (error) {
        // The collection may have been deleted or switched under us: look again next time.
        if ((error as { status?: number }).status === 404) this.opening = null;
        throw explainQdrantFailure(error, shownUrl, action, options.timeoutMs);
      }
    };
    this.batchSize = Math.min(256, Math.max(1, options.batchSize ?? 128));
  }

  /** A collection by the name it is addressed with. */
  collectionNamed(name: string): { passages: QdrantPassages; collection: QdrantCollection } {
    return {
      passages: new QdrantPassages(name, this.shownUrl, this.call, this.batchSize),
      collection: new QdrantCollection(name, this.shownUrl, this.call, this.options.layout),
    };
  }

  private async openNamed(name: string): Promise<OpenCollection | null> {
    const named = this.collectionNamed(name);
    const schema = await named.collection.open();
    return schema ? { ...named, schema } : null;
  }

  /**
   * The collection readers use, or null while there is none (reads then find nothing). Only the
   * alias's is remembered. Without an alias, the newest generation stands in: the moment between
   * the two requests of migrating a collection made before aliases, or a first collection whose
   * alias was not created yet.
   */
  opened(): Promise<OpenCollection | null> {
    if (!this.opening) {
      const opening = this.openNamed(this.collectionName).then(async (open) => open ?? { fallback: await this.newestGeneration() });
      const remembered = opening.then((open) => ('fallback' in open ? null : open));
      this.opening = remembered;
      remembered.then(
        (open) => {
          if (open === null && this.opening === remembered) this.opening = null;
        },
        () => {
          if (this.opening === remembered) this.opening = null;
        },
      );
      return opening.then((open) => ('fallback' in open ? open.fallback : open));
    }
    return this.opening;
  }

  /** Forgets the collection behind the alias (after switching it). */
  forgetOpened(): void {
    this.opening = null;
  }

  private async newestGeneration(): Promise<OpenCollection | null> {
    const { numbers } = await findGenerations(this.options.collectionPrefix, this.call);
    const newest = numbers.at(-1);
    return newest === undefined ? null : this.openNamed(generationName(this.options.collectionPrefix, newest));
  }

  /**
   * The collection for a write. When there is none, generation 1 is created (with a dense
   * vector when `space` is given) and the alias pointed at it; a generation without an alias
   * gets it.
   */
  private async writable(space: VectorSpace | null): Promise<OpenCollection> {
    const existing = await this.opened();
    if (existing?.passages.name === this.collectionName) return existing;
    const prefix = this.options.collectionPrefix;
    const generations = await findGenerations(prefix, this.call);
    let open = existing;
    if (!open) {
      const named = this.collectionNamed(generationName(prefix, (generations.numbers.at(-1) ?? 0) + 1));
      open = { ...named, schema: await this.createCollection(named, space, false) };
    }
    await pointAlias(prefix, open.passages.name, generations, this.call);
    this.forgetOpened();
    return (await this.opened()) ?? open;
  }

  /** Creates a collection with its record. */
  async createCollection(named: { passages: QdrantPassages; collection: QdrantCollection }, space: VectorSpace | null, deferIndexing: boolean): Promise<CollectionSchema> {
    const schema = await named.collection.create(space, { deferIndexing });
    await named.passages.writeRecord({ vector_space: null, analysis_version: analysisVersion, access_fingerprint: null });
    return schema;
  }

  async writeVersion(document: IndexedDocument, version: number, chunks: IndexedChunk[], space?: VectorSpace): Promise<void> {
    const withVectors = checkChunks(document, chunks, space);
    const target = await this.writable(withVectors ? space! : null);
    const summaries = await writeInto(target, document, version, chunks, withVectors ? space : undefined);
    await this.deps.termStatistics.record(document.id, version, summaries);
  }

  private async deletePoints(filter: Filter): Promise<void> {
    const open = await this.opened();
    if (open) await open.passages.deletePoints(filter);
  }

  async deleteOtherVersions(documentId: string, keep: number): Promise<void> {
    await this.deletePoints(otherVersions(documentId, keep));
    await this.deps.termStatistics.forget(documentId, { except: keep });
  }

  async deleteDocuments(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.deletePoints(documentsFilter(ids));
    for (const id of ids) await this.deps.termStatistics.forget(id, 'all');
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.terms.length === 0 || query.readers.length === 0) return [];
    const open = await this.opened();
    if (!open) return [];
    const [hits] = await this.query(open, 'searching passages', [{ request: sparseRequest(query), limit: query.limit }]);
    return hits!;
  }

  async searchVectors(query: VectorQuery): Promise<SearchHit[]> {
    const target = await this.vectorTarget(query);
    if (!target) return [];
    const [hits] = await this.query(target.open, 'searching vectors', [{ request: target.request, limit: query.limit }]);
    return hits!;
  }

  /** The keyword and the vector query in one query batch: one round trip for a hybrid question. */
  async searchBoth(terms: SearchQuery, vector: VectorQuery): Promise<{ lexical: SearchHit[]; nearest: SearchHit[] }> {
    const target = await this.vectorTarget(vector);
    if (!target || terms.terms.length === 0 || terms.readers.length === 0) return { lexical: await this.search(terms), nearest: target ? await this.searchVectors(vector) : [] };
    const [lexical, nearest] = await this.query(target.open, 'searching passages and vectors', [
      { request: sparseRequest(terms), limit: terms.limit },
      { request: target.request, limit: vector.limit },
    ]);
    return { lexical: lexical!, nearest: nearest! };
  }

  /** The collection and the dense query for `query`, or null when the index holds no vectors of its size. */
  private async vectorTarget(query: VectorQuery): Promise<{ open: OpenCollection; request: Record<string, unknown> } | null> {
    if (query.readers.length === 0) return null;
    let open = await this.opened();
    if (!open) return null;
    const space = (await open.passages.readRecord())?.vector_space;
    if (!space || query.vector.length !== space.dimensions) return null;
    if (open.schema.denseSize !== space.dimensions) {
      // The alias may have moved to a rebuilt collection since its schema was read.
      this.forgetOpened();
      open = await this.opened();
      if (!open || open.schema.denseSize !== space.dimensions) return null;
    }
    const must: Condition[] = [match('vector_space', spaceKey(space)), ...accessConditions(query)];
    return { open, request: { query: Array.from(query.vector), using: denseVectorName, filter: { must } } };
  }

  /**
   * Runs queries (one request: a batch when there are several), each for a few more points than
   * asked, since some may belong to a version readers do not see (written before its commit, or not
   * deleted yet); keeps the current ones, looked up once for all. A query whose full answer still
   * holds fewer current points than asked runs again, deeper, so that the limit counts what
   * readers see. (The readers and sources filters are in the queries themselves.)
   */
  private async query(open: OpenCollection, action: string, queries: Array<{ request: Record<string, unknown>; limit: number }>): Promise<SearchHit[][]> {
    const padded = queries.map(({ request, limit }) => ({ request, limit: limit + Math.max(10, Math.ceil(limit / 4)) }));
    const results = padded.length === 1 ? [await open.passages.query(action, padded[0]!.request, padded[0]!.limit)] : await open.passages.queryBatch(action, padded);
    const current = await this.deps.catalogue.currentVersions([...new Set(results.flat().map((hit) => hit.document.id))]);
    const found: SearchHit[][] = [];
    for (const [i, { request, limit }] of queries.entries()) {
      let asked = padded[i]!.limit;
      let hits = results[i]!;
      let kept = hits.filter((hit) => current.get(hit.document.id) === hit.version);
      while (kept.length < limit && hits.length === asked) {
        asked *= 4;
        hits = await open.passages.query(action, request, asked);
        const versions = await this.deps.catalogue.currentVersions([...new Set(hits.map((hit) => hit.document.id))]);
        kept = hits.filter((hit) => versions.get(hit.document.id) === hit.version);
      }
      found.push(kept.slice(0, limit).map(({ chunk, document, bodyTerms, relevance }) => ({ chunk, document, bodyTerms, relevance })));
    }
    return found;
  }

  async termStatistics(terms: string[]): Promise<TermStatistics> {
    return this.deps.termStatistics.statistics(terms);
  }

  async termsStartingWith(prefix: string): Promise<Map<string, number>> {
    return this.deps.termStatistics.startingWith(prefix);
  }

  async documentChunks(documentId: string, readers: string[]): Promise<{ document: DocumentInfo; chunks: Chunk[] } | null> {
    const points = await this.currentPoints(documentId, readers, 'reading a document', true);
    if (!points) return null;
    const stored = points.list.map((point) => readStored(points.passages, point.payload));
    if (stored.length === 0) return null;
    stored.sort((a, b) => a.chunk.position - b.chunk.position);
    return { document: stored[0]!.document, chunks: stored.map((s) => s.chunk) };
  }

  async documentHeadings(documentId: string, readers: string[]): Promise<string[][]> {
    const points = await this.currentPoints(documentId, readers, "reading a document's headings", ['position', 'heading_path']);
    if (!points) return [];
    const sections = points.list.map((point) => {
      const { position, heading_path: path } = (point.payload ?? {}) as { position?: unknown; heading_path?: unknown };
      if (typeof position !== 'number' || !Array.isArray(path)) throw points.passages.malformed("reading a document's headings");
      return { position, path: path.map(String) };
    });
    sections.sort((a, b) => a.position - b.position);
    return [...new Map(sections.map(({ path }) => [path.join('\n'), path])).values()];
  }

  /** The points of a document's current version that one of `readers` may read, with these payload fields; null when there is nothing to read. */
  private async currentPoints(documentId: string, readers: string[], action: string, payload: true | string[]) {
    if (readers.length === 0) return null;
    const version = (await this.deps.catalogue.currentVersions([documentId])).get(documentId);
    if (version === undefined) return null;
    const open = await this.opened();
    if (!open) return null;
    const { must } = versionFilter(documentId, version) as { must: Condition[] };
    return { passages: open.passages, list: await open.passages.scroll(action, { must: [...must, ...accessConditions({ readers })] }, payload, false) };
  }

  async documentAccess(): Promise<DocumentAccess[]> {
    const open = await this.opened();
    return open ? currentAccess(await open.passages.storedAccess(), this.deps.catalogue) : [];
  }

  /**
   * Without a collection there is nothing to change, and nothing is created (a collection made
   * now would lack the dense vector of the first sync's model); the first writes carry readers
   * of the policy already, and the fingerprint is recorded the next time the policy is applied.
   */
  async setReaders(changes: ReaderChange[], fingerprint: string): Promise<void> {
    const open = await this.opened();
    if (!open) return;
    await open.passages.setReaders(changes, fingerprint);
  }

  async accessFingerprint(): Promise<string | null> {
    const open = await this.opened();
    return open ? ((await open.passages.readRecord())?.access_fingerprint ?? null) : null;
  }

  async chunkCount(): Promise<number> {
    const open = await this.opened();
    return open ? open.passages.count('counting passages', { must_not: [{ has_id: [recordPointId] }] }) : 0;
  }

  async vectorSpace(): Promise<VectorSpace | null> {
    const open = await this.opened();
    return open ? ((await open.passages.readRecord())?.vector_space ?? null) : null;
  }

  /**
   * Forgets the space: points keep their dense vectors until they are written again, but every
   * vector read (search, reuse, count) asks for the current space's points only, so none is used.
   * (A re-index rebuilds instead, see `rebuild`; this stays for callers of the seam.)
   */
  async resetVectors(): Promise<void> {
    const open = await this.opened();
    const record = open ? await open.passages.readRecord() : null;
    if (open && record?.vector_space) await open.passages.updateRecord({ vector_space: null });
  }

  async storedVectors(inputHashes: string[]): Promise<Map<string, Float32Array>> {
    const space = inputHashes.length > 0 ? await this.vectorSpace() : null;
    const open = space ? await this.opened() : null;
    return open && space ? open.passages.storedVectors(inputHashes, space) : new Map();
  }

  async vectorCount(): Promise<number> {
    const space = await this.vectorSpace();
    const open = space ? await this.opened() : null;
    return open && space ? open.passages.count('counting vectors', { must: [match('vector_space', spaceKey(space))] }) : 0;
  }

  /**
   * A re-index into generation n+1 beside the collection readers use (see QdrantRebuild). The
   * leftovers of a rebuild that never finished go first. Without any collection yet there is
   * nothing to keep readers on: the rebuild writes as a first sync does.
   */
  async rebuild(): Promise<IndexRebuild> {
    const prefix = this.options.collectionPrefix;
    const generations = await findGenerations(prefix, this.call);
    let live = generations.aliased ?? (generations.legacy ? this.collectionName : null);
    if (live === null && generations.numbers.length === 0) return { index: this, finish: async () => {}, abandon: async () => {} };
    if (live === null) {
      // A generation without its alias (a stop between creating it and aliasing it, or mid-migration): it is the one readers use.
      live = generationName(prefix, generations.numbers.at(-1)!);
      await pointAlias(prefix, live, generations, this.call);
      this.forgetOpened();
      return this.rebuild();
    }
    for (const n of generations.numbers) {
      const name = generationName(prefix, n);
      if (name !== live) await this.call('deleting the collection of an unfinished re-index', (client) => client.deleteCollection(name));
    }
    const old = await this.openNamed(live);
    if (!old) throw new InternalError(`the Qdrant collection "${live}" disappeared while a re-index started`);
    const next = generationName(prefix, (generations.numbers.at(-1) ?? 0) + 1);
    return new QdrantRebuild(this, old, next, { ...generations, numbers: [] });
  }

  /** True when the collection readers use has no vectors yet and cannot hold ones of this size. */
  async needsRebuildFor(dimensions: number | null): Promise<boolean> {
    const open = await this.opened();
    if (!open || (await open.passages.readRecord())?.vector_space) return false;
    return open.schema.denseSize === null || (dimensions !== null && open.schema.denseSize !== dimensions);
  }

  /** The alias, the collection behind it, its point count and dense vector size; whether Qdrant answers. */
  async describe(): Promise<QdrantDescription> {
    const url = this.shownUrl;
    const alias = this.collectionName;
    try {
      const { aliased } = await findGenerations(this.options.collectionPrefix, this.call);
      this.forgetOpened();
      const open = await this.opened();
      const points = open ? await open.passages.count('counting points', {}) : 0;
      return { reachable: true, url, alias, collection: aliased ?? open?.passages.name ?? null, aliased: aliased !== null, points, denseSize: open?.schema.denseSize ?? null };
    } catch (error) {
      return { reachable: false, url, alias, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** What every search adds to its filter: the readers, and the sources when given. */
function accessConditions(query: { readers: string[]; sources?: string[] }): Condition[] {
  return [{ key: 'readers', match: { any: query.readers } }, ...(query.sources ? [{ key: 'source', match: { any: query.sources } }] : [])];
}

function readStored(passages: QdrantPassages, payload: unknown) {
  const stored = fromPayload(payload);
  if (!stored) throw passages.malformed('reading a document');
  return stored;
}

/** The URL as shown to people: no user name or password in it. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

/** The keyword query: the sparse vector of the terms, readable by the readers, within the sources when given. */
function sparseRequest(query: SearchQuery): Record<string, unknown> {
  return { query: querySparse(query.terms), using: sparseVectorName, filter: { must: accessConditions(query) } };
}
