// Answer quality on questions written the way people ask, next to a reference BM25:
//   npm run bench:quality [-- --sets samples,handbook] [--max-questions 300] [--levers]
// For every set and split (dev and test): our ranking (nDCG@10, hit@5, MRR) against plain Okapi
// BM25 over the same chunks and terms (bench/reference-bm25.ts), and for the sets with
// unanswerable questions the three outcomes (answer, closest, none). With --levers, each ranking
// lever is switched one at a time on the dev splits. The evidence floors are calibrated on the dev
// splits and reported on the test splits: tune on dev, report on test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AccessPolicy } from '../src/access/access-policy.js';
import { answerQuestion } from '../src/answer/answer-question.js';
import type { EvidenceFloors } from '../src/answer/judge-evidence.js';
import { standaloneQuestion } from '../src/answer/standalone-question.js';
import { createSource } from '../src/app-context.js';
import { loadConfig, sampleSources, type SourceSpec } from '../src/config.js';
import { parseQuestionFile, type EvalQuestion } from '../src/eval/question-file.js';
import { mean, percentile, rankingScores } from '../src/eval/ranking-metrics.js';
import { isExpected, runEval, summarise, type QuestionResult } from '../src/eval/run-eval.js';
import { openSqliteStore, type SqliteStore } from '../src/index/sqlite-store.js';
import { runSync } from '../src/ingest/run-sync.js';
import { defaultRanking, type RankingParameters } from '../src/retrieval/retrieve.js';
import { foreignQuestions, materializeCrowdSets } from './crowd-sets.js';
import { ReferenceBm25 } from './reference-bm25.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const handbookDir = path.resolve(repo, '../shared/data/handbooks/18f-tts-handbook');
const cacheDir = path.join(here, '.cache');
const topK = 5;
const defaultChunking = { maxTokens: 350, overlapTokens: 60 };

const argument = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const chosenSets = argument('--sets')?.split(',');
const maxQuestions = Number(argument('--max-questions') ?? 300);
const withLevers = process.argv.includes('--levers');

interface Split {
  sources: SourceSpec[];
  questions: EvalQuestion[];
}

interface QualitySet {
  name: string;
  /** Our own sets have unanswerable questions: their outcomes are calibrated and reported. */
  own: boolean;
  dev: Split;
  test: Split;
}

const readQuestions = (...files: string[]) => files.flatMap((file) => parseQuestionFile(fs.readFileSync(file, 'utf8'), path.relative(repo, file)));

/** A deterministic sample (by id) of at most `max` questions, so that big crowd sets stay quick. */
function sample(questions: EvalQuestion[], max: number): EvalQuestion[] {
  if (questions.length <= max) return questions;
  const step = questions.length / max;
  return Array.from({ length: max }, (_, i) => questions[Math.floor(i * step)]!);
}

async function qualitySets(): Promise<QualitySet[]> {
  const sets: QualitySet[] = [];
  const own = (name: string, sources: SourceSpec[], extra: Record<'dev' | 'test', string[]> = { dev: [], test: [] }) =>
    sets.push({
      name,
      own: true,
      dev: { sources, questions: readQuestions(path.join(repo, `eval/${name}-dev.jsonl`), ...extra.dev) },
      test: { sources, questions: readQuestions(path.join(repo, `eval/${name}-test.jsonl`), ...extra.test) },
    });
  own('samples', sampleSources);
  const crowdDir = path.join(cacheDir, 'crowd-sets');
  const foreign = await foreignQuestions(crowdDir, 40);
  own('handbook', [{ name: 'handbook', kind: 'folder', location: handbookDir }], { dev: [foreign.dev], test: [foreign.test] });
  for (const crowd of await materializeCrowdSets(crowdDir)) {
    const split = (files: { sources: Record<string, string>; questions: string }): Split => ({
      sources: Object.entries(files.sources).map(([name, location]) => ({ name, kind: 'folder', location })),
      questions: sample(readQuestions(files.questions), maxQuestions),
    });
    sets.push({ name: crowd.name, own: false, dev: split(crowd.splits.dev), test: split(crowd.splits.test) });
  }
  return chosenSets ? sets.filter((s) => chosenSets.includes(s.name)) : sets;
}

const indexes = new Map<string, { store: SqliteStore; file: string }>();

