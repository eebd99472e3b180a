import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AccessPolicy } from '../../src/access/access-policy.js';
import { ReindexRequiredError } from '../../src/errors.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { embeddingInput } from '../../src/ingest/index-writer.js';
import { runSync, type SyncOptions } from '../../src/ingest/run-sync.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { createEmbedder, type Embedder } from '../../src/llm/embedder.js';
import { FakeOpenAI } from '../fakes/openai-server.js';
import { folderWith, silentLogger, tempDir } from '../helpers.js';

const options: SyncOptions = { chunking: { maxTokens: 64, overlapTokens: 0 }, maxFileBytes: 1024 * 1024 };

/** A page of three sections, each long enough to be a chunk of its own. */
function page(topic: string, edited = ''): string {
  const section = (name: string) => `## ${name}\n\n${Array.from({ length: 6 }, (_, i) => `The ${topic} ${name} rule number ${i} applies to every employee${edited}.`).join(' ')}`;
  return `# ${topic}\n\n${section('eligibility')}\n\n${section('process')}\n\n${section('exceptions')}`;
}

describe('sync with embeddings (index writer)', () => {
  let fake: FakeOpenAI;
  let store: SqliteStore;
  let docs: string;
  beforeEach(async () => {
    fake = await new FakeOpenAI().start();
    const topics = ['leave', 'travel', 'expenses', 'security', 'laptops', 'onboarding', 'payroll', 'benefits'];
    docs = folderWith(Object.fromEntries(topics.map((topic) => [`${topic}.md`, page(topic)])));
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
  });
  afterEach(async () => {
    store.close();
    await fake.stop();
  });

  const embedder = (model = 'text-embedding-3-small', batchInputs = 256): Embedder =>
    createEmbedder({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model, dimensions: null }, { batchInputs, batchTokens: 280_000, concurrency: 2 });
  const sync = (embed: Embedder | null, extra: Partial<SyncOptions> = {}) =>
    runSync({ ...store, logger: silentLogger, access: AccessPolicy.open(), embedder: embed }, [new FolderSource({ name: 'docs', kind: 'folder', location: docs })], { ...options, ...extra }).then(
      (reports) => reports[0]!,
    );
  const needingEmbedding = async (source: string) => [...(await store.catalogue.documentsOf(source)).values()].filter((d) => d.needsEmbedding).length;
  const embeddedInputs = () => fake.embeddingRequests().flatMap((r) => r.body.input as string[]);

  it('embeds every passage, in full batches across documents, with its title and headings', async () => {
    const report = await sync(embedder('text-embedding-3-small', 10));
    const chunks = await store.index.chunkCount();
    assert.ok(chunks >= 24, `${chunks} chunks`);
    assert.equal(await store.index.vectorCount(), chunks);
    assert.deepEqual(await store.index.vectorSpace(), { model: 'text-embedding-3-small', dimensions: 64 });
    const sizes = fake.embeddingRequests().map((r) => r.body.input.length);
    assert.ok(sizes.every((size) => size <= 10));
    assert.equal(sizes.filter((size) => size < 10).length, 1, `only the last request is not full: ${sizes.join(', ')}`);
    assert.deepEqual(report.vectors, { embedded: chunks, reused: 0, error: null });
    assert.ok(embeddedInputs().some((input) => input.startsWith('leave\neligibility\nThe leave eligibility rule number 0')));
  });

  it('makes no embedding request for unchanged documents, and only for the changed passages of an edited one', async () => {
    await sync(embedder());
    const first = fake.embeddingRequests().length;
    const again = await sync(embedder());
    assert.equal(again.unchanged, 8);
    assert.equal(fake.embeddingRequests().length, first, 'a re-sync of unchanged documents embeds nothing');

    const edited = page('travel').replace('The travel process rule number 2 applies to every employee.', 'Book trains, not planes, under 500 km.');
    fs.writeFileSync(path.join(docs, 'travel.md'), edited);
    const third = await sync(embedder());
    assert.equal(third.updated, 1);
    const sent = fake.embeddingRequests().slice(first).flatMap((r) => r.body.input as string[]);
    assert.equal(sent.length, 1, `only the edited passage is embedded: ${JSON.stringify(sent)}`);
    assert.match(sent[0]!, /Book trains, not planes/);
    const travel = await store.index.documentChunks((await store.index.search({ terms: ['train'], limit: 1, readers: ['everyone'] }))[0]!.document.id, ['everyone']);
    assert.ok(travel!.chunks.length >= 3);
    assert.equal(third.vectors!.reused, travel!.chunks.length - 1, 'the other passages keep their vectors');
    assert.equal(await store.index.vectorCount(), await store.index.chunkCount());
  });

  it('indexes documents for keyword search when the embedding model fails, says so, and embeds them at the next sync', async () => {
    fake.embeddingFaults.push({ kind: 'status', status: 400 });
    const report = await sync(embedder());
    assert.equal(report.added, 8);
    assert.match(report.vectors!.error ?? '', /text-embedding-3-small failed: 400/);
    assert.equal(await store.index.vectorCount(), 0);
    assert.equal(fake.embeddingRequests().length, 1, 'after one failure the sync stops asking');
    assert.equal((await store.index.search({ terms: ['payrol'], limit: 5, readers: ['everyone'] })).length > 0, true, 'found by keywords meanwhile');
    assert.equal(await needingEmbedding('docs'), 8, 'the catalogue marks them');

    const next = await sync(embedder());
    assert.equal(next.updated, 8);
    assert.equal(next.vectors!.error, null);
    assert.equal(await store.index.vectorCount(), await store.index.chunkCount());
    assert.equal(await needingEmbedding('docs'), 0);
  });

  it('turns on for an index built without embeddings at the next sync', async () => {
    await sync(null);
    assert.equal(await store.index.vectorCount(), 0);
    const report = await sync(embedder());
    assert.equal(report.updated, 8);
    assert.equal(await store.index.vectorCount(), await store.index.chunkCount());
  });

  it('refuses to mix embedding models until a re-index, which embeds every passage with the new one', async () => {
    await sync(embedder('text-embedding-3-small'));
    const before = fake.embeddingRequests().length;
    await assert.rejects(sync(embedder('nomic-embed-text')), (error: unknown) => {
      assert.ok(error instanceof ReindexRequiredError);
      assert.match(error.message, /made by the embedding model "text-embedding-3-small" \(64 dimensions\).*"nomic-embed-text".*groundwork sync --reindex/s);
      return true;
    });
    assert.equal(fake.embeddingRequests().length, before);
    assert.equal((await store.index.vectorSpace())!.model, 'text-embedding-3-small');

    const report = await sync(embedder('nomic-embed-text'), { reindex: true });
    assert.equal(report.updated, 8);
    assert.equal(report.vectors!.embedded, await store.index.chunkCount());
    assert.deepEqual(new Set(fake.embeddingRequests().slice(before).map((r) => r.body.model)), new Set(['nomic-embed-text']));
    assert.equal((await store.index.vectorSpace())!.model, 'nomic-embed-text');
    assert.equal(await store.index.vectorCount(), await store.index.chunkCount());
  });

  it('re-embeds the documents of other sources at their next sync after a re-index of one', async () => {
    const other = folderWith({ 'faq.md': page('faq') });
    const both = (embed: Embedder, extra: Partial<SyncOptions> = {}, only?: string) =>
      runSync(
        { ...store, logger: silentLogger, access: AccessPolicy.open(), embedder: embed },
        [new FolderSource({ name: 'docs', kind: 'folder', location: docs }), new FolderSource({ name: 'faq', kind: 'folder', location: other })].filter((s) => !only || s.spec.name === only),
        { ...options, ...extra },
      );
    await both(embedder('text-embedding-3-small'));
    // The same model: the stored hashes alone would call the faq source unchanged.
    await both(embedder('text-embedding-3-small'), { reindex: true }, 'docs');
    assert.ok((await store.index.vectorCount()) < (await store.index.chunkCount()), 'the faq source has no vectors yet');
    const [faq] = await both(embedder('text-embedding-3-small'), {}, 'faq');
    assert.equal(faq!.updated, 1);
    assert.equal(await store.index.vectorCount(), await store.index.chunkCount());
  });

  it('after a change of model and a re-index of one source, embeds every document of the others with the new model at their next sync', async () => {
    const other = folderWith({ 'faq.md': page('faq'), 'glossary.md': page('glossary') });
    const sources = [new FolderSource({ name: 'docs', kind: 'folder', location: docs }), new FolderSource({ name: 'faq', kind: 'folder', location: other })];
    const syncOf = (embed: Embedder, name: string, extra: Partial<SyncOptions> = {}) =>
      runSync({ ...store, logger: silentLogger, access: AccessPolicy.open(), embedder: embed }, sources.filter((s) => s.spec.name === name), { ...options, ...extra }).then((r) => r[0]!);
    await syncOf(embedder('text-embedding-3-small'), 'docs');
    await syncOf(embedder('text-embedding-3-small'), 'faq');
    const before = fake.embeddingRequests().length;

    await syncOf(embedder('nomic-embed-text'), 'docs', { reindex: true });
    assert.equal(await needingEmbedding('docs'), 0);
    assert.equal(await needingEmbedding('faq'), 2, 'the re-index marks the documents of the source it did not cover');
    const faqChunks = async () => (await Promise.all([...(await store.catalogue.documentsOf('faq')).keys()].map((id) => store.index.documentChunks(id, ['everyone'])))).flatMap((d) => d!.chunks);
    const faqTexts = new Set((await faqChunks()).map((c) => c.text));
    assert.equal((await store.index.searchVectors({ vector: new Float32Array(64).fill(0.1), limit: 100, readers: ['everyone'] })).filter((hit) => faqTexts.has(hit.chunk.text)).length, 0, 'their old vectors are gone');

    const faq = await syncOf(embedder('nomic-embed-text'), 'faq');
    assert.equal(faq.updated, 2);
    assert.equal(faq.vectors!.embedded, (await faqChunks()).length);
    assert.equal(await needingEmbedding('faq'), 0);
    assert.deepEqual(new Set(fake.embeddingRequests().slice(before).map((r) => r.body.model)), new Set(['nomic-embed-text']));
    assert.equal(await store.index.vectorCount(), await store.index.chunkCount());
    assert.equal((await syncOf(embedder('nomic-embed-text'), 'faq')).unchanged, 2, 'and then they are unchanged');
  });

  it('embeds the title, the headings under it and the text of a passage', () => {
    assert.equal(embeddingInput('Leave policy', { headingPath: ['Leave policy', 'Annual leave'], text: 'Employees get 28 days.' }), 'Leave policy\nAnnual leave\nEmployees get 28 days.');
    assert.equal(embeddingInput('Notes', { headingPath: [], text: 'Opens at 8.' }), 'Notes\nOpens at 8.');
  });
});
