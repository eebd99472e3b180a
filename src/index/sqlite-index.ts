// The embedded index: one SQLite file holding documents, chunks, an FTS5 table over
// pre-segmented search terms (BM25), the chunks' vectors (sqlite-vec), and the sync state.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import type { Chunk, DocumentInfo, SourceStatus, SyncReport, SyncRun } from '../domain.js';
import { IndexUnavailableError, InternalError, ReindexRequiredError, toGroundworkError } from '../errors.js';
import { markedSuperseded } from '../retrieval/superseded.js';
import { TermCounts } from './term-counts.js';
import { analysisVersion, searchTerms } from '../retrieval/tokenize.js';
import type {
  Feedback,
  FeedbackLog,
  GivenAnswer,
  IndexedChunk,
  IndexedDocument,
  LockHolder,
  PassageIndex,
  SearchHit,
  SearchQuery,
  SyncState,
  TermStatistics,
  VectorQuery,
  VectorSpace,
} from './passage-index.js';

// Each entry moves the schema one version up; PRAGMA user_version records where a file is.
const migrations: string[] = [
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
];

// Answers kept for feedback: the newest ones (older answers without feedback are dropped).
const keptAnswers = 20_000;

// Finished runs kept for `groundwork status` and GET /admin/sync/:id.
const keptRuns = 50;

// BM25 weights of the title, headings and body columns.
const columnWeights = [3, 2, 1];

interface ChunkRow {
  rowid: number;
  id: string;
  document_id: string;
  position: number;
  heading_path: string;
  text: string;
  token_count: number;
  content_hash: string;
  body_terms: string;
  source: string;
  path: string;
  title: string;
  url: string | null;
  updated_at: string | null;
  superseded: number;
}

function explainOpenError(file: string, error: unknown): IndexUnavailableError {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new IndexUnavailableError(
      `The index file ${file} is not a valid SQLite database (corrupt or not an index). ` +
        'Nothing was changed: move it aside and run "groundwork sync" to rebuild it.',
      error,
    );
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new IndexUnavailableError(`The index file ${file} is locked by another process; try again when it has finished.`, error);
  }
  return new IndexUnavailableError(`The index file ${file} cannot be opened: ${toGroundworkError(error).message}`, error);
}

export class SqliteIndex implements PassageIndex, SyncState, FeedbackLog {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Opens (creating when absent) and migrates the index file. */
  static open(file: string, options: { busyTimeoutMs?: number } = {}): SqliteIndex {
    let db: Database.Database | undefined;
    try {
      if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
      sqliteVec.load(db);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      const index = new SqliteIndex(db, file);
      index.migrate();
      index.reanalyze();
      return index;
    } catch (error) {
      db?.close();
      if (error instanceof IndexUnavailableError) throw error;
      throw explainOpenError(file, error);
    }
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared once per connection: preparing on every call costs time and native memory. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return pages * pageSize;
  }

  private migrate(): void {
    const from = this.schemaVersion;
    if (from > migrations.length) {
      throw new IndexUnavailableError(
        `The index file ${this.file} has schema version ${from}, newer than this version of Groundwork understands (${migrations.length}).`,
      );
    }
    this.db.transaction(() => {
      for (let version = from; version < migrations.length; version++) this.db.exec(migrations[version]!);
      this.db.pragma(`user_version = ${migrations.length}`);
    }).immediate();
  }

