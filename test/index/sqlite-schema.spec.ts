// A groundwork.db written before the catalogue and the passage index parted ways (schema 5) opens,
// migrates and answers as before, without a re-sync. The file is built here with the schema's own
// first five migrations and the rows the code of that version wrote: a document embedded, one
// left without vectors (the hash prefix that then marked it), their FTS rows and vectors.
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { migrations, schemaVersion } from '../../src/index/sqlite-schema.js';
import { openSqliteStore } from '../../src/index/sqlite-store.js';
import { TermCounts } from '../../src/index/term-counts.js';
import { analysisVersion, searchTerms } from '../../src/retrieval/tokenize.js';
import { tempDir } from '../helpers.js';

function writeSchema5File(file: string): void {
  const db = new Database(file);
  sqliteVec.load(db);
  for (const migration of migrations.slice(0, 5)) db.exec(migration);
  db.pragma('user_version = 5');
  db.exec(`CREATE VIRTUAL TABLE chunks_vec USING vec0(embedding float[3] distance_metric=cosine)`);
  const settings = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  settings.run('analysis_version', String(analysisVersion));
  settings.run('vector_space', JSON.stringify({ model: 'text-embedding-3-small', dimensions: 3 }));
  const documents = [
    { id: 'leave', title: 'Leave policy', hash: 'hash-leave', text: 'Employees get 28 days of annual leave.', vector: [1, 0, 0] },
    { id: 'vpn', title: 'VPN', hash: 'without-vectors:hash-vpn', text: 'Install WireGuard to reach the build servers.', vector: null },
  ];
  for (const [rowid, d] of documents.entries()) {
    db.prepare(
      `INSERT INTO documents (id, source, path, title, url, updated_at, author, content_hash, labels, superseded)
       VALUES (?, 'docs', ?, ?, 'https://wiki.example/' || ?, '2026-01-02T03:04:05.000Z', 'Ana', ?, '["hr"]', 0)`,
    ).run(d.id, `${d.id}.md`, d.title, d.id, d.hash);
    const bodyTerms = searchTerms(d.text);
    db.prepare(
      `INSERT INTO chunks (rowid, id, document_id, position, heading_path, text, token_count, content_hash, input_hash, body_terms)
       VALUES (?, ?, ?, 0, '[]', ?, 9, ?, ?, ?)`,
    ).run(rowid + 1, `${d.id}:0`, d.id, d.text, `chunk-${d.id}`, d.vector ? `input-${d.id}` : null, TermCounts.of(bodyTerms).toString());
    db.prepare('INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)').run(rowid + 1, searchTerms(d.title).join(' '), '', bodyTerms.join(' '));
    if (d.vector) db.prepare('INSERT INTO chunks_vec (rowid, embedding) VALUES (?, ?)').run(BigInt(rowid + 1), new Float32Array(d.vector));
  }
  db.close();
}

describe('groundwork.db schema', () => {
  it('migrates a file of schema 5 without a re-sync: passages, vectors and metadata kept, the hash prefix turned into the flag, no readers until the access policy gives them', async () => {
    const file = path.join(tempDir(), 'groundwork.db');
    writeSchema5File(file);
    const store = openSqliteStore(file);
    try {
      assert.equal(store.schemaVersion, schemaVersion);
      const { index, catalogue } = store;
      assert.equal(await index.chunkCount(), 2);
      // Indexed before access rules: no reader finds them until the policy gives them readers.
      const everyone = ['everyone'];
      assert.equal(await index.accessFingerprint(), null);
      assert.deepEqual(await index.search({ terms: searchTerms('annual leave'), limit: 5, readers: everyone }), []);
      assert.deepEqual(await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: everyone }), []);
      assert.equal(await index.documentChunks('leave', everyone), null);
      assert.deepEqual(
        (await index.documentAccess()).map((d) => [d.id, d.labels, d.readers]),
        [
          ['leave', ['hr'], []],
          ['vpn', ['hr'], []],
        ],
      );
      await index.setReaders([{ documentIds: ['leave', 'vpn'], readers: everyone }], 'policy-1');
      assert.equal(await index.accessFingerprint(), 'policy-1');
      const [leave] = await index.search({ terms: searchTerms('annual leave'), limit: 5, readers: everyone });
      assert.equal(leave?.chunk.text, 'Employees get 28 days of annual leave.');
      assert.equal(leave.chunk.location, undefined, 'chunks written before locations have none (the next sync re-parses and fills it in)');
      assert.deepEqual(leave.document, {
        id: 'leave',
        source: 'docs',
        path: 'leave.md',
        title: 'Leave policy',
        url: 'https://wiki.example/leave',
        updatedAt: new Date('2026-01-02T03:04:05Z'),
        superseded: false,
        readers: everyone,
      });
      assert.equal((await index.search({ terms: searchTerms('WireGuard'), limit: 5, readers: everyone }))[0]?.document.id, 'vpn');
      assert.deepEqual(await index.vectorSpace(), { model: 'text-embedding-3-small', dimensions: 3 });
      assert.deepEqual((await index.searchVectors({ vector: new Float32Array([1, 0, 0]), limit: 5, readers: everyone })).map((hit) => hit.document.id), ['leave']);
      assert.deepEqual([...(await index.storedVectors(['input-leave'])).keys()], ['input-leave']);
      assert.deepEqual(
        await catalogue.documentsOf('docs'),
        new Map([
          ['leave', { contentHash: 'hash-leave', version: 1, needsEmbedding: false }],
          ['vpn', { contentHash: 'hash-vpn', version: 1, needsEmbedding: true }],
        ]),
      );
      assert.equal((await catalogue.sourceStatuses()).length, 0);
    } finally {
      store.close();
    }
  });
});
