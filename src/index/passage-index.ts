import type { Chunk, DocumentInfo, SourceDocument } from '../domain.js';
import type { TermCounts } from './term-counts.js';

/** Documents that get the same new readers: one update. */
export interface ReaderChange {
  documentIds: string[];
  readers: string[];
}

/**
 * The updates that give each document its wanted readers (sorted), grouped by readers; a document
 * whose `held` readers (joined by newlines) are already those is left out.
 */
export function readerChanges(wanted: Iterable<{ id: string; readers: string[] }>, held: ReadonlyMap<string, string>): ReaderChange[] {
  const byReaders = new Map<string, ReaderChange>();
  for (const { id, readers } of wanted) {
    const key = readers.join('\n');
    if (held.get(id) === key) continue;
    const change = byReaders.get(key) ?? { documentIds: [], readers };
    change.documentIds.push(id);
    byReaders.set(key, change);
  }
  return [...byReaders.values()];
}

/** A document as the index stores it with each version: what a search hit shows of it. */
export type IndexedDocument = Omit<SourceDocument, 'sections' | 'contentHash'>;

export interface SearchQuery {
  /** Search terms (see retrieval/tokenize.ts); any of them may match. */
  terms: string[];
  limit: number;
  /** Only chunks of documents from these sources, when set. */
  sources?: string[];
  /** Only chunks of documents readable by one of these principals: the filter is part of the query, so `limit` counts readable chunks. */
  readers: string[];
}

/** A chunk to index, with the vector of its embedding input when it has one. */
export type IndexedChunk = Chunk & { embedding?: { inputHash: string; vector: Float32Array } };

/** The embedding model that made the index's vectors, and their size. */
export interface VectorSpace {
  model: string;
  dimensions: number;
}

export interface VectorQuery {
  vector: Float32Array;
  limit: number;
  sources?: string[];
  /** As in SearchQuery. */
  readers: string[];
}

/** What access rules match a document on, and the readers it has in the index (with its title and date, for listings). */
export interface DocumentAccess {
  id: string;
  source: string;
  path: string;
  labels: string[];
  readers: string[];
  title: string;
  updatedAt: Date | null;
}

export interface SearchHit {
  chunk: Chunk;
  document: DocumentInfo;
  /** BM25 relevance for a term search (higher is better, comparable only within one search); cosine similarity for a vector search. */
  relevance: number;
  /** How often each search term occurs in the chunk's text (its title and headings are in `chunk` and `document`). */
  bodyTerms: TermCounts;
}

export interface TermStatistics {
  /** Number of chunks in the index. */
  chunkCount: number;
  /** Number of chunks each term occurs in. */
  chunkFrequency: Map<string, number>;
  /** Mean length of a chunk in tokens (BM25's length normalisation). */
  averageTokens: number;
}

/**
 * Where passages live and are searched. It knows nothing of sync runs or feedback.
 *
 * Replacing a document is a protocol between the index and the catalogue that a store without
 * multi-point transactions can keep (ingest/index-writer.ts runs it):
 *   1. `writeVersion` writes the new version's chunks beside the current ones;
 *   2. the catalogue's `commitVersion` makes the new version current: the commit point;
 *   3. `deleteOtherVersions` deletes the chunks of every other version.
 * Readers (`search`, `searchVectors`, `documentChunks`) return only chunks of a document's current
 * version as the catalogue records it, so no reader sees a mix of old and new, nor a version
 * before step 2 or a document the catalogue has forgotten. A stop between steps leaves chunks
 * that no reader sees: those of an uncommitted version are overwritten when that version is
 * written again, those of an old one go with the document's next replacement or deletion.
 * Counts and term statistics may include them meanwhile.
 */
