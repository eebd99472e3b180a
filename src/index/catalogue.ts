// The catalogue: what the sync job and the chats remember, apart from the passages themselves —
// each document's content hash and current version, source statuses, sync runs and their lock,
// given answers and their feedback. SQLite by default (sqlite-catalogue.ts).
import type { SourceStatus, SyncReport, SyncRun } from '../domain.js';

/** What the catalogue knows of an indexed document. */
export interface CataloguedDocument {
  /** The hash of what the current version was built from. */
  contentHash: string;
  /** The version readers see (see DocumentCatalogue.commitVersion). */
  version: number;
  /** Its passages lack vectors they should have: the next sync with an embedding model writes it again. */
  needsEmbedding: boolean;
}

/** The catalogue's half of indexing documents: which version of each one is current. */
export interface DocumentCatalogue {
  /** Every catalogued document of a source, by document id. */
  documentsOf(source: string): Promise<Map<string, CataloguedDocument>>;
  /** The current version of each of these documents that the catalogue knows. */
  currentVersions(documentIds: string[]): Promise<Map<string, number>>;
  /**
   * The commit point of replacing a document (see PassageIndex): from now on readers see
   * `version`, written to the passage index before, and the sync compares with `contentHash`.
   */
  commitVersion(document: { id: string; source: string; path: string; contentHash: string }, version: number, needsEmbedding: boolean): Promise<void>;
  /** Forgets documents: readers stop seeing them at once, whatever the passage index still holds. */
  forgetDocuments(ids: string[]): Promise<void>;
  /** Marks every document as needing its passages embedded again, also of sources a sync does not cover. */
  markAllNeedEmbedding(): Promise<void>;
}

/** What the sync job remembers between runs. */
export interface SyncState {
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

/** Everything the catalogue keeps. */
export type Catalogue = DocumentCatalogue & SyncState & FeedbackLog;
