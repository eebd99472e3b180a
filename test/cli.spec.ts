import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { FakeOpenAI } from './fakes/openai-server.js';
import { groundwork, handbookDir, repoRoot, tempDir, tsxLoader } from './helpers.js';

describe('groundwork CLI', function () {
  this.timeout(60000);

  before(async function () {
    if (!fs.existsSync(handbookDir)) this.skip();
  });

  // Every test has a data folder of its own. Those that read an index of the handbook get a copy of
  // one synced the first time a test asks for it, so no test depends on another having run first.
  let handbookTemplate: Promise<string> | null = null;
  const handbookIndex = async (): Promise<{ GROUNDWORK_DATA_DIR: string }> => {
    handbookTemplate ??= (async () => {
      const dataDir = tempDir('groundwork-cli-handbook-');
      const synced = await groundwork(['sync', '--source', `handbook=folder:${handbookDir}`], { GROUNDWORK_DATA_DIR: dataDir });
      assert.equal(synced.code, 0, synced.stderr);
      return dataDir;
    })();
    const own = tempDir('groundwork-cli-');
    fs.cpSync(await handbookTemplate, own, { recursive: true });
    return { GROUNDWORK_DATA_DIR: own };
  };
  const emptyDataDir = () => ({ GROUNDWORK_DATA_DIR: tempDir('groundwork-cli-') });

  it('syncs a folder, prints a summary and re-syncs unchanged files cheaply', async () => {
    const env = emptyDataDir();
    const first = await groundwork(['sync', '--source', `handbook=folder:${handbookDir}`], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^handbook: 2\d\d added, 0 updated, 0 unchanged, 0 deleted, \d+ skipped, 0 failed/);
    const again = await groundwork(['sync', '--source', `handbook=folder:${handbookDir}`], env);
    assert.match(again.stdout, /^handbook: 0 added, 0 updated, 2\d\d unchanged, 0 deleted/);
  });

  it('ask --json prints exactly one JSON object of the documented form, citing the right handbook page', async () => {
    const env = await handbookIndex();
    const { code, stdout } = await groundwork(['ask', '--json', 'How many hours of annual leave do I accrue per pay period?'], env);
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const json = JSON.parse(lines[0]!) as { answer: string; confidence: string; grounded: boolean; citations: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(json), ['answer', 'confidence', 'grounded', 'citations']);
    assert.deepEqual([json.confidence, json.grounded], ['answer', true]);
    assert.deepEqual(Object.keys(json.citations[0]!), ['n', 'title', 'url', 'path', 'source', 'score', 'similarity', 'sectionUrl', 'location', 'updatedAt', 'stale']);
    assert.equal(json.citations[0]!.path, 'travel-and-leave/leave.md');
    assert.equal(json.citations[0]!.source, 'handbook');
    assert.equal(json.citations[0]!.url, null);
    const cited = new Set([...json.answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])));
    assert.deepEqual([...cited].sort(), json.citations.map((c) => c.n).sort());
  });

  it('ask --json with an OpenAI-compatible server returns a generated answer whose markers match its citations', async () => {
    const env = await handbookIndex();
    const fake = await new FakeOpenAI().start();
    fake.chatReply = () => 'You earn 4 to 8 hours of annual leave per pay period, by years of service [1]. See also [12].';
    try {
      const { code, stdout } = await groundwork(['ask', '--json', 'How many hours of annual leave do I accrue per pay period?'], { ...env, OPENAI_BASE_URL: `${fake.url}/v1`, CHAT_MODEL: 'llama3.1' });
      assert.equal(code, 0);
      const json = JSON.parse(stdout) as { answer: string; grounded: boolean; citations: Array<{ n: number; path: string }> };
      assert.equal(json.answer, 'You earn 4 to 8 hours of annual leave per pay period, by years of service [1]. See also.');
      assert.deepEqual(json.citations.map((c) => c.n), [1]);
      assert.equal(json.citations[0]!.path, 'travel-and-leave/leave.md');
      assert.equal(fake.chatRequests()[0]!.body.model, 'llama3.1');
    } finally {
      await fake.stop();
    }
  });

  it('with an OpenAI-compatible server, sync embeds in batches, reuses vectors, and needs --reindex for another model', async () => {
    const fake = await new FakeOpenAI().start();
    const docs = fs.mkdtempSync(path.join(tempDir(), 'docs-'));
    for (const topic of ['leave', 'travel', 'expenses']) {
      const sentences = Array.from({ length: 40 }, (_, i) => `The ${topic} rule ${i} applies to everyone in the company.`).join(' ');
      fs.writeFileSync(path.join(docs, `${topic}.md`), `# ${topic}\n\n${sentences}`);
    }
    const llm = { GROUNDWORK_DATA_DIR: tempDir('groundwork-cli-'), OPENAI_BASE_URL: `${fake.url}/v1`, EMBEDDING_BATCH_INPUTS: '4' };
    const source = ['--source', `docs=folder:${docs}`];
    try {
      const first = await groundwork(['sync', ...source], llm);
      assert.equal(first.code, 0, first.stderr);
      const embedded = Number(/vectors: (\d+) passages embedded, 0 reused/.exec(first.stdout)?.[1]);
      assert.ok(embedded >= 6, first.stdout);
      assert.ok(fake.embeddingRequests().every((r) => r.body.input.length <= 4 && r.body.model === 'text-embedding-3-small'));

      const requests = fake.embeddingRequests().length;
      const again = await groundwork(['sync', ...source], llm);
      assert.match(again.stdout, /3 unchanged.*\n  vectors: 0 passages embedded/);
      assert.equal(fake.embeddingRequests().length, requests);
      assert.match((await groundwork(['status'], llm)).stdout, new RegExp(`Vectors: ${embedded} passages, embedded by text-embedding-3-small \\(64 dimensions\\)`));

      const other = { ...llm, EMBEDDING_MODEL: 'nomic-embed-text' };
      const refused = await groundwork(['sync', ...source], other);
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /sync failed, nothing changed: .*"text-embedding-3-small".*"nomic-embed-text".*groundwork sync --reindex/);
      assert.match((await groundwork(['status'], other)).stdout, /EMBEDDING_MODEL is now nomic-embed-text: run "groundwork sync --reindex"/);

      const reindexed = await groundwork(['sync', '--reindex', ...source], other);
      assert.equal(reindexed.code, 0, reindexed.stderr);
      assert.match(reindexed.stdout, new RegExp(`3 updated.*\\n  vectors: ${embedded} passages embedded`));
      const answer = await groundwork(['ask', '--json', 'How', 'does', 'the', 'travel', 'rule', '7', 'apply?'], other);
      assert.equal(answer.code, 0, answer.stderr);
      assert.deepEqual(fake.embeddingRequests().at(-1)!.body.input, ['How does the travel rule 7 apply?']);
      assert.equal(fake.embeddingRequests().at(-1)!.body.model, 'nomic-embed-text');
    } finally {
      await fake.stop();
    }
  });

  it('prints the answer and its sources as text without --json', async () => {
    const env = await handbookIndex();
    const { stdout } = await groundwork(['ask', 'What', 'is', 'the', 'transit', 'benefit?'], env);
    assert.match(stdout, /\[1\][\s\S]*\nSources:\n\[1\] .+: handbook\/.+/);
  });

  it('shows the status of the index, with the last sync run first', async () => {
    const env = await handbookIndex();
    const again = await groundwork(['sync', '--source', `handbook=folder:${handbookDir}`], env);
    assert.equal(again.code, 0, again.stderr);
    const { stdout } = await groundwork(['status'], env);
    assert.match(stdout, /- handbook \(folder\): 2\d\d documents, last synced 20\d\d-/);
    assert.match(stdout, /Recent syncs:\n- 20\d\d-\S+ succeeded \(cli:\w+\): handbook: 0 added, 0 updated, 2\d\d unchanged/);
    assert.match(stdout, /Index: .*groundwork\.db \([\d.]+ MB, schema version \d+\)/);
  });

  it('lists feedback left on answers', async () => {
    const env = emptyDataDir();
    const { openSqliteStore } = await import('../src/index/sqlite-store.js');
    const store = openSqliteStore(path.join(env.GROUNDWORK_DATA_DIR, 'groundwork.db'));
    await store.catalogue.recordAnswer({ messageId: 'm1', platform: 'teams', conversationId: 'teams:c1', question: 'What is the transit benefit?', answer: 'It is $265 a month [1].', citedDocumentIds: ['doc1'] });
    await store.catalogue.recordFeedback({ messageId: 'm1', conversationId: 'teams:c1', userId: 'u1', reaction: 'dislike', comment: 'Out of date' });
    store.close();
    const { code, stdout } = await groundwork(['feedback'], env);
    assert.equal(code, 0);
    assert.match(stdout, /^Feedback: 0 helpful, 1 not helpful\.\n- \S+ NOT helpful \(teams, u1\): "What is the transit benefit\?"\n  comment: Out of date\n  answer: It is \$265 a month \[1\]\.\n  cited documents: doc1/);
  });

  it('exits 2 with a message naming the setting when the configuration is invalid', async () => {
    const env = emptyDataDir();
    const { code, stderr } = await groundwork(['status'], { ...env, RETRIEVAL_TOP_K: 'many' });
    assert.equal(code, 2);
    assert.match(stderr, /RETRIEVAL_TOP_K must be a whole number from 1 to 50 \(got "many"\)/);
  });

  it('exits 2 with the reason when the question is empty', async () => {
    const env = emptyDataDir();
    const { code, stderr } = await groundwork(['ask', '  '], env);
    assert.equal(code, 2);
    assert.match(stderr, /groundwork: The question is empty/);
  });

  it('exits 1 and changes nothing when every source fails', async () => {
    const env = await handbookIndex();
    const { code, stdout } = await groundwork(['sync', '--source', `handbook=folder:${path.join(tempDir(), 'gone')}`], env);
    assert.equal(code, 1);
    assert.match(stdout, /handbook: sync failed, nothing changed: .*gone does not exist/);
    assert.match((await groundwork(['status'], env)).stdout, /handbook \(folder\): 2\d\d documents/);
  });

  it('cites Confluence and SharePoint pages by title and canonical url when base urls are set', async () => {
    const exportsEnv = {
      GROUNDWORK_DATA_DIR: tempDir('groundwork-cli-exports-'),
      CONFLUENCE_BASE_URL: 'https://wiki.brightpath.example',
      SHAREPOINT_BASE_URL: 'https://brightpath.sharepoint.example/sites/intranet',
    };
    const synced = await groundwork(
      ['sync', '--source', `wiki=confluence:${path.join(repoRoot, 'samples/confluence/Confluence-space-export-ENG.html.zip')}`, '--source', `intranet=sharepoint:${path.join(repoRoot, 'samples/sharepoint')}`],
      exportsEnv,
    );
    assert.equal(synced.code, 0, synced.stderr);
    const wiki = JSON.parse((await groundwork(['ask', '--json', 'How do I book the robot test bench?'], exportsEnv)).stdout);
    assert.equal(wiki.citations[0].title, 'Robot test bench');
    assert.equal(wiki.citations[0].url, 'https://wiki.brightpath.example/pages/viewpage.action?pageId=98315');
    const intranet = JSON.parse((await groundwork(['ask', '--json', 'canteen opening hours lunch'], exportsEnv)).stdout);
    assert.equal(intranet.citations[0].title, 'Canteen and kitchens');
    assert.equal(intranet.citations[0].url, 'https://brightpath.sharepoint.example/sites/intranet/SitePages/Canteen.aspx');
  });

  it('serve answers over HTTP and stops gracefully on SIGTERM', async () => {
    const env = await handbookIndex();
    const child = spawn(process.execPath, ['--import', tsxLoader, path.join(repoRoot, 'src/cli.ts'), 'serve'], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH, ...env, PORT: '0', HOST: '127.0.0.1' },
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line in: ${output}`)), 20000);
      child.stdout.on('data', () => {
        const match = /web chat at (http:\/\/[^/"]+)\//.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(output, /"msg":"stopped"/);
  });
});
