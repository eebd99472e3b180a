// The whole service on Qdrant: startService with QDRANT_URL at the Qdrant fake syncs the bundled
// samples into a collection and answers in the web chat with the document it cites on SQLite.
import assert from 'node:assert/strict';
import { startService, type Service } from '../../src/main.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';
import { testConfig } from '../helpers.js';

type ChatAnswer = { answer: string; confidence: string; citations: Array<{ title: string; path: string; source: string }> };

async function ask(service: Service, text: string): Promise<ChatAnswer> {
  const response = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  assert.equal(response.status, 200);
  return (await response.json()) as ChatAnswer;
}

describe('the service with QDRANT_URL set', function () {
  this.timeout(120_000);
  let onQdrant: Service;
  let onSqlite: Service;
  // Registered ahead of the fake's hooks so that the services stop before the fake does (mocha runs `after` hooks in registration order).
  after(async () => {
    await onQdrant?.stop();
    await onSqlite?.stop();
  });
  const fake = useQdrantFake();
  before(async () => {
    [onQdrant, onSqlite] = await Promise.all([startService(testConfig({ QDRANT_URL: fake().url, QDRANT_COLLECTION: 'e2e' })), startService(testConfig())]);
  });

  it('syncs the samples into the Qdrant collection on first start, keeping the catalogue in groundwork.db', async () => {
    const points = fake().collections.get(fake().aliases.get('e2e-passages') ?? '')?.points.size ?? 0;
    assert.equal(fake().aliases.get('e2e-passages'), 'e2e-passages-1', 'the alias, at the first collection');
    const passages = await onQdrant.context.index.chunkCount();
    assert.ok(passages > 12, `${passages} passages`);
    assert.equal(points, passages + 1, 'one point per passage, and the index record');
    assert.equal(passages, await onSqlite.context.index.chunkCount(), 'as many passages as in the embedded index');
    assert.ok((await onQdrant.context.catalogue.sourceStatuses()).every((source) => source.documents > 0));
  });

  for (const question of ['How many days of annual leave do I get?', '年假可以结转几天？']) {
    it(`answers "${question}" citing the same document as on SQLite`, async () => {
      const [qdrant, sqlite] = await Promise.all([ask(onQdrant, question), ask(onSqlite, question)]);
      assert.equal(qdrant.confidence, 'answer');
      assert.deepEqual(qdrant.citations[0], sqlite.citations[0]);
      assert.equal(qdrant.answer, sqlite.answer);
    });
  }
});
