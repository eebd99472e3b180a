// The embedded passage index in groundwork.db: each document version's metadata, readers and
// chunks, an FTS5 table over pre-segmented search terms (BM25), and the chunks' vectors
// (sqlite-vec). Every read keeps the chunks of versions one of its readers may read, in the query.
// Readers see a document's current version as the catalogue of the same file records it
// (documents.version), so this index pairs with SqliteCatalogue; see openSqliteStore.
import type { Chunk, DocumentInfo } from '../domain.js';
import { InternalError, ReindexRequiredError } from '../errors.js';
import { markedSuperseded } from '../retrieval/superseded.js';
import { analysisVersion, searchTerms } from '../retrieval/tokenize.js';
import type { DocumentAccess, IndexedChunk, IndexedDocument, PassageIndex, ReaderChange, SearchHit, SearchQuery, TermStatistics, VectorQuery, VectorSpace } from './passage-index.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { readLocation } from './stored-location.js';
import { TermCounts } from './term-counts.js';

// BM25 weights of the title, headings and body columns.
const columnWeights = [3, 2, 1];

// Keeps chunks c of current versions only, and adds their document's metadata d.
const ofCurrentVersion = `JOIN documents catalogued ON catalogued.id = c.document_id AND catalogued.version = c.document_version
  JOIN indexed_documents d ON d.document_id = c.document_id AND d.version = c.document_version`;
// The version's readers, as a JSON array.
const readersOf = `(SELECT json_group_array(r.reader) FROM document_readers r WHERE r.document_id = d.document_id AND r.version = d.version)`;
const hitColumns = `c.*, d.source, d.path, d.title, d.url, d.updated_at, d.superseded, ${readersOf} AS readers`;
// Keeps chunks c of document versions that one of @readers (a JSON array) may read.
const readable = `EXISTS (SELECT 1 FROM document_readers r
  WHERE r.document_id = c.document_id AND r.version = c.document_version AND r.reader IN (SELECT value FROM json_each(@readers)))`;
const inSources = 'd.source IN (SELECT value FROM json_each(@sources))';

/**
 * How many candidates the fast path of a search takes from the full-text or vector table before
 * the joins and filters: the limit, or more with a source filter so that other sources' hits do
 * not crowd it out. When the filters leave fewer than the limit of a full candidate set, the
 * search runs again over every match (see `search` and `searchVectors`).
 */
const candidatesFor = (query: { limit: number; sources?: string[] }) => (query.sources ? query.limit * 20 : query.limit);

/** Which versions of a document a deletion takes. */
type Versions = { only: number } | { except: number } | 'all';

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
  location: string | null;
  source: string;
  path: string;
  title: string;
  url: string | null;
  updated_at: string | null;
  superseded: number;
  readers: string;
}

export class SqlitePassageIndex implements PassageIndex {
  private writes = 0;
  private cachedStatistics: { key: string; chunkCount: number; averageTokens: number } | null = null;

  constructor(private readonly connection: SqliteConnection) {}

  private get db() {
    return this.connection.db;
  }

  private statement(sql: string) {
    return this.connection.statement(sql);
  }

  /**
   * Recomputes every chunk's search terms when the index was written by another version of the
   * tokenizer, so that documents and questions keep meeting on the same terms without a re-sync.
   */
  reanalyze(): void {
    const stored = this.statement("SELECT value FROM settings WHERE key = 'analysis_version'").pluck().get() as string | undefined;
    if (stored === String(analysisVersion)) return;
    this.connection.write(() => {
      const documents = this.statement('SELECT document_id, version, path, title, labels FROM indexed_documents').all() as Array<{
        document_id: string;
        version: number;
        path: string;
        title: string;
        labels: string;
      }>;
      const chunksOf = this.statement('SELECT rowid, heading_path, text FROM chunks WHERE document_id = ? AND document_version = ?');
      for (const document of documents) {
        const labels = JSON.parse(document.labels) as string[];
        this.statement('UPDATE indexed_documents SET superseded = ? WHERE document_id = ? AND version = ?').run(
          markedSuperseded({ ...document, labels }) ? 1 : 0,
          document.document_id,
          document.version,
        );
        const titleTerms = searchTerms(document.title);
        for (const chunk of chunksOf.all(document.document_id, document.version) as Array<{ rowid: number; heading_path: string; text: string }>) {
          const analysed = analyseChunk(titleTerms, JSON.parse(chunk.heading_path) as string[], chunk.text);
          this.statement('UPDATE chunks SET body_terms = ? WHERE rowid = ?').run(analysed.bodyTerms, chunk.rowid);
          this.statement('DELETE FROM chunks_fts WHERE rowid = ?').run(chunk.rowid);
          this.statement('INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)').run(chunk.rowid, ...analysed.fts);
        }
      }
      this.statement("INSERT OR REPLACE INTO settings (key, value) VALUES ('analysis_version', ?)").run(String(analysisVersion));
    });
  }

