// Retrieval: candidates from the index's full-text search, ranked by BM25 over the chunk's title,
// headings and body (each question term weighted by its IDF and by how much it says: chat filler
// counts little); with embeddings, the passages nearest by meaning too, both lists fused by
// reciprocal rank. Superseded pages rank below current ones. Then near-duplicates are collapsed
// and neighbouring chunks of one document merged. No floor is applied here: each passage carries
// its evidence (coverage of the question, similarity) and the answer decides what it supports.
import { LRUCache } from 'lru-cache';
import type { Passage } from '../domain.js';
import type { PassageIndex, SearchHit, SearchQuery, TermStatistics, VectorQuery } from '../index/passage-index.js';
import { correctSpelling } from './spelling.js';
import type { DenseSearch } from './dense-search.js';
import type { Logger } from '../logger.js';
import { replacedByNewer } from './superseded.js';
import { cjkCharacters, fillerWeight, queryTerms, searchTerms } from './tokenize.js';

/** How lexical relevance is computed; the defaults are what `bench/answer-quality.ts` measured best on the dev splits. */
export interface RankingParameters {
  /** BM25 term-frequency saturation and length normalisation. */
  k1: number;
  b: number;
  /** How much an occurrence in the document title and in the section headings counts against one in the body. */
  titleWeight: number;
  headingWeight: number;
  /** Candidates taken from the full-text search before ranking. */
  candidates: number;
  /** Rank score multiplier of a superseded, archived or replaced page. */
  supersededFactor: number;
  /** Weight of a chat filler word of the question ("use", "get", 一下) against 1 for any other term. */
  fillerWeight: number;
  /** Terms found in more than this share of chunks rank candidates but do not find them (they make full-text OR-queries slow). */
  frequentTermShare: number;
}

export const defaultRanking: RankingParameters = { k1: 1.2, b: 0.4, titleWeight: 3, headingWeight: 1, candidates: 40, supersededFactor: 0.5, fillerWeight, frequentTermShare: 0.2 };

export interface RetrievalOptions {
  topK: number;
  /** Only passages from these sources, when set. */
  sources?: string[];
  /** Only passages of documents readable by one of these principals (the index filters by them). */
  readers: string[];
  ranking?: Partial<RankingParameters>;
}

export interface Retrieval {
  /** Best first; at most top K. */
  passages: Passage[];
  /** The question's terms with their weights (IDF times the term's weight in the question), for picking sentences later. */
  termWeights: Map<string, number>;
}

// Below this many chunks, every term finds candidates: the OR-query is fast anyway, and a term common
// in the whole index can be the one that tells apart the chunks of one source.
const minChunksForFrequentTerms = 20_000;
const maxPassagesPerDocument = 2;

// Reciprocal rank fusion's constant: how little the first ranks dominate.
const fusionK = 60;

interface Candidate {
  hit: SearchHit;
  coverage: number;
  similarity: number | null;
  rank: number;
}

