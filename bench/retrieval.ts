// Sync and query cost of the embedded default on a real employee handbook:
//   npm run bench:retrieval [-- /path/to/handbook]
// Prints sync, re-sync and query latency (retrieval alone, and the whole extractive answer path),
// each also as a ratio to a baseline measured in the same run, because the machines are shared and
// noisy. Answer quality is bench/answer-quality.ts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AccessPolicy } from '../src/access/access-policy.js';
import { answerQuestion } from '../src/answer/answer-question.js';
import { loadConfig } from '../src/config.js';
import type { Question } from '../src/domain.js';
import { parseQuestionFile } from '../src/eval/question-file.js';
import { percentile } from '../src/eval/ranking-metrics.js';
import { openSqliteStore } from '../src/index/sqlite-store.js';
import { createParserPool } from '../src/app-context.js';
import { runSync } from '../src/ingest/run-sync.js';
import { FolderSource } from '../src/ingest/sources/folder-source.js';
import { retrieve } from '../src/retrieval/retrieve.js';
import { queryTerms } from '../src/retrieval/tokenize.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const handbook = path.resolve(process.argv[2] ?? path.join(here, '../../shared/data/handbooks/18f-tts-handbook'));
const questions = ['handbook-dev.jsonl', 'handbook-test.jsonl'].flatMap((file) => parseQuestionFile(fs.readFileSync(path.join(here, '../eval', file), 'utf8'), file)).map((q) => q.question);
const topK = 5;
const chunking = { maxTokens: 350, overlapTokens: 60 };

const elapsed = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const fixed = (n: number, digits = 2) => Number(n.toFixed(digits));

async function main() {
  if (!fs.existsSync(handbook)) throw new Error(`handbook folder not found: ${handbook} (pass one as the first argument)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-'));
  const store = openSqliteStore(path.join(dir, 'groundwork.db'));
  const { index, catalogue } = store;
  // Parsed in a parser pool, as the server parses (a process of its own, off the event loop).
  const parsers = createParserPool(loadConfig({}, os.tmpdir()));
  const source = new FolderSource({ name: 'handbook', kind: 'folder', location: handbook }, { parsers });
  const deps = { ...store, logger: pino({ level: 'silent' }), access: AccessPolicy.open() };
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

  // Latency: retrieval alone and the whole answer path, against a bare full-text query with the same terms.
  const answerDeps = { index, syncState: catalogue, retrieval: { topK }, evidence: loadConfig({}, os.tmpdir()).evidence };
  const ask = (text: string) => answerQuestion(answerDeps, { text, asker: { platform: 'cli', userId: 'bench' }, conversation: { id: 'bench' }, history: [], readers: ['everyone'] } satisfies Question);
  for (const q of questions) await ask(q); // warm up
  const times = { bare: [] as number[], retrieval: [] as number[], answer: [] as number[] };
  for (let round = 0; round < 3; round++) {
    for (const q of questions) {
      start = process.hrtime.bigint();
      await index.search({ terms: [...queryTerms(q).keys()], limit: 40, readers: ['everyone'] });
      times.bare.push(elapsed(start));
      start = process.hrtime.bigint();
      await retrieve(index, q, { topK, readers: ['everyone'] });
      times.retrieval.push(elapsed(start));
      start = process.hrtime.bigint();
      await ask(q);
      times.answer.push(elapsed(start));
    }
  }
  const bareP50 = percentile(times.bare, 50);
  const results = {
    corpus: { documents: first!.added, skipped: first!.skipped.length, failed: first!.failed.length, chunks, indexMB: fixed(store.sizeBytes() / 1024 / 1024, 1) },
    sync: {
      firstMs: Math.round(syncMs),
      readAndHashBaselineMs: Math.round(readMs),
      firstVsBaseline: fixed(syncMs / readMs, 1),
      resyncMs: Math.round(resyncMs),
      resyncVsFirst: fixed(resyncMs / syncMs, 3),
      resyncUnchanged: again!.unchanged,
    },
    queries: {
      count: times.answer.length,
      bareFullTextP50Ms: fixed(bareP50),
      retrievalP50Ms: fixed(percentile(times.retrieval, 50)),
      retrievalP95Ms: fixed(percentile(times.retrieval, 95)),
      answerP50Ms: fixed(percentile(times.answer, 50)),
      answerP95Ms: fixed(percentile(times.answer, 95)),
      retrievalP95VsBare: fixed(percentile(times.retrieval, 95) / bareP50, 1),
      answerP95VsBare: fixed(percentile(times.answer, 95) / bareP50, 1),
    },
    memory: { rssMB: Math.round(process.memoryUsage().rss / 1024 / 1024) },
  };
  console.log(JSON.stringify(results, null, 2));
  store.close();
  await parsers.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
