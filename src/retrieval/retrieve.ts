// Retrieval: BM25 candidates from the index, each scored by how much of the question's
// information it holds (IDF-weighted term coverage, 0..1); with embeddings, the passages nearest
// by meaning too, both lists fused by reciprocal rank. Then the floors (coverage or similarity),
// near-duplicates collapsed and neighbouring chunks of one document merged.
import type { Passage } from '../domain.js';
import type { PassageIndex, SearchHit } from '../index/passage-index.js';
import type { DenseSearch } from './dense-search.js';
import { cjkCharacters, distinctTerms } from './tokenize.js';

export interface RetrievalOptions {
  topK: number;
  minScore: number;
  /** Cosine similarity at which a passage found by meaning is relevant, whatever its words. */
  minSimilarity: number;
  /** Only passages from these sources, when set. */
  sources?: string[];
}

export interface Retrieval {
  passages: Passage[];
  /** The question's terms with their weights (IDF), for picking sentences later. */
  termWeights: Map<string, number>;
}

// Terms found in more than this share of chunks say little and make FTS5 OR-queries slow.
const frequentTermShare = 0.2;
const minChunksForFrequentTerms = 200;
const maxPassagesPerDocument = 2;

// Reciprocal rank fusion's constant: how little the first ranks dominate.
const fusionK = 60;

interface Candidate {
  hit: SearchHit;
  coverage: number;
  similarity: number | null;
  fused: number;
}

export async function retrieve(index: PassageIndex, question: string, options: RetrievalOptions, dense?: DenseSearch | null): Promise<Retrieval> {
  const limit = Math.max(options.topK * 4, 20);
  const [lexical, nearest] = await Promise.all([lexicalSearch(index, question, limit, options.sources), dense ? dense.search(question, limit, options.sources) : null]);
  const { termWeights } = lexical;
  const totalWeight = sum([...termWeights.values()]);
  const coverage = (hit: SearchHit) => (totalWeight === 0 ? 0 : sum([...termWeights].filter(([term]) => hit.terms.has(term)).map(([, weight]) => weight)) / totalWeight);

  const candidates = new Map<string, Candidate>();
  lexical.hits.forEach(({ hit, coverage }, i) => candidates.set(hit.chunk.id, { hit, coverage, similarity: null, fused: 1 / (fusionK + i + 1) }));
  nearest?.forEach((hit, i) => {
    const candidate = candidates.get(hit.chunk.id) ?? { hit, coverage: coverage(hit), similarity: null, fused: 0 };
    candidate.similarity = hit.relevance;
    candidate.fused += 1 / (fusionK + i + 1);
    candidates.set(hit.chunk.id, candidate);
  });
  const ranked = [...candidates.values()]
    .filter((c) => c.coverage >= options.minScore || (c.similarity !== null && c.similarity >= options.minSimilarity))
    .sort((a, b) => b.fused - a.fused);

  const passages: Passage[] = [];
  const kept: Array<{ hit: SearchHit; passage: Passage; positions: number[] }> = [];
  for (const { hit, coverage, similarity } of ranked) {
    if (kept.some((other) => isNearDuplicate(other.hit, hit))) continue;
    const neighbour = kept.find(
      (other) => other.hit.document.id === hit.document.id && other.positions.some((p) => Math.abs(p - hit.chunk.position) === 1),
    );
    if (neighbour) {
      mergeInto(neighbour, hit);
      continue;
    }
    if (passages.length >= options.topK) continue;
    // Leave room for other documents: one page rarely needs more than two separate passages.
    if (kept.filter((other) => other.hit.document.id === hit.document.id).length >= maxPassagesPerDocument) continue;
    const passage: Passage = {
      chunkIds: [hit.chunk.id],
      document: hit.document,
      headingPath: hit.chunk.headingPath,
      text: hit.chunk.text,
      score: round(coverage),
      ...(similarity !== null ? { similarity: round(similarity) } : {}),
    };
    passages.push(passage);
    kept.push({ hit, passage, positions: [hit.chunk.position] });
  }
  return { passages, termWeights };
}