/** `logger` is the asking turn's (its lines then carry the turn's ids); the dense search's own otherwise. */
export async function retrieve(index: PassageIndex, question: string, options: RetrievalOptions, dense?: DenseSearch | null, logger?: Logger): Promise<Retrieval> {
  const ranking = { ...defaultRanking, ...options.ranking };
  const limit = Math.max(options.topK * 4, ranking.candidates);
  const [plan, vectorQuery] = await Promise.all([
    planLexicalSearch(index, question, limit, ranking, { readers: options.readers, sources: options.sources }),
    dense ? dense.vectorQuery(question, Math.max(options.topK * 4, 20), { readers: options.readers, sources: options.sources }, logger) : null,
  ]);
  const [lexicalHits, nearest] = await searchBoth(index, plan.query, vectorQuery);
  const { termWeights, scorer } = plan;
  const lexical = { hits: lexicalHits.map((hit) => ({ hit, coverage: scorer.coverage(hit), score: scorer.score(hit) })).sort((a, b) => b.score - a.score) };

  const candidates = new Map<string, Candidate>();
  // Keyword search alone ranks by BM25; with embeddings, both lists are fused by reciprocal rank.
  lexical.hits.forEach(({ hit, coverage, score }, i) => candidates.set(hit.chunk.id, { hit, coverage, similarity: null, rank: nearest ? 1 / (fusionK + i + 1) : score }));
  nearest?.forEach((hit, i) => {
    const candidate = candidates.get(hit.chunk.id) ?? { hit, coverage: scorer.coverage(hit), similarity: null, rank: 0 };
    candidate.similarity = hit.relevance;
    candidate.rank += 1 / (fusionK + i + 1);
    candidates.set(hit.chunk.id, candidate);
  });
  const replaced = replacedByNewer([...candidates.values()].map((c) => c.hit.document));
  for (const candidate of candidates.values()) {
    if (replaced.has(candidate.hit.document.id)) candidate.hit = { ...candidate.hit, document: { ...candidate.hit.document, superseded: true } };
    if (candidate.hit.document.superseded) candidate.rank *= ranking.supersededFactor;
  }
  const ranked = [...candidates.values()].sort((a, b) => b.rank - a.rank);

  const passages: Passage[] = [];
  const kept: Array<{ hit: SearchHit; passage: Passage; positions: number[] }> = [];
  // Neighbours are merged from the first ranks only: further down they match little of the question.
  const mergeable = options.topK * 4;
  for (const [rank, { hit, coverage, similarity }] of ranked.entries()) {
    const neighbour = rank < mergeable ? kept.find((other) => other.hit.document.id === hit.document.id && other.positions.some((p) => Math.abs(p - hit.chunk.position) === 1)) : undefined;
    if (!neighbour && passages.length >= options.topK) continue;
    if (kept.some((other) => isNearDuplicate(other.hit, hit))) continue;
    if (neighbour) {
      mergeInto(neighbour, hit);
      continue;
    }
    // Leave room for other documents: one page rarely needs more than two separate passages.
    if (kept.filter((other) => other.hit.document.id === hit.document.id).length >= maxPassagesPerDocument) continue;
    const passage: Passage = {
      chunkIds: [hit.chunk.id],
      document: hit.document,
      headingPath: hit.chunk.headingPath,
      text: hit.chunk.text,
      score: round(coverage),
      ...(similarity !== null ? { similarity: round(similarity) } : {}),
      ...(hit.chunk.location ? { location: hit.chunk.location } : {}),
    };
    passages.push(passage);
    kept.push({ hit, passage, positions: [hit.chunk.position] });
  }
  logger?.debug({ lexical: lexical.hits.length, nearest: nearest?.length ?? null, passages: passages.length }, 'retrieved');
  return { passages, termWeights };
}

// Term counts of titles and heading paths, which recur from question to question.
const fieldCounts = new LRUCache<string, Map<string, number>>({ max: 20_000 });

/** Scores chunks against one question: BM25 over title, headings and body, and coverage. */
class LexicalScorer {
  constructor(
    /** Per question term: its IDF times its weight in the question. */
    readonly termWeights: Map<string, number>,
    private readonly averageTokens: number,
    private readonly parameters: RankingParameters,
  ) {}

  /** 0..1: the share of the question's weighted terms that the chunk, its headings or its title hold. */
  coverage(hit: SearchHit): number {
    const title = this.counts(hit.document.title);
    const headings = this.counts(hit.chunk.headingPath.join('\n'));
    let found = 0;
    let total = 0;
    for (const [term, weight] of this.termWeights) {
      total += weight;
      if (title.has(term) || headings.has(term) || hit.bodyTerms.count(term) > 0) found += weight;
    }
    return total === 0 ? 0 : found / total;
  }

  /** BM25 with field-weighted term frequencies (an occurrence in the title counts `titleWeight` times). */
  score(hit: SearchHit): number {
    const { k1, b, titleWeight, headingWeight } = this.parameters;
    const title = this.counts(hit.document.title);
    const headings = this.counts(hit.chunk.headingPath.join('\n'));
    const norm = k1 * (1 - b + (b * hit.chunk.tokenCount) / Math.max(1, this.averageTokens));
    let score = 0;
    for (const [term, weight] of this.termWeights) {
      const tf = titleWeight * (title.get(term) ?? 0) + headingWeight * (headings.get(term) ?? 0) + hit.bodyTerms.count(term);
      if (tf > 0) score += (weight * tf * (k1 + 1)) / (tf + norm);
    }
    return score;
  }

