// QdrantIndex through the real @qdrant/js-client-rest: on the local Qdrant fake (which checks every
// request against Qdrant's OpenAPI schema), and on a real Qdrant when QDRANT_URL is set.
import assert from 'node:assert/strict';
import type { CollectionLayout } from '../../src/config.js';
import { IndexUnavailableError, ReindexRequiredError } from '../../src/errors.js';
import { createQdrantClient } from '../../src/index/qdrant-client.js';
import { QdrantIndex } from '../../src/index/qdrant-index.js';
import { replaceDocument } from '../../src/ingest/index-writer.js';
import { distinctTerms } from '../../src/retrieval/tokenize.js';
import { openTestStore } from '../helpers.js';
import { startQdrantFake } from '../fakes/qdrant-server.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';
import { describePassageIndex } from './passage-index-conformance.js';
import { openQdrantStores } from './qdrant-stores.js';

const leave = { id: 'leave', source: 'hr', path: 'leave.md', title: 'Annual leave', url: null, updatedAt: null, author: null, labels: [], superseded: false, readers: ['everyone'], contentHash: 'h1' };
const leaveChunk = { id: 'leave:0', documentId: 'leave', position: 0, headingPath: [], text: 'Employees get 28 days of annual leave.', tokenCount: 8, contentHash: 'c1' };

/** The error a call failed with. */
async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

