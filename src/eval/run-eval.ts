// Runs evaluation questions through the real answer path and measures what a user would see:
// whether the right documents are ranked and cited, which of the three outcomes the bot chose
// (answer, closest, none), whether the answer holds the expected facts, and how long it took.
import type { Answer, DocumentInfo, Passage, Question } from '../domain.js';
import type { AnswerOptions } from '../answer/answer-question.js';
import type { EvalQuestion } from './question-file.js';
import { mean, percentile, rankingScores, type RankingScores } from './ranking-metrics.js';

/** Ranking measures are taken over this many distinct documents (nDCG@10 needs ten). */
const rankingDepth = 10;

export interface EvalDependencies {
  answer: (question: Question, options?: AnswerOptions) => Promise<Answer>;
  /** Whose access the questions are asked with (everyone's unless `groundwork eval --as`). */
  readers: string[];
}

export interface QuestionResult {
  id: string;
  kind: string;
  lang: string;
  answerable: boolean;
  confidence: Answer['confidence'];
  /** Ranking measures over the documents retrieval ranked (answerable questions only). */
  ranking: RankingScores | null;
  /** The first three citations of the reply include an expected document (answerable only). */
  citedAt3: boolean | null;
  /** Share of the expected facts the reply contains (null when the question lists none). */
  factCoverage: number | null;
  /** `must_not` strings the reply contains. */
  violations: string[];
  /** Best similarity of a ranked passage to the question (when found by meaning) and of an expected one. */
  similarity: { top: number | null; expected: number | null };
  /** The strongest evidence among the passages the answer was judged on: coverage of the question, similarity. */
  evidence: { score: number; similarity: number | null };
  /** Documents ranked first, as `source/path`, for reading the misses. */
  top: string[];
  ms: number;
}

export interface Summary {
  questions: number;
  answerable: number;
  unanswerable: number;
  /** Over answerable questions. */
  recall: number;
  mrr: number;
  ndcg10: number;
  hit1: number;
  hit3: number;
  hit5: number;
  citedAt3: number;
  /** How answerable questions were answered: shares of answer, closest, none. */
  answered: { answer: number; closest: number; none: number };
  /** Share of answerable questions answered "none": wrongly refused. */
  falseRefusals: number;
  /** Share of unanswerable questions not answered as "answer". */
  correctRefusals: number;
  /** Share of unanswerable questions answered "none". */
  unanswerableNone: number;
  factCoverage: number | null;
  violations: number;
  p50Ms: number;
  p95Ms: number;
}

export interface EvalReport {
  k: number;
  overall: Summary;
  byKind: Record<string, Summary>;
  byLang: Record<string, Summary>;
  results: QuestionResult[];
}

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Does this document answer the question, by its path or its title? */
export function isExpected(question: EvalQuestion, document: DocumentInfo): boolean {
  const title = normalise(document.title);
  return question.expectFiles.some((file) => file === document.path) || question.expectTitles.some((expected) => normalise(expected) === title);
}

/** Distinct documents in the order their passages were ranked. */
function rankedDocuments(passages: Passage[]): Array<{ document: DocumentInfo; similarity: number | null }> {
  const seen = new Map<string, { document: DocumentInfo; similarity: number | null }>();
  for (const passage of passages) {
    const entry = seen.get(passage.document.id);
    const similarity = passage.similarity ?? null;
    if (!entry) seen.set(passage.document.id, { document: passage.document, similarity });
    else if (similarity !== null && (entry.similarity === null || similarity > entry.similarity)) entry.similarity = similarity;
  }
  return [...seen.values()];
}

/** How many documents answer the question: at least those ranked, and at least one per expected file or title. */
function relevantCount(question: EvalQuestion, ranked: DocumentInfo[]): number {
  const ranked_ = ranked.filter((document) => isExpected(question, document)).length;
  return Math.max(ranked_, question.expectFiles.length + question.expectTitles.length, 1);
}

