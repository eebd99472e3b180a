import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Chunk } from '../../src/domain.js';
import { IndexUnavailableError } from '../../src/errors.js';
import type { IndexedDocument } from '../../src/index/passage-index.js';
import { SqliteIndex } from '../../src/index/sqlite-index.js';
import { distinctTerms } from '../../src/retrieval/tokenize.js';
import { tempDir } from '../helpers.js';

const document = (id: string, source = 'docs'): IndexedDocument => ({
  id,
  source,
  path: `${id}.md`,
  title: `Title ${id}`,
  url: null,
  updatedAt: new Date('2026-01-02T03:04:05Z'),
  author: null,
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

describe('SqliteIndex', () => {
  let file: string;
  beforeEach(() => {
    file = path.join(tempDir(), 'index.db');
  });

  it('creates the schema at the latest version and reopens an existing file', async () => {
    const index = SqliteIndex.open(file);
    assert.equal(index.schemaVersion, 2);
    await index.replaceDocument(document('a'), [chunk('a', 0, 'Employees get 28 days of annual leave.')]);
    index.close();
    const reopened = SqliteIndex.open(file);
    assert.equal(await reopened.chunkCount(), 1);
    reopened.close();
  });

  it('finds Chinese passages for Chinese questions and filters by source', async () => {
    const index = SqliteIndex.open(file);
    await index.replaceDocument(document('zh', 'china'), [chunk('zh', 0, '员工每年享有带薪年假十天。')]);
    await index.replaceDocument(document('en', 'germany'), [chunk('en', 0, 'Employees get 28 days of annual leave.')]);
    const terms = distinctTerms('年假有几天');
    assert.deepEqual((await index.search({ terms, limit: 5 })).map((hit) => hit.document.id), ['zh']);
    assert.deepEqual(await index.search({ terms, limit: 5, sources: ['germany'] }), []);
    const hit = (await index.search({ terms: distinctTerms('annual leave'), limit: 5, sources: ['germany'] }))[0]!;
    assert.equal(hit.document.title, 'Title en');
    assert.deepEqual(hit.document.updatedAt, new Date('2026-01-02T03:04:05Z'));
    index.close();
  });

  it('replaces a document all at once: a failed replacement leaves the old version searchable', async () => {
    const index = SqliteIndex.open(file);
    await index.replaceDocument(document('a'), [chunk('a', 0, 'The old leave rule.')]);
    const duplicateIds = [chunk('a', 0, 'The new leave rule.'), chunk('a', 1, 'Another new rule.', 'a:0')];
    await assert.rejects(index.replaceDocument(document('a'), duplicateIds));
    const hits = await index.search({ terms: distinctTerms('leave rule'), limit: 5 });
    assert.deepEqual(hits.map((hit) => hit.chunk.text), ['The old leave rule.']);
    index.close();
  });

  it('deletes a document with its chunks', async () => {
    const index = SqliteIndex.open(file);
    await index.replaceDocument(document('a'), [chunk('a', 0, 'Alpha rule.'), chunk('a', 1, 'Beta rule.')]);
    await index.deleteDocuments(['a']);
    assert.equal(await index.chunkCount(), 0);
    assert.deepEqual(await index.search({ terms: ['rule'], limit: 5 }), []);
    index.close();
  });

  it('refuses a corrupt file with a clear message and leaves it untouched', () => {
    fs.writeFileSync(file, 'this is not a database'.repeat(100));
    const before = fs.readFileSync(file);
    assert.throws(
      () => SqliteIndex.open(file),
      (error: unknown) => error instanceof IndexUnavailableError && /is not a valid SQLite database/.test(error.message) && error.message.includes(file),
    );
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('says the index is locked when another process holds it', async () => {
    SqliteIndex.open(file).close();
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      assert.throws(() => SqliteIndex.open(file, { busyTimeoutMs: 50 }), /locked by another process/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('refuses a file written by a newer version', () => {
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => SqliteIndex.open(file), /schema version 99, newer than this version/);
  });
});
