// Benchmark of the embedded default on a real employee handbook:
//   npm run bench [-- /path/to/handbook]
// Prints sync, re-sync, query latency, recall and refusal figures; each timing is also given as a
// ratio to a baseline measured in the same run, because the machines are shared and noisy.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { answerQuestion } from '../src/answer/answer-question.js';
import type { Question } from '../src/domain.js';
import { SqliteIndex } from '../src/index/sqlite-index.js';
import { runSync } from '../src/ingest/run-sync.js';
import { FolderSource } from '../src/ingest/sources/folder-source.js';
import { retrieve } from '../src/retrieval/retrieve.js';
import { distinctTerms } from '../src/retrieval/tokenize.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const handbook = path.resolve(process.argv[2] ?? path.join(here, '../../shared/data/handbooks/18f-tts-handbook'));
const questions = JSON.parse(fs.readFileSync(path.join(here, 'handbook-questions.json'), 'utf8')) as {
  answerable: Array<{ q: string; expected: string[] }>;
  unanswerable: string[];
};
const defaultFloor = 0.7; // RETRIEVAL_MIN_SCORE's default
const topK = 5;
const chunking = { maxTokens: 350, overlapTokens: 60 };

const elapsed = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const fixed = (n: number, digits = 2) => n.toFixed(digits);

