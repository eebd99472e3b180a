// What a question costs on QdrantIndex against the embedded index, with the same documents:
//   npx tsx bench/qdrant-index.ts [folder]   (default: the 18F handbook beside the repository, else samples/handbook)
// The Qdrant fake runs in a child process (brute-force scoring, not Qdrant's speed), so this
// process's CPU time is Groundwork's client-side cost: tokenizing, the term statistics in
// groundwork.db, building the requests, parsing the answers, the catalogue's version filter.
// Both are reported per question and as ratios measured in the same run (the machines are noisy).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AccessPolicy } from '../src/access/access-policy.js';
import { createParserPool } from '../src/app-context.js';
import { loadConfig } from '../src/config.js';
import { parseQuestionFile } from '../src/eval/question-file.js';
import { percentile } from '../src/eval/ranking-metrics.js';
import type { PassageIndex } from '../src/index/passage-index.js';
import { QdrantIndex } from '../src/index/qdrant-index.js';
import { openSqliteStore } from '../src/index/sqlite-store.js';
import { runSync } from '../src/ingest/run-sync.js';
import { FolderSource } from '../src/ingest/sources/folder-source.js';
import { retrieve } from '../src/retrieval/retrieve.js';
import { qdrantOpenApiAvailable, qdrantOpenApiPath } from '../test/fakes/qdrant-server.js';
import { startQdrantFakeProcess } from '../test/fakes/qdrant-fake-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const handbook = path.join(here, '../../shared/data/handbooks/18f-tts-handbook');
const folder = path.resolve(process.argv[2] ?? (fs.existsSync(handbook) ? handbook : path.join(here, '../samples/handbook')));
const questionFiles = folder === handbook ? ['handbook-dev.jsonl', 'handbook-test.jsonl'] : ['samples-dev.jsonl'];
const questions = questionFiles
  .filter((file) => fs.existsSync(path.join(here, '../eval', file)))
  .flatMap((file) => parseQuestionFile(fs.readFileSync(path.join(here, '../eval', file), 'utf8'), file))
  .map((q) => q.question);
const rounds = 3;

/** Wall and CPU milliseconds per question, over `rounds` passes of every question. */
async function measure(index: PassageIndex): Promise<{ wall: number[]; cpu: number; top: string[] }> {
  const wall: number[] = [];
  const top: string[] = [];
  for (const question of questions) top.push((await retrieve(index, question, { topK: 5, readers: ['everyone'] })).passages[0]?.document.id ?? ''); // warm-up, and what ranks first
  const cpuStart = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    for (const question of questions) {
      const start = process.hrtime.bigint();
      await retrieve(index, question, { topK: 5, readers: ['everyone'] });
      wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 / wall.length, top };
}

async function main() {
  if (!qdrantOpenApiAvailable()) throw new Error(`the Qdrant fake needs Qdrant's OpenAPI document at ${qdrantOpenApiPath}`);
  if (questions.length === 0) throw new Error('no questions found in eval/');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-qdrant-'));
  const fake = await startQdrantFakeProcess();
  const parsers = createParserPool(loadConfig({}, os.tmpdir()));
  const logger = pino({ level: 'silent' });
  const syncOptions = { chunking: { maxTokens: 350, overlapTokens: 60 }, maxFileBytes: 50 * 1024 * 1024 };
  try {
    const sqlite = openSqliteStore(path.join(dir, 'sqlite.db'));
    const qdrantStore = openSqliteStore(path.join(dir, 'qdrant.db'));
    const qdrant = new QdrantIndex(
      { url: fake.url, apiKey: null, collectionPrefix: 'bench', timeoutMs: 60_000 },
      { catalogue: qdrantStore.catalogue, termStatistics: qdrantStore.termStatistics },
    );
    const sync = async (deps: Parameters<typeof runSync>[0]) => {
      const start = process.hrtime.bigint();
      await runSync(deps, [new FolderSource({ name: 'docs', kind: 'folder', location: folder }, { parsers })], syncOptions);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const sqliteSyncMs = await sync({ ...sqlite, logger, access: AccessPolicy.open() });
    const qdrantSyncMs = await sync({ index: qdrant, catalogue: qdrantStore.catalogue, logger, access: AccessPolicy.open() });

    const onSqlite = await measure(sqlite.index);
    const onQdrant = await measure(qdrant);
    const median = (values: number[]) => Number(percentile(values, 50).toFixed(2));
    const same = onSqlite.top.filter((id, i) => id === onQdrant.top[i]).length;
    const result = {
      folder,
      passages: await sqlite.index.chunkCount(),
      questions: questions.length,
      syncMs: { sqlite: Math.round(sqliteSyncMs), qdrantFake: Math.round(qdrantSyncMs) },
      perQuestionMs: {
        sqlite: { wallMedian: median(onSqlite.wall), wallP95: Number(percentile(onSqlite.wall, 95).toFixed(2)), cpu: Number(onSqlite.cpu.toFixed(2)) },
        qdrantFake: { wallMedian: median(onQdrant.wall), wallP95: Number(percentile(onQdrant.wall, 95).toFixed(2)), clientCpu: Number(onQdrant.cpu.toFixed(2)) },
      },
      ratios: {
        clientCpuOverSqliteCpu: Number((onQdrant.cpu / onSqlite.cpu).toFixed(2)),
        wallMedianOverSqlite: Number((median(onQdrant.wall) / median(onSqlite.wall)).toFixed(2)),
      },
      sameFirstDocument: `${same} of ${questions.length}`,
    };
    console.log(JSON.stringify(result, null, 2));
    sqlite.close();
    qdrantStore.close();
  } finally {
    await fake.stop();
    await parsers.close();
  }
}

await main();
