// End to end: documents synced from a folder (Markdown, PDF) and a Confluence export come back from
// retrieval located at their section, and the citation link opens them there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AccessPolicy } from '../../src/access/access-policy.js';
import { citationUrl, locationLabel } from '../../src/channels/citation-view.js';
import { samplesDir, type SourceSpec } from '../../src/config.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { runSync, type SyncOptions } from '../../src/ingest/run-sync.js';
import type { DocumentSource } from '../../src/ingest/sources/document-source.js';
import { ConfluenceSource } from '../../src/ingest/sources/confluence-source.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { retrieve } from '../../src/retrieval/retrieve.js';
import { folderWith, silentLogger, tempDir } from '../helpers.js';
import { multiPagePdf } from './location-fixtures.js';

const options: SyncOptions = { chunking: { maxTokens: 200, overlapTokens: 30 }, maxFileBytes: 4 * 1024 * 1024 };
const confluenceExport = path.join(samplesDir, 'confluence/Confluence-space-export-ENG.html.zip');

describe('citation locations, from sync to the citation link', () => {
  let file: string;
  let store: SqliteStore;
  let docs: string;

  const sources = (): DocumentSource[] => {
    const folder: SourceSpec = { name: 'docs', kind: 'folder', location: docs };
    const wiki: SourceSpec = { name: 'wiki', kind: 'confluence', location: confluenceExport };
    return [new FolderSource(folder), new ConfluenceSource(wiki, { baseUrl: 'https://wiki.example.com' })];
  };
  const sync = () => runSync({ ...store, logger: silentLogger, access: AccessPolicy.open() }, sources(), options);
  const first = async (question: string, source: string) => {
    const { passages } = await retrieve(store.index, question, { topK: 3, sources: [source], readers: ['everyone'] });
    assert.ok(passages[0], `a passage for "${question}"`);
    return passages[0];
  };

  before(function () {
    if (!fs.existsSync(confluenceExport)) this.skip();
  });
  beforeEach(async () => {
    docs = folderWith({
      'hr/leave.md': '# Time off\n\nIntro.\n\n## Annual leave\n\nEmployees get 28 days of annual leave.\n\n## FAQ\n\nAsk HR.\n\n## FAQ\n\nParental leave lasts up to three years.',
    });
    fs.writeFileSync(path.join(docs, 'travel.pdf'), await multiPagePdf());
    file = path.join(tempDir(), 'index.db');
    store = openSqliteStore(file);
  });
  afterEach(() => store.close());

  it('links a Markdown section by its slug, a PDF passage by its page and a Confluence section by its heading id', async () => {
    const reports = await sync();
    assert.deepEqual(reports.map((r) => r.failed), [[], []]);

    const leave = await first('How many days of annual leave?', 'docs');
    assert.equal(leave.document.path, 'hr/leave.md');
    assert.deepEqual(leave.location, { anchor: 'annual-leave' });
    const parental = await first('How long is parental leave?', 'docs');
    assert.deepEqual(parental.location, { anchor: 'faq-1' }, 'the second FAQ heading');

    const flights = await first('Which class are flights?', 'docs');
    assert.equal(flights.document.path, 'travel.pdf');
    assert.deepEqual(flights.location, { page: 2 });
    assert.equal(locationLabel(flights), 'p. 2');
    // A folder's files have no web address here; the page lands on the url the source gives them.
    assert.equal(citationUrl({ ...flights, document: { ...flights.document, url: 'https://files.example.com/travel.pdf' } }), 'https://files.example.com/travel.pdf#page=2');

    const freeze = await first('When is the year-end freeze?', 'wiki');
    assert.equal(freeze.document.title, 'Release Process');
    assert.deepEqual(freeze.location, { anchor: 'ReleaseProcess-Freezewindows' });
    assert.match(citationUrl(freeze) ?? '', /^https:\/\/wiki\.example\.com\/pages\/viewpage\.action\?pageId=\d+#ReleaseProcess-Freezewindows$/);
  });

  it('gives an index written before locations its locations on the next sync', async () => {
    await sync();
    store.close();
    // As an earlier version left the file: no locations, and document hashes of other pipeline settings.
    const db = new Database(file);
    db.exec("UPDATE chunks SET location = NULL; UPDATE documents SET content_hash = 'pipeline-2:' || content_hash;");
    db.close();
    store = openSqliteStore(file);
    assert.equal((await first('Which class are flights?', 'docs')).location, undefined);

    const reports = await sync();
    assert.deepEqual(reports.map((r) => [r.unchanged, r.failed.length]), [[0, 0], [0, 0]], 'every document is parsed again');
    assert.deepEqual((await first('Which class are flights?', 'docs')).location, { page: 2 });
    assert.deepEqual((await first('When is the year-end freeze?', 'wiki')).location, { anchor: 'ReleaseProcess-Freezewindows' });
    assert.deepEqual((await sync()).map((r) => r.added + r.updated), [0, 0], 'and then left alone');
  });
});