export interface PassageIndex {
  /**
   * Step 1: writes a version of a document with its chunks and their vectors, replacing whatever
   * that version held (a write interrupted before). Chunks with vectors need the space they
   * belong to; the first vectors of an index set it, and vectors of another space are refused
   * (ReindexRequiredError).
   */
  writeVersion(document: IndexedDocument, version: number, chunks: IndexedChunk[], space?: VectorSpace): Promise<void>;
  /** Step 3: deletes the document's chunks of every version but `keep`. */
  deleteOtherVersions(documentId: string, keep: number): Promise<void>;
  /** Deletes every version of these documents (after the catalogue has forgotten them). */
  deleteDocuments(ids: string[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  termStatistics(terms: string[]): Promise<TermStatistics>;
  /** Indexed terms that start with `prefix`, with the number of chunks each occurs in (for correcting typos). */
  termsStartingWith(prefix: string): Promise<Map<string, number>>;
  /** The current version of a document and its chunks in order; null too when none of `readers` may read it. */
  documentChunks(documentId: string, readers: string[]): Promise<{ document: DocumentInfo; chunks: Chunk[] } | null>;
  /** The heading paths of the current version's sections, in order, each once (without their text); none when none of `readers` may read it. */
  documentHeadings(documentId: string, readers: string[]): Promise<string[][]>;
  /** Every current document's access: for re-applying changed access rules, and for the admin's view. */
  documentAccess(): Promise<DocumentAccess[]>;
  /**
   * Gives documents new readers (in every version they have), then records `fingerprint` as the
   * access policy the index follows. Writes after it carry readers of that policy.
   */
  setReaders(changes: ReaderChange[], fingerprint: string): Promise<void>;
  /** The fingerprint the last `setReaders` recorded; null for an index that never had one. */
  accessFingerprint(): Promise<string | null>;
  chunkCount(): Promise<number>;
  vectorSpace(): Promise<VectorSpace | null>;
  /**
   * Forgets every vector and the space they were in (before re-embedding with another model);
   * the passages stay searchable by their terms. The catalogue marks the documents to embed again.
   */
  resetVectors(): Promise<void>;
  /** Vectors already in the index for these embedding inputs, by input hash. */
  storedVectors(inputHashes: string[]): Promise<Map<string, Float32Array>>;
  /**
   * Both searches in one request to the index, where it can (a Qdrant query batch): the same hits
   * as `search` and `searchVectors` would give. Retrieval uses it when present.
   */
  searchBoth?(terms: SearchQuery, vector: VectorQuery): Promise<{ lexical: SearchHit[]; nearest: SearchHit[] }>;
  /** The chunks nearest to a vector (cosine); empty when the index has no vectors. */
  searchVectors(query: VectorQuery): Promise<SearchHit[]>;
  vectorCount(): Promise<number>;
  /**
   * Optional, for a store that cannot reset its vectors in place (a Qdrant collection keeps its
   * vector size): builds the index anew beside the one readers use, and switches readers to it
   * when it is complete (see IndexRebuild). Without it, a re-index resets vectors in place.
   */
  rebuild?(): Promise<IndexRebuild>;
  /**
   * Optional, with `rebuild`: true when the index cannot take the first vectors of an embedding
   * model of this size (`null`: not known yet) without being rebuilt.
   */
  needsRebuildFor?(dimensions: number | null): Promise<boolean>;
}

/**
 * A rebuild in progress. The sync writes through `index` exactly as through the index itself,
 * by the same replacement protocol; readers keep using the old index until `finish` switches
 * them, at once, to the new one, which by then holds every document's current version. Until
 * then, every version the catalogue makes current is also in the old index (see QdrantRebuild),
 * so the catalogue never makes current what readers cannot find. A rebuild stopped before
 * `finish` (abandoned, failed, killed) leaves readers on the old index.
 */
export interface IndexRebuild {
  readonly index: PassageIndex;
  /** Completes the new index with what the sync did not write, and switches readers to it. */
  finish(): Promise<void>;
  /** Drops the new index; readers stay where they are. */
  abandon(): Promise<void>;
}

/**
 * Runs the steps of one replacement as one unit where the stores allow it (one SQLite
 * transaction when index and catalogue share a file); the protocol holds without it.
 */
export type Atomically = <T>(work: () => Promise<T>) => Promise<T>;

// The catalogue's interfaces, where the answer path and the chats have always found them.
export type { Feedback, FeedbackLog, GivenAnswer, LockHolder, SyncState } from './catalogue.js';