/** An index of the sources, synced once per run (and per chunking). */
async function indexOf(sources: SourceSpec[], chunking = defaultChunking): Promise<{ store: SqliteStore; file: string }> {
  const key = JSON.stringify([sources, chunking]);
  const cached = indexes.get(key);
  if (cached) return cached;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-quality-')), 'groundwork.db');
  const store = openSqliteStore(file);
  const config = loadConfig({ LOG_LEVEL: 'silent' }, os.tmpdir());
  await runSync({ ...store, logger: pino({ level: 'silent' }), access: AccessPolicy.open() }, sources.map((spec) => createSource(spec, config)), { chunking, maxFileBytes: 50 * 1024 * 1024 });
  const entry = { store, file };
  indexes.set(key, entry);
  return entry;
}

const floors: EvidenceFloors = loadConfig({}, os.tmpdir()).evidence;

async function evaluate(split: Split, ranking: Partial<RankingParameters> = {}, chunking = defaultChunking, evidence = floors): Promise<QuestionResult[]> {
  const { store } = await indexOf(split.sources, chunking);
  const deps = { index: store.index, syncState: store.catalogue, retrieval: { topK, ranking }, evidence };
  return (await runEval({ answer: (question, options) => answerQuestion(deps, question, options), readers: ['everyone'] }, split.questions, { k: 5, topK })).results;
}

/** The reference BM25's ranking measures on the same questions. */
async function reference(split: Split): Promise<{ ndcg10: number; hit5: number; mrr: number; reciprocalRanks: Map<string, number> }> {
  const { file } = await indexOf(split.sources);
  const bm25 = new ReferenceBm25(file);
  const answerable = split.questions.filter((q) => q.expectFiles.length + q.expectTitles.length > 0);
  const scores = await Promise.all(
    answerable.map(async (q) => {
      // A follow-up is searched as our path without a model searches it (with the previous question's words).
      const text = await standaloneQuestion({ text: q.question, history: q.history, asker: { platform: 'cli', userId: 'bench' }, conversation: { id: q.id }, readers: ['everyone'] }, null);
      const ranked = bm25.rank(text, 10, q.sources);
      const relevant = ranked.map((d) => isExpected(q, { ...d, url: null, updatedAt: null, superseded: false, readers: ['everyone'] }));
      return rankingScores(relevant, Math.max(relevant.filter(Boolean).length, q.expectFiles.length + q.expectTitles.length, 1), 5);
    }),
  );
  const reciprocalRanks = new Map(answerable.map((q, i) => [q.id, scores[i]!.reciprocalRank]));
  return { ndcg10: mean(scores.map((s) => s.ndcg10)), hit5: mean(scores.map((s) => s.hit5)), mrr: mean(scores.map((s) => s.reciprocalRank)), reciprocalRanks };
}

const f2 = (n: number) => n.toFixed(3);
const pct = (n: number) => `${(n * 100).toFixed(0)} %`;

/** Outcomes at given floors, from the evidence each question's passages had (no re-run needed). */
function outcomes(results: QuestionResult[], answerScore: number, closestScore: number) {
  const decide = (r: QuestionResult) => (r.evidence.score >= answerScore ? 'answer' : r.evidence.score >= closestScore ? 'closest' : 'none');
  const answerable = results.filter((r) => r.answerable);
  const unanswerable = results.filter((r) => !r.answerable);
  const share = (items: QuestionResult[], outcome: string) => (items.length === 0 ? 0 : items.filter((r) => decide(r) === outcome).length / items.length);
  return {
    answer: share(answerable, 'answer'),
    closest: share(answerable, 'closest'),
    none: share(answerable, 'none'),
    refused: 1 - share(unanswerable, 'answer'),
    unanswerableNone: share(unanswerable, 'none'),
  };
}

/**
 * The floors the dev splits support: the answer floor where answerable questions answered and
 * unanswerable ones not answered are best balanced (their mean is highest), then the closest floor
 * as high as keeps "none" for at most 5 % of answerable ones.
 */
function calibrate(results: QuestionResult[]): { answerScore: number; closestScore: number } {
  const grid = Array.from({ length: 101 }, (_, i) => i / 100);
  const balanced = (a: number) => (outcomes(results, a, 0).answer + outcomes(results, a, 0).refused) / 2;
  const answerScore = grid.reduce((best, a) => (balanced(a) > balanced(best) ? a : best), 0);
  const closestScore = [...grid].reverse().find((c) => c <= answerScore && outcomes(results, answerScore, c).none <= 0.05) ?? 0;
  return { answerScore, closestScore };
}

