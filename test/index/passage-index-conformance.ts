// The contract of PassageIndex, checked through its interface alone (with the catalogue it pairs
// with), so that every implementation runs the same cases: what searches find and in which
// order, source filters, updates and deletes, the replacement protocol, vectors and their space,
// Unicode and Chinese, term statistics and typo candidates.
import assert from 'node:assert/strict';
import type { Chunk } from '../../src/domain.js';
import { ErrorCode, InternalError, ReindexRequiredError } from '../../src/errors.js';
import type { DocumentCatalogue } from '../../src/index/catalogue.js';
import type { Atomically, IndexedChunk, PassageIndex, VectorSpace } from '../../src/index/passage-index.js';
import { deleteDocuments, replaceDocument, type WrittenDocument } from '../../src/ingest/index-writer.js';
import { retrieve } from '../../src/retrieval/retrieve.js';
import { distinctTerms } from '../../src/retrieval/tokenize.js';
import { checkReplaceProtocol } from './replace-protocol.js';

export interface ConformanceStores {
  index: PassageIndex;
  catalogue: DocumentCatalogue;
  atomically?: Atomically;
  close(): void | Promise<void>;
}

const document = (id: string, source = 'docs', title = `Title ${id}`): WrittenDocument => ({
  id,
  source,
  path: `${id}.md`,
  title,
  url: `https://docs.example.com/${id}`,
  updatedAt: new Date('2026-01-02T03:04:05Z'),
  author: null,
  labels: [],
  superseded: false,
  readers: ['everyone'],
  contentHash: `hash-${id}-${title}`,
});

const chunk = (documentId: string, position: number, text: string, options: { id?: string; headingPath?: string[]; tokenCount?: number } = {}): Chunk => ({
  id: options.id ?? `${documentId}:${position}`,
  documentId,
  position,
  headingPath: options.headingPath ?? ['Heading'],
  text,
  tokenCount: options.tokenCount ?? 10,
  contentHash: `${documentId}-${position}-${text}`,
});

const space: VectorSpace = { model: 'emb', dimensions: 3 };
const withVector = (c: Chunk, vector: number[], inputHash = `in-${c.id}`): IndexedChunk => ({ ...c, embedding: { inputHash, vector: new Float32Array(vector) } });

