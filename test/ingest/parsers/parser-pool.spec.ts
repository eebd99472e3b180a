import assert from 'node:assert/strict';
import { DocumentTooLargeError, DocumentUnreadableError, ErrorCode, InternalError, ParseTimeoutError } from '../../../src/errors.js';
import { defaultOfficeLimits } from '../../../src/ingest/parsers/office-zip.js';
import { inProcessParsers, ParserPool } from '../../../src/ingest/parsers/parser-pool.js';
import { compoundFile, inflatingDocx } from '../../office-fixtures.js';

const markdown = Buffer.from('---\ntitle: Leave\n---\n# Annual leave\n\nEmployees get 28 days of annual leave.\n');
const asFile = (format: string) => ({ format, officeLimits: defaultOfficeLimits });

describe('ParserPool', function () {
  this.timeout(120_000);
  let pool: ParserPool;
  afterEach(() => pool.close());

  it('parses in a process of its own exactly what it parses in this one, starting it with the first file', async () => {
    pool = new ParserPool({ maxMemoryMb: 256, timeoutMs: 60_000 });
    assert.deepEqual(pool.processIds, [], 'no thread before there is work');
    const parsed = await pool.run('file', markdown, asFile('.md'));
    assert.deepEqual(parsed, await inProcessParsers.run('file', markdown, asFile('.md')));
    assert.equal(pool.processIds.length, 1);
    assert.notEqual(pool.processIds[0], process.pid);
  });

  it('fails a file whose parser runs past the time limit, kills that parser and parses the next file in a fresh one', async () => {
    pool = new ParserPool({ maxMemoryMb: 256, timeoutMs: 500, workerUrl: new URL('./stalling-parse-worker.ts', import.meta.url) });
    await pool.run('file', markdown, asFile('.md'));
    const [stuck] = pool.processIds;
    await assert.rejects(
      pool.run('file', Buffer.from('stall'), asFile('.txt')),
      (error: unknown) => error instanceof ParseTimeoutError && error.message === 'parsing it took longer than 0.5 s (PARSE_TIMEOUT_SECONDS); it was stopped',
    );
    assert.equal((await pool.run('file', markdown, asFile('.md'))).title, 'Leave');
    assert.equal(pool.processIds.length, 1);
    assert.notEqual(pool.processIds[0], stuck, 'the stuck parser was replaced');
  });

  it('fails a file whose parser needs more memory than allowed, and parses the next file in a fresh parser', async () => {
    pool = new ParserPool({ maxMemoryMb: 64, timeoutMs: 120_000 });
    const huge = Buffer.alloc(200 * 1024 * 1024, 'Many words on many lines.\n');
    await assert.rejects(
      pool.run('file', huge, asFile('.txt')),
      (error: unknown) => error instanceof DocumentTooLargeError && error.message === 'parsing it needs more than the 64 MB a parser may use (PARSE_MAX_MEMORY_MB); it was stopped',
    );
    assert.equal((await pool.run('file', markdown, asFile('.md'))).title, 'Leave');
  });

  it('passes on the reason and code of a file a parser refuses, and goes on', async () => {
    pool = new ParserPool({ maxMemoryMb: 256, timeoutMs: 60_000 });
    await assert.rejects(pool.run('file', compoundFile, asFile('.docx')), (error: unknown) => error instanceof DocumentUnreadableError && /password-protected/.test(error.message));
    await assert.rejects(pool.run('file', await inflatingDocx(280), asFile('.docx')), (error: unknown) => error instanceof DocumentTooLargeError && error.code === ErrorCode.DocumentTooLarge);
    assert.equal((await pool.run('file', markdown, asFile('.md'))).title, 'Leave');
  });

  it('fails the files still waiting when it is closed', async () => {
    pool = new ParserPool({ maxMemoryMb: 256, timeoutMs: 60_000, workerUrl: new URL('./stalling-parse-worker.ts', import.meta.url) });
    const stuck = assert.rejects(pool.run('file', Buffer.from('stall'), asFile('.txt')), /the parser pool was closed/);
    const waiting = assert.rejects(pool.run('file', markdown, asFile('.md')), /the parser pool was closed/);
    await pool.close();
    await Promise.all([stuck, waiting]);
    assert.deepEqual(pool.processIds, []);
  });

  it('refuses work once closed with an internal error, not a verdict on the file', async () => {
    pool = new ParserPool({ maxMemoryMb: 256, timeoutMs: 60_000 });
    await pool.close();
    await assert.rejects(
      pool.run('file', markdown, asFile('.md')),
      (error: unknown) => error instanceof InternalError && error.code === ErrorCode.Internal && error.message === 'the parser pool is closed',
    );
  });

  it('passes on a page a page reader refuses as unreadable, with its reason, from the parser process', async () => {
    pool = new ParserPool({ maxMemoryMb: 256, timeoutMs: 60_000 });
    const notAPage = Buffer.from('<html><head><title>Wiki : Notes</title></head><body><p>No page body here.</p></body></html>');
    await assert.rejects(
      pool.run('confluencePage', notAPage, { pageId: '124', baseUrl: null }),
      (error: unknown) => error instanceof DocumentUnreadableError && error.code === ErrorCode.DocumentUnreadable && error.message === 'it is not a Confluence export page (no #main-content)',
    );
    await assert.rejects(
      pool.run('sharePointModernPage', notAPage),
      (error: unknown) => error instanceof DocumentUnreadableError && error.message === 'it is not a SharePoint modern page (no mso:CanvasContent1)',
    );
  });

  it('reports a format no parser reads as an internal error, in a parser process or in this one', async () => {
    pool = new ParserPool({ maxMemoryMb: 256, timeoutMs: 60_000 });
    for (const parsers of [pool, inProcessParsers]) {
      await assert.rejects(parsers.run('file', markdown, asFile('.exe')), (error: unknown) => error instanceof InternalError && error.message === 'no parser reads .exe files');
    }
  });
});
