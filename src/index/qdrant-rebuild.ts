// A re-index on Qdrant without downtime. Readers address the alias, which points at the old
// collection until the new one is whole:
//   1. the new collection `<prefix>-passages-<n+1>` is created on the first write, with the
//      vectors of that write's space and no HNSW graph during the bulk load (`m: 0`);
//   2. the sync replaces documents through `index`, by the usual protocol (write the version,
//      commit it in the catalogue, delete the other versions), and every step is applied to both
//      collections: the new one with the new vectors, the old one with them when it holds that
//      vector space, keyword-only otherwise. So a version the catalogue makes current is always
//      in the collection readers use: no reader loses a document, nor sees half of one;
//   3. `finish` copies into the new collection the current version of every document the sync
//      did not write (sources it did not cover, documents that failed or were kept), from the
//      old collection (keyword-only when the vector space changed: the catalogue already marks
//      them to embed again), builds the HNSW graph (`m: 16`), points the alias at the new
//      collection in one `update_aliases` request (delete + create), and deletes the old one.
//      Before the switch, the new collection takes the old one's access: each current document's
//      readers where they differ, and the fingerprint of the policy they follow. (A change of
//      readers during the rebuild goes to both collections, like every other write.)
// A stop before the switch leaves the alias on the old collection, which holds every current
// version; the next rebuild deletes the unfinished collection first. A stop after the switch
// leaves an old collection no reader uses, deleted by the next rebuild as well.
import { InternalError } from '../errors.js';
import type { Chunk, DocumentInfo } from '../domain.js';
import { aliasName, pointAlias, type Generations } from './qdrant-generations.js';
import type { QdrantIndex } from './qdrant-index.js';
import { checkChunks, currentAccess, writeInto, type OpenCollection } from './qdrant-writes.js';
import { readerChanges, type DocumentAccess, type IndexedChunk, type IndexedDocument, type IndexRebuild, type PassageIndex, type ReaderChange, type SearchHit, type SearchQuery, type TermStatistics, type VectorQuery, type VectorSpace } from './passage-index.js';
import { documentsFilter, otherVersions, type StoredAccess } from './qdrant-passages.js';

const sameSpace = (a: VectorSpace | null | undefined, b: VectorSpace | null | undefined) => !!a && !!b && a.model === b.model && a.dimensions === b.dimensions;

export class QdrantRebuild implements IndexRebuild {
  readonly index: PassageIndex;
  private next: OpenCollection | null = null;
  private creating: Promise<OpenCollection> | null = null;
  private oldSpaceRead: Promise<VectorSpace | null> | null = null;

  constructor(
    private readonly live: QdrantIndex,
    private readonly old: OpenCollection,
    private readonly nextName: string,
    private readonly generations: Generations,
  ) {
    this.index = new RebuildingIndex(this, live, old);
  }

  /** The new collection, created on first use with the space of the first vectors written. */
  created(space: VectorSpace | null): Promise<OpenCollection> {
    this.creating ??= (async () => {
      const named = this.live.collectionNamed(this.nextName);
      const schema = await this.live.createCollection(named, space, true);
      this.next = { ...named, schema };
      return this.next;
    })();
    return this.creating;
  }

  /** The old collection's vector space, read once: nothing else writes it during the rebuild (the sync lock). */
  oldSpace(): Promise<VectorSpace | null> {
    this.oldSpaceRead ??= this.old.passages.readRecord().then((record) => record?.vector_space ?? null);
    return this.oldSpaceRead;
  }

  /** The new collection when it has been created. */
  existing(): OpenCollection | null {
    return this.next;
  }

  async finish(): Promise<void> {
    const next = await this.created(null);
    const keepDense = sameSpace(await this.oldSpace(), (await next.passages.readRecord())?.vector_space);
    // Each collection listed once: the versions it holds, with their readers.
    const inNext = await next.passages.storedAccess();
    const inOld = await this.old.passages.storedAccess();
    const current = await this.live.deps.catalogue.currentVersions([...inOld.keys()]);
    const copied = new Set<string>();
    for (const [id, versions] of inOld) {
      const version = current.get(id);
      if (version === undefined || !versions.has(version) || inNext.get(id)?.has(version)) continue;
      await next.passages.copyVersion(this.old.passages, id, version, keepDense);
      copied.add(id);
    }
    await this.copyAccess(next, inOld, inNext, copied);
    await next.collection.enableIndexing();
    await pointAlias(this.live.options.collectionPrefix, next.passages.name, this.generations, this.live.call);
    this.live.forgetOpened();
    // A collection made before aliases was deleted by the switch itself.
    if (this.old.passages.name !== aliasName(this.live.options.collectionPrefix)) {
      await this.live.call('deleting the collection before the re-index', (client) => client.deleteCollection(this.old.passages.name));
    }
  }