  async writeVersion(document: IndexedDocument, version: number, chunks: IndexedChunk[], space?: VectorSpace): Promise<void> {
    const titleTerms = searchTerms(document.title);
    this.writes++;
    const withVectors = chunks.some((chunk) => chunk.embedding);
    if (withVectors && !space) throw new InternalError('chunks with vectors need their vector space');
    this.connection.write(() => {
      if (withVectors) this.useVectorSpace(space!);
      this.deleteVersions(document.id, { only: version });
      this.statement(
        `INSERT INTO indexed_documents (document_id, version, source, path, title, url, updated_at, author, labels, superseded)
         VALUES (@id, @version, @source, @path, @title, @url, @updatedAt, @author, @labels, @superseded)`,
      ).run({
        id: document.id,
        version,
        source: document.source,
        path: document.path,
        title: document.title,
        url: document.url,
        updatedAt: document.updatedAt?.toISOString() ?? null,
        author: document.author,
        labels: JSON.stringify(document.labels),
        superseded: document.superseded ? 1 : 0,
      });
      this.insertReaders(document.id, version, document.readers);
      const insertChunk = this.statement(
        `INSERT INTO chunks (id, document_id, document_version, position, heading_path, text, token_count, content_hash, body_terms, input_hash, location)
         VALUES (@id, @documentId, @version, @position, @headingPath, @text, @tokenCount, @contentHash, @bodyTerms, @inputHash, @location)`,
      );
      const insertFts = this.statement('INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)');
      for (const { embedding, ...chunk } of chunks) {
        const analysed = analyseChunk(titleTerms, chunk.headingPath, chunk.text);
        const { lastInsertRowid } = insertChunk.run({
          ...chunk,
          version,
          headingPath: JSON.stringify(chunk.headingPath),
          bodyTerms: analysed.bodyTerms,
          inputHash: embedding?.inputHash ?? null,
          location: chunk.location ? JSON.stringify(chunk.location) : null,
        });
        insertFts.run(lastInsertRowid, ...analysed.fts);
        // vec0 takes integer rowids only as BigInt.
        if (embedding) this.statement('INSERT INTO chunks_vec (rowid, embedding) VALUES (?, ?)').run(BigInt(lastInsertRowid), embedding.vector);
      }
    });
  }

  async deleteOtherVersions(documentId: string, keep: number): Promise<void> {
    this.writes++;
    this.connection.write(() => this.deleteVersions(documentId, { except: keep }));
  }

  async deleteDocuments(ids: string[]): Promise<void> {
    this.writes++;
    this.connection.write(() => ids.forEach((id) => this.deleteVersions(id, 'all')));
  }

