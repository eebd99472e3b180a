// Search terms as Qdrant sparse vectors. A term's index is the first 32 bits of the SHA-256 of its
// UTF-8 bytes (stable across processes, platforms and versions; Qdrant's indices are u32). Two terms
// that share an index (about one pair in a vocabulary of 100,000 terms, a hundred in 1,000,000) find each other's
// chunks as candidates and share one IDF: a slightly worse candidate list, never a wrong ranking,
// since retrieval ranks candidates by its own BM25 over the exact terms (SearchHit.bodyTerms).
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { searchTerms } from '../retrieval/tokenize.js';
import { TermCounts } from './term-counts.js';

export interface SparseVector {
  indices: number[];
  values: number[];
}

// How much an occurrence counts by where it is: as retrieval weighs them (defaultRanking).
const titleWeight = 3;
const headingWeight = 1;
// BM25's term-frequency saturation, without length normalisation (Qdrant's IDF modifier supplies
// the IDF; lengths are left to retrieval's own ranking).
const k1 = 1.2;

const indices = new LRUCache<string, number>({ max: 100_000 });

export function termIndex(term: string): number {
  let index = indices.get(term);
  if (index === undefined) {
    index = createHash('sha256').update(term, 'utf8').digest().readUInt32BE(0);
    indices.set(term, index);
  }
  return index;
}

/** What a chunk holds of terms: its sparse vector, its distinct terms (all fields) and its body's term counts. */
export interface AnalysedChunk {
  sparse: SparseVector;
  distinctTerms: Set<string>;
  bodyTerms: TermCounts;
}

/** `titleTerms`: the document title's terms, analysed once for all its chunks. */
export function analyseChunk(titleTerms: string[], headingPath: string[], text: string): AnalysedChunk {
  const bodyTerms = searchTerms(text);
  const frequency = new Map<string, number>();
  const add = (terms: string[], weight: number) => {
    for (const term of terms) frequency.set(term, (frequency.get(term) ?? 0) + weight);
  };
  add(titleTerms, titleWeight);
  add(searchTerms(headingPath.join('\n')), headingWeight);
  add(bodyTerms, 1);
  const byIndex = new Map<number, number>();
  for (const [term, tf] of frequency) {
    const index = termIndex(term);
    byIndex.set(index, (byIndex.get(index) ?? 0) + tf);
  }
  const sparse: SparseVector = { indices: [], values: [] };
  for (const [index, tf] of byIndex) {
    sparse.indices.push(index);
    sparse.values.push((tf * (k1 + 1)) / (tf + k1));
  }
  return { sparse, distinctTerms: new Set(frequency.keys()), bodyTerms: TermCounts.of(bodyTerms) };
}

/** A question's terms as a query vector: each term counts once (Qdrant multiplies in its IDF). */
export function querySparse(terms: string[]): SparseVector {
  const unique = [...new Set(terms.map(termIndex))];
  return { indices: unique, values: unique.map(() => 1) };
}