  /** Gives the new collection the old one's readers (where they differ) and access fingerprint. */
  private async copyAccess(next: OpenCollection, inOld: StoredAccess, inNext: StoredAccess, copied: Set<string>): Promise<void> {
    const catalogue = this.live.deps.catalogue;
    const wanted = await currentAccess(inOld, catalogue);
    const held = new Map((await currentAccess(inNext, catalogue)).map((access) => [access.id, access.readers.join('\n')]));
    // A version copied from the old collection came with its readers.
    for (const access of wanted) if (copied.has(access.id)) held.set(access.id, access.readers.join('\n'));
    await next.passages.setReaders(readerChanges(wanted, held), (await this.old.passages.readRecord())?.access_fingerprint ?? null);
  }

  async abandon(): Promise<void> {
    if (!this.creating) return;
    await this.creating.catch(() => undefined);
    await this.live.call('deleting the collection of an abandoned re-index', (client) => client.deleteCollection(this.nextName));
  }
}

/**
 * The index as the sync writes it during a rebuild: writes go to both collections (see above),
 * term statistics are kept once; reads are the live index's, which readers use.
 */
class RebuildingIndex implements PassageIndex {
  constructor(
    private readonly building: QdrantRebuild,
    private readonly live: QdrantIndex,
    private readonly old: OpenCollection,
  ) {}

  async writeVersion(document: IndexedDocument, version: number, chunks: IndexedChunk[], space?: VectorSpace): Promise<void> {
    const withVectors = checkChunks(document, chunks, space);
    const next = await this.building.created(withVectors ? space! : null);
    const summaries = await writeInto(next, document, version, chunks, withVectors ? space : undefined);
    // The old collection takes the vectors only when they are of its own space.
    const keep = withVectors && sameSpace(await this.building.oldSpace(), space);
    const forOld = keep ? chunks : chunks.map(({ embedding: _embedding, ...chunk }) => chunk);
    await writeInto(this.old, document, version, forOld, keep ? space : undefined);
    await this.live.deps.termStatistics.record(document.id, version, summaries);
  }

  private async deleteEverywhere(filter: Record<string, unknown>): Promise<void> {
    await this.old.passages.deletePoints(filter);
    await this.building.existing()?.passages.deletePoints(filter);
  }

  async deleteOtherVersions(documentId: string, keep: number): Promise<void> {
    await this.deleteEverywhere(otherVersions(documentId, keep));
    await this.live.deps.termStatistics.forget(documentId, { except: keep });
  }

  async deleteDocuments(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.deleteEverywhere(documentsFilter(ids));
    for (const id of ids) await this.live.deps.termStatistics.forget(id, 'all');
  }

  search(query: SearchQuery): Promise<SearchHit[]> {
    return this.live.search(query);
  }

  termStatistics(terms: string[]): Promise<TermStatistics> {
    return this.live.termStatistics(terms);
  }

  termsStartingWith(prefix: string): Promise<Map<string, number>> {
    return this.live.termsStartingWith(prefix);
  }

  documentChunks(documentId: string, readers: string[]): Promise<{ document: DocumentInfo; chunks: Chunk[] } | null> {
    return this.live.documentChunks(documentId, readers);
  }
  documentHeadings(documentId: string, readers: string[]): Promise<string[][]> {
    return this.live.documentHeadings(documentId, readers);
  }

  documentAccess(): Promise<DocumentAccess[]> {
    return this.live.documentAccess();
  }

  /** Both collections take the readers and the fingerprint: readers use the old one until the switch, then the new one. */
  async setReaders(changes: ReaderChange[], fingerprint: string): Promise<void> {
    for (const { passages } of [this.old, ...[this.building.existing()].filter((next): next is OpenCollection => next !== null)]) {
      await passages.setReaders(changes, fingerprint);
    }
  }

  accessFingerprint(): Promise<string | null> {
    return this.live.accessFingerprint();
  }

  chunkCount(): Promise<number> {
    return this.live.chunkCount();
  }

  searchVectors(query: VectorQuery): Promise<SearchHit[]> {
    return this.live.searchVectors(query);
  }

  /** The new collection's space: what the rebuild's vectors are. */
  async vectorSpace(): Promise<VectorSpace | null> {
    return (await this.building.existing()?.passages.readRecord())?.vector_space ?? null;
  }

  async resetVectors(): Promise<void> {
    throw new InternalError('a rebuild starts without vectors: there is nothing to reset');
  }

  /** Vectors already made during this rebuild (the old collection's are of the space being replaced). */
  async storedVectors(inputHashes: string[]): Promise<Map<string, Float32Array>> {
    const next = this.building.existing();
    const space = next && inputHashes.length > 0 ? (await next.passages.readRecord())?.vector_space : null;
    return next && space ? next.passages.storedVectors(inputHashes, space) : new Map();
  }

  async vectorCount(): Promise<number> {
    return this.live.vectorCount();
  }
}