async function main() {
  if (!fs.existsSync(handbook)) throw new Error(`handbook folder not found: ${handbook} (pass one as the first argument)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-'));
  const index = SqliteIndex.open(path.join(dir, 'groundwork.db'));
  const source = new FolderSource({ name: 'handbook', kind: 'folder', location: handbook });
  const deps = { index, syncState: index, logger: pino({ level: 'silent' }) };
  const syncOptions = { chunking, maxFileBytes: 50 * 1024 * 1024 };

  // Baseline for sync: list, read and hash every file (the I/O a sync cannot avoid).
  let start = process.hrtime.bigint();
  for (const item of (await source.list()).items) createHash('sha256').update(await item.read().catch(() => Buffer.alloc(0))).digest();
  await source.close();
  const readMs = elapsed(start);

  start = process.hrtime.bigint();
  const [first] = await runSync(deps, [source], syncOptions);
  const syncMs = elapsed(start);
  start = process.hrtime.bigint();
  const [again] = await runSync(deps, [source], syncOptions);
  const resyncMs = elapsed(start);
  const chunks = await index.chunkCount();

  // Latency: the whole answer path (retrieve + extract) against a bare FTS5 query with the same terms.
  const all = [...questions.answerable.map((a) => a.q), ...questions.unanswerable];
  const ask = (text: string, minScore = defaultFloor) =>
    answerQuestion({ index, syncState: index, retrieval: { topK, minScore, minSimilarity: 0.4 } }, {
      text,
      asker: { platform: 'cli', userId: 'bench' },
      conversation: { id: 'bench' },
      history: [],
    } satisfies Question);
  for (const q of all) await ask(q); // warm up
  const answerTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const q of all) {
      start = process.hrtime.bigint();
      await index.search({ terms: distinctTerms(q), limit: 20 });
      bareTimes.push(elapsed(start));
      start = process.hrtime.bigint();
      await ask(q);
      answerTimes.push(elapsed(start));
    }
  }

  // Recall: is an expected page among the top-K passages (no floor)?
  let hitsAt5 = 0;
  let hitsAt3 = 0;
  let reciprocalRanks = 0;
  const misses: string[] = [];
  const topScores = new Map<string, number>();
  for (const { q, expected } of questions.answerable) {
    const { passages } = await retrieve(index, q, { topK, minScore: 0, minSimilarity: 0.4 });
    const rank = passages.findIndex((p) => expected.includes(p.document.path));
    if (rank >= 0 && rank < 5) hitsAt5++;
    if (rank >= 0 && rank < 3) hitsAt3++;
    if (rank >= 0) reciprocalRanks += 1 / (rank + 1);
    else misses.push(`${q} -> ${passages.slice(0, 3).map((p) => p.document.path).join(', ') || 'nothing'}`);
    topScores.set(q, passages[0]?.score ?? 0);
  }
  for (const q of questions.unanswerable) topScores.set(q, (await retrieve(index, q, { topK, minScore: 0, minSimilarity: 0.4 })).passages[0]?.score ?? 0);

  // Refusals: tune the floor on half of the questions, report on the other half.
  const half = <T>(items: T[], parity: number) => items.filter((_, i) => i % 2 === parity);
  const judge = (floor: number, parity: number) => {
    const answerable = half(questions.answerable.map((a) => a.q), parity);
    const unanswerable = half(questions.unanswerable, parity);
    const answered = answerable.filter((q) => topScores.get(q)! >= floor).length / answerable.length;
    const refused = unanswerable.filter((q) => topScores.get(q)! < floor).length / unanswerable.length;
    return { answered, refused, balanced: (answered + refused) / 2 };
  };
  let tunedFloor = defaultFloor;
  for (let floor = 0.3; floor <= 0.9001; floor += 0.05) {
    if (judge(floor, 0).balanced > judge(tunedFloor, 0).balanced) tunedFloor = Math.round(floor * 100) / 100;
  }
  const curve = Array.from({ length: 9 }, (_, i) => 0.5 + i * 0.05).map((floor) => {
    const { answered, refused } = judge(floor, 1);
    return `${fixed(floor)}: answered ${fixed(answered)}, refused ${fixed(refused)}`;
  });
  const atDefault = judge(defaultFloor, 1);
  const atTuned = judge(tunedFloor, 1);

  const results = {
    corpus: { documents: first!.added, failed: first!.failed.length, chunks, indexMB: Number(fixed(index.sizeBytes() / 1024 / 1024, 1)) },
    sync: {
      firstMs: Math.round(syncMs),
      readAndHashBaselineMs: Math.round(readMs),
      firstVsBaseline: Number(fixed(syncMs / readMs, 1)),
      resyncMs: Math.round(resyncMs),
      resyncVsFirst: Number(fixed(resyncMs / syncMs, 3)),
      resyncUnchanged: again!.unchanged,
    },
    queries: {
      count: answerTimes.length,
      p50Ms: Number(fixed(percentile(answerTimes, 50))),
      p95Ms: Number(fixed(percentile(answerTimes, 95))),
      bareFtsP50Ms: Number(fixed(percentile(bareTimes, 50))),
      p50VsBareFts: Number(fixed(percentile(answerTimes, 50) / percentile(bareTimes, 50), 1)),
      p95VsBareFts: Number(fixed(percentile(answerTimes, 95) / percentile(bareTimes, 50), 1)),
    },
    retrieval: {
      answerable: questions.answerable.length,
      recallAt5: Number(fixed(hitsAt5 / questions.answerable.length)),
      hitAt3: Number(fixed(hitsAt3 / questions.answerable.length)),
      mrr: Number(fixed(reciprocalRanks / questions.answerable.length)),
    },
    refusals: {
      tunedFloorOnEvenQuestions: tunedFloor,
      reportedOnOddQuestions: {
        atDefaultFloor: { floor: defaultFloor, answerableAnswered: Number(fixed(atDefault.answered)), unanswerableRefused: Number(fixed(atDefault.refused)) },
        atTunedFloor: { floor: tunedFloor, answerableAnswered: Number(fixed(atTuned.answered)), unanswerableRefused: Number(fixed(atTuned.refused)) },
        curve,
      },
    },
    memory: { rssMB: Math.round(process.memoryUsage().rss / 1024 / 1024) },
  };
  console.log(JSON.stringify(results, null, 2));
  if (misses.length > 0) console.error(`\nNot in the top ${topK}:\n  ${misses.join('\n  ')}`);
  index.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