async function main() {
  const sets = await qualitySets();
  const lines: string[] = [];
  const print = (line = '') => {
    lines.push(line);
    console.log(line);
  };

  // 1. Calibration of the evidence floors on the dev splits of our own sets (the crowd sets have no unanswerable questions).
  const devResults = new Map<string, QuestionResult[]>();
  for (const set of sets) devResults.set(set.name, await evaluate(set.dev));
  const ownDev = sets.filter((s) => s.own).flatMap((s) => devResults.get(s.name)!);
  if (ownDev.length > 0) {
    const calibrated = calibrate(ownDev);
    print(`Evidence floors calibrated on the dev splits of ${sets.filter((s) => s.own).map((s) => s.name).join(' + ')}: answer ≥ ${calibrated.answerScore}, closest ≥ ${calibrated.closestScore} (configured: ${floors.answerScore}, ${floors.closestScore})`);
    print();
  }

  // 2. Every set and split at the configured defaults, next to the reference BM25.
  print('| set | split | questions | nDCG@10 ours | nDCG@10 BM25 | hit@5 ours | hit@5 BM25 | MRR ours | MRR BM25 | first right page higher / lower than BM25 | cited@3 | answer | closest | none | unanswerable not answered | p95 ms |');
  print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const set of sets) {
    for (const splitName of ['dev', 'test'] as const) {
      const split = set[splitName];
      const results = splitName === 'dev' ? devResults.get(set.name)! : await evaluate(split);
      const ours = summarise(results);
      const bm25 = await reference(split);
      const own = set.own;
      // Per question: is the first right page ranked higher by us or by the reference?
      const paired = results.filter((r) => r.ranking !== null).map((r) => r.ranking!.reciprocalRank - (bm25.reciprocalRanks.get(r.id) ?? 0));
      const higher = paired.filter((d) => d > 0).length;
      const lower = paired.filter((d) => d < 0).length;
      print(
        `| ${set.name} | ${splitName} | ${results.length} | ${f2(ours.ndcg10)} | ${f2(bm25.ndcg10)} | ${pct(ours.hit5)} | ${pct(bm25.hit5)} | ${f2(ours.mrr)} | ${f2(bm25.mrr)} | ${higher} / ${lower} | ${pct(ours.citedAt3)} | ` +
          `${pct(ours.answered.answer)} | ${pct(ours.answered.closest)} | ${pct(ours.answered.none)} | ${own ? pct(ours.correctRefusals) : ''} | ${percentile(results.map((r) => r.ms), 95).toFixed(1)} |`,
      );
    }
  }

  // 3. Levers, one at a time, on the dev splits.
  if (withLevers) {
    const levers: Array<{ name: string; ranking?: Partial<RankingParameters>; chunking?: typeof defaultChunking }> = [
      { name: 'defaults' },
      { name: 'filler words weighted fully (1)', ranking: { fillerWeight: 1 } },
      { name: 'filler words left out (0)', ranking: { fillerWeight: 0 } },
      { name: 'no field weights (title 1, headings 1)', ranking: { titleWeight: 1, headingWeight: 1 } },
      { name: 'title 2, headings 1.5', ranking: { titleWeight: 2, headingWeight: 1.5 } },
      { name: 'title 5, headings 3', ranking: { titleWeight: 5, headingWeight: 3 } },
      { name: 'BM25 k1 0.9, b 0.4', ranking: { k1: 0.9, b: 0.4 } },
      { name: 'BM25 k1 1.5, b 0.5', ranking: { k1: 1.5, b: 0.5 } },
      { name: 'BM25 k1 1.2, b 0.3', ranking: { k1: 1.2, b: 0.3 } },
      { name: '100 candidates (default 40)', ranking: { candidates: 100 } },
      { name: 'frequent terms find candidates too', ranking: { frequentTermShare: 1 } },
      { name: 'superseded pages not demoted (factor 1)', ranking: { supersededFactor: 1 } },
      { name: 'chunks of 200 tokens, 40 overlap', chunking: { maxTokens: 200, overlapTokens: 40 } },
      { name: 'chunks of 500 tokens, 80 overlap', chunking: { maxTokens: 500, overlapTokens: 80 } },
    ];
    print();
    print(`| lever (dev splits) | ${sets.map((s) => `${s.name} nDCG@10 / hit@5`).join(' | ')} |`);
    print(`|---|${sets.map(() => '---').join('|')}|`);
    for (const lever of levers) {
      const cells: string[] = [];
      for (const set of sets) {
        const results = lever.name === 'defaults' ? devResults.get(set.name)! : await evaluate(set.dev, { ...defaultRanking, ...lever.ranking }, lever.chunking);
        const s = summarise(results);
        cells.push(`${f2(s.ndcg10)} / ${pct(s.hit5)}`);
      }
      print(`| ${lever.name} | ${cells.join(' | ')} |`);
    }
  }

  for (const { store, file } of indexes.values()) {
    store.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  fs.writeFileSync(path.join(here, 'results', 'answer-quality.md'), `${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
