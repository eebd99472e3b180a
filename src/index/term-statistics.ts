// Per-term chunk frequencies for a passage index that cannot count them itself (Qdrant exposes no
// document frequencies): kept in the catalogue, by document version, so that a version is added
// and removed exactly as the passage index adds and removes its chunks.
import type { TermStatistics } from './passage-index.js';

/** What the statistics need of one chunk: its distinct terms (title, headings and body) and its length. */
export interface ChunkTermSummary {
  terms: Iterable<string>;
  tokenCount: number;
}

/** Which versions of a document to forget. */
export type ForgottenVersions = { only: number } | { except: number } | 'all';

export interface TermStatisticsStore {
  /** Records the chunks of a document version, replacing whatever was recorded for that version. */
  record(documentId: string, version: number, chunks: ChunkTermSummary[]): Promise<void>;
  forget(documentId: string, versions: ForgottenVersions): Promise<void>;
  statistics(terms: string[]): Promise<TermStatistics>;
  /** Recorded terms that start with `prefix`, with the number of chunks each occurs in. */
  startingWith(prefix: string): Promise<Map<string, number>>;
}
