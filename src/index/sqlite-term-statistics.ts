// Term statistics in groundwork.db (see term-statistics.ts): the chunks each term occurs in, per
// document version (term_versions, to take a version away exactly) and summed (term_frequencies,
// what a question reads), and the chunk count and length of each version (version_sizes).
import type { TermStatistics } from './passage-index.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { ChunkTermSummary, ForgottenVersions, TermStatisticsStore } from './term-statistics.js';

export class SqliteTermStatistics implements TermStatisticsStore {
  private writes = 0;
  private cachedSizes: { key: string; chunkCount: number; averageTokens: number } | null = null;

  constructor(private readonly connection: SqliteConnection) {}

  async record(documentId: string, version: number, chunks: ChunkTermSummary[]): Promise<void> {
    const frequencies = new Map<string, number>();
    for (const chunk of chunks) for (const term of new Set(chunk.terms)) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    this.writes++;
    this.connection.write(() => {
      this.forgetVersions(documentId, { only: version });
      const insertVersion = this.connection.statement('INSERT INTO term_versions (document_id, version, term, chunks) VALUES (?, ?, ?, ?)');
      const addFrequency = this.connection.statement(
        'INSERT INTO term_frequencies (term, chunks) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET chunks = chunks + excluded.chunks',
      );
      for (const [term, count] of frequencies) {
        insertVersion.run(documentId, version, term, count);
        addFrequency.run(term, count);
      }
      const tokens = chunks.reduce((sum, chunk) => sum + chunk.tokenCount, 0);
      this.connection.statement('INSERT INTO version_sizes (document_id, version, chunks, tokens) VALUES (?, ?, ?, ?)').run(documentId, version, chunks.length, tokens);
    });
  }

  async forget(documentId: string, versions: ForgottenVersions): Promise<void> {
    this.writes++;
    this.connection.write(() => this.forgetVersions(documentId, versions));
  }

  /** Within a write transaction. */
  private forgetVersions(documentId: string, versions: ForgottenVersions): void {
    const condition = versions === 'all' ? '1' : 'only' in versions ? 'version = @version' : 'version != @version';
    const params = { documentId, version: versions === 'all' ? null : 'only' in versions ? versions.only : versions.except };
    const rows = this.connection.statement(`SELECT term, sum(chunks) AS chunks FROM term_versions WHERE document_id = @documentId AND ${condition} GROUP BY term`).all(params) as Array<{
      term: string;
      chunks: number;
    }>;
    const subtract = this.connection.statement('UPDATE term_frequencies SET chunks = chunks - ? WHERE term = ?');
    const dropEmpty = this.connection.statement('DELETE FROM term_frequencies WHERE term = ? AND chunks <= 0');
    for (const row of rows) {
      subtract.run(row.chunks, row.term);
      dropEmpty.run(row.term);
    }
    this.connection.statement(`DELETE FROM term_versions WHERE document_id = @documentId AND ${condition}`).run(params);
    this.connection.statement(`DELETE FROM version_sizes WHERE document_id = @documentId AND ${condition}`).run(params);
  }

  async statistics(terms: string[]): Promise<TermStatistics> {
    return this.connection.run(() => {
      const lookup = this.connection.statement('SELECT chunks FROM term_frequencies WHERE term = ?').pluck();
      const chunkFrequency = new Map(terms.map((term) => [term, (lookup.get(term) as number | undefined) ?? 0]));
      return { ...this.sizes(), chunkFrequency };
    });
  }

  async startingWith(prefix: string): Promise<Map<string, number>> {
    const upper = prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
    const rows = this.connection.run(
      () => this.connection.statement('SELECT term, chunks FROM term_frequencies WHERE term >= ? AND term < ?').all(prefix, upper) as Array<{ term: string; chunks: number }>,
    );
    return new Map(rows.map((row) => [row.term, row.chunks]));
  }

  /** Chunk count and mean length, summed again only after a write (by this connection or another one). */
  private sizes(): { chunkCount: number; averageTokens: number } {
    const key = `${this.connection.db.pragma('data_version', { simple: true }) as number}:${this.writes}`;
    if (this.cachedSizes?.key !== key) {
      const row = this.connection.statement('SELECT coalesce(sum(chunks), 0) AS chunks, coalesce(sum(tokens), 0) AS tokens FROM version_sizes').get() as { chunks: number; tokens: number };
      this.cachedSizes = { key, chunkCount: row.chunks, averageTokens: row.chunks === 0 ? 0 : row.tokens / row.chunks };
    }
    return this.cachedSizes;
  }
}
