// Term statistics in PostgreSQL (see index/term-statistics.ts), shared by every replica searching
// one Qdrant collection: the same three tables as in groundwork.db, each version added and taken
// away in one transaction.
import type { TermStatistics } from '../index/passage-index.js';
import type { ChunkTermSummary, ForgottenVersions, TermStatisticsStore } from '../index/term-statistics.js';
import type { PostgresDatabase, Queryable } from './postgres-database.js';

export class PostgresTermStatistics implements TermStatisticsStore {
  constructor(private readonly db: PostgresDatabase) {}

  async record(documentId: string, version: number, chunks: ChunkTermSummary[]): Promise<void> {
    const frequencies = new Map<string, number>();
    for (const chunk of chunks) for (const term of new Set(chunk.terms)) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    const terms = [...frequencies.keys()];
    const counts = terms.map((term) => frequencies.get(term)!);
    const tokens = chunks.reduce((sum, chunk) => sum + chunk.tokenCount, 0);
    await this.db.transaction(async (client) => {
      await forgetVersions(client, documentId, { only: version });
      await client.query('INSERT INTO term_versions (document_id, version, term, chunks) SELECT $1, $2, * FROM unnest($3::text[], $4::int[])', [documentId, version, terms, counts]);
      // In term order, so that two writers add to the same terms without deadlocking.
      await client.query(
        `INSERT INTO term_frequencies (term, chunks) SELECT * FROM unnest($1::text[], $2::int[]) AS t(term, chunks) ORDER BY term
         ON CONFLICT (term) DO UPDATE SET chunks = term_frequencies.chunks + excluded.chunks`,
        [terms, counts],
      );
      await client.query('INSERT INTO version_sizes (document_id, version, chunks, tokens) VALUES ($1, $2, $3, $4)', [documentId, version, chunks.length, tokens]);
    });
  }

  async forget(documentId: string, versions: ForgottenVersions): Promise<void> {
    await this.db.transaction((client) => forgetVersions(client, documentId, versions));
  }

  async statistics(terms: string[]): Promise<TermStatistics> {
    const [frequencies, sizes] = await Promise.all([
      this.db.query<{ term: string; chunks: number }>('SELECT term, chunks FROM term_frequencies WHERE term = ANY($1::text[])', [terms]),
      this.db.query<{ chunks: string; tokens: string }>('SELECT coalesce(sum(chunks), 0) AS chunks, coalesce(sum(tokens), 0) AS tokens FROM version_sizes'),
    ]);
    const found = new Map(frequencies.rows.map((row) => [row.term, row.chunks]));
    const chunkCount = Number(sizes.rows[0]!.chunks);
    const tokens = Number(sizes.rows[0]!.tokens);
    return { chunkCount, averageTokens: chunkCount === 0 ? 0 : tokens / chunkCount, chunkFrequency: new Map(terms.map((term) => [term, found.get(term) ?? 0])) };
  }

  async startingWith(prefix: string): Promise<Map<string, number>> {
    const upper = prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
    const { rows } = await this.db.query<{ term: string; chunks: number }>('SELECT term, chunks FROM term_frequencies WHERE term >= $1 AND term < $2', [prefix, upper]);
    return new Map(rows.map((row) => [row.term, row.chunks]));
  }
}

async function forgetVersions(client: Queryable, documentId: string, versions: ForgottenVersions): Promise<void> {
  const condition = versions === 'all' ? 'true' : 'only' in versions ? 'version = $2' : 'version <> $2';
  const values = versions === 'all' ? [documentId] : [documentId, 'only' in versions ? versions.only : versions.except];
  const { rows } = await client.query<{ term: string; chunks: string }>(
    `DELETE FROM term_versions WHERE document_id = $1 AND ${condition} RETURNING term, chunks`,
    values,
  );
  const removed = new Map<string, number>();
  for (const row of rows) removed.set(row.term, (removed.get(row.term) ?? 0) + Number(row.chunks));
  const terms = [...removed.keys()].sort();
  if (terms.length > 0) {
    await client.query(
      `UPDATE term_frequencies AS f SET chunks = f.chunks - t.chunks FROM unnest($1::text[], $2::int[]) AS t(term, chunks) WHERE f.term = t.term`,
      [terms, terms.map((term) => removed.get(term)!)],
    );
    await client.query('DELETE FROM term_frequencies WHERE term = ANY($1::text[]) AND chunks <= 0', [terms]);
  }
  await client.query(`DELETE FROM version_sizes WHERE document_id = $1 AND ${condition}`, values);
}
