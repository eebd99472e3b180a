// Re-indexing QdrantIndex through its alias, on the Qdrant fake over real HTTP with the real client:
// readers keep the old collection, whole, until the alias moves in one request to the new one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AccessPolicy } from '../../src/access/access-policy.js';
import type { Chunk } from '../../src/domain.js';
import type { IndexedChunk, PassageIndex, VectorSpace } from '../../src/index/passage-index.js';
import { QdrantIndex } from '../../src/index/qdrant-index.js';
import { replaceDocument, type WrittenDocument } from '../../src/ingest/index-writer.js';
import { runSync } from '../../src/ingest/run-sync.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import type { Embedder } from '../../src/llm/embedder.js';
import { distinctTerms } from '../../src/retrieval/tokenize.js';
import { folderWith, silentLogger } from '../helpers.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';
import { openQdrantStores } from './qdrant-stores.js';

const small: VectorSpace = { model: 'emb', dimensions: 3 };
const large: VectorSpace = { model: 'emb-large', dimensions: 4 };

const doc = (id: string, contentHash = `h-${id}`): WrittenDocument => ({
  id, source: 'docs', path: `${id}.md`, title: `Policy ${id}`, url: null, updatedAt: null, author: null, labels: [], superseded: false, readers: ['everyone'], contentHash,
});
const chunks = (id: string, text: string, vector?: number[], count = 3): IndexedChunk[] =>
  Array.from({ length: count }, (_, p): Chunk => ({ id: `${id}:${p}`, documentId: id, position: p, headingPath: [], text: `${text} part ${p}.`, tokenCount: 6, contentHash: `${id}:${p}:${text}` })).map((c) =>
    vector ? { ...c, embedding: { inputHash: `${c.id}:${vector.length}:${c.text}`, vector: new Float32Array(vector) } } : c,
  );

/** Each document found by a search for `words`, with the texts of its chunks. */
async function found(index: PassageIndex, words: string): Promise<Map<string, string[]>> {
  const byDocument = new Map<string, string[]>();
  for (const hit of await index.search({ terms: distinctTerms(words), limit: 100, readers: ['everyone'] })) byDocument.set(hit.document.id, [...(byDocument.get(hit.document.id) ?? []), hit.chunk.text].sort());
  return byDocument;
}

