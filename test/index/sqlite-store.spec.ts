import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Chunk } from '../../src/domain.js';
import { ErrorCode, IndexUnavailableError, InternalError, ReindexRequiredError } from '../../src/errors.js';
import type { IndexedChunk } from '../../src/index/passage-index.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { replaceDocument, type WrittenDocument } from '../../src/ingest/index-writer.js';
import { distinctTerms } from '../../src/retrieval/tokenize.js';
import { tempDir } from '../helpers.js';

const document = (id: string, source = 'docs'): WrittenDocument => ({
  id,
  source,
  path: `${id}.md`,
  title: `Title ${id}`,
  url: null,
  updatedAt: new Date('2026-01-02T03:04:05Z'),
  author: null,
  labels: [],
  superseded: false,
  readers: ['everyone'],
  contentHash: `hash-${id}`,
});

const chunk = (documentId: string, position: number, text: string, id = `${documentId}:${position}`): Chunk => ({
  id,
  documentId,
  position,
  headingPath: ['Heading'],
  text,
  tokenCount: 10,
  contentHash: `${documentId}-${position}-${text}`,
});

describe('SqliteStore (catalogue and passage index in groundwork.db)', () => {
  let file: string;
  beforeEach(() => {
    file = path.join(tempDir(), 'store.index.db');
  });

  it('creates the schema at the latest version and reopens an existing file', async () => {
    const store = openSqliteStore(file);
    assert.equal(store.schemaVersion, 9);
    await replaceDocument(store, document('a'), [chunk('a', 0, 'Employees get 28 days of annual leave.')]);
    store.close();
    const reopened = openSqliteStore(file);
    assert.equal(await reopened.index.chunkCount(), 1);
    reopened.close();
  });

  it('re-analyses the chunks of an index written by another version of the tokenizer when it opens it', async () => {
    const store = openSqliteStore(file);
    await replaceDocument(store, { ...document('a'), title: 'Archive: Wi-Fi' }, [chunk('a', 0, 'Connect your laptop to the Wi-Fi network Brightpath-Staff.')]);
    store.close();
    // As an older version left it: other terms in the full-text index, no term counts, nothing marked superseded.
    const raw = new Database(file);
    raw.exec("UPDATE settings SET value = '1' WHERE key = 'analysis_version'; UPDATE chunks SET body_terms = ''; UPDATE indexed_documents SET superseded = 0;");
    raw.prepare("DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks)").run();
    raw.prepare("INSERT INTO chunks_fts (rowid, title, headings, body) SELECT rowid, '', '', 'unrelated' FROM chunks").run();
    raw.close();
    const reopened = openSqliteStore(file);
    const [hit] = await reopened.index.search({ terms: ['wifi'], limit: 5, readers: ['everyone'] });
    assert.equal(hit?.document.id, 'a');
    assert.equal(hit.bodyTerms.count('wifi'), 1);
    assert.equal(hit.document.superseded, true, 'its title says archive');
    assert.deepEqual(await reopened.index.search({ terms: ['unrelated'], limit: 5, readers: ['everyone'] }), []);
    reopened.close();
  });

  it('finds Chinese passages for Chinese questions and filters by source', async () => {
    const store = openSqliteStore(file);
    await replaceDocument(store, document('zh', 'china'), [chunk('zh', 0, '员工每年享有带薪年假十天。')]);
    await replaceDocument(store, document('en', 'germany'), [chunk('en', 0, 'Employees get 28 days of annual leave.')]);
    const terms = distinctTerms('年假有几天');
    assert.deepEqual((await store.index.search({ terms, limit: 5, readers: ['everyone'] })).map((hit) => hit.document.id), ['zh']);
    assert.deepEqual(await store.index.search({ terms, limit: 5, sources: ['germany'], readers: ['everyone'] }), []);
    const hit = (await store.index.search({ terms: distinctTerms('annual leave'), limit: 5, sources: ['germany'], readers: ['everyone'] }))[0]!;
    assert.equal(hit.document.title, 'Title en');
    assert.deepEqual(hit.document.updatedAt, new Date('2026-01-02T03:04:05Z'));
    store.close();
  });

  it('replaces a document all at once: a failed replacement leaves the old version searchable', async () => {
    const store = openSqliteStore(file);
    await replaceDocument(store, document('a'), [chunk('a', 0, 'The old leave rule.')]);
    const duplicateIds = [chunk('a', 0, 'The new leave rule.'), chunk('a', 1, 'Another new rule.', 'a:0')];
    await assert.rejects(replaceDocument(store, document('a'), duplicateIds));
    const hits = await store.index.search({ terms: distinctTerms('leave rule'), limit: 5, readers: ['everyone'] });
    assert.deepEqual(hits.map((hit) => hit.chunk.text), ['The old leave rule.']);
    store.close();
  });

  it('deletes a document with its chunks', async () => {
    const store = openSqliteStore(file);
    await replaceDocument(store, document('a'), [chunk('a', 0, 'Alpha rule.'), chunk('a', 1, 'Beta rule.')]);
    await store.index.deleteDocuments(['a']);
    assert.equal(await store.index.chunkCount(), 0);
    assert.deepEqual(await store.index.search({ terms: ['rule'], limit: 5, readers: ['everyone'] }), []);
    store.close();
  });

  it('refuses a corrupt file with a clear message and leaves it untouched', () => {
    fs.writeFileSync(file, 'this is not a database'.repeat(100));
    const before = fs.readFileSync(file);
    assert.throws(
      () => openSqliteStore(file),
      (error: unknown) => error instanceof IndexUnavailableError && /is not a valid SQLite database/.test(error.message) && error.message.includes(file),
    );
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('says the index is locked when another process holds it', async () => {
    openSqliteStore(file).close();
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      assert.throws(() => openSqliteStore(file, { busyTimeoutMs: 50 }), /locked by another process/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('refuses a file written by a newer version', () => {
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => openSqliteStore(file), /schema version 99, newer than this version/);
  });
});

describe('SqlitePassageIndex vectors (sqlite-vec)', () => {
  let store: SqliteStore;
  let index: SqliteStore['index'];
  beforeEach(() => {
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
    index = store.index;
  });
  afterEach(() => store.close());

  const space = { model: 'emb', dimensions: 3 };
  const withVector = (c: Chunk, vector: number[], inputHash = `in-${c.id}`): IndexedChunk => ({ ...c, embedding: { inputHash, vector: new Float32Array(vector) } });

  it('stores vectors with their chunks and finds the nearest by cosine similarity, filtered by source', async () => {
    assert.equal(await index.vectorSpace(), null);
    assert.deepEqual(await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: ['everyone'] }), []);
    await replaceDocument(store, document('leave', 'hr'), [withVector(chunk('leave', 0, 'Annual leave is 28 days.'), [1, 0, 0])], { space });
    await replaceDocument(store, document('vpn', 'it'), [withVector(chunk('vpn', 0, 'Install WireGuard.'), [0, 1, 0])], { space });
    assert.deepEqual(await index.vectorSpace(), space);
    assert.equal(await index.vectorCount(), 2);
    const hits = await index.searchVectors({ vector: new Float32Array([0.9, 0.1, 0]), limit: 2, readers: ['everyone'] });
    assert.deepEqual(hits.map((hit) => hit.document.id), ['leave', 'vpn']);
    assert.ok(hits[0]!.relevance > 0.99 && hits[1]!.relevance < 0.2, 'relevance is the cosine similarity');
    assert.deepEqual((await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 2, sources: ['it'], readers: ['everyone'] })).map((h) => h.document.id), ['vpn']);
  });

  it('hands back stored vectors by input hash, and drops a document\'s vectors with it', async () => {
    await replaceDocument(store, document('leave'), [withVector(chunk('leave', 0, 'Annual leave.'), [1, 0, 0], 'h1'), withVector(chunk('leave', 1, 'Sick leave.'), [0, 0, 1], 'h2')], { space });
    const stored = await index.storedVectors(['h1', 'h2', 'unknown']);
    assert.deepEqual([...stored.keys()].sort(), ['h1', 'h2']);
    assert.deepEqual([...stored.get('h2')!], [0, 0, 1]);
    await replaceDocument(store, document('leave'), [chunk('leave', 0, 'Annual leave, no vector.')]);
    assert.equal(await index.vectorCount(), 0);
    assert.equal((await index.storedVectors(['h1'])).size, 0);
    await replaceDocument(store, document('other'), [withVector(chunk('other', 0, 'x'), [0, 1, 0])], { space });
    await index.deleteDocuments(['other']);
    assert.equal(await index.vectorCount(), 0);
  });

  it('refuses vectors of another model or size and changes nothing', async () => {
    await replaceDocument(store, document('a'), [withVector(chunk('a', 0, 'Annual leave is 28 days.'), [1, 0, 0])], { space });
    for (const other of [{ model: 'emb', dimensions: 4 }, { model: 'other', dimensions: 3 }]) {
      const vector = new Array(other.dimensions).fill(0.5);
      await assert.rejects(replaceDocument(store, document('a'), [withVector(chunk('a', 0, 'Changed.'), vector)], { space: other }), (error: unknown) => {
        assert.ok(error instanceof ReindexRequiredError);
        assert.match(error.message, /"emb" \(3 dimensions\).*groundwork sync --reindex/);
        return true;
      });
    }
    assert.equal((await index.documentChunks('a', ['everyone']))!.chunks[0]!.text, 'Annual leave is 28 days.');
    assert.equal(await index.vectorCount(), 1);
  });

  it('refuses vectors without the space they were made in as an internal error, and changes nothing', async () => {
    await replaceDocument(store, document('a'), [chunk('a', 0, 'Annual leave is 28 days.')]);
    await assert.rejects(
      replaceDocument(store, document('a'), [withVector(chunk('a', 0, 'Changed.'), [1, 0, 0])]),
      (error: unknown) => error instanceof InternalError && error.code === ErrorCode.Internal && error.message === 'chunks with vectors need their vector space',
    );
    assert.equal((await index.documentChunks('a', ['everyone']))!.chunks[0]!.text, 'Annual leave is 28 days.');
  });

  it('forgets every vector and the model on reset, keeping the passages searchable by words', async () => {
    await replaceDocument(store, document('a'), [withVector(chunk('a', 0, 'Annual leave is 28 days.'), [1, 0, 0])], { space });
    await index.resetVectors();
    assert.equal(await index.vectorSpace(), null);
    assert.equal(await index.vectorCount(), 0);
    assert.equal((await index.search({ terms: distinctTerms('annual leave'), limit: 5, readers: ['everyone'] })).length, 1);
    const bigger = { model: 'emb-large', dimensions: 4 };
    await replaceDocument(store, document('a'), [withVector(chunk('a', 0, 'Annual leave is 28 days.'), [0, 0, 0, 1])], { space: bigger });
    assert.deepEqual(await index.vectorSpace(), bigger);
    assert.deepEqual((await index.searchVectors({ vector: new Float32Array([0, 0, 0, 1]), limit: 1, readers: ['everyone'] })).map((h) => h.document.id), ['a']);
  });

  it('keeps vectors across reopening the file', async () => {
    const file = store.file;
    await replaceDocument(store, document('a'), [withVector(chunk('a', 0, 'Annual leave.'), [1, 0, 0])], { space });
    store.close();
    store = openSqliteStore(file);
    index = store.index;
    assert.equal(await index.vectorCount(), 1);
    assert.deepEqual(await index.vectorSpace(), space);
  });
});
