import assert from 'node:assert/strict';
import path from 'node:path';
import { answerQuestion } from '../../src/answer/answer-question.js';
import type { Question } from '../../src/domain.js';
import { SqliteIndex } from '../../src/index/sqlite-index.js';
import { Metrics } from '../../src/metrics.js';
import { tempDir } from '../helpers.js';

const question = (text: string, sources?: string[]): Question => ({
  text,
  asker: { platform: 'cli', userId: 'u' },
  conversation: { id: 'c' },
  history: [],
  sources,
});

describe('answerQuestion', () => {
  let index: SqliteIndex;
  let metrics: Metrics;
  const syncedAt = new Date('2026-11-01T09:30:00Z');

  beforeEach(async () => {
    index = SqliteIndex.open(path.join(tempDir(), 'index.db'));
    metrics = new Metrics();
    await index.replaceDocument(
      { id: 'leave', source: 'hr', path: 'leave.md', title: 'Leave policy', url: 'https://wiki.example/leave', updatedAt: null, author: null, contentHash: 'x' },
      [{ id: 'leave:0', documentId: 'leave', position: 0, headingPath: ['Annual leave'], text: 'Employees get 28 days of annual leave.', tokenCount: 9, contentHash: 'y' }],
    );
    const report = { source: 'hr', added: 1, updated: 0, unchanged: 0, deleted: 0, skipped: [], failed: [], error: null, durationMs: 5 };
    await index.recordSync({ name: 'hr', kind: 'folder', location: '/docs/hr' }, report, syncedAt);
  });
  afterEach(() => index.close());

  const ask = (text: string, sources?: string[]) =>
    answerQuestion({ index, syncState: index, retrieval: { topK: 5, minScore: 0.5 }, metrics }, question(text, sources));

  it('answers from the documents with a cited, linked source', async () => {
    const answer = await ask('How many days of annual leave?');
    assert.equal(answer.grounded, true);
    assert.equal(answer.mode, 'extractive');
    assert.equal(answer.text, 'Employees get 28 days of annual leave. [1]');
    assert.equal(answer.citations[0]!.passage.document.url, 'https://wiki.example/leave');
  });

  it('when no passage clears the score floor, says it does not know, names the sources searched and cites nothing', async () => {
    const answer = await ask('What is the parking fee for visitors?');
    assert.equal(answer.grounded, false);
    assert.deepEqual(answer.citations, []);
    assert.match(answer.text, /couldn't find the answer/);
    assert.match(answer.text, /hr \(1 documents, last synced 2026-11-01 09:30 UTC\)/);
    assert.match(answer.text, /Try rephrasing/);
  });

  it('says so in Chinese when asked in Chinese', async () => {
    const answer = await ask('停车费是多少？');
    assert.equal(answer.grounded, false);
    assert.match(answer.text, /没有找到/);
    assert.match(answer.text, /hr（1 篇文档，最近同步：2026-11-01 09:30 UTC）/);
  });

  it('respects a source filter', async () => {
    assert.equal((await ask('annual leave days', ['finance'])).grounded, false);
  });

  it('counts grounded and ungrounded answers in the metrics', async () => {
    await ask('annual leave days');
    await ask('parking fees for visitors');
    const text = await metrics.registry.metrics();
    assert.match(text, /groundwork_answers_total\{grounded="true",mode="extractive"\} 1/);
    assert.match(text, /groundwork_answers_total\{grounded="false",mode="extractive"\} 1/);
    assert.match(text, /groundwork_retrieval_duration_seconds_count 2/);
  });
});
