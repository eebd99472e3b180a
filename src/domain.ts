// The shared vocabulary of the two flows (ask and sync). One definition each.

/**
 * Where in its document a section is (and the chunks cut from it), so that a citation opens the
 * document there: a heading's fragment id on the page, a PDF page, a slide, a sheet.
 */
export interface SectionLocation {
  /** The id of the section's heading on the document's web page (Confluence heading ids, Markdown and HTML heading slugs). */
  anchor?: string;
  /** 1-based PDF page. */
  page?: number;
  /** 1-based PowerPoint slide. */
  slide?: number;
  /** Excel sheet name. */
  sheet?: string;
}

/** A section of a parsed document: the text under one heading path. */
export interface Section {
  headingPath: string[];
  text: string;
  location?: SectionLocation;
}

/** The unit that is indexed. */
export interface Chunk {
  /** `<documentId>:<position>`, stable while the document is unchanged. */
  id: string;
  documentId: string;
  position: number;
  headingPath: string[];
  text: string;
  tokenCount: number;
  contentHash: string;
  /** Where its section is in the document, when the source can say. */
  location?: SectionLocation;
}

/** Document fields a passage carries back to the reader. */
export interface DocumentInfo {
  /** Stable across syncs: derived from the source name and the path. */
  id: string;
  source: string;
  /** Path relative to the source root, with forward slashes. */
  path: string;
  title: string;
  url: string | null;
  updatedAt: Date | null;
  /** Marked as no longer current (superseded, archived, deprecated…) by its title, folder, labels or status. */
  superseded: boolean;
  /** Who may read it: principals given by the access rules (see access/access-policy.ts). */
  readers: string[];
}

/** One page or file from a source, parsed into sections. */
export interface SourceDocument extends DocumentInfo {
  author: string | null;
  /** Labels that came with the document (Confluence labels, front matter tags). */
  labels: string[];
  /** Hash of the raw bytes the document was parsed from (and of the pipeline settings). */
  contentHash: string;
  sections: Section[];
}

/** A chunk (or neighbouring chunks merged) returned by retrieval. */
export interface Passage {
  chunkIds: string[];
  document: DocumentInfo;
  headingPath: string[];
  text: string;
  /** 0..1: the share of the question's information that the passage contains. */
  score: number;
  /** Cosine similarity to the question, when the passage was found by meaning. */
  similarity?: number;
  /** Where its first chunk is in the document, when the source can say. */
  location?: SectionLocation;
}

export type Platform = 'webchat' | 'cli' | 'teams' | 'slack';

export interface Question {
  text: string;
  asker: { platform: Platform; userId: string; displayName?: string };
  conversation: { id: string; threadId?: string };
  /** Earlier turns of the conversation, oldest first. */
  history: Array<{ role: 'user' | 'assistant'; text: string }>;
  /** Restricts retrieval to these source names when set. */
  sources?: string[];
  /**
   * The principals of whoever reads the reply (see access/principals.ts): only documents readable
   * by one of them are searched, quoted or cited.
   */
  readers: string[];
}

/**
 * Where a reply is read: by the asker alone (a DM, a personal chat, the web chat, the CLI), or by
 * everyone in a shared place, named by its principals (`slack-channel:C0HR`; a Teams channel and
 * its team; none for a group chat).
 */
export type Place = { shared: false } | { shared: true; principals: string[] };

export interface Citation {
  /** The marker number used in the answer text, `[n]`. */
  n: number;
  passage: Passage;
  /** Its document was last updated longer ago than STALE_AFTER_DAYS: shown with a "may be out of date" note. */
  stale?: boolean;
}

export interface SourceStatus {
  name: string;
  kind: string;
  location: string;
  documents: number;
  lastSyncAt: Date | null;
}

/**
 * How sure the bot is that the documents answer the question: *answer* (cited, grounded),
 * *closest* (the evidence is weak: the best passages, shown as such), *none* (nothing relevant).
 */
export type Confidence = 'answer' | 'closest' | 'none';

export interface Answer {
  /** Text with `[n]` markers; only cited passages appear in `citations`. */
  text: string;
  citations: Citation[];
  confidence: Confidence;
  /** True only when `confidence` is "answer" and the text cites the documents. */
  grounded: boolean;
  mode: 'extractive' | 'generated';
  /** The sources that were searched (shown when the answer is not grounded). */
  searched: SourceStatus[];
  /** Questions the model suggested asking next (plain text, at most three); absent without a model. */
  followUps?: string[];
}

export interface FailedItem {
  path: string;
  reason: string;
}

export interface SyncReport {
  source: string;
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Documents left out without error: no text (parent pages, redirects) or a format not read. */
  skipped: FailedItem[];
  failed: FailedItem[];
  /**
   * Documents indexed, or kept as they were indexed, with something to look at: a file that now
   * holds no text (its indexed version is kept until the file is gone), an Office part named twice.
   */
  warnings?: FailedItem[];
  /** Set when the whole source failed; nothing in the index was changed for it. */
  error: string | null;
  durationMs: number;
  /**
   * With an embedding model: passages embedded, passages whose vector was reused, and why some were
   * indexed without vectors (they are embedded by the next sync).
   */
  vectors?: { embedded: number; reused: number; error: string | null };
}

/** One run of the sync job over one or more sources. */
export interface SyncRun {
  id: string;
  /** Who asked for it: a user, "schedule", "cli:<user>" or "http". */
  requestedBy: string;
  sources: string[];
  startedAt: Date;
  finishedAt: Date | null;
  status: 'running' | 'succeeded' | 'failed';
  reports: SyncReport[];
}
