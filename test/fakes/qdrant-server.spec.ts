import { strict as assert } from 'node:assert';
import { QdrantClient } from '@qdrant/js-client-rest';
import sinon from 'sinon';
import { QdrantOpenApi } from './qdrant/openapi.js';
import { qdrantOpenApiAvailable, qdrantOpenApiPath, startQdrantFake, type QdrantFake } from './qdrant-server.js';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

/** The status and Qdrant error message of a failed client call. */
async function failure(call: Promise<unknown>): Promise<{ status?: number; error?: string; name: string; message: string; retryAfter?: number }> {
  try {
    await call;
  } catch (e) {
    const err = e as any;
    return { status: err.status, error: err.data?.status?.error, name: err.constructor?.name ?? err.name, message: String(err.message), retryAfter: err.retry_after };
  }
  throw new Error('the call succeeded');
}

describe('Qdrant fake (through @qdrant/js-client-rest)', function () {
  let fake: QdrantFake;
  let client: QdrantClient;

  before(function () {
    if (!qdrantOpenApiAvailable()) {
      console.log(`    (skipped: Qdrant's OpenAPI document is not at ${qdrantOpenApiPath})`);
      this.skip();
    }
  });
  beforeEach(async () => {
    fake = await startQdrantFake();
    client = new QdrantClient({ url: fake.url, checkCompatibility: false });
  });
  afterEach(async () => {
    // The fake answers 500 when its own answer breaks the response schema; no test may see that.
    assert.deepEqual(fake?.requests.filter((r) => r.responseError).map((r) => r.responseError) ?? [], []);
    await fake?.stop();
  });

  async function createDocs(name = 'docs') {
    await client.createCollection(name, {
      vectors: { dense: { size: 3, distance: 'Cosine' } },
      sparse_vectors: { text: { modifier: 'idf' } },
      hnsw_config: { m: 32, ef_construct: 200 },
      optimizers_config: { indexing_threshold: 5000 },
      shard_number: 2,
      replication_factor: 1,
      on_disk_payload: false,
    });
  }

  /** Four points; the hand-computed scores below depend on exactly these. */
  async function upsertDocs(name = 'docs') {
    await client.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: { dense: [1, 0, 0], text: { indices: [1, 2], values: [1, 1] } }, payload: { lang: 'en', title: 'Leave policy', tags: ['hr', 'leave'], meta: { year: 2024 } } },
        { id: 2, vector: { dense: [0.8, 0.6, 0], text: { indices: [2], values: [1.5] } }, payload: { lang: 'en', title: 'Travel', tags: ['finance'], meta: { year: 2023 } } },
      ],
    });
    await client.upsert(name, {
      wait: true,
      batch: {
        ids: [3, '6F9619FF8B86D011B42D00C04FC964FF'],
        vectors: { dense: [[0, 2, 0], [3, 0, 0]], text: [{ indices: [3], values: [1] }, { indices: [1], values: [1] }] },
        payloads: [{ lang: 'en', title: 'Security', tags: [], meta: { year: 2022 } }, { lang: 'zh', title: '年假政策', tags: ['人事'], meta: { year: 2024 } }],
      },
    });
  }

  it('reports the version the client checks, and the health probes', async () => {
    const checking = new QdrantClient({ url: fake.url, checkCompatibility: false });
    assert.equal((await checking.versionInfo()).version, '1.19.0');
    assert.deepEqual(fake.requests.map((r) => [r.method, r.path, r.status]), [['GET', '/', 200]]);
    assert.equal(await (await fetch(`${fake.url}/healthz`)).text(), 'healthz check passed');
    assert.equal((await fetch(`${fake.url}/readyz`)).status, 200);
  });

  it('stores a collection with dense and sparse vectors and reports its configuration back', async () => {
    await createDocs();
    assert.deepEqual(await client.collectionExists('docs'), { exists: true });
    await client.createPayloadIndex('docs', { field_name: 'lang', field_schema: 'keyword', wait: true });
    await client.createPayloadIndex('docs', { field_name: 'title', field_schema: { type: 'text', tokenizer: 'multilingual' }, wait: true });
    await upsertDocs();
    const info = await client.getCollection('docs');
    assert.equal(info.status, 'green');
    assert.equal(info.points_count, 4);
    assert.deepEqual(info.config.params.vectors, { dense: { size: 3, distance: 'Cosine' } });
    assert.deepEqual(info.config.params.sparse_vectors, { text: { modifier: 'idf' } });
    assert.equal(info.config.params.shard_number, 2);
    assert.equal(info.config.params.on_disk_payload, false);
    assert.equal(info.config.hnsw_config.m, 32);
    assert.equal(info.config.optimizer_config.indexing_threshold, 5000);
    assert.deepEqual(info.payload_schema.lang, { data_type: 'keyword', points: 4 });
    assert.equal(info.payload_schema.title?.data_type, 'text');
    await client.updateCollection('docs', { optimizers_config: { indexing_threshold: 100 } });
    assert.equal((await client.getCollection('docs')).config.optimizer_config.indexing_threshold, 100);
    assert.deepEqual((await client.getCollections()).collections, [{ name: 'docs' }]);
  });

  it("ranks a hybrid query (dense + IDF sparse, fused by RRF) with Qdrant's scores", async () => {
    await createDocs();
    await upsertDocs();
    const filter = { must: [{ key: 'lang', match: { value: 'en' } }] };
    // Sparse leg alone. N = 4 points hold `text`; index 1 is in 2 of them, index 2 in 2:
    // idf = ln(1 + (4 - 2 + 0.5) / (2 + 0.5)) = ln 2 for both, counted over the whole collection.
    const sparse = await client.query('docs', { query: { indices: [1, 2], values: [1, 1] }, using: 'text', filter });
    assert.deepEqual(sparse.points.map((p) => p.id), [1, 2]); // point 3 shares no index, so sparse search cannot find it
    close(sparse.points[0]!.score, 2 * Math.LN2);
    close(sparse.points[1]!.score, 1.5 * Math.LN2);
    // Dense leg: Cosine on vectors normalised at insert (the query [2,0,0] too).
    const dense = await client.query('docs', { query: [2, 0, 0], using: 'dense', filter });
    assert.deepEqual(dense.points.map((p) => [p.id, Math.round(p.score * 1e6) / 1e6]), [[1, 1], [2, 0.8], [3, 0]]);

    const hybrid = await client.query('docs', {
      prefetch: [
        { query: [2, 0, 0], using: 'dense', limit: 10 },
        { query: { indices: [1, 2], values: [1, 1] }, using: 'text', limit: 10 },
      ],
      query: { fusion: 'rrf' },
      filter,
      with_payload: ['title'],
    });
    // RRF with Qdrant's k = 2 over zero-based positions: 1/(pos + 2) per list.
    assert.deepEqual(hybrid.points.map((p) => p.id), [1, 2, 3]);
    close(hybrid.points[0]!.score, 1 / 2 + 1 / 2);
    close(hybrid.points[1]!.score, 1 / 3 + 1 / 3);
    close(hybrid.points[2]!.score, 1 / 4);
    assert.deepEqual(hybrid.points[0]!.payload, { title: 'Leave policy' });
    assert.equal(hybrid.points[0]!.vector, undefined);

    const thresholded = await client.query('docs', {
      prefetch: [
        { query: [2, 0, 0], using: 'dense' },
        { query: { indices: [1, 2], values: [1, 1] }, using: 'text' },
      ],
      query: { rrf: { k: 60 } },
      score_threshold: 1 / 61 + 1 / 62 - 1e-9,
      filter,
      with_vector: ['dense'],
    });
    assert.deepEqual(thresholded.points.map((p) => p.id), [1, 2]);
    assert.deepEqual(thresholded.points[1]!.vector, { dense: [0.8, 0.6, 0] });

    // By point id: the point's own vector, the point itself left out.
    const similar = await client.query('docs', { query: 1, using: 'dense', limit: 2, with_payload: true });
    assert.deepEqual(similar.points.map((p) => p.id), ['6f9619ff-8b86-d011-b42d-00c04fc964ff', 2]);
    assert.equal(similar.points[0]!.payload?.title, '年假政策');

    const [page2] = await client.queryBatch('docs', { searches: [{ query: [2, 0, 0], using: 'dense', filter, limit: 1, offset: 1 }] });
    assert.deepEqual(page2!.points.map((p) => p.id), [2]);
  });

  it('filters, scrolls, counts, sets payload and deletes by filter', async () => {
    await createDocs();
    await client.createPayloadIndex('docs', { field_name: 'title', field_schema: 'text', wait: true });
    await upsertDocs();
    const ids = async (filter: Record<string, unknown>) => (await client.scroll('docs', { filter, limit: 10 })).points.map((p) => p.id);
    assert.deepEqual(await ids({ must: [{ key: 'tags', match: { any: ['leave', 'finance'] } }] }), [1, 2]);
    assert.deepEqual(await ids({ must_not: [{ key: 'lang', match: { value: 'en' } }] }), ['6f9619ff-8b86-d011-b42d-00c04fc964ff']);
    assert.deepEqual(await ids({ must: [{ key: 'meta.year', range: { gte: 2023 } }] }), [1, 2, '6f9619ff-8b86-d011-b42d-00c04fc964ff']);
    assert.deepEqual(await ids({ should: [{ key: 'lang', match: { value: 'zh' } }, { has_id: [3] }] }), [3, '6f9619ff-8b86-d011-b42d-00c04fc964ff']);
    assert.deepEqual(await ids({ must: [{ is_empty: { key: 'tags' } }] }), [3]);
    assert.deepEqual(await ids({ must: [{ key: 'title', match: { text: 'POLICY leave' } }] }), [1]);
    assert.deepEqual(await ids({ min_should: { conditions: [{ key: 'lang', match: { value: 'en' } }, { key: 'meta.year', range: { lt: 2024 } }], min_count: 2 } }), [2, 3]);
    assert.deepEqual(await ids({ must: [{ must_not: [{ key: 'lang', match: { except: ['zh'] } }] }] }), ['6f9619ff-8b86-d011-b42d-00c04fc964ff']);

    const first = await client.scroll('docs', { limit: 2 });
    assert.deepEqual(first.points.map((p) => p.id), [1, 2]);
    assert.equal(first.next_page_offset, 3);
    const rest = await client.scroll('docs', { limit: 2, offset: first.next_page_offset as number });
    assert.deepEqual(rest.points.map((p) => p.id), [3, '6f9619ff-8b86-d011-b42d-00c04fc964ff']);
    assert.equal(rest.next_page_offset, null);
    assert.deepEqual(await client.count('docs', { filter: { must: [{ key: 'lang', match: { value: 'en' } }] } }), { count: 3 });

    await client.setPayload('docs', { payload: { stale: true }, filter: { must: [{ key: 'meta.year', range: { lt: 2024 } }] }, wait: true });
    const [two] = await client.retrieve('docs', { ids: [2], with_vector: true });
    assert.deepEqual(two!.payload, { lang: 'en', title: 'Travel', tags: ['finance'], meta: { year: 2023 }, stale: true });
    assert.deepEqual((two!.vector as any).text, { indices: [2], values: [1.5] });

    const deleted = await client.delete('docs', { filter: { must: [{ key: 'stale', match: { value: true } }] }, wait: true });
    assert.equal(deleted.status, 'completed');
    assert.deepEqual(await client.count('docs'), { count: 2 });
    assert.deepEqual([...fake.collections.get('docs')!.points.keys()], [1, '6f9619ff-8b86-d011-b42d-00c04fc964ff']);
  });

  it('filters a keyword-indexed list by any of its values; a point without the field matches none, until set_payload by filter gives it one', async () => {
    await createDocs();
    await client.createPayloadIndex('docs', { field_name: 'readers', field_schema: 'keyword', wait: true });
    await client.upsert('docs', {
      wait: true,
      points: [
        { id: 1, vector: { dense: [1, 0, 0] }, payload: { doc: 'a', readers: ['everyone'] } },
        { id: 2, vector: { dense: [0.9, 0.1, 0] }, payload: { doc: 'b', readers: ['group:hr', 'slack:U1'] } },
        { id: 3, vector: { dense: [0.8, 0.2, 0] }, payload: { doc: 'c' } },
      ],
    });
    const readable = (readers: string[]) => ({ must: [{ key: 'readers', match: { any: readers } }] });
    const ids = async (readers: string[]) => (await client.scroll('docs', { filter: readable(readers), limit: 10 })).points.map((p) => p.id);
    assert.deepEqual(await ids(['slack:U1']), [2]);
    assert.deepEqual(await ids(['everyone', 'group:hr']), [1, 2]);
    assert.deepEqual(await ids(['group:finance']), []);
    const nearest = await client.query('docs', { query: [1, 0, 0], using: 'dense', filter: readable(['everyone', 'group:hr', 'slack:U1']), limit: 1 });
    assert.deepEqual(nearest.points.map((p) => p.id), [1]);
    const info = (await client.getCollection('docs')) as unknown as { payload_schema: Record<string, { data_type: string; points: number }> };
    assert.deepEqual(info.payload_schema.readers, { data_type: 'keyword', points: 2 });

    await client.setPayload('docs', { payload: { readers: ['group:hr'] }, filter: { must: [{ key: 'doc', match: { any: ['b', 'c'] } }] }, wait: true });
    assert.deepEqual(await ids(['group:hr']), [2, 3]);
    assert.deepEqual(await ids(['slack:U1']), [], 'set_payload replaces the list, it does not add to it');
  });

  it('switches an alias atomically; a failing list of actions changes nothing', async () => {
    await createDocs('docs_v1');
    await createDocs('docs_v2');
    await upsertDocs('docs_v2');
    await client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: 'docs_v1', alias_name: 'docs' } }] });
    assert.equal((await client.getCollection('docs')).points_count, 0);
    await client.updateCollectionAliases({
      actions: [{ delete_alias: { alias_name: 'docs' } }, { create_alias: { collection_name: 'docs_v2', alias_name: 'docs' } }],
    });
    assert.equal((await client.count('docs')).count, 4);
    assert.deepEqual((await client.getAliases()).aliases, [{ alias_name: 'docs', collection_name: 'docs_v2' }]);

    const refused = await failure(
      client.updateCollectionAliases({
        actions: [{ delete_alias: { alias_name: 'docs' } }, { create_alias: { collection_name: 'docs_v1', alias_name: 'docs' } }, { create_alias: { collection_name: 'missing', alias_name: 'other' } }],
      }),
    );
    assert.equal(refused.status, 404);
    assert.match(refused.error!, /missing/);
    assert.deepEqual((await client.getCollectionAliases('docs_v2')).aliases, [{ alias_name: 'docs', collection_name: 'docs_v2' }]);
    assert.deepEqual((await client.getCollectionAliases('docs_v1')).aliases, []);
  });

  it('refuses what Qdrant 1.19 refuses', async () => {
    await createDocs();
    const search = await fetch(`${fake.url}/collections/docs/points/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vector: [1, 0, 0], limit: 3 }) });
    assert.equal(search.status, 404);

    const asString = await failure(client.upsert('docs', { points: [{ id: 1, vector: 'one two three' as any }] }));
    assert.equal(asString.status, 400);
    assert.match(asString.error!, /Format error in JSON body: at \/points\/0\/vector/);

    const wrongSize = await failure(client.upsert('docs', { points: [{ id: 1, vector: { dense: [1, 0] } }] }));
    assert.equal(wrongSize.status, 400);
    assert.match(wrongSize.error!, /expected dim: 3, got 2/);

    const badId = await failure(client.upsert('docs', { points: [{ id: 'passage-1', vector: { dense: [1, 0, 0] } }] }));
    assert.equal(badId.status, 400);
    assert.match(badId.error!, /points\/0\/id/);
    const unknownVector = await failure(client.upsert('docs', { points: [{ id: 1, vector: { other: [1, 0, 0] } }] }));
    assert.equal(unknownVector.status, 400);
    assert.equal((await client.count('docs')).count, 0);

    const badFilter = await failure(client.query('docs', { query: [1, 0, 0], using: 'dense', filter: { must: [{ key: 'lang', match: { value: 'en' } }], typo: [] } as any }));
    assert.equal(badFilter.status, 400);
    assert.match(badFilter.error!, /typo/);

    const noCollection = await failure(client.getCollection('nope'));
    assert.equal(noCollection.status, 404);
    assert.equal(noCollection.error, 'Not found: Collection `nope` doesn\'t exist!');
    assert.equal((await fetch(`${fake.url}/collections/docs/points?wait=maybe`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"points": []}' })).status, 400);
    assert.ok(fake.requests.filter((r) => r.rejected).length >= 7);

    // What the fake does not model is a loud 501, not a guess.
    const dbsf = await failure(client.query('docs', { prefetch: [{ query: [1, 0, 0], using: 'dense' }], query: { fusion: 'dbsf' } }));
    assert.equal(dbsf.status, 501);
    const facet = await failure(client.facet('docs', { key: 'lang' }));
    assert.equal(facet.status, 501);
    assert.match(facet.error!, /facet/);
  });

  it('requires the api key it was started with', async () => {
    await fake.stop();
    fake = await startQdrantFake({ apiKey: 'secret' });
    const anonymous = new QdrantClient({ url: fake.url, checkCompatibility: false });
    assert.equal((await failure(anonymous.getCollections())).status, 401);
    const warn = sinon.stub(console, 'warn'); // the client warns about a key over http
    try {
      const wrong = new QdrantClient({ url: fake.url, apiKey: 'guess', checkCompatibility: false });
      assert.equal((await failure(wrong.getCollections())).status, 403);
      const right = new QdrantClient({ url: fake.url, apiKey: 'secret', checkCompatibility: false });
      assert.deepEqual(await right.getCollections(), { collections: [] });
    } finally {
      warn.restore();
    }
    assert.equal((await fetch(`${fake.url}/healthz`)).status, 200);
  });

  it('fails on demand, and recovers after an outage on the same port', async () => {
    await createDocs();
    fake.faults.push({ status: 503, path: '/points/query' });
    const unavailable = await failure(client.query('docs', { query: [1, 0, 0], using: 'dense' }));
    assert.equal(unavailable.status, 503);
    assert.deepEqual(await client.query('docs', { query: [1, 0, 0], using: 'dense' }), { points: [] });

    fake.faults.push({ status: 429, retryAfter: 2, times: 2 });
    const limited = await failure(client.count('docs'));
    assert.equal(limited.name, 'QdrantClientResourceExhaustedError');
    assert.equal(limited.retryAfter, 2);
    assert.equal((await failure(client.count('docs'))).name, 'QdrantClientResourceExhaustedError');
    fake.faults.push({ status: 500, method: 'PUT' });
    assert.equal((await failure(client.upsert('docs', { points: [] }))).status, 500);

    fake.faults.push({ malformed: true });
    assert.equal((await failure(client.count('docs'))).name, 'SyntaxError');
    fake.faults.push({ drop: true });
    assert.match((await failure(client.count('docs'))).message, /fetch failed/);

    // The client's timeout is far longer than a request takes to arrive, even on a busy machine, and
    // far shorter than the delay: the fault is always used, and the client always gives up first.
    fake.faults.push({ delayMs: 10_000 });
    const impatient = new QdrantClient({ url: fake.url, timeout: 1000, checkCompatibility: false });
    assert.equal((await failure(impatient.count('docs'))).name, 'QdrantClientTimeoutError');
    assert.equal(fake.faults.length, 0);

    const url = fake.url;
    await fake.stop();
    assert.match((await failure(client.count('docs'))).message, /fetch failed/);
    await fake.start();
    assert.equal(fake.url, url);
    assert.deepEqual(await client.count('docs'), { count: 0 }, 'data and port survive the outage');
  });

  it('keeps a delay under sinon fake timers until the clock moves', async () => {
    await createDocs();
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      fake.faults.push({ delayMs: 10_000 });
      let settled = false;
      const pending = client.count('docs').then((r) => ((settled = true), r));
      while (fake.requests.length < 2) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false);
      await clock.tickAsync(10_000);
      assert.deepEqual(await pending, { count: 0 });
    } finally {
      clock.restore();
    }
  });

  it('round-trips Chinese and other Unicode payloads', async () => {
    await client.createCollection('文档', { vectors: { size: 2, distance: 'Dot' } });
    const payload = { title: '员工手册：年假与病假', body: 'Ünïcödé — ✓ 🚀 \u0000 end', path: ['人事', 'ポリシー'] };
    await client.upsert('文档', { points: [{ id: '550e8400-e29b-41d4-a716-446655440000', vector: [0.5, 2], payload }] });
    const [point] = await client.retrieve('文档', { ids: ['550E8400-E29B-41D4-A716-446655440000'], with_vector: true });
    assert.deepEqual(point!.payload, payload);
    assert.deepEqual(point!.vector, [0.5, 2]); // Dot keeps vectors as given
    const hits = await client.query('文档', { query: [1, 1], filter: { must: [{ key: 'path', match: { value: 'ポリシー' } }] }, with_payload: true });
    assert.equal(hits.points[0]!.score, 2.5);
    assert.equal(hits.points[0]!.payload?.title, payload.title);
  });

  it('validates its own answers against the response schemas', () => {
    const api = QdrantOpenApi.load();
    assert.equal(api.validateResponse('query_points', 200, { result: { points: [{ id: 1, score: 0.5, version: 0 }] }, status: 'ok', time: 0 }).ok, true);
    assert.equal(api.validateResponse('query_points', 200, { result: { points: [{ id: 'x', score: 0.5 }] }, status: 'ok', time: 0 }).ok, false);
    assert.ok(fake.requests.every((r) => !r.responseError));
  });
});
