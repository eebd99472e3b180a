// A question with embeddings, on Qdrant: the keyword and the vector query travel in one query
// batch, and retrieval gives the passages it gives on the embedded index.
import assert from 'node:assert/strict';
import { AccessPolicy } from '../../src/access/access-policy.js';
import { openSqliteStore } from '../../src/index/sqlite-store.js';
import { runSync } from '../../src/ingest/run-sync.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { createEmbedder } from '../../src/llm/embedder.js';
import { DenseSearch } from '../../src/retrieval/dense-search.js';
import { retrieve } from '../../src/retrieval/retrieve.js';
import { FakeOpenAI } from '../fakes/openai-server.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';
import { folderWith, silentLogger, tempDir } from '../helpers.js';
import { openQdrantStores } from '../index/qdrant-stores.js';

const docs = {
  'leave.md': '# Annual leave\n\nEvery employee gets 28 days of annual leave a year.',
  'vpn.md': '# VPN\n\nThe VPN client is GlobalProtect; connect to portal vpn.example.com.',
  'badge.md': '# Badges\n\nLost building badges are replaced by the security desk in lobby C.',
};

describe('hybrid retrieval on Qdrant', function () {
  this.timeout(60_000);
  const qdrant = useQdrantFake();
  let model: FakeOpenAI;
  before(async () => {
    model = await new FakeOpenAI().start();
  });
  after(async () => {
    await model?.stop();
  });

  it('sends the keyword and the vector query in one request, and ranks as the embedded index does', async () => {
    const embedder = createEmbedder({ provider: 'openai', apiKey: null, baseUrl: `${model.url}/v1`, model: 'text-embedding-3-small', dimensions: null }, { batchInputs: 256, batchTokens: 280_000, concurrency: 2 });
    const folder = folderWith(docs);
    const onQdrant = openQdrantStores(qdrant().url);
    const onSqlite = openSqliteStore(`${tempDir()}/index.db`);
    try {
      const sync = (index: typeof onQdrant.index | typeof onSqlite.index, catalogue: typeof onSqlite.catalogue) =>
        runSync({ index, catalogue, logger: silentLogger, access: AccessPolicy.open(), embedder }, [new FolderSource({ name: 'docs', kind: 'folder', location: folder })], { chunking: { maxTokens: 200, overlapTokens: 30 }, maxFileBytes: 1 << 20 });
      await sync(onQdrant.index, onQdrant.catalogue);
      await sync(onSqlite.index, onSqlite.catalogue);
      const question = 'which VPN client do we use?';
      const before = qdrant().requests.length;
      const qdrantPassages = (await retrieve(onQdrant.index, question, { topK: 3, readers: ['everyone'] }, new DenseSearch({ index: onQdrant.index, embedder }))).passages;
      const queries = qdrant().requests.slice(before).filter((r) => r.path.includes('/points/query'));
      assert.deepEqual(queries.map((r) => r.path.replace(/^.*\/points\//, '')), ['query/batch'], 'one request for both searches');
      assert.equal(queries[0]!.body.searches.length, 2);
      const sqlitePassages = (await retrieve(onSqlite.index, question, { topK: 3, readers: ['everyone'] }, new DenseSearch({ index: onSqlite.index, embedder }))).passages;
      assert.equal(qdrantPassages[0]!.document.path, 'vpn.md');
      assert.deepEqual(qdrantPassages.map((p) => p.document.path), sqlitePassages.map((p) => p.document.path));
      assert.ok(qdrantPassages[0]!.similarity !== undefined, 'the passage carries its cosine similarity');
    } finally {
      onSqlite.close();
      await onQdrant.close();
    }
  });
});