export async function evaluateQuestion(deps: EvalDependencies, question: EvalQuestion, k: number, topK: number): Promise<QuestionResult> {
  let ranked: Passage[] = [];
  const start = process.hrtime.bigint();
  const answer = await deps.answer(
    {
      text: question.question,
      asker: { platform: 'cli', userId: 'eval' },
      conversation: { id: `eval:${question.id}` },
      history: question.history,
      readers: deps.readers,
      ...(question.sources ? { sources: question.sources } : {}),
    },
    { retrievalDepth: Math.max(rankingDepth, k), onRetrieved: ({ passages }) => (ranked = passages) },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const documents = rankedDocuments(ranked);
  const text = normalise(answer.text);
  const relevant = documents.map(({ document }) => isExpected(question, document));
  const expectedSimilarities = documents.filter((_, i) => relevant[i]).map((d) => d.similarity).filter((s): s is number => s !== null);
  const topSimilarities = documents.map((d) => d.similarity).filter((s): s is number => s !== null);
  const hasExpectations = question.expectFiles.length + question.expectTitles.length > 0;
  const judged = ranked.slice(0, topK);
  const judgedSimilarities = judged.map((p) => p.similarity).filter((s): s is number => s !== undefined);
  return {
    id: question.id,
    kind: question.kind,
    lang: question.lang,
    answerable: question.answerable,
    confidence: answer.confidence,
    ranking: question.answerable && hasExpectations ? rankingScores(relevant, relevantCount(question, documents.map((d) => d.document)), k) : null,
    citedAt3: question.answerable && hasExpectations ? answer.citations.slice(0, 3).some((c) => isExpected(question, c.passage.document)) : null,
    factCoverage: question.answerFacts.length > 0 ? question.answerFacts.filter((fact) => text.includes(normalise(fact))).length / question.answerFacts.length : null,
    violations: question.mustNot.filter((phrase) => text.includes(normalise(phrase))),
    similarity: { top: topSimilarities.length > 0 ? Math.max(...topSimilarities) : null, expected: expectedSimilarities.length > 0 ? Math.max(...expectedSimilarities) : null },
    evidence: { score: Math.max(0, ...judged.map((p) => p.score)), similarity: judgedSimilarities.length > 0 ? Math.max(...judgedSimilarities) : null },
    top: documents.slice(0, 3).map(({ document }) => `${document.source}/${document.path}`),
    ms,
  };
}

export function summarise(results: QuestionResult[]): Summary {
  const answerable = results.filter((r) => r.answerable);
  const unanswerable = results.filter((r) => !r.answerable);
  const ranked = answerable.map((r) => r.ranking).filter((r): r is RankingScores => r !== null);
  const share = (items: QuestionResult[], test: (r: QuestionResult) => boolean) => (items.length === 0 ? 0 : items.filter(test).length / items.length);
  const coverages = results.map((r) => r.factCoverage).filter((c): c is number => c !== null);
  const cited = answerable.map((r) => r.citedAt3).filter((c): c is boolean => c !== null);
  const times = results.map((r) => r.ms);
  return {
    questions: results.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    recall: mean(ranked.map((r) => r.recall)),
    mrr: mean(ranked.map((r) => r.reciprocalRank)),
    ndcg10: mean(ranked.map((r) => r.ndcg10)),
    hit1: mean(ranked.map((r) => r.hit1)),
    hit3: mean(ranked.map((r) => r.hit3)),
    hit5: mean(ranked.map((r) => r.hit5)),
    citedAt3: mean(cited.map((c) => (c ? 1 : 0))),
    answered: {
      answer: share(answerable, (r) => r.confidence === 'answer'),
      closest: share(answerable, (r) => r.confidence === 'closest'),
      none: share(answerable, (r) => r.confidence === 'none'),
    },
    falseRefusals: share(answerable, (r) => r.confidence === 'none'),
    correctRefusals: share(unanswerable, (r) => r.confidence !== 'answer'),
    unanswerableNone: share(unanswerable, (r) => r.confidence === 'none'),
    factCoverage: coverages.length > 0 ? mean(coverages) : null,
    violations: results.filter((r) => r.violations.length > 0).length,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
  };
}

function groupBy(results: QuestionResult[], key: (r: QuestionResult) => string): Record<string, Summary> {
  const groups = new Map<string, QuestionResult[]>();
  for (const result of results) groups.set(key(result), [...(groups.get(key(result)) ?? []), result]);
  return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, items]) => [name, summarise(items)]));
}

/** Asks every question in turn (latency is per question, not under load) and summarises. */
export async function runEval(deps: EvalDependencies, questions: EvalQuestion[], options: { k: number; topK: number; onProgress?: (done: number) => void }): Promise<EvalReport> {
  const results: QuestionResult[] = [];
  for (const question of questions) {
    results.push(await evaluateQuestion(deps, question, options.k, options.topK));
    options.onProgress?.(results.length);
  }
  return { k: options.k, overall: summarise(results), byKind: groupBy(results, (r) => r.kind), byLang: groupBy(results, (r) => r.lang), results };
}

export interface Thresholds {
  minRecall?: number;
  minMrr?: number;
  maxFalseRefusals?: number;
  minRefused?: number;
}

/** The thresholds the report does not meet, each as a sentence; empty when all are met. */
export function unmetThresholds(summary: Summary, thresholds: Thresholds, k: number): string[] {
  const unmet: string[] = [];
  const fmt = (n: number) => n.toFixed(3);
  if (thresholds.minRecall !== undefined && summary.recall < thresholds.minRecall) unmet.push(`recall@${k} ${fmt(summary.recall)} is below ${thresholds.minRecall}`);
  if (thresholds.minMrr !== undefined && summary.mrr < thresholds.minMrr) unmet.push(`MRR ${fmt(summary.mrr)} is below ${thresholds.minMrr}`);
  if (thresholds.maxFalseRefusals !== undefined && summary.falseRefusals > thresholds.maxFalseRefusals) {
    unmet.push(`false refusals ${fmt(summary.falseRefusals)} are above ${thresholds.maxFalseRefusals}`);
  }
  if (thresholds.minRefused !== undefined && summary.correctRefusals < thresholds.minRefused) {
    unmet.push(`correctly refused ${fmt(summary.correctRefusals)} is below ${thresholds.minRefused}`);
  }
  return unmet;
}
