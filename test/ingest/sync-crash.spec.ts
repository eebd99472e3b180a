// Kills `groundwork sync` with SIGKILL at random moments, many times, while documents keep
// changing, and checks after each kill that every indexed document is whole and of one version
// (never half old, half new), and that the next sync finishes the work.
//
// Each kill comes at a moment known to be mid-sync: once the run has written a (random) number of
// the documents it has to write, seen in the index itself. The randomness is seeded: the seed is
// printed, and CRASH_SEED=<seed> repeats a run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SeededRandom } from '../fuzz-inputs.js';
import { repoRoot, tempDir } from '../helpers.js';
import { waitFor } from '../wait-for.js';
import { crashSeed, paragraphs, writeVersionedDocument } from './crash-fixtures.js';

const documents = 400;
const kills = 10;

describe('sync killed at random moments', function () {
  this.timeout(240_000);

  it('leaves only whole, single-version documents after every kill mid-sync, and the next sync completes the index', async () => {
    const seed = crashSeed();
    const random = new SeededRandom(seed);
    console.log(`      seed ${seed} (CRASH_SEED=${seed} repeats this run)`);
    const context = (message: string) => `${message} (CRASH_SEED=${seed})`;

    const folder = tempDir('groundwork-crash-docs-');
    const versions = Array.from({ length: documents }, () => 0);
    versions.forEach((version, i) => writeVersionedDocument(folder, i, version));
    const dataDir = tempDir('groundwork-crash-');
    const databasePath = path.join(dataDir, 'groundwork.db');
    const env = { PATH: process.env.PATH, GROUNDWORK_DATA_DIR: dataDir, GROUNDWORK_SOURCES: `docs=folder:${folder}`, CHUNK_MAX_TOKENS: '64', CHUNK_OVERLAP_TOKENS: '8' };
    const sync = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli.ts'), 'sync'], { cwd: repoRoot, env, stdio: 'ignore' });
      return { child, exited: once(child, 'exit') as Promise<[number | null, string | null]> };
    };

    /** Opens the index to read it while a sync may write it; null while it has no tables yet. */
    const openIndex = (): Database.Database | null => {
      if (!fs.existsSync(databasePath)) return null;
      const db = new Database(databasePath, { readonly: true, timeout: 5000 });
      // Killed before its first schema transaction committed: the file is there, empty, and nothing is half written.
      if (db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'documents'").pluck().get() === 0) {
        db.close();
        return null;
      }
      return db;
    };

    /** Checks that every indexed document is whole and of one version; returns each one's version. */
    const checkWhole = (): Map<number, number> => {
      const indexed = new Map<number, number>();
      const db = openIndex();
      if (!db) return indexed;
      try {
        const docs = db.prepare('SELECT id, path FROM documents').all() as Array<{ id: string; path: string }>;
        for (const doc of docs) {
          const text = (db.prepare('SELECT text FROM chunks WHERE document_id = ? ORDER BY position').all(doc.id) as Array<{ text: string }>)
            .map((c) => c.text)
            .join('\n');
          const number = Number(/doc-(\d+)/.exec(doc.path)![1]);
          const seen = new Set<string>();
          for (let p = 0; p < paragraphs; p++) {
            const match = new RegExp(`rule ${number * 100 + p} version (\\d+) `).exec(text);
            assert.ok(match, context(`${doc.path} is missing paragraph ${p}: half written`));
            seen.add(match[1]!);
          }
          assert.equal(seen.size, 1, context(`${doc.path} mixes versions ${[...seen].join(' and ')}`));
          indexed.set(number, Number([...seen][0]));
        }
        const chunks = (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
        const searchable = (db.prepare("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'polici'").get() as { n: number }).n;
        assert.equal(searchable, chunks, context('the full-text index and the chunks agree'));
        return indexed;
      } finally {
        db.close();
      }
    };

    const contentHashes = (db: Database.Database | null): Map<string, string> =>
      new Map(db ? (db.prepare('SELECT id, content_hash FROM documents').all() as Array<{ id: string; content_hash: string }>).map((d) => [d.id, d.content_hash]) : []);

    let indexed = new Map<number, number>();
    const killedAt: string[] = [];
    for (let kill = 0; kill < kills; kill++) {
      // Half of the documents change before each run, so that every run has work to do.
      for (let i = 0; i < documents; i++) if (random.chance(0.5)) writeVersionedDocument(folder, i, ++versions[i]!);
      const toWrite = versions.filter((version, i) => indexed.get(i) !== version).length;
      const before = (() => {
        const db = openIndex();
        try {
          return contentHashes(db);
        } finally {
          db?.close();
        }
      })();
      // Documents this run has written so far: new ones, and ones whose indexed content changed.
      let reader: Database.Database | null = null;
      const written = (): number => {
        reader ??= openIndex();
        return [...contentHashes(reader)].filter(([id, hash]) => before.get(id) !== hash).length;
      };

      // Killed once it has written between one and half of what it has to write.
      const killAfter = 1 + random.int(Math.floor(toWrite / 2));
      const { child, exited } = sync();
      try {
        // While the sync creates the index, the file can be there before it can be read: not yet.
        const writtenSoFar = () => {
          try {
            return written();
          } catch (error) {
            if (!/^SQLITE_(CANTOPEN|BUSY|NOTADB)/.test((error as { code?: string }).code ?? '')) throw error;
            (reader as Database.Database | null)?.close();
            reader = null;
            return 0;
          }
        };
        await waitFor(() => child.exitCode !== null || writtenSoFar() >= killAfter, context(`kill ${kill + 1}: the sync writes ${killAfter} documents`), { timeoutMs: 120_000, pollMs: 2 });
        assert.equal(child.exitCode, null, context(`kill ${kill + 1}: the sync ended (code ${child.exitCode}) before it wrote ${killAfter} of ${toWrite} documents`));
        child.kill('SIGKILL');
        const [code, signal] = await exited;
        assert.deepEqual([code, signal], [null, 'SIGKILL'], context(`kill ${kill + 1}: the sync was running when killed`));
        // Mid-way: it had written some of the documents, not all, and its run was never recorded as over.
        const writtenAtKill = written();
        assert.ok(writtenAtKill >= killAfter && writtenAtKill < toWrite, context(`kill ${kill + 1}: killed mid-way, after ${writtenAtKill} of ${toWrite} documents (aimed at ${killAfter})`));
        killedAt.push(`${writtenAtKill}/${toWrite}`);
        const lastRun = reader!.prepare('SELECT status FROM sync_runs ORDER BY started_at DESC LIMIT 1').pluck().get();
        assert.equal(lastRun, 'running', context(`kill ${kill + 1}: the run is still recorded as running`));
      } finally {
        (reader as Database.Database | null)?.close();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      indexed = checkWhole();
    }

    console.log(`      killed after ${killedAt.join(', ')} documents written`);
    const { exited } = sync();
    assert.equal((await exited)[0], 0, context('the sync after the kills runs: the dead holder released its lock'));
    indexed = checkWhole();
    assert.equal(indexed.size, documents, context('every document is indexed'));
    assert.deepEqual(versions.filter((version, i) => indexed.get(i) !== version), [], context('every document at its latest version'));
    const db = openIndex()!;
    try {
      assert.equal(db.prepare("SELECT count(*) FROM sync_runs WHERE status = 'running'").pluck().get(), 0, context('no killed run is left recorded as running'));
    } finally {
      db.close();
    }
  });
});