describe('QdrantIndex on the Qdrant fake', function () {
  const fake = useQdrantFake();

  describePassageIndex('QdrantIndex with SqliteCatalogue', async () => openQdrantStores(fake().url));

  describe('when Qdrant fails', () => {
    let stores: ReturnType<typeof openQdrantStores>;
    beforeEach(async () => {
      stores = openQdrantStores(fake().url, { timeoutMs: 200 });
      await replaceDocument(stores, leave, [leaveChunk]);
    });
    afterEach(async () => {
      fake().faults.length = 0;
      await fake().start();
      await stores.close();
    });
    const search = () => stores.index.search({ terms: distinctTerms('annual leave'), limit: 5, readers: ['everyone'] });

    it('is unavailable while Qdrant is down, naming Qdrant and its URL, and works again when it is back, with the same client', async () => {
      await fake().stop();
      const error = await failure(search());
      assert.ok(error instanceof IndexUnavailableError, String(error));
      assert.match(error.message, new RegExp(`^Qdrant at ${fake().url} cannot be reached \\([A-Z_]+\\) while searching passages$`));
      await fake().start();
      assert.deepEqual((await search()).map((hit) => hit.chunk.text), [leaveChunk.text]);
    });

    it('is unavailable when Qdrant answers 5xx, with its message', async () => {
      fake().faults.push({ status: 503, path: '/points/query' });
      const error = await failure(search());
      assert.ok(error instanceof IndexUnavailableError);
      assert.equal(error.message, `Qdrant at ${fake().url} failed while searching passages (503: Service fault injected by the test (503))`);
      fake().faults.push({ status: 500, method: 'PUT', path: '/points' });
      const writing = await failure(replaceDocument(stores, { ...leave, contentHash: 'h2' }, [{ ...leaveChunk, text: 'Changed.' }]));
      assert.ok(writing instanceof IndexUnavailableError);
      assert.match(writing.message, /failed while writing passages \(500/);
      assert.equal((await stores.catalogue.currentVersions(['leave'])).get('leave'), 1, 'nothing half-written is made current');
      assert.deepEqual((await search()).map((hit) => hit.chunk.text), [leaveChunk.text]);
    });

    it('is unavailable when Qdrant does not answer within the timeout', async () => {
      fake().faults.push({ delayMs: 2000, path: '/points/query' });
      const error = await failure(search());
      assert.ok(error instanceof IndexUnavailableError);
      assert.equal(error.message, `Qdrant at ${fake().url} did not answer within 0.2 s (searching passages); see QDRANT_TIMEOUT_SECONDS`);
    });

    it('is unavailable when Qdrant answers something that is not JSON, or drops the connection', async () => {
      fake().faults.push({ malformed: true, path: '/points/query' });
      assert.equal((await failure(search())).message, `Qdrant at ${fake().url} answered searching passages with something that is not JSON`);
      fake().faults.push({ drop: true, path: '/points/count' });
      const dropped = await failure(stores.index.chunkCount());
      assert.ok(dropped instanceof IndexUnavailableError);
      assert.match(dropped.message, /^Qdrant at .* cannot be reached .* while counting passages$/);
    });
  });

  it('sends the API key and never shows it; a wrong key is named as the cause', async () => {
    const guarded = await startQdrantFake({ apiKey: 'right-key' });
    const good = openQdrantStores(guarded.url, { apiKey: 'right-key' });
    const bad = openQdrantStores(guarded.url, { apiKey: 'wrong-key-value' });
    try {
      await replaceDocument(good, leave, [leaveChunk]);
      assert.equal(await good.index.chunkCount(), 1);
      const error = await failure(bad.index.chunkCount());
      assert.ok(error instanceof IndexUnavailableError);
      assert.match(error.message, /refused the request \(403: Invalid API key or JWT\); check QDRANT_API_KEY/);
      assert.ok(!error.message.includes('wrong-key-value'));
    } finally {
      good.store.close();
      bad.store.close();
      await guarded.stop();
    }
  });

  describe('an existing collection', () => {
    let stores: ReturnType<typeof openQdrantStores>;
    beforeEach(() => {
      stores = openQdrantStores(fake().url);
    });
    afterEach(async () => stores.close());

    it('is refused when its schema is not the one written, saying what differs, and left as it was', async () => {
      await stores.client.createCollection(stores.index.collectionName, {
        vectors: { size: 3, distance: 'Dot' },
        sparse_vectors: { text: { modifier: 'none' } },
      });
      await stores.client.createPayloadIndex(stores.index.collectionName, { field_name: 'document_id', field_schema: 'integer', wait: true });
      const error = await failure(replaceDocument(stores, leave, [leaveChunk]));
      assert.ok(error instanceof IndexUnavailableError);
      assert.equal(
        error.message,
        `The Qdrant collection "${stores.index.collectionName}" at ${fake().url} does not have the schema Groundwork writes: it has an unnamed dense vector, not one named "dense"; ` +
          'it has no sparse vector "terms"; its payload index on "document_id" is integer, not keyword. Nothing was changed: set QDRANT_COLLECTION to another prefix, or delete the collection and run "groundwork sync".',
      );
      assert.equal(await failure(stores.index.search({ terms: ['leav'], limit: 5, readers: ['everyone'] })).then((e) => e.message), error.message, 'reads are refused too');
      assert.equal((await stores.client.count(stores.index.collectionName)).count, 0);
      assert.deepEqual((await stores.client.getCollection(stores.index.collectionName)).config.params.vectors, { size: 3, distance: 'Dot' });
    });

    it('made without dense vectors refuses the first vectors with what differs, never recreating it', async () => {
      await replaceDocument(stores, leave, [leaveChunk]);
      const error = await failure(
        replaceDocument(stores, { ...leave, contentHash: 'h2' }, [{ ...leaveChunk, embedding: { inputHash: 'i', vector: new Float32Array([1, 0, 0, 0]) } }], { space: { model: 'emb', dimensions: 4 } }),
      );
      assert.ok(error instanceof ReindexRequiredError);
      assert.match(error.message, /was created without dense vectors \(keyword search only\), and the embedding model "emb" makes vectors of 4 dimensions\. Nothing was changed/);
      assert.equal((await stores.index.documentChunks('leave', ['everyone']))?.chunks[0]?.text, leaveChunk.text);
    });

    it('written before access rules (points without readers, no readers index) is found by no one until setReaders gives it readers, keeping its vector space', async () => {
      const space = { model: 'emb', dimensions: 3 };
      await replaceDocument(stores, leave, [{ ...leaveChunk, embedding: { inputHash: 'i', vector: new Float32Array([1, 0, 0]) } }], { space });
      const name = fake().aliases.get(stores.index.collectionName)!;
      await stores.client.deletePayload(name, { keys: ['readers'], filter: { must: [{ key: 'document_id', match: { value: 'leave' } }] }, wait: true });
      await stores.client.deletePayloadIndex(name, 'readers', { wait: true });
      const everyone = ['everyone'];
      // A new index object opens the collection afresh, as a process started after the upgrade does.
      const index = new QdrantIndex({ ...stores.index.options }, stores.index.deps);
      assert.deepEqual(await index.search({ terms: distinctTerms('annual leave'), limit: 5, readers: everyone }), []);
      assert.deepEqual(await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: everyone }), []);
      assert.equal(await index.documentChunks('leave', everyone), null);
      assert.equal(await index.accessFingerprint(), null);
      assert.deepEqual(await index.documentAccess(), [{ id: 'leave', source: 'hr', path: 'leave.md', labels: [], readers: [], title: 'Annual leave', updatedAt: null }]);
      assert.equal((fake().collections.get(name)!.info() as { payload_schema: Record<string, { data_type: string }> }).payload_schema.readers?.data_type, 'keyword', 'opening the collection created the missing index');
      await index.setReaders([{ documentIds: ['leave'], readers: ['group:hr'] }], 'policy-1');
      assert.equal(await index.accessFingerprint(), 'policy-1');
      assert.deepEqual(await index.vectorSpace(), space, 'the record keeps its other fields');
      const [hit] = await index.search({ terms: distinctTerms('annual leave'), limit: 5, readers: ['group:hr'] });
      assert.deepEqual(hit?.document.readers, ['group:hr']);
      assert.deepEqual((await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: ['group:hr'] })).map((h) => h.chunk.id), ['leave:0']);
    });

    it('whose dense vectors have another size refuses vectors of a new model after a reset', async () => {
      const withVector = (vector: number[]) => [{ ...leaveChunk, embedding: { inputHash: 'i', vector: new Float32Array(vector) } }];
      await replaceDocument(stores, leave, withVector([1, 0, 0]), { space: { model: 'emb', dimensions: 3 } });
      await stores.index.resetVectors();
      const error = await failure(replaceDocument(stores, { ...leave, contentHash: 'h2' }, withVector([1, 0, 0, 0]), { space: { model: 'emb-large', dimensions: 4 } }));
      assert.ok(error instanceof ReindexRequiredError);
      assert.match(error.message, /holds dense vectors of 3 dimensions, and the embedding model "emb-large" makes vectors of 4 dimensions/);
    });

    it('holds each chunk once per version under a deterministic id, with payload indexes for the filters', async () => {
      await replaceDocument(stores, leave, [leaveChunk]);
      await replaceDocument(stores, leave, [leaveChunk]);
      const collection = fake().collections.get(fake().aliases.get(stores.index.collectionName)!)!;
      const info = collection.info() as { payload_schema: Record<string, { data_type: string; params?: { is_tenant?: boolean } }>; config: { params: Record<string, unknown> } };
      assert.deepEqual(Object.fromEntries(Object.entries(info.payload_schema).map(([field, index]) => [field, index.data_type])), {
        document_id: 'keyword', document_version: 'integer', source: 'keyword', updated_at: 'datetime', input_hash: 'keyword', vector_space: 'keyword', readers: 'keyword',
      });
      assert.equal(info.payload_schema.source!.params?.is_tenant, true);
      assert.deepEqual(info.config.params.sparse_vectors, { terms: { modifier: 'idf' } });
      const chunks = [...collection.points.values()].filter((point) => point.payload.chunk_id === 'leave:0');
      assert.deepEqual(chunks.map((point) => point.payload.document_version), [2], 'version 1 was deleted after version 2 became current');
      assert.equal(await stores.index.chunkCount(), 1);
    });

    it('creates the collection with the configured shards and replicas (QDRANT_SHARD_NUMBER, QDRANT_REPLICATION_FACTOR)', async () => {
      const spread = openQdrantStores(fake().url, { layout: { shardNumber: 6, replicationFactor: 2 } });
      try {
        await replaceDocument(spread, leave, [leaveChunk]);
        const { config } = (await spread.client.getCollection(spread.index.collectionName)) as unknown as { config: { params: { shard_number?: number; replication_factor?: number } } };
        assert.deepEqual([config.params.shard_number, config.params.replication_factor], [6, 2]);
      } finally {
        await spread.close();
      }
    });
  });
});

describe('QdrantIndex on a real Qdrant (QDRANT_URL)', function () {
  before(function () {
    if (!process.env.QDRANT_URL) this.skip();
  });
  describePassageIndex('QdrantIndex on a real Qdrant', async () => openQdrantStores(process.env.QDRANT_URL!, { apiKey: process.env.QDRANT_API_KEY }));
});
