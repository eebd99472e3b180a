// The contract of PassageIndex, checked through its interface alone (with the catalogue it pairs
// with), so that every implementation runs the same cases: what searches find and in which
// order, source filters, access by readers (exact top-K over what a reader may see), updates and
// deletes, the replacement protocol, vectors and their space, Unicode and Chinese, term statistics
// and typo candidates.
import assert from 'node:assert/strict';
import type { Chunk } from '../../src/domain.js';
import { ErrorCode, InternalError, ReindexRequiredError } from '../../src/errors.js';
import type { DocumentCatalogue } from '../../src/index/catalogue.js';
import type { Atomically, IndexedChunk, PassageIndex, SearchHit, VectorSpace } from '../../src/index/passage-index.js';
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
const everyone = ['everyone'];
const readableBy = (readers: string[], doc: WrittenDocument): WrittenDocument => ({ ...doc, readers });
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

    it("keeps each chunk's location (anchor, page, slide, sheet) through searches by terms, by vectors, both, and documentChunks", async () => {
      const located = (position: number, text: string, location: Chunk['location']): Chunk => ({ ...chunk('guide', position, text), location });
      await write(document('guide', 'docs', 'Travel guide'), [
        withVector(located(0, 'Book trains for trips under five hours.', { anchor: 'ReleaseProcess-Freezewindows' }), [1, 0, 0]),
        withVector(located(1, 'Flights are economy class as a rule.', { page: 2 }), [0, 1, 0]),
        withVector(located(2, 'Receipts go to the travel desk.', { slide: 3, sheet: 'Rates' }), [0, 0, 1]),
        withVector(chunk('guide', 3, 'Taxis need approval.'), [0.5, 0.5, 0]),
      ], { space });
      const expected = new Map<string, Chunk['location']>([
        ['guide:0', { anchor: 'ReleaseProcess-Freezewindows' }],
        ['guide:1', { page: 2 }],
        ['guide:2', { slide: 3, sheet: 'Rates' }],
        ['guide:3', undefined],
      ]);
      const check = (hits: SearchHit[], context: string) => {
        assert.ok(hits.length > 0, context);
        for (const hit of hits) assert.deepEqual(hit.chunk.location, expected.get(hit.chunk.id), `${context}: ${hit.chunk.id}`);
      };
      check(await index.search({ terms: distinctTerms('trains flights receipts taxis'), limit: 10, readers: everyone }), 'search');
      check(await index.searchVectors({ vector: new Float32Array([1, 1, 1]), limit: 10, readers: everyone }), 'searchVectors');
      if (index.searchBoth) {
        const both = await index.searchBoth({ terms: distinctTerms('trains flights'), limit: 10, readers: everyone }, { vector: new Float32Array([0, 0, 1]), limit: 10, readers: everyone });
        check(both.lexical, 'searchBoth lexical');
        check(both.nearest, 'searchBoth nearest');
      }
      const stored = await index.documentChunks('guide', everyone);
      assert.deepEqual(stored?.chunks.map((c) => c.location), [...expected.values()]);
      assert.ok(stored?.chunks.every((c) => !('location' in c) || c.location !== undefined), 'no location key without a location');
      const { passages } = await retrieve(index, 'Which class are flights?', { topK: 5, readers: everyone });
      assert.deepEqual(passages[0]?.location, { page: 2 });
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

    it("lists a document's section headings in order, each once, of its current version only, for its readers only", async () => {
      await write(document('h'), [chunk('h', 0, 'Old intro.', { headingPath: ['Guide', 'Old part'] })]);
      await write(document('h'), [
        chunk('h', 2, 'Who may apply.', { headingPath: ['Guide', 'Who can apply'] }),
        chunk('h', 0, 'Intro.', { headingPath: ['Guide'] }),
        chunk('h', 1, 'Intro, continued.', { headingPath: ['Guide'] }),
        chunk('h', 3, 'Renewals.', { headingPath: ['Guide', 'Renewing'] }),
      ]);
      assert.deepEqual(await index.documentHeadings('h', ['everyone']), [['Guide'], ['Guide', 'Who can apply'], ['Guide', 'Renewing']]);
      assert.deepEqual(await index.documentHeadings('h', ['group:it']), [], 'not for someone who may not read it');
      assert.deepEqual(await index.documentHeadings('h', []), []);
      assert.deepEqual(await index.documentHeadings('nothing', ['everyone']), []);
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

    describe('access: documents readable by the principals a search names', () => {
      const ids = (hits: Array<{ chunk: { id: string } }>) => hits.map((hit) => hit.chunk.id);
      const terms = (readers: string[]) => ({ terms: distinctTerms('salary review'), limit: 5, readers });
      const nearest = (readers: string[]) => ({ vector: new Float32Array([1, 0, 0]), limit: 5, readers });

      beforeEach(async () => {
        await write(readableBy(['group:hr', 'slack:U0HR'], document('pay', 'hr')), [withVector(chunk('pay', 0, 'The salary review is in March.'), [1, 0, 0])], { space });
        await write(readableBy(everyone, document('faq', 'hr')), [withVector(chunk('faq', 0, 'Ask HR about the salary review.'), [0.8, 0.6, 0])], { space });
        await write(readableBy([], document('draft', 'hr')), [withVector(chunk('draft', 0, 'Draft: salary review bands.'), [0.9, 0.1, 0])], { space });
      });

      it('finds a restricted document by any of its readers and not by others, in term and vector searches and in both at once', async () => {
        for (const readers of [['group:hr'], ['slack:U0HR', 'slack:U0OTHER'], ['everyone', 'group:hr']]) {
          assert.deepEqual(ids(await index.search(terms(readers))).sort(), readers.includes('everyone') ? ['faq:0', 'pay:0'] : ['pay:0'], readers.join());
          assert.deepEqual(ids(await index.searchVectors(nearest(readers))), readers.includes('everyone') ? ['pay:0', 'faq:0'] : ['pay:0'], readers.join());
        }
        assert.deepEqual(ids(await index.search(terms(['everyone']))), ['faq:0']);
        assert.deepEqual(ids(await index.searchVectors(nearest(['slack:U0OTHER', 'group:it']))), []);
        assert.deepEqual(await index.search(terms([])), [], 'no principal reads nothing');
        assert.deepEqual(await index.searchVectors(nearest([])), []);
        const [hit] = await index.search(terms(['group:hr']));
        assert.deepEqual(hit?.document.readers, ['group:hr', 'slack:U0HR'], 'a hit shows its readers');
        if (!index.searchBoth) return;
        const both = await index.searchBoth(terms(['group:hr']), nearest(['group:hr']));
        assert.deepEqual([ids(both.lexical), ids(both.nearest)], [['pay:0'], ['pay:0']]);
        const none = await index.searchBoth(terms(['group:it']), nearest(['group:it']));
        assert.deepEqual([ids(none.lexical), ids(none.nearest)], [[], []]);
      });

      it("gives a document's chunks only to one of its readers", async () => {
        assert.deepEqual((await index.documentChunks('pay', ['slack:U0HR']))?.chunks.map((c) => c.id), ['pay:0']);
        assert.deepEqual((await index.documentChunks('pay', ['slack:U0HR']))?.document.readers, ['group:hr', 'slack:U0HR']);
        assert.equal(await index.documentChunks('pay', ['everyone']), null);
        assert.equal(await index.documentChunks('pay', []), null);
        assert.equal(await index.documentChunks('draft', ['everyone', 'group:hr']), null, 'a document without readers is read by no one');
      });

      it('gives documents new readers in every version with setReaders, and records the fingerprint of the policy', async () => {
        assert.equal(await index.accessFingerprint(), null);
        // A version written but not current yet (a sync stopped between the steps) takes them too.
        const pay = readableBy(['group:hr', 'slack:U0HR'], document('pay', 'hr'));
        await index.writeVersion(pay, 2, [withVector(chunk('pay', 0, 'The salary review is in April.'), [1, 0, 0])], space);
        await index.setReaders(
          [
            { documentIds: ['pay', 'draft'], readers: ['group:finance'] },
            { documentIds: ['faq'], readers: ['group:hr'] },
          ],
          'policy-2',
        );
        assert.equal(await index.accessFingerprint(), 'policy-2');
        assert.deepEqual(ids(await index.search(terms(['group:finance']))).sort(), ['draft:0', 'pay:0']);
        assert.deepEqual(ids(await index.search(terms(['group:hr']))), ['faq:0']);
        assert.deepEqual(ids(await index.search(terms(['everyone', 'slack:U0HR']))), []);
        assert.deepEqual(ids(await index.searchVectors(nearest(['group:finance']))), ['pay:0', 'draft:0']);
        await stores.catalogue.commitVersion({ id: 'pay', source: 'hr', path: 'pay.md', contentHash: 'hash-pay-2' }, 2, false);
        await index.deleteOtherVersions('pay', 2);
        const current = await index.documentChunks('pay', ['group:finance']);
        assert.deepEqual([current?.chunks[0]?.text, current?.document.readers], ['The salary review is in April.', ['group:finance']]);
        await index.setReaders([], 'policy-3');
        assert.equal(await index.accessFingerprint(), 'policy-3', 'a policy that changes no document is recorded too');
      });

      it('lists each current document once, with what access rules match on and its readers', async () => {
        await write({ ...readableBy(['group:it'], document('vpn', 'it')), path: 'net/vpn.md', labels: ['howto', 'network'] }, [chunk('vpn', 0, 'Install WireGuard.'), chunk('vpn', 1, 'Connect to the VPN.')]);
        await write({ ...readableBy(['group:it', 'everyone'], document('vpn', 'it')), path: 'net/vpn.md', labels: ['howto'] }, [chunk('vpn', 0, 'Install WireGuard 2.'), chunk('vpn', 1, 'Connect.'), chunk('vpn', 2, 'Done.')]);
        // A version never made current is not listed.
        await index.writeVersion(readableBy(['group:secret'], document('ghost', 'it')), 1, [chunk('ghost', 0, 'Not current.')]);
        const listed = (await index.documentAccess()).sort((a, b) => a.id.localeCompare(b.id));
        const dated = { updatedAt: new Date('2026-01-02T03:04:05Z') };
        assert.deepEqual(listed, [
          { id: 'draft', source: 'hr', path: 'draft.md', labels: [], readers: [], title: 'Title draft', ...dated },
          { id: 'faq', source: 'hr', path: 'faq.md', labels: [], readers: ['everyone'], title: 'Title faq', ...dated },
          { id: 'pay', source: 'hr', path: 'pay.md', labels: [], readers: ['group:hr', 'slack:U0HR'], title: 'Title pay', ...dated },
          { id: 'vpn', source: 'it', path: 'net/vpn.md', labels: ['howto'], readers: ['everyone', 'group:it'], title: 'Title vpn', ...dated },
        ]);
      });
    });

    it('ranks, for random documents, readers and questions, exactly the readable chunks a brute-force search ranks first (ACCESS_SEED to replay)', async function () {
      this.timeout(120_000);
      const seed = Number(process.env.ACCESS_SEED ?? Math.floor(Math.random() * 2 ** 31));
      try {
        await checkAgainstBruteForce(stores, seed);
      } catch (error) {
        if (error instanceof Error) error.message = `ACCESS_SEED=${seed}: ${error.message}`;
        throw error;
      }
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

/** A small seeded PRNG (mulberry32): the same seed, the same documents and questions. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const integer = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[integer(items.length)]!;
  const some = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(integer(pool.length), 1)[0]!);
    return chosen;
  };
  return { next, integer, pick, some };
}

const vocabulary = ['leave', 'salary', 'laptop', 'password', 'holiday', 'parking', 'contract', 'pension', 'training', 'badge', 'printer', 'network', 'expense', 'invoice', 'meeting', 'travel'];
const principals = ['everyone', 'group:hr', 'group:it', 'group:finance', 'slack:U01', 'slack:U02', 'slack-channel:C0HR', 'teams-team:T1'];
// Principals that read one or two documents of forty: a search bounded to the best candidates of all documents misses them.
const rare = ['slack:URARE', 'group:board'];

/**
 * Writes ~40 documents over 3 sources with random readers and chunks that share one vocabulary,
 * then checks many random questions × reader sets against a brute-force reference: the readable
 * chunks of a search over everything, in its order, cut to the limit.
 */
async function checkAgainstBruteForce(stores: ConformanceStores, seed: number): Promise<void> {
  const { index } = stores;
  const random = randomSource(seed);
  const sources = ['hr', 'it', 'finance'];
  const dims = 4;
  const readersOf = new Map<string, string[]>();
  const sourceOf = new Map<string, string>();
  const rareHolders = [random.integer(40), random.integer(40), random.integer(40)];
  for (let d = 0; d < 40; d++) {
    const id = `d${d}`;
    // Mostly one or two ordinary principals, now and then none; "everyone" is rare so that filters matter.
    const count = random.next() < 0.1 ? 0 : 1 + random.integer(2);
    const readers = random.some(principals.slice(random.next() < 0.15 ? 0 : 1), count);
    if (d === rareHolders[0]) readers.push(rare[0]!);
    if (d === rareHolders[1] || d === rareHolders[2]) readers.push(rare[1]!);
    const source = random.pick(sources);
    readersOf.set(id, [...new Set(readers)]);
    sourceOf.set(id, source);
    const chunks = Array.from({ length: 1 + random.integer(4) }, (_, position) => {
      const words = Array.from({ length: 4 + random.integer(8) }, () => random.pick(vocabulary));
      const vector = Array.from({ length: dims }, () => random.next() * 2 - 1);
      return withVector(chunk(id, position, `${words.join(' ')}.`), vector);
    });
    await replaceDocument(stores, { ...document(id, source, `Document ${d}`), readers: [...new Set(readers)] }, chunks, { space: { model: 'emb', dimensions: dims } });
  }
  const everyPrincipal = [...principals, ...rare];
  const readable = (hit: SearchHit, readers: string[], only?: string[]) =>
    (readersOf.get(hit.document.id) ?? []).some((reader) => readers.includes(reader)) && (!only || only.includes(sourceOf.get(hit.document.id)!));

  const readerSets = (): string[] => {
    const kind = random.integer(5);
    if (kind === 0) return [random.pick(principals)];
    if (kind === 1) return random.some(principals, 2 + random.integer(3));
    if (kind === 2) return ['slack:UNOBODY', 'group:nobody'];
    return [random.pick(rare), ...(random.next() < 0.3 ? ['slack:UNOBODY'] : [])];
  };
  let missedByBoundedSearch = 0;
  for (let q = 0; q < 80; q++) {
    const readers = readerSets();
    const limit = random.pick([1, 2, 3, 5, 10]);
    const only = random.next() < 0.25 ? random.some(sources, 1 + random.integer(2)) : undefined;
    const terms = distinctTerms(random.some(vocabulary, 1 + random.integer(3)).join(' '));
    const vector = new Float32Array(Array.from({ length: dims }, () => random.next() * 2 - 1));
    const context = `question ${q}: terms ${terms.join(' ')}, readers ${readers.join(' ')}, limit ${limit}, sources ${only?.join(' ') ?? 'all'}`;

    const allByTerms = await index.search({ terms, limit: 1000, readers: everyPrincipal });
    const allByVector = await index.searchVectors({ vector, limit: 1000, readers: everyPrincipal });
    const expectedByTerms = allByTerms.filter((hit) => readable(hit, readers, only));
    const expectedByVector = allByVector.filter((hit) => readable(hit, readers, only));
    const termQuery = { terms, limit, readers, ...(only ? { sources: only } : {}) };
    const vectorQuery = { vector, limit, readers, ...(only ? { sources: only } : {}) };
    const byTerms = await index.search(termQuery);
    const byVector = await index.searchVectors(vectorQuery);
    assertSameRanking(byTerms, expectedByTerms, limit, `${context} (terms)`);
    assertSameRanking(byVector, expectedByVector, limit, `${context} (vector)`);
    const topOfAll = new Set(allByTerms.slice(0, limit).map((hit) => hit.chunk.id));
    if (expectedByTerms.length > 0 && !expectedByTerms.slice(0, limit).some((hit) => topOfAll.has(hit.chunk.id))) missedByBoundedSearch++;
    if (index.searchBoth && q % 4 === 0) {
      const both = await index.searchBoth(termQuery, vectorQuery);
      assertSameRanking(both.lexical, expectedByTerms, limit, `${context} (terms, searched with the vector)`);
      assertSameRanking(both.nearest, expectedByVector, limit, `${context} (vector, searched with the terms)`);
    }
  }
  assert.ok(missedByBoundedSearch >= 5, `only ${missedByBoundedSearch} questions had readable chunks outside the best of all: the check is too weak`);

  for (const [id, documentReaders] of readersOf) {
    const readers = readerSets();
    const found = await index.documentChunks(id, readers);
    assert.equal(found !== null, documentReaders.some((reader) => readers.includes(reader)), `documentChunks(${id}) for ${readers.join(' ')}; its readers: ${documentReaders.join(' ')}`);
  }
}

/**
 * The hits are the first `limit` of the reference, in its order; hits of equal relevance may come
 * in any order, and where the limit cuts through such a group, any of its members may be taken.
 */
function assertSameRanking(actual: SearchHit[], expected: SearchHit[], limit: number, context: string): void {
  const score = (hit: SearchHit) => Math.round(hit.relevance * 1e5);
  assert.equal(actual.length, Math.min(limit, expected.length), `${context}: ${actual.length} hits, expected ${Math.min(limit, expected.length)}`);
  assert.deepEqual(actual.map(score), expected.slice(0, actual.length).map(score), `${context}: relevance in order`);
  const groups = (hits: SearchHit[]) => {
    const byScore = new Map<number, Set<string>>();
    for (const hit of hits) byScore.set(score(hit), (byScore.get(score(hit)) ?? new Set()).add(hit.chunk.id));
    return byScore;
  };
  const expectedGroups = groups(expected);
  const last = actual.length > 0 ? score(actual.at(-1)!) : null;
  for (const [value, ids] of groups(actual)) {
    const wanted = expectedGroups.get(value) ?? new Set<string>();
    if (value === last) assert.ok([...ids].every((id) => wanted.has(id)), `${context}: ${[...ids].join(' ')} not among ${[...wanted].join(' ')}`);
    else assert.deepEqual([...ids].sort(), [...wanted].sort(), `${context}: hits of relevance ${value / 1e5}`);
  }
}