  /**
   * Recomputes every chunk's search terms when the index was written by another version of the
   * tokenizer, so that documents and questions keep meeting on the same terms without a re-sync.
   */
  private reanalyze(): void {
    const stored = this.statement("SELECT value FROM settings WHERE key = 'analysis_version'").pluck().get() as string | undefined;
    if (stored === String(analysisVersion)) return;
    this.db.transaction(() => {
      const documents = this.statement('SELECT id, path, title, labels FROM documents').all() as Array<{ id: string; path: string; title: string; labels: string }>;
      const chunksOf = this.statement('SELECT rowid, heading_path, text FROM chunks WHERE document_id = ?');
      for (const document of documents) {
        const labels = JSON.parse(document.labels) as string[];
        this.statement('UPDATE documents SET superseded = ? WHERE id = ?').run(markedSuperseded({ ...document, labels }) ? 1 : 0, document.id);
        const titleTerms = searchTerms(document.title);
        for (const chunk of chunksOf.all(document.id) as Array<{ rowid: number; heading_path: string; text: string }>) {
          const analysed = analyseChunk(titleTerms, JSON.parse(chunk.heading_path) as string[], chunk.text);
          this.statement('UPDATE chunks SET body_terms = ? WHERE rowid = ?').run(analysed.bodyTerms, chunk.rowid);
          this.statement('DELETE FROM chunks_fts WHERE rowid = ?').run(chunk.rowid);
          this.statement('INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)').run(chunk.rowid, ...analysed.fts);
        }
      }
      this.statement("INSERT OR REPLACE INTO settings (key, value) VALUES ('analysis_version', ?)").run(String(analysisVersion));
    }).immediate();
  }

