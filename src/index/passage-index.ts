import type { Chunk, DocumentInfo, SourceDocument, SourceStatus, SyncReport, SyncRun } from '../domain.js';
import type { TermCounts } from './term-counts.js';

/** A document as the index stores it: its metadata and the hash of what it was built from. */
export type IndexedDocument = Omit<SourceDocument, 'sections'>;

export interface SearchQuery {
  /** Search terms (see retrieval/tokenize.ts); any of them may match. */
  terms: string[];
  limit: number;
  /** Only chunks of documents from these sources, when set. */
  sources?: string[];
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

/** Where passages live and are searched. */
export interface PassageIndex {
  /**
   * Replaces a document, all its chunks and their vectors in one step: no reader sees a mix of old
   * and new. Chunks with vectors need the space they belong to; the first vectors of an index set
   * it, and vectors of another space are refused (ReindexRequiredError).
   */
  replaceDocument(document: IndexedDocument, chunks: IndexedChunk[], space?: VectorSpace): Promise<void>;
  deleteDocuments(ids: string[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  termStatistics(terms: string[]): Promise<TermStatistics>;
  /** Indexed terms that start with `prefix`, with the number of chunks each occurs in (for correcting typos). */
  termsStartingWith(prefix: string): Promise<Map<string, number>>;
  documentChunks(documentId: string): Promise<{ document: DocumentInfo; chunks: Chunk[] } | null>;
  chunkCount(): Promise<number>;
  vectorSpace(): Promise<VectorSpace | null>;
  /** Forgets every vector and the space they were in, and marks every document to be indexed again (before re-embedding with another model). */
  resetVectors(): Promise<void>;
  /** Vectors already in the index for these embedding inputs, by input hash. */
  storedVectors(inputHashes: string[]): Promise<Map<string, Float32Array>>;
  /** The chunks nearest to a vector (cosine); empty when the index has no vectors. */
  searchVectors(query: VectorQuery): Promise<SearchHit[]>;
  vectorCount(): Promise<number>;
}

/** What the sync job remembers between runs. */
export interface SyncState {
  /** Content hash of every indexed document of a source, by document id. */
  documentHashes(source: string): Promise<Map<string, string>>;
  recordSync(source: { name: string; kind: string; location: string }, report: SyncReport, at: Date): Promise<void>;
  sourceStatuses(): Promise<SourceStatus[]>;
  /**
   * Takes the index's sync lock for a new run and records the run, unless a live run holds the
   * lock: then returns that run. A holder that is not alive loses the lock and its run is marked failed.
   */
  beginRun(run: Pick<SyncRun, 'id' | 'requestedBy' | 'sources'>, holder: LockHolder, isAlive: (holder: LockHolder & { heartbeatAt: Date }) => boolean): Promise<SyncRun | null>;
  heartbeat(runId: string): Promise<void>;
  /** Records the outcome of a run and releases the lock. */
  finishRun(runId: string, status: 'succeeded' | 'failed', reports: SyncReport[]): Promise<void>;
  getRun(id: string): Promise<SyncRun | null>;
  recentRuns(limit: number): Promise<SyncRun[]>;
}

/** The process holding the sync lock. */
export interface LockHolder {
  pid: number;
  host: string;
}

/** An answer as it was given in a chat, kept so that feedback on it can be reviewed. */
export interface GivenAnswer {
  /** The chat platform's id of the message that carried the answer. */
  messageId: string;
  platform: string;
  conversationId: string;
  question: string;
  answer: string;
  citedDocumentIds: string[];
}

export interface Feedback {
  messageId: string;
  /** The conversation it came from. */
  conversationId: string;
  userId: string;
  reaction: 'like' | 'dislike';
  comment: string | null;
}

/** Answers given in chats and the feedback people left on them. */
export interface FeedbackLog {
  recordAnswer(answer: GivenAnswer): Promise<void>;
  /**
   * Stores feedback with the answer it is about (without a message id: the conversation's latest
   * answer); false when that answer is unknown (too old, or not ours).
   */
  recordFeedback(feedback: Omit<Feedback, 'messageId'> & { messageId: string | null }): Promise<boolean>;
  feedbackCounts(): Promise<{ like: number; dislike: number }>;
  recentFeedback(limit: number): Promise<Array<Feedback & GivenAnswer & { at: Date }>>;
}
