// Retrieval: BM25 candidates from the index, each scored by how much of the question's
// information it holds (IDF-weighted term coverage, 0..1), cut at the score floor,
// near-duplicates collapsed and neighbouring chunks of one document merged.
import type { Passage } from '../domain.js';
import type { PassageIndex, SearchHit } from '../index/passage-index.js';
import { cjkCharacters, distinctTerms } from './tokenize.js';

export interface RetrievalOptions {
  topK: number;
  minScore: number;
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

export async function retrieve(index: PassageIndex, question: string, options: RetrievalOptions): Promise<Retrieval> {
  let terms = distinctTerms(question);
  if (terms.length === 0) return { passages: [], termWeights: new Map() };

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
  const hits = await index.search({ terms: queryTerms, limit: Math.max(options.topK * 4, 20), sources: options.sources });
  if (hits.length === 0) return { passages: [], termWeights };

  const totalWeight = sum(terms.map((term) => termWeights.get(term)!));
  const bestRelevance = Math.max(...hits.map((hit) => hit.relevance));
  const scored = hits
    .map((hit) => {
      const score = sum(terms.filter((term) => hit.terms.has(term)).map((term) => termWeights.get(term)!)) / totalWeight;
      return { hit, score, rank: score + hit.relevance / bestRelevance };
    })
    .filter(({ score }) => score >= options.minScore)
    .sort((a, b) => b.rank - a.rank);

  const passages: Passage[] = [];
  const kept: Array<{ hit: SearchHit; passage: Passage; positions: number[] }> = [];
  for (const { hit, score } of scored) {
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
      score: round(score),
    };
    passages.push(passage);
    kept.push({ hit, passage, positions: [hit.chunk.position] });
  }
  return { passages, termWeights };
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
