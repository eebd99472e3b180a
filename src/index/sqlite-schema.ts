// The schema of groundwork.db, shared by the catalogue and the embedded passage index: one list of
// migrations, one PRAGMA user_version.
import type Database from 'better-sqlite3';
import { IndexUnavailableError } from '../errors.js';

// Each entry moves the schema one version up; PRAGMA user_version records where a file is.
export const migrations: string[] = [
  `CREATE TABLE sources (
     name TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     location TEXT NOT NULL,
     last_sync_at TEXT,
     last_report TEXT
   );
   CREATE TABLE documents (
     id TEXT PRIMARY KEY,
     source TEXT NOT NULL,
     path TEXT NOT NULL,
     title TEXT NOT NULL,
     url TEXT,
     updated_at TEXT,
     author TEXT,
     content_hash TEXT NOT NULL
   );
   CREATE INDEX documents_by_source ON documents(source);
   CREATE TABLE chunks (
     rowid INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     document_id TEXT NOT NULL REFERENCES documents(id),
     position INTEGER NOT NULL,
     heading_path TEXT NOT NULL,
     text TEXT NOT NULL,
     token_count INTEGER NOT NULL,
     content_hash TEXT NOT NULL,
     terms TEXT NOT NULL
   );
   CREATE INDEX chunks_by_document ON chunks(document_id, position);
   -- Text is segmented in JavaScript (Intl.Segmenter) and stored as space-separated terms.
   CREATE VIRTUAL TABLE chunks_fts USING fts5(
     title, headings, body,
     content = '', contentless_delete = 1,
     tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
   );
   CREATE VIRTUAL TABLE chunks_terms USING fts5vocab(chunks_fts, 'row');`,
  `CREATE TABLE sync_runs (
     id TEXT PRIMARY KEY,
     requested_by TEXT NOT NULL,
     sources TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     status TEXT NOT NULL,
     reports TEXT NOT NULL DEFAULT '[]'
   );
   CREATE INDEX sync_runs_by_start ON sync_runs(started_at);
   -- At most one row: the run holding the sync lock and the process that runs it.
   CREATE TABLE sync_lock (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     run_id TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     heartbeat_at TEXT NOT NULL
   );`,
  // The vector table (chunks_vec, sqlite-vec) is created with the first vectors: their size is the model's.
  `ALTER TABLE chunks ADD COLUMN input_hash TEXT; -- hash of the text embedded for the chunk, when it has a vector
   CREATE INDEX chunks_by_input_hash ON chunks(input_hash);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  `CREATE TABLE answers (
     message_id TEXT PRIMARY KEY,
     platform TEXT NOT NULL,
     conversation_id TEXT NOT NULL,
     question TEXT NOT NULL,
     answer TEXT NOT NULL,
     cited_document_ids TEXT NOT NULL,
     given_at TEXT NOT NULL
   );
   CREATE INDEX answers_by_time ON answers(given_at);
   CREATE TABLE feedback (
     message_id TEXT NOT NULL REFERENCES answers(message_id),
     user_id TEXT NOT NULL,
     reaction TEXT NOT NULL,
     comment TEXT,
     given_at TEXT NOT NULL,
     PRIMARY KEY (message_id, user_id)
   );`,
  // body_terms: the chunk's term counts (BM25, see TermCounts), in place of its distinct terms;
  // filled for existing chunks by the re-analysis that follows.
  `ALTER TABLE documents ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE documents ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE chunks DROP COLUMN terms;
   ALTER TABLE chunks ADD COLUMN body_terms TEXT NOT NULL DEFAULT '';`,
  // The catalogue and the passage index part ways: the catalogue keeps what the sync knows of a
  // document (source, path, content hash, current version, whether its passages still need
  // vectors); the index keeps each version's metadata and chunks. Existing rows become version 1,
  // and the old "without-vectors:" hash prefix becomes the needs_embedding flag, so an existing
  // file keeps its passages and vectors without a re-sync. chunks is rebuilt (same rowids, which
  // the full-text and vector tables key on) because a chunk id is now unique per version only,
  // and chunks of a version are written before the catalogue knows the document.
  `CREATE TABLE indexed_documents (
     document_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     source TEXT NOT NULL,
     path TEXT NOT NULL,
     title TEXT NOT NULL,
     url TEXT,
     updated_at TEXT,
     author TEXT,
     labels TEXT NOT NULL DEFAULT '[]',
     superseded INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (document_id, version)
   );
   INSERT INTO indexed_documents (document_id, version, source, path, title, url, updated_at, author, labels, superseded)
     SELECT id, 1, source, path, title, url, updated_at, author, labels, superseded FROM documents;
   CREATE TABLE chunks_by_version (
     rowid INTEGER PRIMARY KEY,
     id TEXT NOT NULL,
     document_id TEXT NOT NULL,
     document_version INTEGER NOT NULL,
     position INTEGER NOT NULL,
     heading_path TEXT NOT NULL,
     text TEXT NOT NULL,
     token_count INTEGER NOT NULL,
     content_hash TEXT NOT NULL,
     input_hash TEXT,
     body_terms TEXT NOT NULL DEFAULT '',
     UNIQUE (id, document_version)
   );
   INSERT INTO chunks_by_version (rowid, id, document_id, document_version, position, heading_path, text, token_count, content_hash, input_hash, body_terms)
     SELECT rowid, id, document_id, 1, position, heading_path, text, token_count, content_hash, input_hash, body_terms FROM chunks;
   DROP TABLE chunks;
   ALTER TABLE chunks_by_version RENAME TO chunks;
   CREATE INDEX chunks_by_document ON chunks(document_id, document_version, position);
   CREATE INDEX chunks_by_input_hash ON chunks(input_hash);
   ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE documents ADD COLUMN needs_embedding INTEGER NOT NULL DEFAULT 0;
   UPDATE documents SET needs_embedding = 1, content_hash = substr(content_hash, length('without-vectors:') + 1)
     WHERE content_hash LIKE 'without-vectors:%';
   ALTER TABLE documents DROP COLUMN title;
   ALTER TABLE documents DROP COLUMN url;
   ALTER TABLE documents DROP COLUMN updated_at;
   ALTER TABLE documents DROP COLUMN author;
   ALTER TABLE documents DROP COLUMN labels;
   ALTER TABLE documents DROP COLUMN superseded;`,
  // Term statistics for a passage index that keeps none itself (Qdrant): see sqlite-term-statistics.ts.
  // Empty while the embedded index, which counts its own terms (fts5vocab), is in use.
  `CREATE TABLE term_versions (
     document_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     term TEXT NOT NULL,
     chunks INTEGER NOT NULL,
     PRIMARY KEY (document_id, version, term)
   ) WITHOUT ROWID;
   CREATE TABLE term_frequencies (term TEXT PRIMARY KEY, chunks INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE version_sizes (
     document_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     chunks INTEGER NOT NULL,
     tokens INTEGER NOT NULL,
     PRIMARY KEY (document_id, version)
   ) WITHOUT ROWID;`,
  // Who may read each indexed document version (access/access-policy.ts): one row per principal.
  // Versions indexed before access rules have none, so no reader finds them until the policy is
  // applied (apply-access.ts; the settings key access_fingerprint is absent, so it runs at start).
  // Searches look a version's readers up by the primary key; the second index serves "which
  // documents may this principal read", where a search starts from the readers.
  `CREATE TABLE document_readers (
     document_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     reader TEXT NOT NULL,
     PRIMARY KEY (document_id, version, reader)
   ) WITHOUT ROWID;
   CREATE INDEX document_readers_by_reader ON document_readers(reader, document_id, version);`,
  // Where each chunk is in its document (SectionLocation as JSON: a heading anchor, a PDF page, a
  // slide, a sheet), so that a citation opens it there. Null for chunks written before, and for
  // documents whose format says nothing; the next sync re-parses every document (run-sync.ts
  // pipelineVersion) and fills it in.
  `ALTER TABLE chunks ADD COLUMN location TEXT;`,
];


/** The schema version this code writes. */
export const schemaVersion = migrations.length;

/** Brings the file to the latest schema, in one transaction; refuses a file from a newer version. */
export function migrate(db: Database.Database, file: string): void {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > migrations.length) {
    throw new IndexUnavailableError(
      `The index file ${file} has schema version ${from}, newer than this version of Groundwork understands (${migrations.length}).`,
    );
  }
  db.transaction(() => {
    for (let version = from; version < migrations.length; version++) db.exec(migrations[version]!);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
