import assert from 'node:assert/strict';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AccessPolicy } from '../../src/access/access-policy.js';
import { answerQuestion, type AnswerDependencies } from '../../src/answer/answer-question.js';
import type { Question } from '../../src/domain.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { runSync } from '../../src/ingest/run-sync.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { createEmbedder } from '../../src/llm/embedder.js';
import { Metrics } from '../../src/metrics.js';
import { DenseSearch } from '../../src/retrieval/dense-search.js';
import { judgeEvidence } from '../../src/answer/judge-evidence.js';
import { retrieve } from '../../src/retrieval/retrieve.js';
import { FakeOpenAI, hashedEmbedding } from '../fakes/openai-server.js';
import { folderWith, silentLogger, tempDir, evidence } from '../helpers.js';

// A small "semantic" model for the fake: words of one concept, in English or Chinese, point the same way.
const concepts = [
  ['leave', 'vacation', 'holiday', 'holidays', 'time off', '年假', '休假', '假期'],
  ['vpn', 'wireguard', 'remote', 'network', '远程', '网络'],
  ['expense', 'expenses', 'receipt', 'receipts', 'reimbursed', 'reimbursement', '报销', '发票'],
  ['laptop', 'computer', 'hardware', '电脑'],
];
function conceptEmbedding(text: string, dimensions: number): number[] {
  // Words count a little (texts without a concept differ), concepts a lot.
  const vector = hashedEmbedding(text, dimensions).map((value) => value * 0.5);
  const lower = text.toLowerCase();
  concepts.forEach((words, i) => {
    for (const word of words) if (lower.includes(word)) vector[i]! += 1;
  });
  return vector;
}

const ask = (text: string): Question => ({ text, asker: { platform: 'cli', userId: 'u' }, conversation: { id: 'c' }, history: [], readers: ['everyone'] });

describe('hybrid retrieval (dense search with BM25)', () => {
  let fake: FakeOpenAI;
  let store: SqliteStore;
  let index: SqliteStore['index'];
  let catalogue: SqliteStore['catalogue'];
  let logs: string[];
  let metrics: Metrics;

  const embedder = (model = 'text-embedding-3-small') =>
    createEmbedder({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model, dimensions: null }, { batchInputs: 256, batchTokens: 280_000, concurrency: 2 });
  const logger = () =>
    pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    );
  const deps = (dense: DenseSearch | null): AnswerDependencies => ({
    index,
    syncState: catalogue,
    retrieval: { topK: 3 }, evidence: evidence(0.7, 0.6),
    dense,
    metrics,
  });

  beforeEach(async () => {
    fake = await new FakeOpenAI().start();
    fake.embed = conceptEmbedding;
    logs = [];
    metrics = new Metrics();
    const docs = folderWith({
      'leave.md': '# Annual leave\n\nFull-time employees get 28 days of annual leave each year. Ask your manager before booking.',
      'vpn.md': '# VPN\n\nInstall WireGuard to reach the build servers from home.',
      'expenses.md': '# Expenses\n\nSubmit receipts within 30 days to be reimbursed.',
      'canteen.md': '# Canteen\n\nThe canteen serves lunch from noon to two.',
    });
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
    ({ index, catalogue } = store);
    await runSync({ ...store, logger: silentLogger, access: AccessPolicy.open(), embedder: embedder() }, [new FolderSource({ name: 'docs', kind: 'folder', location: docs })], {
      chunking: { maxTokens: 200, overlapTokens: 20 },
      maxFileBytes: 1024 * 1024,
    });
  });
  afterEach(async () => {
    store.close();
    await fake.stop();
  });

  it('finds a passage by meaning when the question shares none of its words', async () => {
    const question = 'How much vacation time do I have?';
    const keywordsOnly = await answerQuestion(deps(null), ask(question));
    assert.equal(keywordsOnly.grounded, false, 'keywords alone find nothing');
    const hybrid = await answerQuestion(deps(new DenseSearch({ index, embedder: embedder(), metrics })), ask(question));
    assert.equal(hybrid.grounded, true);
    assert.equal(hybrid.citations[0]!.passage.document.path, 'leave.md');
    assert.match(hybrid.text, /28 days of annual leave each year\. \[1\]/);
    assert.ok(hybrid.citations[0]!.passage.similarity! > 0.6);
    assert.equal(fake.embeddingRequests().at(-1)!.body.input[0], question);
  });

  it('answers a Chinese question from an English document', async () => {
    const answer = await answerQuestion(deps(new DenseSearch({ index, embedder: embedder() })), ask('我每年有多少天年假？'));
    assert.equal(answer.grounded, true);
    assert.equal(answer.citations[0]!.passage.document.path, 'leave.md');
  });

  it('fuses both lists: a passage found by words and by meaning ranks first, and the unrelated is judged to have no answer', async () => {
    const dense = new DenseSearch({ index, embedder: embedder() });
    const { passages } = await retrieve(index, 'Where do I submit expense receipts?', { topK: 3, readers: ['everyone'] }, dense);
    assert.equal(passages[0]!.document.path, 'expenses.md');
    assert.ok(judgeEvidence(passages, evidence(0.7, 0.6)).passages.every((p) => p.document.path !== 'canteen.md'));
    const unrelated = await retrieve(index, 'Who won the football match?', { topK: 3, readers: ['everyone'] }, dense);
    assert.equal(judgeEvidence(unrelated.passages, evidence(0.7, 0.6)).confidence, 'none');
  });

  it('falls back to keyword search, logged and counted, when the question cannot be embedded', async () => {
    fake.embeddingFaults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const answer = await answerQuestion(deps(new DenseSearch({ index, embedder: embedder(), logger: logger(), metrics })), ask('How do I install WireGuard for the VPN?'));
    assert.equal(answer.grounded, true);
    assert.equal(answer.citations[0]!.passage.document.path, 'vpn.md');
    assert.match(logs.join(''), /the question could not be embedded: keyword search only/);
    assert.match(await metrics.registry.metrics(), /groundwork_retrieval_keyword_only_total\{reason="embedding_failed"\} 1/);
  });

  it('uses keyword search alone, warning once, when the index was embedded by another model', async () => {
    const dense = new DenseSearch({ index, embedder: embedder('nomic-embed-text'), logger: logger(), metrics });
    const requestsBefore = fake.embeddingRequests().length;
    for (let i = 0; i < 2; i++) {
      const answer = await answerQuestion(deps(dense), ask('How do I install WireGuard for the VPN?'));
      assert.equal(answer.citations[0]!.passage.document.path, 'vpn.md');
    }
    assert.equal(fake.embeddingRequests().length, requestsBefore, 'no question is embedded with the wrong model');
    assert.equal(logs.filter((line) => line.includes('embedded by another model')).length, 1);
    assert.match(await metrics.registry.metrics(), /groundwork_retrieval_keyword_only_total\{reason="model_changed"\} 2/);
  });
});