  private run<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_')) throw explainOpenError(this.file, error);
      throw error;
    }
  }

  async replaceDocument(document: IndexedDocument, chunks: IndexedChunk[], space?: VectorSpace): Promise<void> {
    const titleTerms = searchTerms(document.title);
    this.writes++;
    const withVectors = chunks.some((chunk) => chunk.embedding);
    if (withVectors && !space) throw new InternalError('chunks with vectors need their vector space');
    this.run(() =>
      this.db.transaction(() => {
        if (withVectors) this.useVectorSpace(space!);
        this.deleteDocument(document.id);
        this.statement(
          `INSERT INTO documents (id, source, path, title, url, updated_at, author, content_hash, labels, superseded)
           VALUES (@id, @source, @path, @title, @url, @updatedAt, @author, @contentHash, @labels, @superseded)`,
        )
          .run({ ...document, updatedAt: document.updatedAt?.toISOString() ?? null, labels: JSON.stringify(document.labels), superseded: document.superseded ? 1 : 0 });
        const insertChunk = this.statement(
          `INSERT INTO chunks (id, document_id, position, heading_path, text, token_count, content_hash, body_terms, input_hash)
           VALUES (@id, @documentId, @position, @headingPath, @text, @tokenCount, @contentHash, @bodyTerms, @inputHash)`,
        );
        const insertFts = this.statement('INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)');
        for (const { embedding, ...chunk } of chunks) {
          const analysed = analyseChunk(titleTerms, chunk.headingPath, chunk.text);
          const { lastInsertRowid } = insertChunk.run({
            ...chunk,
            headingPath: JSON.stringify(chunk.headingPath),
            bodyTerms: analysed.bodyTerms,
            inputHash: embedding?.inputHash ?? null,
          });
          insertFts.run(lastInsertRowid, ...analysed.fts);
          // vec0 takes integer rowids only as BigInt.
          if (embedding) this.statement('INSERT INTO chunks_vec (rowid, embedding) VALUES (?, ?)').run(BigInt(lastInsertRowid), embedding.vector);
        }
      }).immediate(),
    );
  }

  private hasVectorTable(): boolean {
    return this.statement("SELECT count(*) FROM sqlite_master WHERE name = 'chunks_vec'").pluck().get() === 1;
  }

  private readVectorSpace(): VectorSpace | null {
    const value = this.statement("SELECT value FROM settings WHERE key = 'vector_space'").pluck().get() as string | undefined;
    return value ? (JSON.parse(value) as VectorSpace) : null;
  }

  /** Within a write transaction: creates the vector table for the first vectors, refuses vectors of another space. */
  private useVectorSpace(space: VectorSpace): void {
    const current = this.readVectorSpace();
    if (current && (current.model !== space.model || current.dimensions !== space.dimensions)) {
      throw new ReindexRequiredError(
        `the index holds vectors of ${describeSpace(current)}, not of ${describeSpace(space)}: run "groundwork sync --reindex" to embed every passage again`,
      );
    }
    if (current && this.hasVectorTable()) return;
    this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vec USING vec0(embedding float[${space.dimensions}] distance_metric=cosine)`);
    this.statement("INSERT OR REPLACE INTO settings (key, value) VALUES ('vector_space', ?)").run(JSON.stringify(space));
  }

  async vectorSpace(): Promise<VectorSpace | null> {
    return this.run(() => this.readVectorSpace());
  }

  async resetVectors(): Promise<void> {
    this.run(() =>
      this.db.transaction(() => {
        this.db.exec('DROP TABLE IF EXISTS chunks_vec');
        this.statement('UPDATE chunks SET input_hash = NULL WHERE input_hash IS NOT NULL').run();
        this.statement("DELETE FROM settings WHERE key = 'vector_space'").run();
        // Every document must be embedded again, also those of sources this sync does not cover.
        this.statement("UPDATE documents SET content_hash = 'without-vectors:' || content_hash WHERE content_hash NOT LIKE 'without-vectors:%'").run();
        this.statements.clear(); // statements over the dropped table are invalid now
      }).immediate(),
    );
  }

  async storedVectors(inputHashes: string[]): Promise<Map<string, Float32Array>> {
    return this.run(() => {
      const vectors = new Map<string, Float32Array>();
      if (inputHashes.length === 0 || !this.hasVectorTable()) return vectors;
      // Rowids first, then one lookup each: a join would scan the whole vector table.
      const rows = this.statement('SELECT rowid, input_hash FROM chunks WHERE input_hash IN (SELECT value FROM json_each(?))').all(JSON.stringify(inputHashes)) as Array<{
        rowid: number;
        input_hash: string;
      }>;
      const lookup = this.statement('SELECT embedding FROM chunks_vec WHERE rowid = ?').pluck();
      for (const row of rows) {
        if (vectors.has(row.input_hash)) continue;
        const blob = lookup.get(BigInt(row.rowid)) as Buffer | undefined;
        if (blob) vectors.set(row.input_hash, new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length)));
      }
      return vectors;
    });
  }

  async searchVectors(query: VectorQuery): Promise<SearchHit[]> {
    const rows = this.run(() => {
      if (!this.hasVectorTable()) return [];
      const sourceFilter = query.sources ? `AND d.source IN (SELECT value FROM json_each(@sources))` : '';
      return this.statement(
        `SELECT c.*, d.source, d.path, d.title, d.url, d.updated_at, d.superseded, 1 - v.distance AS relevance
         FROM (SELECT rowid, distance FROM chunks_vec WHERE embedding MATCH @vector AND k = @candidates) v
         JOIN chunks c ON c.rowid = v.rowid
         JOIN documents d ON d.id = c.document_id
         WHERE 1 ${sourceFilter}
         ORDER BY v.distance LIMIT @limit`,
      )
        .all({
          vector: query.vector,
          candidates: query.sources ? query.limit * 20 : query.limit,
          limit: query.limit,
          sources: query.sources ? JSON.stringify(query.sources) : undefined,
        }) as Array<ChunkRow & { relevance: number }>;
    });
    return rows.map(toSearchHit);
  }

  async vectorCount(): Promise<number> {
    return this.run(() => (this.hasVectorTable() ? (this.statement('SELECT count(*) FROM chunks_vec').pluck().get() as number) : 0));
  }

  async deleteDocuments(ids: string[]): Promise<void> {
    this.writes++;
    this.run(() => this.db.transaction(() => ids.forEach((id) => this.deleteDocument(id))).immediate());
  }

  private deleteDocument(id: string): void {
    if (this.hasVectorTable()) {
      const rowids = this.statement('SELECT rowid FROM chunks WHERE document_id = ? AND input_hash IS NOT NULL').pluck().all(id) as number[];
      const deleteVector = this.statement('DELETE FROM chunks_vec WHERE rowid = ?');
      for (const rowid of rowids) deleteVector.run(BigInt(rowid));
    }
    this.statement('DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE document_id = ?)').run(id);
    this.statement('DELETE FROM chunks WHERE document_id = ?').run(id);
    this.statement('DELETE FROM documents WHERE id = ?').run(id);
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.terms.length === 0) return [];
    const match = query.terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ');
    const sourceFilter = query.sources ? `AND d.source IN (SELECT value FROM json_each(@sources))` : '';
    const rows = this.run(
      () =>
        this.statement(
          `SELECT c.*, d.source, d.path, d.title, d.url, d.updated_at, d.superseded, -f.rank AS relevance
           FROM (SELECT rowid, rank FROM chunks_fts
                 WHERE chunks_fts MATCH @match AND rank MATCH @ranking
                 ORDER BY rank LIMIT @candidates) f
           JOIN chunks c ON c.rowid = f.rowid
           JOIN documents d ON d.id = c.document_id
           WHERE 1 ${sourceFilter}
           ORDER BY f.rank LIMIT @limit`,
        )
          .all({
            match,
            ranking: `bm25(${columnWeights.join(', ')})`,
            // With a source filter, look deeper so that other sources' hits do not crowd it out.
            candidates: query.sources ? query.limit * 20 : query.limit,
            limit: query.limit,
            sources: query.sources ? JSON.stringify(query.sources) : undefined,
          }) as Array<ChunkRow & { relevance: number }>,
    );
    return rows.map(toSearchHit);
  }

  async termStatistics(terms: string[]): Promise<TermStatistics> {
    return this.run(() => {
      const lookup = this.statement('SELECT doc FROM chunks_terms WHERE term = ?').pluck();
      const chunkFrequency = new Map(terms.map((term) => [term, (lookup.get(term) as number | undefined) ?? 0]));
      return { ...this.chunkStatistics(), chunkFrequency };
    });
  }

  async termsStartingWith(prefix: string): Promise<Map<string, number>> {
    // fts5vocab answers a range of terms without scanning the others.
    const upper = prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
    const rows = this.run(() => this.statement('SELECT term, doc FROM chunks_terms WHERE term >= ? AND term < ?').all(prefix, upper) as Array<{ term: string; doc: number }>);
    return new Map(rows.map((row) => [row.term, row.doc]));
  }

  private writes = 0;
  private cachedStatistics: { key: string; chunkCount: number; averageTokens: number } | null = null;

  /** Chunk count and mean length, recounted only after a write (by this connection or another one). */
  private chunkStatistics(): { chunkCount: number; averageTokens: number } {
    const key = `${this.db.pragma('data_version', { simple: true }) as number}:${this.writes}`;
    if (this.cachedStatistics?.key !== key) {
      const row = this.statement('SELECT count(*) AS n, coalesce(avg(token_count), 0) AS mean FROM chunks').get() as { n: number; mean: number };
      this.cachedStatistics = { key, chunkCount: row.n, averageTokens: row.mean };
    }
    return this.cachedStatistics;
  }

  async documentChunks(documentId: string): Promise<{ document: DocumentInfo; chunks: Chunk[] } | null> {
    const rows = this.run(
      () =>
        this.statement(
          `SELECT c.*, d.source, d.path, d.title, d.url, d.updated_at, d.superseded FROM chunks c
           JOIN documents d ON d.id = c.document_id WHERE c.document_id = ? ORDER BY c.position`,
        )
          .all(documentId) as ChunkRow[],
    );
    if (rows.length === 0) return null;
    return { document: toDocumentInfo(rows[0]!), chunks: rows.map(toChunk) };
  }

  async chunkCount(): Promise<number> {
    return this.run(() => this.statement('SELECT count(*) FROM chunks').pluck().get() as number);
  }

  async documentHashes(source: string): Promise<Map<string, string>> {
    const rows = this.run(
      () => this.statement('SELECT id, content_hash FROM documents WHERE source = ?').all(source) as Array<{ id: string; content_hash: string }>,
    );
    return new Map(rows.map((row) => [row.id, row.content_hash]));
  }

  async recordSync(source: { name: string; kind: string; location: string }, report: SyncReport, at: Date): Promise<void> {
    this.run(() =>
      this.db
        .prepare(
          `INSERT INTO sources (name, kind, location, last_sync_at, last_report) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
             last_sync_at = excluded.last_sync_at, last_report = excluded.last_report`,
        )
        .run(source.name, source.kind, source.location, at.toISOString(), JSON.stringify(report)),
    );
  }

  async sourceStatuses(): Promise<SourceStatus[]> {
    const rows = this.run(
      () =>
        this.db
          .prepare(
            `SELECT s.name, s.kind, s.location, s.last_sync_at,
               (SELECT count(*) FROM documents d WHERE d.source = s.name) AS documents
             FROM sources s ORDER BY s.name`,
          )
          .all() as Array<{ name: string; kind: string; location: string; last_sync_at: string | null; documents: number }>,
    );
    return rows.map((row) => ({
      name: row.name,
      kind: row.kind,
      location: row.location,
      documents: row.documents,
      lastSyncAt: row.last_sync_at ? new Date(row.last_sync_at) : null,
    }));
  }

  async beginRun(
    run: Pick<SyncRun, 'id' | 'requestedBy' | 'sources'>,
    holder: LockHolder,
    isAlive: (holder: LockHolder & { heartbeatAt: Date }) => boolean,
  ): Promise<SyncRun | null> {
    return this.run(() =>
      this.db.transaction((): SyncRun | null => {
        const lock = this.statement('SELECT run_id, pid, host, heartbeat_at FROM sync_lock WHERE id = 1').get() as
          | { run_id: string; pid: number; host: string; heartbeat_at: string }
          | undefined;
        if (lock) {
          const current = this.statement('SELECT * FROM sync_runs WHERE id = ?').get(lock.run_id) as RunRow | undefined;
          if (current && isAlive({ pid: lock.pid, host: lock.host, heartbeatAt: new Date(lock.heartbeat_at) })) return toRun(current);
          // The holder died: its run is over, and the lock is free.
          this.db
            .prepare("UPDATE sync_runs SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'running'")
            .run(new Date().toISOString(), lock.run_id);
        }
        const now = new Date().toISOString();
        this.db
          .prepare('INSERT OR REPLACE INTO sync_lock (id, run_id, pid, host, heartbeat_at) VALUES (1, ?, ?, ?, ?)')
          .run(run.id, holder.pid, holder.host, now);
        this.db
          .prepare("INSERT INTO sync_runs (id, requested_by, sources, started_at, status) VALUES (?, ?, ?, ?, 'running')")
          .run(run.id, run.requestedBy, JSON.stringify(run.sources), now);
        return null;
      }).immediate(),
    );
  }

  async heartbeat(runId: string): Promise<void> {
    this.run(() => this.statement('UPDATE sync_lock SET heartbeat_at = ? WHERE run_id = ?').run(new Date().toISOString(), runId));
  }

  async finishRun(runId: string, status: 'succeeded' | 'failed', reports: SyncReport[]): Promise<void> {
    this.run(() =>
      this.db.transaction(() => {
        this.db
          .prepare('UPDATE sync_runs SET status = ?, finished_at = ?, reports = ? WHERE id = ?')
          .run(status, new Date().toISOString(), JSON.stringify(reports), runId);
        this.statement('DELETE FROM sync_lock WHERE run_id = ?').run(runId);
        this.db
          .prepare(
            `DELETE FROM sync_runs WHERE status != 'running' AND id NOT IN
               (SELECT id FROM sync_runs ORDER BY started_at DESC LIMIT ${keptRuns})`,
          )
          .run();
      }).immediate(),
    );
  }

  async recordAnswer(answer: GivenAnswer): Promise<void> {
    this.run(() =>
      this.db.transaction(() => {
        this.statement(
          `INSERT OR REPLACE INTO answers (message_id, platform, conversation_id, question, answer, cited_document_ids, given_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(answer.messageId, answer.platform, answer.conversationId, answer.question, answer.answer, JSON.stringify(answer.citedDocumentIds), new Date().toISOString());
        this.statement(
          `DELETE FROM answers WHERE message_id NOT IN (SELECT message_id FROM feedback)
           AND given_at < (SELECT given_at FROM answers ORDER BY given_at DESC LIMIT 1 OFFSET ${keptAnswers})`,
        ).run();
      }).immediate(),
    );
  }

  async recordFeedback(feedback: Omit<Feedback, 'messageId'> & { messageId: string | null }): Promise<boolean> {
    return this.run(() => {
      const messageId = (
        feedback.messageId
          ? this.statement('SELECT message_id FROM answers WHERE message_id = ?').pluck().get(feedback.messageId)
          : this.statement('SELECT message_id FROM answers WHERE conversation_id = ? ORDER BY given_at DESC, rowid DESC LIMIT 1').pluck().get(feedback.conversationId)
      ) as string | undefined;
      if (!messageId) return false;
      this.statement('INSERT OR REPLACE INTO feedback (message_id, user_id, reaction, comment, given_at) VALUES (?, ?, ?, ?, ?)').run(
        messageId,
        feedback.userId,
        feedback.reaction,
        feedback.comment,
        new Date().toISOString(),
      );
      return true;
    });
  }

  async feedbackCounts(): Promise<{ like: number; dislike: number }> {
    const rows = this.run(() => this.statement('SELECT reaction, count(*) AS n FROM feedback GROUP BY reaction').all() as Array<{ reaction: string; n: number }>);
    return { like: rows.find((r) => r.reaction === 'like')?.n ?? 0, dislike: rows.find((r) => r.reaction === 'dislike')?.n ?? 0 };
  }

  async recentFeedback(limit: number): Promise<Array<Feedback & GivenAnswer & { at: Date }>> {
    const rows = this.run(
      () =>
        this.statement(
          `SELECT f.user_id, f.reaction, f.comment, f.given_at AS at, a.* FROM feedback f JOIN answers a ON a.message_id = f.message_id
           ORDER BY f.given_at DESC LIMIT ?`,
        ).all(limit) as Array<AnswerRow & { user_id: string; reaction: 'like' | 'dislike'; comment: string | null; at: string }>,
    );
    return rows.map((row) => ({
      messageId: row.message_id,
      platform: row.platform,
      conversationId: row.conversation_id,
      question: row.question,
      answer: row.answer,
      citedDocumentIds: JSON.parse(row.cited_document_ids) as string[],
      userId: row.user_id,
      reaction: row.reaction,
      comment: row.comment,
      at: new Date(row.at),
    }));
  }

  async getRun(id: string): Promise<SyncRun | null> {
    const row = this.run(() => this.statement('SELECT * FROM sync_runs WHERE id = ?').get(id) as RunRow | undefined);
    return row ? toRun(row) : null;
  }

  async recentRuns(limit: number): Promise<SyncRun[]> {
    const rows = this.run(() => this.statement('SELECT * FROM sync_runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as RunRow[]);
    return rows.map(toRun);
  }
}

interface AnswerRow {
  message_id: string;
  platform: string;
  conversation_id: string;
  question: string;
  answer: string;
  cited_document_ids: string;
}

interface RunRow {
  id: string;
  requested_by: string;
  sources: string;
  started_at: string;
  finished_at: string | null;
  status: SyncRun['status'];
  reports: string;
}

function toRun(row: RunRow): SyncRun {
  return {
    id: row.id,
    requestedBy: row.requested_by,
    sources: JSON.parse(row.sources) as string[],
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
    status: row.status,
    reports: JSON.parse(row.reports) as SyncReport[],
  };
}

function describeSpace(space: VectorSpace): string {
  return `the embedding model "${space.model}" (${space.dimensions} dimensions)`;
}

function toSearchHit(row: ChunkRow & { relevance: number }): SearchHit {
  return { chunk: toChunk(row), document: toDocumentInfo(row), relevance: row.relevance, bodyTerms: TermCounts.parse(row.body_terms) };
}

/** What the index stores of a chunk's terms: the body's term counts, and the three full-text columns. */
function analyseChunk(titleTerms: string[], headingPath: string[], text: string): { bodyTerms: string; fts: [string, string, string] } {
  const headingTerms = searchTerms(headingPath.join('\n'));
  const bodyTerms = searchTerms(text);
  return { bodyTerms: TermCounts.of(bodyTerms).toString(), fts: [titleTerms.join(' '), headingTerms.join(' '), bodyTerms.join(' ')] };
}

function toChunk(row: ChunkRow): Chunk {
  return {
    id: row.id,
    documentId: row.document_id,
    position: row.position,
    headingPath: JSON.parse(row.heading_path) as string[],
    text: row.text,
    tokenCount: row.token_count,
    contentHash: row.content_hash,
  };
}

function toDocumentInfo(row: ChunkRow): DocumentInfo {
  return {
    id: row.document_id,
    source: row.source,
    path: row.path,
    title: row.title,
    url: row.url,
    updatedAt: row.updated_at ? new Date(row.updated_at) : null,
    superseded: row.superseded === 1,
  };
}