/** Registers the conformance cases (mocha) for the stores `open` makes, fresh for each case. */
export function describePassageIndex(name: string, open: () => Promise<ConformanceStores>): void {
  describe(`${name} (PassageIndex conformance)`, () => {
    let stores: ConformanceStores;
    let index: PassageIndex;
    beforeEach(async () => {
      stores = await open();
      index = stores.index;
    });
    afterEach(async () => stores.close());

    const write = (doc: WrittenDocument, chunks: IndexedChunk[], options: { space?: VectorSpace } = {}) => replaceDocument(stores, doc, chunks, options);
    const texts = async (words: string, sources?: string[]) => (await index.search({ terms: distinctTerms(words), limit: 10, sources, readers: ['everyone'] })).map((hit) => hit.chunk.text);

    it('is empty before anything is written', async () => {
      assert.equal(await index.chunkCount(), 0);
      assert.equal(await index.vectorCount(), 0);
      assert.equal(await index.vectorSpace(), null);
      assert.deepEqual(await index.search({ terms: ['leave'], limit: 5, readers: ['everyone'] }), []);
      assert.deepEqual(await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: ['everyone'] }), []);
      assert.equal(await index.documentChunks('nothing', ['everyone']), null);
      const statistics = await index.termStatistics(['leave']);
      assert.deepEqual([statistics.chunkCount, statistics.chunkFrequency.get('leave')], [0, 0]);
      assert.equal((await index.storedVectors(['h1'])).size, 0);
    });

    it('ranks the clearly relevant document first, through retrieval', async () => {
      for (let i = 0; i < 8; i++) {
        await write(document(`doc${i}`, 'docs', `Travel ${i}`), [chunk(`doc${i}`, 0, `Travel rule ${i}: book trains for trips${i === 3 ? ' under five hours to Berlin' : ''}.`)]);
      }
      const { passages } = await retrieve(index, 'book trains to Berlin', { topK: 5, readers: ['everyone'] });
      assert.equal(passages.length, 5);
      assert.equal(passages[0]!.document.id, 'doc3');
      assert.equal(passages[0]!.score, 1);
      assert.deepEqual((await retrieve(index, 'parking garage fees for visitors', { topK: 5, readers: ['everyone'] })).passages, []);
    });

    it('finds a chunk by a term of its title or headings, not only of its text', async () => {
      await write(document('leave', 'docs', 'Annual leave'), [chunk('leave', 0, 'Employees get 28 days a year.', { headingPath: ['Carry-over'] })]);
      await write(document('vpn'), [chunk('vpn', 0, 'Install WireGuard for the VPN.')]);
      assert.deepEqual(await texts('annual'), ['Employees get 28 days a year.']);
      assert.deepEqual(await texts('carry'), ['Employees get 28 days a year.']);
    });

    it('returns hits with the chunk, its document and the term counts of its text', async () => {
      await write(document('leave', 'hr', 'Leave policy'), [chunk('leave', 0, 'Annual leave: annual leave is 28 days.', { headingPath: ['Leave', 'Annual'], tokenCount: 9 })]);
      const [hit] = await index.search({ terms: distinctTerms('annual leave'), limit: 5, readers: ['everyone'] });
      assert.ok(hit && hit.relevance > 0);
      assert.deepEqual(hit.chunk, { id: 'leave:0', documentId: 'leave', position: 0, headingPath: ['Leave', 'Annual'], text: 'Annual leave: annual leave is 28 days.', tokenCount: 9, contentHash: 'leave-0-Annual leave: annual leave is 28 days.' });
      assert.deepEqual(hit.document, { id: 'leave', source: 'hr', path: 'leave.md', title: 'Leave policy', url: 'https://docs.example.com/leave', updatedAt: new Date('2026-01-02T03:04:05Z'), superseded: false, readers: ['everyone'] });
      assert.equal(hit.bodyTerms.count('annual'), 2);
      assert.equal(hit.bodyTerms.count('polici'), 0, 'the title is not part of the body counts');
    });

    it('filters by source, in searches by terms and by vectors', async () => {
      await write(document('zh', 'china'), [withVector(chunk('zh', 0, '年假为十天。annual leave'), [1, 0, 0])], { space });
      await write(document('de', 'germany'), [withVector(chunk('de', 0, 'Annual leave is 28 days.'), [0.9, 0.1, 0])], { space });
      assert.deepEqual(await texts('annual leave', ['germany']), ['Annual leave is 28 days.']);
      assert.deepEqual(await texts('annual leave', ['nowhere']), []);
      assert.deepEqual((await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, sources: ['germany'], readers: ['everyone'] })).map((h) => h.document.id), ['de']);
      assert.deepEqual((await retrieve(index, 'annual leave', { topK: 5, sources: ['china'], readers: ['everyone'] })).passages.map((p) => p.document.id), ['zh']);
    });

    it('finds Chinese passages for Chinese questions, also by the characters of a word it never saw (几天 -> 天)', async () => {
      await write(document('zh', 'china', '休假制度'), [chunk('zh', 0, '员工每年享有带薪年假十天。'), chunk('zh', 1, '婚假：3 天'), chunk('zh', 2, '病假需要医院证明。')]);
      await write(document('en', 'germany'), [chunk('en', 0, 'Employees get 28 days of annual leave.')]);
      assert.deepEqual((await index.search({ terms: distinctTerms('年假有几天'), limit: 5, readers: ['everyone'] })).map((hit) => hit.chunk.id), ['zh:0']);
      const { passages } = await retrieve(index, '婚假有几天？', { topK: 5, readers: ['everyone'] });
      assert.equal(passages[0]?.text, '婚假：3 天');
      assert.equal(passages[0]?.score, 1);
    });

    it('keeps Unicode intact: titles, headings and text in any script, emoji included', async () => {
      const title = '员工手册：年假与病假 — Ünïcödé ✓ 🚀';
      await write(document('u', 'intranet', title), [chunk('u', 0, 'ポリシー: 🚀 launch días de vacaciones 年假', { headingPath: ['人事', 'ポリシー'] }), chunk('u', 1, 'Zweiter Abschnitt über Urlaubstage.')]);
      const found = await index.documentChunks('u', ['everyone']);
      assert.equal(found?.document.title, title);
      assert.deepEqual(found?.chunks.map((c) => [c.position, c.headingPath, c.text]), [
        [0, ['人事', 'ポリシー'], 'ポリシー: 🚀 launch días de vacaciones 年假'],
        [1, ['Heading'], 'Zweiter Abschnitt über Urlaubstage.'],
      ]);
      assert.deepEqual(await texts('días'), ['ポリシー: 🚀 launch días de vacaciones 年假']);
    });

    it('corrects a typo to an indexed term from the terms it starts with', async () => {
      await write(document('vacation'), [chunk('vacation', 0, 'Vacation requests go to your manager.')]);
      await write(document('receipts'), [chunk('receipts', 0, 'Keep your receipts for reimbursement.')]);
      const candidates = await index.termsStartingWith('r');
      assert.ok(candidates.has('receipt') && candidates.has('reimburs'), [...candidates.keys()].join(' '));
      assert.equal(candidates.get('receipt'), 1);
      assert.ok(![...candidates.keys()].some((term) => !term.startsWith('r')));
      assert.equal((await retrieve(index, 'recipts reimbursd', { topK: 5, readers: ['everyone'] })).passages[0]?.document.id, 'receipts');
      assert.equal((await retrieve(index, 'vacaton', { topK: 5, readers: ['everyone'] })).passages[0]?.document.id, 'vacation');
    });

    it('counts the chunks each term occurs in (title, headings or text), and their mean length', async () => {
      await write(document('a', 'docs', 'Leave'), [chunk('a', 0, 'Annual days.', { tokenCount: 10 }), chunk('a', 1, 'Sick days.', { tokenCount: 20 })]);
      await write(document('b', 'docs', 'Travel'), [chunk('b', 0, 'Trains, not planes. Annual budget.', { tokenCount: 30 })]);
      const statistics = await index.termStatistics(['leav', 'annual', 'dai', 'train', 'absent']);
      assert.equal(statistics.chunkCount, 3);
      assert.equal(statistics.averageTokens, 20);
      assert.deepEqual(Object.fromEntries(statistics.chunkFrequency), { leav: 2, annual: 2, dai: 2, train: 1, absent: 0 });
      await write(document('a', 'docs', 'Leave'), [chunk('a', 0, 'Annual days.', { tokenCount: 10 })]);
      await deleteDocuments(stores, ['b']);
      const after = await index.termStatistics(['leav', 'annual', 'train']);
      assert.deepEqual([after.chunkCount, after.averageTokens, Object.fromEntries(after.chunkFrequency)], [1, 10, { leav: 1, annual: 1, train: 0 }]);
      assert.equal((await index.termsStartingWith('t')).size, 0);
    });

    it('replaces a document: only the new text is found', async () => {
      await write(document('a'), [chunk('a', 0, 'The old leave rule.'), chunk('a', 1, 'An old parking rule.')]);
      await write(document('a', 'docs', 'Title a, revised'), [chunk('a', 0, 'The new leave rule.')]);
      assert.deepEqual(await texts('leave rule parking'), ['The new leave rule.']);
      assert.equal((await index.documentChunks('a', ['everyone']))?.document.title, 'Title a, revised');
      assert.equal(await index.chunkCount(), 1);
    });

    it('refuses two chunks with one id in a version and keeps the old version searchable', async () => {
      await write(document('a'), [chunk('a', 0, 'The old leave rule.')]);
      await assert.rejects(write(document('a'), [chunk('a', 0, 'The new leave rule.'), chunk('a', 1, 'Another new rule.', { id: 'a:0' })]));
      assert.deepEqual(await texts('leave rule'), ['The old leave rule.']);
    });

    it('deletes documents with their chunks and vectors', async () => {
      await write(document('a'), [withVector(chunk('a', 0, 'Alpha rule.'), [1, 0, 0]), withVector(chunk('a', 1, 'Beta rule.'), [0, 1, 0])], { space });
      await write(document('b'), [chunk('b', 0, 'Gamma rule.')]);
      await deleteDocuments(stores, ['a']);
      assert.equal(await index.chunkCount(), 1);
      assert.equal(await index.vectorCount(), 0);
      assert.deepEqual(await texts('rule'), ['Gamma rule.']);
      assert.equal(await index.documentChunks('a', ['everyone']), null);
      assert.deepEqual(await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: ['everyone'] }), []);
    });

    describe('replacing a document, step by step', () => {
      checkReplaceProtocol(async () => open());
    });

    it('stores vectors with their chunks and finds the nearest by cosine similarity', async () => {
      await write(document('leave', 'hr'), [withVector(chunk('leave', 0, 'Annual leave is 28 days.'), [1, 0, 0])], { space });
      await write(document('vpn', 'it'), [withVector(chunk('vpn', 0, 'Install WireGuard.'), [0, 1, 0])], { space });
      assert.deepEqual(await index.vectorSpace(), space);
      assert.equal(await index.vectorCount(), 2);
      const hits = await index.searchVectors({ vector: new Float32Array([0.9, 0.1, 0]), limit: 2, readers: ['everyone'] });
      assert.deepEqual(hits.map((hit) => hit.document.id), ['leave', 'vpn']);
      assert.ok(hits[0]!.relevance > 0.99 && hits[1]!.relevance < 0.2, 'relevance is the cosine similarity');
      assert.equal(hits[0]!.chunk.text, 'Annual leave is 28 days.');
      assert.equal((await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 1, readers: ['everyone'] })).length, 1, 'at most the limit');
    });

    it('gives, in one hybrid search where it has one, exactly what the keyword and the vector search give', async () => {
      await write(document('leave', 'hr'), [withVector(chunk('leave', 0, 'Annual leave is 28 days.'), [1, 0, 0])], { space });
      await write(document('vpn', 'it'), [withVector(chunk('vpn', 0, 'Install WireGuard for the VPN.'), [0, 1, 0])], { space });
      await write(document('desk', 'it'), [chunk('desk', 0, 'The help desk is on floor 2.')]);
      const terms = { terms: ['vpn', 'leave'], limit: 5, readers: ['everyone'] };
      const vector = { vector: new Float32Array([0.2, 0.9, 0]), limit: 5, sources: ['it'], readers: ['everyone'] };
      const separate = { lexical: await index.search(terms), nearest: await index.searchVectors(vector) };
      assert.deepEqual(separate.nearest.map((hit) => hit.document.id), ['vpn']);
      if (!index.searchBoth) return; // an index without one: retrieval sends the two searches
      const both = await index.searchBoth(terms, vector);
      const ids = (hits: Array<{ chunk: { id: string }; relevance: number }>) => hits.map((hit) => [hit.chunk.id, Math.round(hit.relevance * 1e6)]);
      assert.deepEqual([ids(both.lexical), ids(both.nearest)], [ids(separate.lexical), ids(separate.nearest)]);
    });

    it("hands back stored vectors by input hash, and drops a chunk's vector when it is written without one", async () => {
      await write(document('leave'), [withVector(chunk('leave', 0, 'Annual leave.'), [1, 0, 0], 'h1'), withVector(chunk('leave', 1, 'Sick leave.'), [0, 0, 1], 'h2')], { space });
      const stored = await index.storedVectors(['h1', 'h2', 'unknown']);
      assert.deepEqual([...stored.keys()].sort(), ['h1', 'h2']);
      assert.deepEqual([...stored.get('h2')!], [0, 0, 1]);
      await write(document('leave'), [chunk('leave', 0, 'Annual leave, no vector.')]);
      assert.equal(await index.vectorCount(), 0);
      assert.equal((await index.storedVectors(['h1'])).size, 0);
    });

    it('refuses vectors of another model or size and changes nothing', async () => {
      await write(document('a'), [withVector(chunk('a', 0, 'Annual leave is 28 days.'), [1, 0, 0])], { space });
      for (const other of [{ model: 'emb', dimensions: 4 }, { model: 'other', dimensions: 3 }]) {
        const vector = new Array(other.dimensions).fill(0.5);
        await assert.rejects(write(document('a'), [withVector(chunk('a', 0, 'Changed.'), vector)], { space: other }), (error: unknown) => {
          assert.ok(error instanceof ReindexRequiredError, String(error));
          assert.match(error.message, /"emb" \(3 dimensions\).*groundwork sync --reindex/);
          return true;
        });
      }
      assert.equal((await index.documentChunks('a', ['everyone']))!.chunks[0]!.text, 'Annual leave is 28 days.');
      assert.equal(await index.vectorCount(), 1);
      assert.deepEqual(await index.vectorSpace(), space);
    });

    it('refuses vectors without the space they were made in as an internal error, and changes nothing', async () => {
      await write(document('a'), [chunk('a', 0, 'Annual leave is 28 days.')]);
      await assert.rejects(
        write(document('a'), [withVector(chunk('a', 0, 'Changed.'), [1, 0, 0])]),
        (error: unknown) => error instanceof InternalError && error.code === ErrorCode.Internal && error.message === 'chunks with vectors need their vector space',
      );
      assert.equal((await index.documentChunks('a', ['everyone']))!.chunks[0]!.text, 'Annual leave is 28 days.');
    });

    it('forgets every vector and the model on reset, keeping the passages searchable by words; then takes another model of that size', async () => {
      await write(document('a'), [withVector(chunk('a', 0, 'Annual leave is 28 days.'), [1, 0, 0], 'h1')], { space });
      await index.resetVectors();
      assert.equal(await index.vectorSpace(), null);
      assert.equal(await index.vectorCount(), 0);
      assert.equal((await index.storedVectors(['h1'])).size, 0);
      assert.deepEqual(await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: ['everyone'] }), []);
      assert.equal((await index.search({ terms: distinctTerms('annual leave'), limit: 5, readers: ['everyone'] })).length, 1);
      const next = { model: 'emb-2', dimensions: 3 };
      await write(document('a'), [withVector(chunk('a', 0, 'Annual leave is 28 days.'), [0, 0, 1], 'h1')], { space: next });
      assert.deepEqual(await index.vectorSpace(), next);
      assert.deepEqual((await index.searchVectors({ vector: new Float32Array([0, 0, 1]), limit: 1, readers: ['everyone'] })).map((h) => h.document.id), ['a']);
      assert.deepEqual([...(await index.storedVectors(['h1'])).get('h1')!], [0, 0, 1]);
    });
  });
}