  /** Within a write transaction: deletes versions of a document, their chunks and vectors. */
  private deleteVersions(documentId: string, versions: Versions): void {
    const condition = versions === 'all' ? '1' : 'only' in versions ? 'document_version = @version' : 'document_version != @version';
    const params = { documentId, version: versions === 'all' ? null : 'only' in versions ? versions.only : versions.except };
    const chunksOf = `SELECT rowid FROM chunks WHERE document_id = @documentId AND ${condition}`;
    if (this.hasVectorTable()) {
      const rowids = this.statement(`${chunksOf} AND input_hash IS NOT NULL`).pluck().all(params) as number[];
      const deleteVector = this.statement('DELETE FROM chunks_vec WHERE rowid = ?');
      for (const rowid of rowids) deleteVector.run(BigInt(rowid));
    }
    this.statement(`DELETE FROM chunks_fts WHERE rowid IN (${chunksOf})`).run(params);
    this.statement(`DELETE FROM chunks WHERE document_id = @documentId AND ${condition}`).run(params);
    this.statement(`DELETE FROM indexed_documents WHERE document_id = @documentId AND ${condition.replace('document_version', 'version')}`).run(params);
    this.statement(`DELETE FROM document_readers WHERE document_id = @documentId AND ${condition.replace('document_version', 'version')}`).run(params);
  }

  /** Within a write transaction: gives a document version its readers (beside any it has). */
  private insertReaders(documentId: string, version: number, readers: string[]): void {
    this.statement('INSERT OR IGNORE INTO document_readers (document_id, version, reader) SELECT ?, ?, value FROM json_each(?)').run(documentId, version, JSON.stringify(readers));
  }

  async documentAccess(): Promise<DocumentAccess[]> {
    const rows = this.connection.run(
      () =>
        this.statement(
          `SELECT d.document_id, d.source, d.path, d.labels, d.title, d.updated_at, ${readersOf} AS readers
           FROM documents catalogued JOIN indexed_documents d ON d.document_id = catalogued.id AND d.version = catalogued.version
           ORDER BY d.document_id`,
        ).all() as Array<{ document_id: string; source: string; path: string; labels: string; title: string; updated_at: string | null; readers: string }>,
    );
    return rows.map((row) => ({
      id: row.document_id,
      source: row.source,
      path: row.path,
      labels: JSON.parse(row.labels) as string[],
      readers: parseReaders(row.readers),
      title: row.title,
      updatedAt: row.updated_at ? new Date(row.updated_at) : null,
    }));
  }

  async setReaders(changes: ReaderChange[], fingerprint: string): Promise<void> {
    this.writes++;
    this.connection.write(() => {
      const forget = this.statement('DELETE FROM document_readers WHERE document_id IN (SELECT value FROM json_each(?))');
      const give = this.statement(
        `INSERT OR IGNORE INTO document_readers (document_id, version, reader)
         SELECT d.document_id, d.version, r.value FROM indexed_documents d, json_each(@readers) r
         WHERE d.document_id IN (SELECT value FROM json_each(@ids))`,
      );
      for (const { documentIds, readers } of changes) {
        const ids = JSON.stringify(documentIds);
        forget.run(ids);
        give.run({ ids, readers: JSON.stringify(readers) });
      }
      this.statement("INSERT OR REPLACE INTO settings (key, value) VALUES ('access_fingerprint', ?)").run(fingerprint);
    });
  }

  async accessFingerprint(): Promise<string | null> {
    return this.connection.run(() => (this.statement("SELECT value FROM settings WHERE key = 'access_fingerprint'").pluck().get() as string | undefined) ?? null);
  }

  /** Runs reads on one snapshot of the file (a read transaction; a savepoint inside a write). */
  private read<T>(work: () => T): T {
    return this.connection.run(() => this.db.transaction(work).deferred());
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
    return this.connection.run(() => this.readVectorSpace());
  }

  async resetVectors(): Promise<void> {
    this.connection.write(() => {
      this.db.exec('DROP TABLE IF EXISTS chunks_vec');
      this.statement('UPDATE chunks SET input_hash = NULL WHERE input_hash IS NOT NULL').run();
      this.statement("DELETE FROM settings WHERE key = 'vector_space'").run();
      this.connection.clearStatements(); // statements over the dropped table are invalid now
    });
  }

