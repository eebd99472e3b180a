// Server-side overhead of a generated answer: all the time of answering a question except the
// time spent waiting on the model, at 1 and 20 concurrent askers, against the local
// OpenAI-protocol fake with a fixed model latency.
//   npm run bench:answer
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AccessPolicy } from '../src/access/access-policy.js';
import { answerQuestion } from '../src/answer/answer-question.js';
import { loadConfig } from '../src/config.js';
import { parseQuestionFile } from '../src/eval/question-file.js';
import { createChatModel, type ChatModel } from '../src/llm/chat-model.js';
import { createEmbedder, type Embedder } from '../src/llm/embedder.js';
import { DenseSearch } from '../src/retrieval/dense-search.js';
import { openSqliteStore } from '../src/index/sqlite-store.js';
import { runSync } from '../src/ingest/run-sync.js';
import { FolderSource } from '../src/ingest/sources/folder-source.js';
import { FakeOpenAI } from '../test/fakes/openai-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const handbook = path.resolve(process.argv[2] ?? path.join(here, '../../shared/data/handbooks/18f-tts-handbook'));
// The answerable questions of the handbook set, as employees type them.
const questions = parseQuestionFile(fs.readFileSync(path.join(here, '../eval/handbook-dev.jsonl'), 'utf8'), 'handbook-dev.jsonl').filter((q) => q.answerable).map((q) => q.question);
const modelLatencyMs = 200;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

const fake = await new FakeOpenAI().start();
fake.latencyMs = modelLatencyMs;
fake.embeddingLatencyMs = 50;
fake.defaultDimensions = 1536;
const embedder = createEmbedder(
  { provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'bench-embedding', dimensions: null },
  { batchInputs: 256, batchTokens: 280_000, concurrency: 4 },
);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-answer-'));
const store = openSqliteStore(path.join(dir, 'groundwork.db'));
const { index, catalogue } = store;
await runSync({ ...store, logger: pino({ level: 'silent' }), access: AccessPolicy.open(), embedder }, [new FolderSource({ name: 'handbook', kind: 'folder', location: handbook })], {
  chunking: { maxTokens: 350, overlapTokens: 60 },
  maxFileBytes: 50 * 1024 * 1024,
});
fake.chatReply = () => 'Employees accrue leave every pay period [1]. The handbook explains the details [2].';
const real = createChatModel({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'bench' }, 10_000);

/** Runs `askers` questions at a time; overhead = answer time minus the time inside model calls (chat and, when hybrid, the question's embedding). */
async function measure(askers: number, streaming: boolean, hybrid: boolean): Promise<{ p50: number; p95: number; answers: number }> {
  const overheads: number[] = [];
  const timedEmbedder = (timesInModel: number[]): Embedder => ({
    ...embedder,
    embedQuery: async (text) => {
      const start = performance.now();
      try { return await embedder.embedQuery(text); } finally { timesInModel.push(performance.now() - start); }
    },
  });
  const timed = (timesInModel: number[]): ChatModel => ({
    name: real.name,
    complete: async (messages) => {
      const start = performance.now();
      try { return await real.complete(messages); } finally { timesInModel.push(performance.now() - start); }
    },
    stream: async (messages, onToken) => {
      const start = performance.now();
      try { return await real.stream(messages, onToken); } finally { timesInModel.push(performance.now() - start); }
    },
  });
  const ask = async (question: string) => {
    const inModel: number[] = [];
    const start = performance.now();
    await answerQuestion(
      {
        index,
        syncState: catalogue,
        retrieval: { topK: 5 },
        evidence: loadConfig({}, os.tmpdir()).evidence,
        dense: hybrid ? new DenseSearch({ index, embedder: timedEmbedder(inModel) }) : null,
        chat: { model: timed(inModel), promptBudgetTokens: 6000 },
      },
      { text: question, asker: { platform: 'cli', userId: 'bench' }, conversation: { id: 'bench' }, history: [], readers: ['everyone'] },
      streaming ? { onToken: () => {} } : {},
    );
    overheads.push(performance.now() - start - inModel.reduce((a, b) => a + b, 0));
  };
  // Each asker asks its next question when its previous answer is in (a closed loop), starting at
  // a random moment within one model latency, as people do; 200 answers in all.
  const perAsker = Math.ceil(200 / askers);
  await Promise.all(
    Array.from({ length: askers }, async (_, asker) => {
      await new Promise((resolve) => setTimeout(resolve, askers > 1 ? Math.random() * modelLatencyMs : 0));
      for (let i = 0; i < perAsker; i++) await ask(questions[(asker * perAsker + i) % questions.length]!);
    }),
  );
  return { p50: Number(percentile(overheads, 50).toFixed(2)), p95: Number(percentile(overheads, 95).toFixed(2)), answers: overheads.length };
}

await measure(1, false, true); // warm up
const results = {
  modelLatencyMs,
  questionEmbeddingLatencyMs: fake.embeddingLatencyMs,
  keywords: { oneAsker: await measure(1, false, false), twentyAskers: await measure(20, false, false) },
  hybrid: {
    oneAsker: await measure(1, false, true),
    twentyAskers: await measure(20, false, true),
    twentyAskersStreaming: await measure(20, true, true),
  },
  modelRequests: fake.chatRequests().length,
  vectors: await index.vectorCount(),
};
console.log(JSON.stringify(results, null, 2));
await fake.stop();
store.close();
fs.rmSync(dir, { recursive: true, force: true });
