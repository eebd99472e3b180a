import assert from 'node:assert/strict';
import path from 'node:path';
import type { Chunk } from '../../src/domain.js';
import { openSqliteStore } from '../../src/index/sqlite-store.js';
import { replaceDocument } from '../../src/ingest/index-writer.js';
import { joinWithoutOverlap, retrieve } from '../../src/retrieval/retrieve.js';
import { tempDir } from '../helpers.js';

async function indexWith(documents: Record<string, string[]>, source = (id: string) => (id.startsWith('zh') ? 'china' : 'germany')) {
  const store = openSqliteStore(path.join(tempDir(), 'index.db'));
  for (const [id, texts] of Object.entries(documents)) {
    const chunks: Chunk[] = texts.map((text, position) => ({
      id: `${id}:${position}`,
      documentId: id,
      position,
      headingPath: [],
      text,
      tokenCount: 10,
      contentHash: `${id}:${text}`,
    }));
    await replaceDocument(store, { id, source: source(id), path: `${id}.md`, title: id, url: null, updatedAt: null, author: null, labels: [], superseded: false, readers: ['everyone'], contentHash: id }, chunks);
  }
  return store.index;
}

describe('retrieve', () => {
  it('returns at most top-K passages, best first, each with a score from 0 to 1', async () => {
    const index = await indexWith(
      Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`doc${i}`, [`Travel rule ${i}: book trains for trips${i === 3 ? ' under five hours to Berlin' : ''}.`]])),
    );
    const { passages } = await retrieve(index, 'book trains to Berlin', { topK: 5, readers: ['everyone'] });
    assert.equal(passages.length, 5);
    assert.equal(passages[0]!.document.id, 'doc3');
    assert.equal(passages[0]!.score, 1);
    for (const passage of passages) assert.ok(passage.score >= 0 && passage.score <= 1);
  });

  it('returns nothing when no passage holds enough of the question', async () => {
    const index = await indexWith({ leave: ['Employees get 28 days of annual leave.'], vpn: ['Install WireGuard for the VPN.'] });
    assert.equal((await retrieve(index, 'annual leave days', { topK: 5, readers: ['everyone'] })).passages.length, 1);
    assert.deepEqual((await retrieve(index, 'parking garage fees for visitors', { topK: 5, readers: ['everyone'] })).passages, []);
    assert.deepEqual((await retrieve(index, '???', { topK: 5, readers: ['everyone'] })).passages, []);
  });

  it('collapses near-duplicate passages from different documents', async () => {
    const text = 'Expenses must be submitted in Pleo within 30 days of the trip.';
    const index = await indexWith({ a: [text], b: [text], c: ['Expenses for meals are limited to 40 EUR per day.'] });
    const { passages } = await retrieve(index, 'submit expenses', { topK: 5, readers: ['everyone'] });
    assert.deepEqual(passages.map((p) => p.text).filter((t) => t === text).length, 1);
  });

  it('merges neighbouring chunks of one document that both score, without repeating their overlap', async () => {
    const index = await indexWith({
      policy: ['Parental leave lasts up to three years. Tell the People team early.', 'Tell the People team early. Parental leave pay is topped up to 80 %.', 'Unrelated closing words.'],
    });
    const { passages } = await retrieve(index, 'parental leave', { topK: 5, readers: ['everyone'] });
    assert.equal(passages.length, 1);
    assert.deepEqual(passages[0]!.chunkIds, ['policy:0', 'policy:1']);
    assert.equal(passages[0]!.text, 'Parental leave lasts up to three years. Tell the People team early. Parental leave pay is topped up to 80 %.');
  });

  it("locates a passage at its first chunk in document order, also when a later chunk ranked first", async () => {
    const store = openSqliteStore(path.join(tempDir(), 'index.db'));
    const texts = ['Parental leave: tell the People team.', 'Parental leave pay: parental leave pay is topped up to 80 % of parental leave salary.', 'Unrelated closing words.'];
    // The closing words are far from the others (position 5), so they are never merged with them.
    const chunks: Chunk[] = texts.map((text, i) => ({
      id: `policy:${[0, 1, 5][i]}`,
      documentId: 'policy',
      position: [0, 1, 5][i]!,
      headingPath: ['Parental leave'],
      text,
      tokenCount: 10,
      contentHash: `policy:${text}`,
      location: { page: i + 1 },
    }));
    const document = { id: 'policy', source: 'docs', path: 'policy.pdf', title: 'Policy', url: null, updatedAt: null, author: null, labels: [], superseded: false, readers: ['everyone'], contentHash: 'policy' };
    await replaceDocument(store, document, chunks);
    const { passages } = await retrieve(store.index, 'parental leave pay', { topK: 5, readers: ['everyone'] });
    assert.deepEqual(passages[0]!.chunkIds, ['policy:0', 'policy:1']);
    assert.deepEqual(passages[0]!.location, { page: 1 });
    const single = await retrieve(store.index, 'closing words', { topK: 5, readers: ['everyone'] });
    assert.deepEqual(single.passages[0]!.location, { page: 3 });
    store.close();
  });

  it('searches a Chinese word the documents never use by its characters (几天 -> 天)', async () => {
    const index = await indexWith({ zh: ['婚假：3 天', '病假需要医院证明。'] });
    const { passages } = await retrieve(index, '婚假有几天？', { topK: 5, readers: ['everyone'] });
    assert.equal(passages[0]?.text, '婚假：3 天');
    assert.equal(passages[0]?.score, 1);
  });

  it('searches only the sources it is given', async () => {
    const index = await indexWith({ zh: ['年假为十天。annual leave'], de: ['Annual leave is 28 days.'] });
    const { passages } = await retrieve(index, 'annual leave', { topK: 5, readers: ['everyone'], sources: ['china'] });
    assert.deepEqual(passages.map((p) => p.document.id), ['zh']);
  });
});

describe('joinWithoutOverlap', () => {
  it('drops the repeated sentences where two chunks overlap', () => {
    assert.equal(joinWithoutOverlap('A one. B two.', 'B two. C three.'), 'A one. B two. C three.');
    assert.equal(joinWithoutOverlap('A one.', 'C three.'), 'A one.\nC three.');
  });
});