  async storedVectors(inputHashes: string[]): Promise<Map<string, Float32Array>> {
    return this.connection.run(() => {
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

  /**
   * The `limit` readable chunks nearest to the vector. The fast path asks the vector table for the
   * nearest `candidatesFor(query)` and filters them; when that leaves fewer than the limit while
   * more vectors exist, the nearest readable ones may lie beyond the candidates, and the distance
   * is computed for every readable chunk with a vector instead (sqlite-vec's KNN takes at most
   * 4096 neighbours, so it cannot simply be asked for all of them).
   */
  async searchVectors(query: VectorQuery): Promise<SearchHit[]> {
    if (query.readers.length === 0 || query.limit <= 0) return [];
    const rows = this.read(() => {
      if (!this.hasVectorTable()) return [];
      const filter = `${readable} ${query.sources ? `AND ${inSources}` : ''}`;
      const params = {
        vector: query.vector,
        // sqlite-vec answers at most 4096 neighbours.
        candidates: Math.min(candidatesFor(query), 4096),
        limit: query.limit,
        readers: JSON.stringify(query.readers),
        sources: query.sources ? JSON.stringify(query.sources) : undefined,
      };
      const bounded = this.statement(
        `SELECT ${hitColumns}, 1 - v.distance AS relevance
         FROM (SELECT rowid, distance FROM chunks_vec WHERE embedding MATCH @vector AND k = @candidates) v
         JOIN chunks c ON c.rowid = v.rowid
         ${ofCurrentVersion}
         WHERE ${filter}
         ORDER BY v.distance LIMIT @limit`,
      ).all(params) as Array<ChunkRow & { relevance: number }>;
      if (bounded.length === query.limit || this.vectorsHeld() <= params.candidates) return bounded;
      // One point lookup in the vector table per readable chunk (a join would scan the table).
      return this.statement(
        `SELECT * FROM (
           SELECT ${hitColumns}, 1 - (SELECT vec_distance_cosine(embedding, @vector) FROM chunks_vec WHERE rowid = c.rowid) AS relevance
           FROM chunks c
           ${ofCurrentVersion}
           WHERE c.input_hash IS NOT NULL AND ${filter})
         WHERE relevance IS NOT NULL
         ORDER BY relevance DESC LIMIT @limit`,
      ).all(params) as Array<ChunkRow & { relevance: number }>;
    });
    return rows.map(toSearchHit);
  }

  /** Chunks with a vector (each has one in chunks_vec), counted on the input-hash index. */
  private vectorsHeld(): number {
    return this.statement('SELECT count(*) FROM chunks WHERE input_hash IS NOT NULL').pluck().get() as number;
  }

  async vectorCount(): Promise<number> {
    return this.connection.run(() => (this.hasVectorTable() ? (this.statement('SELECT count(*) FROM chunks_vec').pluck().get() as number) : 0));
  }

  /**
   * The `limit` readable chunks that best match any of the terms (BM25). The fast path ranks the
   * full-text matches, takes the best `candidatesFor(query)` and filters them; when that leaves
   * fewer than the limit while more matches exist, the readable ones may rank below the
   * candidates, and the search runs again with the filters over every match.
   */
  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.terms.length === 0 || query.readers.length === 0 || query.limit <= 0) return [];
    const match = query.terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ');
    const filter = `${readable} ${query.sources ? `AND ${inSources}` : ''}`;
    const params = {
      match,
      ranking: `bm25(${columnWeights.join(', ')})`,
      candidates: candidatesFor(query),
      limit: query.limit,
      readers: JSON.stringify(query.readers),
      sources: query.sources ? JSON.stringify(query.sources) : undefined,
    };
    const rows = this.read(() => {
      const bounded = this.statement(
        `SELECT ${hitColumns}, -f.rank AS relevance
         FROM (SELECT rowid, rank FROM chunks_fts
               WHERE chunks_fts MATCH @match AND rank MATCH @ranking
               ORDER BY rank LIMIT @candidates) f
         JOIN chunks c ON c.rowid = f.rowid
         ${ofCurrentVersion}
         WHERE ${filter}
         ORDER BY f.rank LIMIT @limit`,
      ).all(params) as Array<ChunkRow & { relevance: number }>;
      if (bounded.length === query.limit) return bounded;
      // Were the candidates all the matches? Counting them needs no ranking.
      const matches = this.statement('SELECT count(*) FROM (SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH @match LIMIT @candidates)').pluck().get(params) as number;
      if (matches < params.candidates) return bounded;
      return this.statement(
        `SELECT ${hitColumns}, -f.rank AS relevance
         FROM chunks_fts f
         JOIN chunks c ON c.rowid = f.rowid
         ${ofCurrentVersion}
         WHERE f.chunks_fts MATCH @match AND f.rank MATCH @ranking AND ${filter}
         ORDER BY f.rank LIMIT @limit`,
      ).all(params) as Array<ChunkRow & { relevance: number }>;
    });
    return rows.map(toSearchHit);
  }

  async termStatistics(terms: string[]): Promise<TermStatistics> {
    return this.connection.run(() => {
      const lookup = this.statement('SELECT doc FROM chunks_terms WHERE term = ?').pluck();
      const chunkFrequency = new Map(terms.map((term) => [term, (lookup.get(term) as number | undefined) ?? 0]));
      return { ...this.chunkStatistics(), chunkFrequency };
    });
  }

  async termsStartingWith(prefix: string): Promise<Map<string, number>> {
    // fts5vocab answers a range of terms without scanning the others.
    const upper = prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
    const rows = this.connection.run(
      () => this.statement('SELECT term, doc FROM chunks_terms WHERE term >= ? AND term < ?').all(prefix, upper) as Array<{ term: string; doc: number }>,
    );
    return new Map(rows.map((row) => [row.term, row.doc]));
  }

  /** Chunk count and mean length, recounted only after a write (by this connection or another one). */
  private chunkStatistics(): { chunkCount: number; averageTokens: number } {
    const key = `${this.db.pragma('data_version', { simple: true }) as number}:${this.writes}`;
    if (this.cachedStatistics?.key !== key) {
      const row = this.statement('SELECT count(*) AS n, coalesce(avg(token_count), 0) AS mean FROM chunks').get() as { n: number; mean: number };
      this.cachedStatistics = { key, chunkCount: row.n, averageTokens: row.mean };
    }
    return this.cachedStatistics;
  }

  async documentChunks(documentId: string, readers: string[]): Promise<{ document: DocumentInfo; chunks: Chunk[] } | null> {
    const rows = this.connection.run(
      () =>
        this.statement(`SELECT ${hitColumns} FROM chunks c ${ofCurrentVersion} WHERE c.document_id = @documentId AND ${readable} ORDER BY c.position`).all({
          documentId,
          readers: JSON.stringify(readers),
        }) as ChunkRow[],
    );
    if (rows.length === 0) return null;
    return { document: toDocumentInfo(rows[0]!), chunks: rows.map(toChunk) };
  }

  async documentHeadings(documentId: string, readers: string[]): Promise<string[][]> {
    const paths = this.connection.run(
      () =>
        this.statement(`SELECT c.heading_path FROM chunks c ${ofCurrentVersion} WHERE c.document_id = @documentId AND ${readable} ORDER BY c.position`)
          .pluck()
          .all({ documentId, readers: JSON.stringify(readers) }) as string[],
    );
    return [...new Set(paths)].map((path) => JSON.parse(path) as string[]);
  }

  async chunkCount(): Promise<number> {
    return this.connection.run(() => this.statement('SELECT count(*) FROM chunks').pluck().get() as number);
  }
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
  const chunk: Chunk = {
    id: row.id,
    documentId: row.document_id,
    position: row.position,
    headingPath: JSON.parse(row.heading_path) as string[],
    text: row.text,
    tokenCount: row.token_count,
    contentHash: row.content_hash,
  };
  const location = row.location ? readLocation(JSON.parse(row.location)) : undefined;
  if (location) chunk.location = location;
  return chunk;
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
    readers: parseReaders(row.readers),
  };
}

/** A version's readers from their JSON array, in one order whatever SQLite returned them in. */
function parseReaders(json: string): string[] {
  return (JSON.parse(json) as string[]).sort();
}
