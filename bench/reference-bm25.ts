// The reference ranking the bot must match or beat: plain Okapi BM25 (k1 0.9, b 0.4, the usual
// defaults of Lucene-based IR toolkits) over the very chunks and terms of an index — title,
// headings and text of each chunk as one bag of words, no field weights, no filler handling, no
// floors. Documents are ranked by their best chunk.
import Database from 'better-sqlite3';
import { searchTerms } from '../src/retrieval/tokenize.js';

interface Posting {
  chunk: number;
  tf: number;
}

export interface RankedDocument {
  id: string;
  source: string;
  path: string;
  title: string;
}

export class ReferenceBm25 {
  private readonly postings = new Map<string, Posting[]>();
  private readonly lengths: number[] = [];
  private readonly documentOf: RankedDocument[] = [];
  private readonly averageLength: number;

  constructor(
    file: string,
    private readonly k1 = 0.9,
    private readonly b = 0.4,
  ) {
    const db = new Database(file, { readonly: true });
    const rows = db
      // The current version of each document: the catalogue's, with that version's metadata.
      .prepare(
        `SELECT c.text, c.heading_path, d.id, m.source, m.path, m.title
         FROM chunks c
         JOIN documents d ON d.id = c.document_id AND d.version = c.document_version
         JOIN indexed_documents m ON m.document_id = d.id AND m.version = d.version
         ORDER BY c.rowid`,
      )
      .all() as Array<{ text: string; heading_path: string; id: string; source: string; path: string; title: string }>;
    db.close();
    rows.forEach((row, chunk) => {
      const terms = searchTerms(`${row.title}\n${(JSON.parse(row.heading_path) as string[]).join('\n')}\n${row.text}`);
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, tf] of counts) {
        let list = this.postings.get(term);
        if (!list) this.postings.set(term, (list = []));
        list.push({ chunk, tf });
      }
      this.lengths.push(terms.length);
      this.documentOf.push({ id: row.id, source: row.source, path: row.path, title: row.title });
    });
    this.averageLength = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, this.lengths.length);
  }

  /** Distinct documents in the order of their best chunk, at most `limit`; `sources` restricts them. */
  rank(question: string, limit: number, sources?: string[]): RankedDocument[] {
    const n = this.lengths.length;
    const scores = new Map<number, number>();
    for (const term of new Set(searchTerms(question))) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { chunk, tf } of list) {
        const norm = this.k1 * (1 - this.b + (this.b * this.lengths[chunk]!) / this.averageLength);
        scores.set(chunk, (scores.get(chunk) ?? 0) + (idf * tf * (this.k1 + 1)) / (tf + norm));
      }
    }
    const ranked: RankedDocument[] = [];
    const seen = new Set<string>();
    for (const [chunk] of [...scores].sort((a, b) => b[1] - a[1])) {
      const document = this.documentOf[chunk]!;
      if (seen.has(document.id) || (sources && !sources.includes(document.source))) continue;
      seen.add(document.id);
      ranked.push(document);
      if (ranked.length >= limit) break;
    }
    return ranked;
  }
}