/** A deterministic embedder of a given size (a hand-written fake of the interface). */
function embedderOf(model: string, dimensions: number): Embedder {
  const vector = (text: string) => {
    const bytes = createHash('sha256').update(text).digest();
    const v = Float32Array.from({ length: dimensions }, (_, i) => bytes[i]! + 1);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  return { model, dimensions, batchInputs: 16, concurrency: 1, embedDocuments: async (texts) => texts.map(vector), embedQuery: async (text) => vector(text) };
}

describe('QdrantIndex re-index through the alias', function () {
  const fake = useQdrantFake();
  let stores: ReturnType<typeof openQdrantStores>;
  beforeEach(() => {
    stores = openQdrantStores(fake().url);
  });
  afterEach(async () => stores.close());

  const alias = () => stores.index.collectionName;
  const generation = (n: number) => `${alias()}-${n}`;
  const ours = () => [...fake().collections.keys()].filter((name) => name.startsWith(alias())).sort();
  const hnswM = (name: string) => (fake().collections.get(name)!.info() as { config: { hnsw_config: { m: number } } }).config.hnsw_config.m;

  it('builds the next generation beside the one readers use and switches the alias in one request; readers see the old answers until then, the new ones after', async () => {
    for (const id of ['a', 'b', 'c']) await replaceDocument(stores, doc(id), chunks(id, `Rule ${id} old`, [1, 0, 0]), { space: small });
    assert.equal(fake().aliases.get(alias()), generation(1), 'the first sync made generation 1 behind the alias');
    // Another process's reader, opened before the re-index.
    const other = new QdrantIndex(stores.index.options, { catalogue: stores.catalogue, termStatistics: stores.store.termStatistics });
    assert.equal((await other.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 10, readers: ['everyone'] })).length, 9);

    const rebuild = await stores.index.rebuild();
    const writing = { index: rebuild.index, catalogue: stores.catalogue };
    const readersSee = async () => ({ terms: await found(stores.index, 'rule'), nearest: new Set((await other.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 50, readers: ['everyone'] })).map((h) => h.document.id)) });
    const before = await readersSee();
    assert.deepEqual([...before.terms.keys()].sort(), ['a', 'b', 'c']);

    // b is written again unchanged (new vectors); a changes; c's source is not synced.
    await replaceDocument(writing, doc('b'), chunks('b', 'Rule b old', [0, 1, 0, 0]), { space: large });
    const afterB = await readersSee();
    assert.deepEqual(afterB.terms, before.terms, 'b is found as before: its new version is in the old collection too');
    // The old collection cannot hold vectors of 4 dimensions: b's new version is keyword-only there.
    assert.deepEqual(afterB.nearest, new Set(['a', 'c']), 'by vector, readers have the old vectors of what was not rewritten');
    assert.deepEqual(ours(), [generation(1), generation(2)]);
    assert.equal(hnswM(generation(2)), 0, 'no HNSW graph during the bulk load');
    await replaceDocument(writing, doc('a', 'h-a2'), chunks('a', 'Rule a new', [0, 1, 0, 0]), { space: large });
    const during = await readersSee();
    assert.deepEqual(during.terms.get('a'), ['Rule a new part 0.', 'Rule a new part 1.', 'Rule a new part 2.'], 'the changed document, whole, in the collection readers use');
    assert.deepEqual(during.terms.get('c'), before.terms.get('c'));
    assert.deepEqual(during.nearest, new Set(['c']));
    assert.equal(fake().aliases.get(alias()), generation(1));

    const switches = () => fake().requests.filter((r) => r.operationId === 'update_aliases').length;
    const switchesBefore = switches();
    await rebuild.finish();
    assert.equal(switches(), switchesBefore + 1, 'one update_aliases request');
    assert.deepEqual(fake().requests.filter((r) => r.operationId === 'update_aliases').at(-1)!.body.actions, [
      { delete_alias: { alias_name: alias() } },
      { create_alias: { collection_name: generation(2), alias_name: alias() } },
    ]);
    assert.deepEqual(ours(), [generation(2)], 'the old collection is deleted');
    assert.equal(hnswM(generation(2)), 16, 'the HNSW graph is built before the switch');
    assert.deepEqual(await found(stores.index, 'rule'), during.terms, 'every document, c copied from the old collection');
    assert.deepEqual(await stores.index.vectorSpace(), large);
    const nearest = await other.searchVectors({ vector: new Float32Array([0, 1, 0, 0]), limit: 50, readers: ['everyone'] });
    assert.deepEqual(new Set(nearest.map((h) => h.document.id)), new Set(['a', 'b']), 'the new vectors, also for a reader opened before the switch; c is keyword-only until it is embedded again');
    assert.equal(await stores.index.chunkCount(), 9);
  });

  it("carries every document's readers and the access fingerprint into the rebuilt collection, with a change of readers made during the rebuild", async () => {
    const readable = (id: string, readers: string[]) => ({ ...doc(id), readers });
    await replaceDocument(stores, readable('a', ['group:hr']), chunks('a', 'Rule a old', [1, 0, 0]), { space: small });
    await replaceDocument(stores, readable('b', ['group:it']), chunks('b', 'Rule b old', [1, 0, 0]), { space: small });
    await replaceDocument(stores, readable('c', ['everyone']), chunks('c', 'Rule c old', [1, 0, 0]), { space: small });
    await stores.index.setReaders([{ documentIds: ['c'], readers: ['group:finance'] }], 'policy-1');

    const rebuild = await stores.index.rebuild();
    // a is written by the sync (its readers come with it); b and c are copied from the old collection.
    await replaceDocument({ index: rebuild.index, catalogue: stores.catalogue }, readable('a', ['group:hr']), chunks('a', 'Rule a new', [0, 1, 0, 0]), { space: large });
    // The access rules change while the rebuild runs: both collections take the new readers.
    await rebuild.index.setReaders([{ documentIds: ['a', 'b'], readers: ['group:board'] }], 'policy-2');
    // And again, applied by another process through the collection readers use only.
    await stores.index.setReaders([{ documentIds: ['c'], readers: ['group:finance', 'slack:U01'] }], 'policy-3');
    const access = [['a', ['group:board']], ['b', ['group:board']], ['c', ['group:finance', 'slack:U01']]];
    assert.deepEqual((await stores.index.documentAccess()).map((d) => [d.id, d.readers]), access);
    await rebuild.finish();

    assert.deepEqual(ours(), [generation(2)]);
    assert.equal(await stores.index.accessFingerprint(), 'policy-3');
    assert.deepEqual((await stores.index.documentAccess()).map((d) => [d.id, d.readers]), access);
    const ids = async (readers: string[]) => (await stores.index.search({ terms: distinctTerms('rule'), limit: 50, readers })).map((hit) => hit.document.id);
    assert.deepEqual(new Set(await ids(['group:board'])), new Set(['a', 'b']));
    assert.deepEqual(new Set(await ids(['group:finance'])), new Set(['c']));
    assert.deepEqual(await ids(['everyone', 'group:hr', 'group:it']), []);
    const nearest = await stores.index.searchVectors({ vector: new Float32Array([0, 1, 0, 0]), limit: 50, readers: ['group:board'] });
    assert.deepEqual([...new Set(nearest.map((hit) => hit.document.id))], ['a']);
  });

  it('leaves readers on the old collection when a rebuild stops before the switch, and the next one deletes what it left', async () => {
    for (const id of ['a', 'b']) await replaceDocument(stores, doc(id), chunks(id, `Rule ${id} old`));
    const killed = await stores.index.rebuild();
    await replaceDocument({ index: killed.index, catalogue: stores.catalogue }, doc('a', 'h-a2'), chunks('a', 'Rule a new'));
    // Never finished (the process died): the alias stays, and answers come from the old collection.
    assert.equal(fake().aliases.get(alias()), generation(1));
    assert.deepEqual([...(await found(stores.index, 'rule')).keys()].sort(), ['a', 'b']);

    const abandoned = await stores.index.rebuild();
    assert.deepEqual(ours(), [generation(1)], 'the unfinished collection is deleted first');
    await replaceDocument({ index: abandoned.index, catalogue: stores.catalogue }, doc('b', 'h-b2'), chunks('b', 'Rule b new'));
    await abandoned.abandon();
    assert.deepEqual(ours(), [generation(1)]);
    assert.equal(fake().aliases.get(alias()), generation(1));

    const rebuild = await stores.index.rebuild();
    await rebuild.finish();
    assert.equal(fake().aliases.get(alias()), ours()[0]);
    assert.deepEqual((await found(stores.index, 'rule')).get('b'), ['Rule b new part 0.', 'Rule b new part 1.', 'Rule b new part 2.']);
    assert.deepEqual((await found(stores.index, 'rule')).get('a'), ['Rule a new part 0.', 'Rule a new part 1.', 'Rule a new part 2.']);
  });

  it('keeps using a collection made before aliases (generation 0), and moves it behind the alias at the first re-index', async () => {
    const legacy = stores.index.collectionNamed(alias());
    await stores.index.createCollection(legacy, null, false);
    await replaceDocument(stores, doc('a'), chunks('a', 'Rule a old'));
    assert.deepEqual(ours(), [alias()]);
    assert.equal(fake().aliases.size, 0);
    assert.deepEqual([...(await found(stores.index, 'rule')).keys()], ['a']);

    const rebuild = await stores.index.rebuild();
    await replaceDocument({ index: rebuild.index, catalogue: stores.catalogue }, doc('b'), chunks('b', 'Rule b new'));
    assert.deepEqual([...(await found(stores.index, 'rule')).keys()].sort(), ['a', 'b']);
    await rebuild.finish();
    assert.deepEqual(ours(), [generation(1)]);
    assert.equal(fake().aliases.get(alias()), generation(1));
    assert.deepEqual([...(await found(stores.index, 'rule')).keys()].sort(), ['a', 'b']);
  });

  it('a sync with --reindex rebuilds with vectors of a new size, and the first vectors for a collection made without them rebuild it too', async () => {
    const folder = folderWith({ 'leave.md': '# Leave\n\nEmployees get 28 days of annual leave.', 'travel.md': '# Travel\n\nBook trains for trips under five hours.' });
    const sync = (embedder: Embedder | null, reindex = false) =>
      runSync({ index: stores.index, catalogue: stores.catalogue, logger: silentLogger, access: AccessPolicy.open(), embedder }, [new FolderSource({ name: 'docs', kind: 'folder', location: folder })], {
        chunking: { maxTokens: 200, overlapTokens: 20 }, maxFileBytes: 1 << 20, reindex,
      });
    await sync(null);
    assert.equal((await stores.client.getCollection(generation(1))).config.params.vectors && (await stores.index.describe()).reachable, true);
    assert.deepEqual(await stores.index.describe(), { reachable: true, url: fake().url, alias: alias(), collection: generation(1), aliased: true, points: 3, denseSize: null });

    await sync(embedderOf('emb', 3));
    assert.deepEqual(ours(), [generation(2)], 'rebuilt with a dense vector');
    assert.deepEqual(await stores.index.vectorSpace(), { model: 'emb', dimensions: 3 });
    assert.equal(await stores.index.vectorCount(), 2);

    await sync(embedderOf('emb-large', 5), true);
    assert.deepEqual(ours(), [generation(3)]);
    assert.deepEqual(await stores.index.describe(), { reachable: true, url: fake().url, alias: alias(), collection: generation(3), aliased: true, points: 3, denseSize: 5 });
    assert.equal(await stores.index.vectorCount(), 2);
    assert.deepEqual([...(await found(stores.index, 'leave trains')).keys()].length, 2);
  });

  it('describes an unreachable Qdrant with its URL, never the credentials in it', async () => {
    const index = new QdrantIndex({ url: 'http://user:secret@127.0.0.1:9', apiKey: null, collectionPrefix: 'x', timeoutMs: 2000 }, { catalogue: stores.catalogue, termStatistics: stores.store.termStatistics });
    const description = await index.describe();
    assert.equal(description.reachable, false);
    assert.equal(description.url, 'http://127.0.0.1:9');
    assert.ok(!JSON.stringify(description).includes('secret'));
  });
});
