// Kills `groundwork sync` into Qdrant with SIGKILL at random moments, plain syncs and re-indexes
// (`--reindex`, which builds a new collection behind the alias), while documents keep changing.
// The Qdrant fake runs in a process of its own, so it outlives each kill. After each kill, a
// reader sees every catalogued document whole and at its current version only (never half old,
// half new), through the alias, which points at a whole collection; the next sync completes the
// index.
//
// Each kill comes once the run has written a (seeded, random) number of documents, counted in the
// catalogue as documents whose version changed. CRASH_SEED=<seed> repeats a run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createQdrantClient } from '../../src/index/qdrant-client.js';
import { QdrantIndex } from '../../src/index/qdrant-index.js';
import type { TermStatisticsStore } from '../../src/index/term-statistics.js';
import { distinctTerms } from '../../src/retrieval/tokenize.js';
import { qdrantOpenApiAvailable, qdrantOpenApiPath } from '../fakes/qdrant-server.js';
import { SeededRandom } from '../fuzz-inputs.js';
import { repoRoot, tempDir } from '../helpers.js';
import { startQdrantFakeProcess, type QdrantFakeProcess } from '../fakes/qdrant-fake-process.js';
import { crashSeed, paragraphs, writeVersionedDocument } from './crash-fixtures.js';

const documents = 120;
const kills = 8;
const prefix = 'groundwork';

const unusedStatistics = new Proxy({}, { get: () => () => Promise.reject(new Error('not used by the reader')) }) as TermStatisticsStore;

