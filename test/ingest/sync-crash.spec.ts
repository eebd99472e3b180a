// Kills `groundwork sync` with SIGKILL at random moments, many times, while documents keep
// changing, and checks after each kill that every indexed document is whole and of one version
// (never half old, half new), and that the next sync finishes the work.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot, tempDir } from '../helpers.js';

const documents = 400;
const paragraphs = 10;
const kills = 10;

function write(folder: string, i: number, version: number): void {
  const body = Array.from({ length: paragraphs }, (_, p) => `Policy ${i} paragraph ${p} sets rule ${i * 100 + p} version ${version} in enough words to fill a chunk.`);
  fs.writeFileSync(path.join(folder, `doc-${String(i).padStart(3, '0')}.md`), `# Document ${i}\n\n${body.join('\n\n')}`);
}

describe('sync killed at random moments', function () {
  this.timeout(240_000);

  it('leaves only whole, single-version documents after every kill, and the next sync completes the index', async () => {
    const folder = tempDir('groundwork-crash-docs-');
    const versions = Array.from({ length: documents }, () => 0);
    versions.forEach((version, i) => write(folder, i, version));
    const dataDir = tempDir('groundwork-crash-');
    const env = { PATH: process.env.PATH, GROUNDWORK_DATA_DIR: dataDir, GROUNDWORK_SOURCES: `docs=folder:${folder}`, CHUNK_MAX_TOKENS: '64', CHUNK_OVERLAP_TOKENS: '8' };
    const sync = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli.ts'), 'sync'], { cwd: repoRoot, env, stdio: 'ignore' });
      return { child, exited: once(child, 'exit') as Promise<[number | null, string | null]> };
    };

    const checkWhole = (): number => {
      const db = new Database(path.join(dataDir, 'groundwork.db'), { readonly: true, timeout: 5000 });
      try {
        // Killed before its first schema transaction committed: the file is there, empty, and nothing is half written.
        if (db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'documents'").pluck().get() === 0) return 0;
        const docs = db.prepare('SELECT id, path FROM documents').all() as Array<{ id: string; path: string }>;
        for (const doc of docs) {
          const text = (db.prepare('SELECT text FROM chunks WHERE document_id = ? ORDER BY position').all(doc.id) as Array<{ text: string }>)
            .map((c) => c.text)
            .join('\n');
          const number = Number(/doc-(\d+)/.exec(doc.path)![1]);
          const seen = new Set<string>();
          for (let p = 0; p < paragraphs; p++) {
            const match = new RegExp(`rule ${number * 100 + p} version (\\d+) `).exec(text);
            assert.ok(match, `${doc.path} is missing paragraph ${p}: half written`);
            seen.add(match[1]!);
          }
          assert.equal(seen.size, 1, `${doc.path} mixes versions ${[...seen].join(' and ')}`);
        }
        const chunks = (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
        const searchable = (db.prepare("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'polici'").get() as { n: number }).n;
        assert.equal(searchable, chunks, 'the full-text index and the chunks agree');
        return docs.length;
      } finally {
        db.close();
      }
    };

    let killedMidway = 0;
    for (let kill = 0; kill < kills; kill++) {
      // Half of the documents change before each run, so that every run has work to do.
      for (let i = 0; i < documents; i++) if (Math.random() < 0.5) write(folder, i, ++versions[i]!);
      const { child, exited } = sync();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 2000))]);
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        killedMidway++;
      }
      await exited;
      if (fs.existsSync(path.join(dataDir, 'groundwork.db'))) checkWhole();
    }
    assert.ok(killedMidway >= kills / 2, `only ${killedMidway} of ${kills} runs were killed before they ended`);
    const { exited } = sync();
    assert.equal((await exited)[0], 0, 'the sync after the kills runs: the dead holder released its lock');
    assert.equal(checkWhole(), documents);
  });
});