  private counts(text: string): Map<string, number> {
    let counts = fieldCounts.get(text);
    if (!counts) {
      counts = new Map();
      for (const term of searchTerms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
      fieldCounts.set(text, counts);
    }
    return counts;
  }
}

/** The keyword and the vector searches, in one request where the index can (a Qdrant query batch). */
async function searchBoth(index: PassageIndex, terms: SearchQuery | null, vector: VectorQuery | null): Promise<[SearchHit[], SearchHit[] | null]> {
  if (terms && vector && index.searchBoth) {
    const { lexical, nearest } = await index.searchBoth(terms, vector);
    return [lexical, nearest];
  }
  return Promise.all([terms ? index.search(terms) : [], vector ? index.searchVectors(vector) : null]);
}

/** How the question's terms are weighed and scored, and the full-text query that finds candidates (null: no term to search). */
async function planLexicalSearch(
  index: PassageIndex,
  question: string,
  limit: number,
  parameters: RankingParameters,
  filter: { readers: string[]; sources?: string[] },
): Promise<{ query: SearchQuery | null; termWeights: Map<string, number>; scorer: LexicalScorer }> {
  const { weights, statistics } = await resolveTerms(index, queryTerms(question, parameters.fillerWeight));
  const terms = [...weights.keys()];
  const { chunkCount, chunkFrequency, averageTokens } = statistics;
  const termWeights = new Map(
    terms.map((term) => {
      // A term the index has never seen weighs as much as its rarest one (not more: in a small
      // index that would let one unknown word outweigh everything that matched).
      const frequency = Math.max(1, chunkFrequency.get(term) ?? 0);
      return [term, weights.get(term)! * Math.log(1 + (chunkCount - frequency + 0.5) / (frequency + 0.5))];
    }),
  );
  const scorer = new LexicalScorer(termWeights, averageTokens, parameters);
  if (terms.length === 0) return { query: null, termWeights, scorer };
  return { query: { terms: chooseQueryTerms(terms, weights, chunkFrequency, chunkCount, parameters.frequentTermShare), limit, ...filter }, termWeights, scorer };
}

/**
 * The question's terms as the index knows them: a CJK word it has never seen is searched by its
 * characters (几天 -> 天), a misspelt word as the indexed word closest in spelling.
 */
async function resolveTerms(index: PassageIndex, asked: Map<string, number>): Promise<{ weights: Map<string, number>; statistics: TermStatistics }> {
  const statistics = await index.termStatistics([...asked.keys()]);
  const unseen = [...asked.keys()].filter((term) => statistics.chunkFrequency.get(term) === 0);
  if (unseen.length === 0) return { weights: asked, statistics };
  const corrections = await correctSpelling(unseen, (prefix) => index.termsStartingWith(prefix));
  const characters = unseen.flatMap(cjkCharacters);
  const resolved = await index.termStatistics([...asked.keys(), ...corrections.values(), ...characters]);
  const weights = new Map<string, number>();
  for (const [term, weight] of asked) {
    const seenCharacters = cjkCharacters(term).filter((char) => resolved.chunkFrequency.get(char)! > 0);
    const replacements = unseen.includes(term) ? (corrections.has(term) ? [corrections.get(term)!] : seenCharacters.length > 0 ? seenCharacters : [term]) : [term];
    for (const replacement of replacements) weights.set(replacement, Math.max(weights.get(replacement) ?? 0, weight));
  }
  return { weights, statistics: resolved };
}

/** The terms that find candidates: present in the index, not filler, not in most chunks. */
function chooseQueryTerms(terms: string[], weights: Map<string, number>, chunkFrequency: Map<string, number>, chunkCount: number, frequentTermShare: number): string[] {
  const present = terms.filter((term) => (chunkFrequency.get(term) ?? 0) > 0);
  const meaningful = present.filter((term) => weights.get(term)! === 1);
  const pool = meaningful.length > 0 ? meaningful : present;
  if (chunkCount < minChunksForFrequentTerms) return pool;
  const informative = pool.filter((term) => chunkFrequency.get(term)! / chunkCount <= frequentTermShare);
  if (informative.length > 0) return informative;
  // Only common words: search for the two rarest.
  return [...pool].sort((a, b) => chunkFrequency.get(a)! - chunkFrequency.get(b)!).slice(0, 2);
}

function isNearDuplicate(a: SearchHit, b: SearchHit): boolean {
  if (a.chunk.contentHash === b.chunk.contentHash) return true;
  if (a.chunk.text === b.chunk.text) return true;
  // Far apart in length, they cannot share 90 % of their terms: spare the comparison.
  if (Math.min(a.chunk.tokenCount, b.chunk.tokenCount) < 0.8 * Math.max(a.chunk.tokenCount, b.chunk.tokenCount)) return false;
  const first = a.bodyTerms.terms();
  const second = b.bodyTerms.terms();
  let shared = 0;
  for (const term of second) if (first.has(term)) shared++;
  return shared / (first.size + second.size - shared) >= 0.9;
}

/** Adds a neighbouring chunk to a passage, in document order, without repeating the overlap. */
function mergeInto(target: { passage: Passage; positions: number[] }, hit: SearchHit): void {
  const before = hit.chunk.position < Math.min(...target.positions);
  const first = before ? hit.chunk.text : target.passage.text;
  const second = before ? target.passage.text : hit.chunk.text;
  target.passage.text = joinWithoutOverlap(first, second);
  target.passage.chunkIds = before ? [hit.chunk.id, ...target.passage.chunkIds] : [...target.passage.chunkIds, hit.chunk.id];
  if (before) {
    // The passage starts at its first chunk in document order: its heading path and location are that chunk's.
    target.passage.headingPath = hit.chunk.headingPath;
    if (hit.chunk.location) target.passage.location = hit.chunk.location;
    else delete target.passage.location;
  }
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

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