describe('sync into Qdrant killed at random moments', function () {
  this.timeout(300_000);
  let fake: QdrantFakeProcess | null = null;
  before(async function () {
    if (!qdrantOpenApiAvailable()) {
      console.log(`    (skipped: Qdrant's OpenAPI document is not at ${qdrantOpenApiPath})`);
      this.skip();
    }
    fake = await startQdrantFakeProcess();
  });
  after(() => fake?.stop());

  it('leaves every document whole and at its current version behind the alias after every kill, re-indexes included, and the next sync completes the index', async () => {
    const seed = crashSeed();
    const random = new SeededRandom(seed);
    console.log(`      seed ${seed} (CRASH_SEED=${seed} repeats this run)`);
    const context = (message: string) => `${message} (CRASH_SEED=${seed})`;
    const url = fake!.url;

    const folder = tempDir('groundwork-qdrant-crash-docs-');
    const versions = Array.from({ length: documents }, () => 0);
    versions.forEach((version, i) => writeVersionedDocument(folder, i, version));
    const dataDir = tempDir('groundwork-qdrant-crash-');
    const databasePath = path.join(dataDir, 'groundwork.db');
    const env = { PATH: process.env.PATH, GROUNDWORK_DATA_DIR: dataDir, GROUNDWORK_SOURCES: `docs=folder:${folder}`, CHUNK_MAX_TOKENS: '64', CHUNK_OVERLAP_TOKENS: '8', QDRANT_URL: url, QDRANT_COLLECTION: prefix };
    const sync = (reindex: boolean) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli.ts'), 'sync', ...(reindex ? ['--reindex'] : [])], { cwd: repoRoot, env, stdio: 'ignore' });
      return { child, exited: once(child, 'exit') as Promise<[number | null, string | null]> };
    };

    /** The catalogue, read while a sync may write it: document id -> version and path. */
    const catalogue = (): Map<string, { version: number; path: string }> => {
      if (!fs.existsSync(databasePath)) return new Map();
      const db = new Database(databasePath, { readonly: true, timeout: 5000 });
      try {
        if (db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'documents'").pluck().get() === 0) return new Map();
        if (!(db.prepare('PRAGMA table_info(documents)').all() as Array<{ name: string }>).some((c) => c.name === 'version')) return new Map();
        return new Map((db.prepare('SELECT id, version, path FROM documents').all() as Array<{ id: string; version: number; path: string }>).map((d) => [d.id, { version: d.version, path: d.path }]));
      } catch (error) {
        if (/^SQLITE_(CANTOPEN|BUSY|NOTADB)/.test((error as { code?: string }).code ?? '')) return new Map();
        throw error;
      } finally {
        db.close();
      }
    };
    // A reader as a bot replica is one: through the alias, keeping the catalogue's current versions.
    const reader = new QdrantIndex(
      { url, apiKey: null, collectionPrefix: prefix, timeoutMs: 30_000 },
      { catalogue: { currentVersions: async (ids) => new Map([...catalogue()].filter(([id]) => ids.includes(id)).map(([id, d]) => [id, d.version])) }, termStatistics: unusedStatistics },
    );
    const client = createQdrantClient({ url, apiKey: null, timeoutMs: 30_000 });
    const collections = async () => (await client.getCollections()).collections.map((c) => c.name).filter((name) => name.startsWith(`${prefix}-passages`)).sort();
    const aliasTarget = async () => (await client.getAliases()).aliases.find((a) => a.alias_name === `${prefix}-passages`)?.collection_name ?? null;

    /**
     * Checks what readers see: for every catalogued document, the collection behind the alias holds
     * its current version, whole and of one text version, and a search returns exactly those
     * chunks, nothing of another version. Returns each document's text version.
     */
    const checkWhole = async (): Promise<Map<number, number>> => {
      const known = catalogue();
      const indexed = new Map<number, number>();
      if (known.size === 0) return indexed;
      const target = await aliasTarget();
      assert.ok(target !== null, context('the alias points at a collection'));
      const stored = new Map<string, string[]>();
      let offset: string | number | undefined;
      do {
        const page = await client.scroll(`${prefix}-passages`, { limit: 1000, with_payload: ['document_id', 'document_version', 'text'], with_vector: false, ...(offset !== undefined ? { offset } : {}) });
        for (const point of page.points) {
          const p = point.payload as { document_id?: string; document_version?: number; text?: string };
          if (p.document_id && known.get(p.document_id)?.version === p.document_version) stored.set(p.document_id, [...(stored.get(p.document_id) ?? []), p.text!]);
        }
        offset = page.next_page_offset as string | number | undefined;
      } while (offset !== undefined && offset !== null);
      const seen = new Map<string, string[]>();
      for (const hit of await reader.search({ terms: distinctTerms('policy'), limit: 100_000, readers: ['everyone'] })) seen.set(hit.document.id, [...(seen.get(hit.document.id) ?? []), hit.chunk.text]);
      for (const [id, { path: docPath }] of known) {
        const texts = stored.get(id) ?? [];
        assert.ok(texts.length > 0, context(`${docPath}: its current version is in the collection readers use (${target})`));
        assert.deepEqual((seen.get(id) ?? []).sort(), [...texts].sort(), context(`${docPath}: a search returns its current version's chunks, and only those`));
        const text = texts.join('\n');
        const number = Number(/doc-(\d+)/.exec(docPath)![1]);
        const textVersions = new Set<string>();
        for (let p = 0; p < paragraphs; p++) {
          const match = new RegExp(`rule ${number * 100 + p} version (\\d+) `).exec(text);
          assert.ok(match, context(`${docPath} is missing paragraph ${p}: half written`));
          textVersions.add(match[1]!);
        }
        assert.equal(textVersions.size, 1, context(`${docPath} mixes versions ${[...textVersions].join(' and ')}`));
        indexed.set(number, Number([...textVersions][0]));
      }
      assert.equal(seen.size, known.size, context('no search returns a document the catalogue does not know'));
      return indexed;
    };

    let indexed = new Map<number, number>();
    const killedAt: string[] = [];
    for (let kill = 0; kill < kills; kill++) {
      // Every other run (after the first, which creates the index) is a re-index.
      const reindex = kill % 2 === 1;
      for (let i = 0; i < documents; i++) if (random.chance(0.5)) writeVersionedDocument(folder, i, ++versions[i]!);
      const toWrite = reindex ? documents : versions.filter((version, i) => indexed.get(i) !== version).length;
      const before = catalogue();
      const aliasBefore = await aliasTarget();
      const written = () => [...catalogue()].filter(([id, d]) => before.get(id)?.version !== d.version).length;
      const killAfter = 1 + random.int(Math.floor(toWrite / 2));
      const { child, exited } = sync(reindex);
      const label = `kill ${kill + 1}${reindex ? ' (--reindex)' : ''}`;
      try {
        for (;;) {
          if (child.exitCode !== null || written() >= killAfter) break;
          await new Promise((resolve) => setImmediate(resolve));
        }
        assert.equal(child.exitCode, null, context(`${label}: the sync ended (code ${child.exitCode}) before it wrote ${killAfter} of ${toWrite} documents`));
        child.kill('SIGKILL');
        const [code, signal] = await exited;
        assert.deepEqual([code, signal], [null, 'SIGKILL'], context(`${label}: the sync was running when killed`));
        const writtenAtKill = written();
        assert.ok(writtenAtKill >= killAfter && writtenAtKill < toWrite, context(`${label}: killed mid-way, after ${writtenAtKill} of ${toWrite} documents (aimed at ${killAfter})`));
        killedAt.push(`${writtenAtKill}/${toWrite}${reindex ? ' (reindex)' : ''}`);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (reindex) {
        const all = await collections();
        assert.equal(await aliasTarget(), aliasBefore, context(`${label}: the alias still points at the collection readers used`));
        assert.equal(all.length, 2, context(`${label}: the unfinished collection is beside it (${all.join(', ')})`));
      }
      indexed = await checkWhole();
    }
    console.log(`      killed after ${killedAt.join(', ')} documents written`);

    const finished = sync(false);
    assert.equal((await finished.exited)[0], 0, context('the sync after the kills runs'));
    indexed = await checkWhole();
    assert.equal(indexed.size, documents, context('every document is indexed'));
    assert.deepEqual(versions.filter((version, i) => indexed.get(i) !== version), [], context('every document at its latest version'));

    const aliasBefore = await aliasTarget();
    const reindexed = sync(true);
    assert.equal((await reindexed.exited)[0], 0, context('a re-index after the kills runs to the end'));
    const after = await collections();
    assert.deepEqual(after, [await aliasTarget()], context('one collection is left, behind the alias, the unfinished one deleted'));
    assert.notEqual(after[0], aliasBefore, context('the alias moved to the rebuilt collection'));
    indexed = await checkWhole();
    assert.deepEqual(versions.filter((version, i) => indexed.get(i) !== version), [], context('every document at its latest version after the re-index'));
  });
});
