import assert from 'node:assert/strict';
import path from 'node:path';
import { AccessPolicy } from '../../src/access/access-policy.js';
import type { SourceSpec } from '../../src/config.js';
import { parseSyncCommand, startChatSync } from '../../src/conversation/sync-command.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { SyncJob } from '../../src/ingest/sync-job.js';
import { folderWith, silentLogger, tempDir } from '../helpers.js';

describe('sync from a chat', () => {
  let store: SqliteStore;
  let job: SyncJob;
  const spec: SourceSpec = {
    name: 'docs',
    kind: 'folder',
    location: folderWith(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`page-${i}.md`, `# Page ${i}\n\nRule ${i} applies to travel and leave.`]))),
  };
  beforeEach(() => {
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
    job = new SyncJob({ ...store, logger: silentLogger, access: AccessPolicy.open(), createSource: (s) => new FolderSource(s), options: { chunking: { maxTokens: 200, overlapTokens: 20 }, maxFileBytes: 1024 * 1024 } });
  });
  afterEach(() => store.close());

  const run = async (progressEveryMs: number) => {
    const posts: string[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const reply = await startChatSync(
      { syncJob: job, sources: [spec], logger: silentLogger, progressEveryMs },
      { source: null, requestedBy: 'teams:Ana', isAdmin: true, post: async (text) => void (posts.push(text), /^Sync (finished|failed)/.test(text) && finished()) },
    );
    await done;
    return { reply, posts };
  };

  it('posts progress no more often than asked, then the report', async () => {
    const quiet = await run(60_000);
    assert.match(quiet.reply, /^Sync started for docs \(run [\w-]+\)/);
    assert.deepEqual(quiet.posts.length, 1, 'a short sync posts only its report');
    assert.match(quiet.posts[0]!, /^Sync finished:\ndocs: 40 added/);

    const chatty = await run(0);
    const progress = chatty.posts.filter((text) => text.startsWith('Syncing docs:'));
    assert.ok(progress.length > 0);
    assert.match(progress[0]!, /^Syncing docs: \d+ of 40 documents…$/);
    assert.match(chatty.posts.at(-1)!, /^Sync finished:\ndocs: 0 added, 0 updated, 40 unchanged/);
  });

  it('recognises sync with or without a source, and nothing else', () => {
    assert.deepEqual(parseSyncCommand(' sync '), { source: null });
    assert.deepEqual(parseSyncCommand('/sync wiki'), { source: 'wiki' });
    assert.deepEqual(parseSyncCommand('同步'), { source: null });
    assert.equal(parseSyncCommand('sync the wiki please'), null);
    assert.equal(parseSyncCommand('how do I sync my calendar?'), null);
  });

  it('names the sources when asked for one that does not exist, and refuses non-admins', async () => {
    const post = async () => {};
    assert.match(await startChatSync({ syncJob: job, sources: [spec], logger: silentLogger }, { source: 'wiki', requestedBy: 'x', isAdmin: true, post }), /There is no source named "wiki". The sources are: docs\./);
    assert.match(await startChatSync({ syncJob: job, sources: [spec], logger: silentLogger }, { source: null, requestedBy: 'x', isAdmin: false, post }), /only administrators/);
  });
});
