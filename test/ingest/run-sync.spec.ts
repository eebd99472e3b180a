import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AccessPolicy } from '../../src/access/access-policy.js';
import type { SourceSpec } from '../../src/config.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { runSync, type SyncOptions } from '../../src/ingest/run-sync.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { answerQuestion } from '../../src/answer/answer-question.js';
import { folderWith, silentLogger, tempDir, evidence } from '../helpers.js';
import { renameEntry, writeZip, zipOf } from '../zip-fixtures.js';
import { compoundFile, docxFile, encryptedPdfFile, pdfFile, pptxFile, xlsxFile } from '../office-fixtures.js';

const options: SyncOptions = { chunking: { maxTokens: 200, overlapTokens: 30 }, maxFileBytes: 1024 * 1024 };

describe('runSync', () => {
  let store: SqliteStore;
  let docs: string;
  let spec: SourceSpec;

  const sync = (opts: Partial<SyncOptions> = {}) =>
    runSync({ ...store, logger: silentLogger, access: AccessPolicy.open() }, [new FolderSource(spec)], { ...options, ...opts }).then((r) => r[0]!);
  const ask = (text: string) =>
    answerQuestion(
      { index: store.index, syncState: store.catalogue, retrieval: { topK: 5 }, evidence: evidence(0.5, 0.4) },
      { text, asker: { platform: 'cli', userId: 'u' }, conversation: { id: 'c' }, history: [], readers: ['everyone'] },
    );

  beforeEach(() => {
    docs = folderWith({
      'hr/leave.md': '---\ntitle: Leave policy\n---\n# Annual leave\n\nEmployees get 28 days of annual leave.',
      'it/vpn.html': '<title>VPN</title><h1>VPN</h1><p>Install WireGuard to reach the build servers.</p>',
      'notes.txt': 'The cafeteria opens at 8 o\'clock.',
      'image.png': 'not a document kind: ignored',
    });
    spec = { name: 'docs', kind: 'folder', location: docs };
    store = openSqliteStore(path.join(tempDir(), 'index.db'));
  });
  afterEach(() => store.close());

  it('indexes Markdown, HTML and text files with their titles, paths and chunks', async () => {
    const report = await sync();
    assert.deepEqual({ ...report, durationMs: 0 }, { source: 'docs', added: 3, updated: 0, unchanged: 0, deleted: 0, skipped: [{ path: 'image.png', reason: 'its format (.png) is not read' }], failed: [], warnings: [], error: null, durationMs: 0 });
    const answer = await ask('How many days of annual leave?');
    assert.equal(answer.grounded, true);
    assert.match(answer.text, /28 days of annual leave\. \[1\]/);
    assert.equal(answer.citations[0]!.passage.document.title, 'Leave policy');
    assert.equal(answer.citations[0]!.passage.document.path, 'hr/leave.md');
    assert.equal((await ask('cafeteria opening time')).citations[0]!.passage.document.title, 'notes');
    const [status] = await store.catalogue.sourceStatuses();
    assert.equal(status!.documents, 3);
    assert.ok(status!.lastSyncAt);
  });

  it('re-syncs unchanged files without re-indexing them, and replaces changed ones', async () => {
    await sync();
    assert.deepEqual(await sync().then((r) => [r.added, r.updated, r.unchanged]), [0, 0, 3]);
    fs.writeFileSync(path.join(docs, 'hr/leave.md'), '# Annual leave\n\nEmployees get 30 days of annual leave.');
    assert.deepEqual(await sync().then((r) => [r.added, r.updated, r.unchanged]), [0, 1, 2]);
    const answer = await ask('How many days of annual leave?');
    assert.match(answer.text, /30 days/);
    assert.doesNotMatch(answer.text, /28 days/);
  });

  it('removes documents deleted from the folder', async () => {
    await sync();
    fs.rmSync(path.join(docs, 'it/vpn.html'));
    assert.equal((await sync()).deleted, 1);
    assert.equal((await ask('WireGuard build servers')).grounded, false);
  });

  it('stops instead of deleting more than the allowed share of a source, unless told to', async () => {
    await sync();
    fs.rmSync(path.join(docs, 'hr/leave.md'));
    fs.rmSync(path.join(docs, 'it/vpn.html'));
    const refused = await sync();
    assert.match(refused.error ?? '', /would delete 2 of the 3 indexed documents \(67 %\), more than the 50 % limit/);
    assert.equal(refused.deleted, 0);
    assert.equal((await ask('How many days of annual leave?')).grounded, true);
    const allowed = await sync({ allowMassDelete: true });
    assert.equal(allowed.deleted, 2);
    assert.equal((await ask('How many days of annual leave?')).grounded, false);
  });

  it('reports a missing folder and keeps what was indexed from it', async () => {
    await sync();
    fs.rmSync(docs, { recursive: true });
    const report = await sync();
    assert.match(report.error ?? '', / does not exist/);
    assert.equal(report.deleted, 0);
    assert.equal((await ask('How many days of annual leave?')).grounded, true);
  });

  it('refuses an emptied folder instead of deleting everything', async () => {
    await sync();
    for (const file of ['hr/leave.md', 'it/vpn.html', 'notes.txt']) fs.rmSync(path.join(docs, file));
    const report = await sync();
    assert.match(report.error ?? '', /holds no files of a supported kind/);
    assert.equal((await store.catalogue.sourceStatuses())[0]!.documents, 3);
  });

  it('names each file it cannot use and why, and indexes the rest', async () => {
    fs.writeFileSync(path.join(docs, 'binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    fs.writeFileSync(path.join(docs, 'big.md'), `# Big\n\n${'x '.repeat(600 * 1024)}`);
    fs.symlinkSync(path.join(docs, 'nowhere.md'), path.join(docs, 'dangling.md'));
    fs.writeFileSync(path.join(docs, 'empty.md'), '---\ntitle: Redirect\n---\n');
    const report = await sync();
    assert.equal(report.added, 3);
    assert.deepEqual(report.skipped, [
      { path: 'dangling.md', reason: 'it is a symbolic link, which is not followed (FOLLOW_SYMLINKS=inside follows links that stay inside the export)' },
      { path: 'image.png', reason: 'its format (.png) is not read' },
      { path: 'empty.md', reason: 'it holds no text' },
    ]);
    assert.deepEqual(
      report.failed.map((f) => `${f.path}: ${f.reason}`).sort(),
      ['big.md: it is 1.2 MB, over the 1.0 MB limit (MAX_FILE_MB)', 'binary.md: it is not a text file (binary content)'],
    );
  });

  it('keeps the indexed version of a document that became unreadable', async () => {
    await sync();
    fs.writeFileSync(path.join(docs, 'hr/leave.md'), Buffer.from([0, 1, 2, 3]));
    const report = await sync();
    assert.equal(report.failed.length, 1);
    assert.equal(report.deleted, 0);
    assert.match((await ask('How many days of annual leave?')).text, /28 days/);
  });

  it('reports progress for every file, with counts of what was indexed', async () => {
    const seen: string[] = [];
    await sync({ onProgress: ({ done, total, indexed, path: file }) => seen.push(`${done}/${total} ${indexed} ${file}`) });
    assert.deepEqual(seen, ['0/3 0 null', '1/3 1 hr/leave.md', '2/3 2 it/vpn.html', '3/3 3 notes.txt']);
  });

  it('syncs a zip of documents, reporting entries it refuses and indexing the rest', async () => {
    const zip = renameEntry(await zipOf({ 'hr/leave.md': '# Annual leave\n\nEmployees get 28 days of annual leave.', 'aa/evil.md': 'x' }), 'aa/evil.md', '../evil.md');
    spec = { name: 'docs', kind: 'folder', location: writeZip(zip) };
    const report = await sync();
    assert.equal(report.added, 1);
    assert.deepEqual(report.failed, [{ path: '../evil.md', reason: 'its path escapes the export folder (..)' }]);
    assert.match((await ask('How many days of annual leave?')).text, /28 days/);
  });

  it('re-syncs a zip by its entries\' checksums: unchanged entries skipped, a changed one replaced', async () => {
    const file = writeZip(await zipOf({ 'a.md': '# A\n\nAnnual leave is 28 days.', 'b.md': '# B\n\nUse WireGuard for the VPN.' }));
    spec = { name: 'docs', kind: 'folder', location: file };
    assert.equal((await sync()).added, 2);
    assert.equal((await sync()).unchanged, 2);
    fs.writeFileSync(file, await zipOf({ 'a.md': '# A\n\nAnnual leave is 30 days.', 'b.md': '# B\n\nUse WireGuard for the VPN.' }));
    const report = await sync();
    assert.deepEqual([report.updated, report.unchanged], [1, 1]);
    assert.match((await ask('How many days of annual leave?')).text, /30 days/);
  });

  it('indexes a document library of Word, PowerPoint, Excel and PDF files, naming the ones it cannot read', async () => {
    docs = folderWith({
      'policies/expenses.docx': await docxFile(),
      'training/security.pptx': await pptxFile(),
      'directory/offices.xlsx': await xlsxFile(),
      'travel/guide.pdf': await pdfFile(),
      'locked/salaries.xlsx': compoundFile,
      'locked/contract.pdf': encryptedPdfFile(),
      'broken/plan.docx': 'PK this is not a zip',
    });
    spec = { name: 'library', kind: 'folder', location: docs };
    const report = await sync();
    assert.equal(report.added, 4);
    assert.deepEqual(
      report.failed.map((f) => `${f.path}: ${f.reason.replace(/ \(.*$/, '')}`),
      ['broken/plan.docx: it is not a valid Word document', 'locked/contract.pdf: it is password-protected', 'locked/salaries.xlsx: it is password-protected'],
    );
    const hotel = await ask('What is the hotel limit per night?');
    assert.equal(hotel.citations[0]!.passage.document.title, 'Expense policy');
    assert.match(hotel.text, /Hotel; Limit: 150 EUR per night \[1\]/);
    assert.equal((await ask('Shanghai office reception extension')).citations[0]!.passage.document.path, 'directory/offices.xlsx');
    assert.equal((await ask('report phishing Outlook')).citations[0]!.passage.document.title, 'Security training');
    assert.equal((await ask('book trains for short trips')).citations[0]!.passage.document.title, 'Travel guide');
  });
});