/** BM25 candidates with their coverage of the question, best first (by coverage, then BM25). */
async function lexicalSearch(
  index: PassageIndex,
  question: string,
  limit: number,
  sources: string[] | undefined,
): Promise<{ hits: Array<{ hit: SearchHit; coverage: number }>; termWeights: Map<string, number> }> {
  let terms = distinctTerms(question);
  if (terms.length === 0) return { hits: [], termWeights: new Map() };

  let { chunkCount, chunkFrequency } = await index.termStatistics(terms);
  // CJK words the index has never seen are searched by their characters instead.
  const unseen = terms.filter((term) => chunkFrequency.get(term) === 0 && cjkCharacters(term).length > 0);
  if (unseen.length > 0) {
    ({ chunkCount, chunkFrequency } = await index.termStatistics([...terms, ...unseen.flatMap(cjkCharacters)]));
    const replacement = (term: string) => {
      const seen = cjkCharacters(term).filter((char) => chunkFrequency.get(char)! > 0);
      return seen.length > 0 ? seen : [term];
    };
    terms = [...new Set(terms.flatMap((term) => (unseen.includes(term) ? replacement(term) : [term])))];
  }
  const termWeights = new Map(
    terms.map((term) => {
      // A term the index has never seen weighs as much as its rarest one (not more: in a small
      // index that would let one unknown word outweigh everything that matched).
      const frequency = Math.max(1, chunkFrequency.get(term) ?? 0);
      return [term, Math.log(1 + (chunkCount - frequency + 0.5) / (frequency + 0.5))];
    }),
  );
  const queryTerms = chooseQueryTerms(terms, chunkFrequency, chunkCount);
  const hits = await index.search({ terms: queryTerms, limit, sources });
  if (hits.length === 0) return { hits: [], termWeights };

  const totalWeight = sum(terms.map((term) => termWeights.get(term)!));
  const bestRelevance = Math.max(...hits.map((hit) => hit.relevance));
  const scored = hits
    .map((hit) => {
      const coverage = sum(terms.filter((term) => hit.terms.has(term)).map((term) => termWeights.get(term)!)) / totalWeight;
      return { hit, coverage, rank: coverage + hit.relevance / bestRelevance };
    })
    .sort((a, b) => b.rank - a.rank);
  return { hits: scored, termWeights };
}

function chooseQueryTerms(terms: string[], chunkFrequency: Map<string, number>, chunkCount: number): string[] {
  const present = terms.filter((term) => (chunkFrequency.get(term) ?? 0) > 0);
  if (chunkCount < minChunksForFrequentTerms) return present;
  const informative = present.filter((term) => chunkFrequency.get(term)! / chunkCount <= frequentTermShare);
  if (informative.length > 0) return informative;
  // Only common words: search for the two rarest.
  return [...present].sort((a, b) => chunkFrequency.get(a)! - chunkFrequency.get(b)!).slice(0, 2);
}

function isNearDuplicate(a: SearchHit, b: SearchHit): boolean {
  if (a.chunk.contentHash === b.chunk.contentHash) return true;
  if (a.chunk.text === b.chunk.text) return true;
  let shared = 0;
  for (const term of a.terms) if (b.terms.has(term)) shared++;
  return shared / (a.terms.size + b.terms.size - shared) >= 0.9;
}

/** Adds a neighbouring chunk to a passage, in document order, without repeating the overlap. */
function mergeInto(target: { passage: Passage; positions: number[] }, hit: SearchHit): void {
  const before = hit.chunk.position < Math.min(...target.positions);
  const first = before ? hit.chunk.text : target.passage.text;
  const second = before ? target.passage.text : hit.chunk.text;
  target.passage.text = joinWithoutOverlap(first, second);
  target.passage.chunkIds = before ? [hit.chunk.id, ...target.passage.chunkIds] : [...target.passage.chunkIds, hit.chunk.id];
  if (before) target.passage.headingPath = hit.chunk.headingPath;
  target.positions.push(hit.chunk.position);
}

export function joinWithoutOverlap(first: string, second: string): string {
  for (let length = Math.min(first.length, second.length); length > 0; length--) {
    const boundary = length === second.length || /\s/.test(second[length]!);
    if (boundary && first.endsWith(second.slice(0, length))) {
      const rest = second.slice(length).replace(/^[ \t]+/, '');
      return rest === '' ? first : `${first}${rest.startsWith('\n') ? '' : ' '}${rest}`;
    }
  }
  return `${first}\n${second}`;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
