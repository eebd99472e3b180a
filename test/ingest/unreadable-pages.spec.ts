// A page file that is not the page it claims to be fails alone, with its reason in the report,
// when parsed in a parser process as the sync does it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { AccessPolicy } from '../../src/access/access-policy.js';
import type { SyncReport } from '../../src/domain.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { ParserPool } from '../../src/ingest/parsers/parser-pool.js';
import { runSync } from '../../src/ingest/run-sync.js';
import { ConfluenceSource } from '../../src/ingest/sources/confluence-source.js';
import type { DocumentSource } from '../../src/ingest/sources/document-source.js';
import { SharePointSource } from '../../src/ingest/sources/sharepoint-source.js';
import { syncReportText } from '../../src/ingest/sync-report-text.js';
import { folderWith, silentLogger, tempDir } from '../helpers.js';

const page = '<html><head><title>Wiki : Leave</title></head><body><div id="main-content"><p>Employees get 28 days of annual leave.</p></div></body></html>';
const notAPage = '<html><head><title>Saved from a browser</title></head><body><p>Quarterly numbers.</p></body></html>';

describe('syncing page files that are not pages', function () {
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

  const sync = (source: DocumentSource): Promise<SyncReport> =>
    runSync({ ...store, logger: silentLogger, access: AccessPolicy.open() }, [source], { chunking: { maxTokens: 200, overlapTokens: 30 }, maxFileBytes: 1024 * 1024 }).then((reports) => reports[0]!);

  it('fails an HTML file without a Confluence page body, saying so, and indexes the real page beside it', async () => {
    const space = folderWith({ 'Leave_123.html': page, 'Numbers_124.html': notAPage });
    const report = await sync(new ConfluenceSource({ name: 'wiki', kind: 'confluence', location: space }, { baseUrl: null, parsers }));
    assert.equal(report.added, 1);
    assert.deepEqual(report.failed, [{ path: 'Numbers_124.html', reason: 'it is not a Confluence export page (no #main-content)' }]);
    assert.equal(report.error, null, 'one page failing is not the source failing');
    assert.match(syncReportText(report), /Numbers_124\.html: it is not a Confluence export page \(no #main-content\)/);
  });

  it('fails an .aspx file without a canvas, saying it is not a SharePoint modern page', async () => {
    const site = folderWith({ 'SitePages/Numbers.aspx': notAPage, 'Policies/Leave.md': '# Annual leave\n\nEmployees get 28 days of annual leave.' });
    const report = await sync(new SharePointSource({ name: 'intranet', kind: 'sharepoint', location: site }, { baseUrl: null, parsers }));
    assert.equal(report.added, 1);
    assert.deepEqual(report.failed, [{ path: 'SitePages/Numbers.aspx', reason: 'it is not a SharePoint modern page (no mso:CanvasContent1)' }]);
  });
});
