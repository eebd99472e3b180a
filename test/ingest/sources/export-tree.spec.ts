import assert from 'node:assert/strict';
import { SourceUnavailableError } from '../../../src/errors.js';
import { defaultZipLimits, openExportTree } from '../../../src/ingest/sources/export-tree.js';
import { folderWith, tempDir } from '../../helpers.js';
import { markEncrypted, renameEntry, writeZip, zipOf } from '../../zip-fixtures.js';

describe('openExportTree', () => {
  it('lists a folder and a zip of the same files alike, names in UTF-8 included', async () => {
    const files = { 'hr/leave.md': '# Leave', '政策/报销.md': '# 报销', 'top.txt': 'x' };
    const folder = await openExportTree(folderWith(files));
    const zip = await openExportTree(writeZip(await zipOf(files)));
    assert.deepEqual(folder.files.map((f) => f.path), ['hr/leave.md', 'top.txt', '政策/报销.md'].sort((a, b) => a.localeCompare(b)));
    assert.deepEqual(zip.files.map((f) => f.path), folder.files.map((f) => f.path));
    assert.equal((await zip.files.find((f) => f.path === '政策/报销.md')!.read()).toString(), '# 报销');
    await zip.close();
  });

  it('refuses zip entries whose paths escape the export, and keeps the others', async () => {
    let zip = await zipOf({ 'aa/evil.md': 'x', 'xetc/passwd.md': 'y', 'ok.md': 'fine' });
    zip = renameEntry(renameEntry(zip, 'aa/evil.md', '../evil.md'), 'xetc/passwd.md', '/etc/passwd.md');
    const tree = await openExportTree(writeZip(zip));
    assert.deepEqual(tree.files.map((f) => f.path), ['ok.md']);
    assert.deepEqual(tree.problems, [
      { path: '../evil.md', reason: 'its path escapes the export folder (..)' },
      { path: '/etc/passwd.md', reason: 'its path is absolute' },
    ]);
    await tree.close();
  });

  it('fails to read an entry whose compressed data is damaged, and reads the others', async () => {
    const zip = await zipOf({ 'good.md': '# Good\n\nFine.', 'bad.md': `# Bad\n\n${'Lorem ipsum dolor sit amet. '.repeat(400)}` });
    const damaged = Buffer.from(zip);
    const at = damaged.indexOf(Buffer.from('bad.md')) + 'bad.md'.length + 20; // inside bad.md's deflate stream
    for (let i = 0; i < 16; i++) damaged[at + i] = 0xff;
    const tree = await openExportTree(writeZip(damaged));
    assert.equal((await tree.files.find((f) => f.path === 'good.md')!.read()).toString(), '# Good\n\nFine.');
    await assert.rejects(tree.files.find((f) => f.path === 'bad.md')!.read(), /the zip entry cannot be read/);
    await tree.close();
  });

  it('refuses password-protected entries', async () => {
    const tree = await openExportTree(writeZip(markEncrypted(await zipOf({ 'secret.md': 'x' }))));
    assert.deepEqual(tree.problems, [{ path: 'secret.md', reason: 'it is password-protected' }]);
    await tree.close();
  });

  it('refuses an entry with an implausible compression ratio', async () => {
    const tree = await openExportTree(writeZip(await zipOf({ 'bomb.txt': Buffer.alloc(5 * 1024 * 1024), 'ok.txt': 'fine' })));
    assert.deepEqual(tree.files.map((f) => f.path), ['ok.txt']);
    assert.match(tree.problems[0]!.reason, /compression ratio of \d+:1 looks like a zip bomb/);
    await tree.close();
  });

  it('refuses a whole zip with too many entries or too many bytes in all', async () => {
    const many = writeZip(await zipOf(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.md`, 'x']))));
    await assert.rejects(openExportTree(many, { ...defaultZipLimits, maxEntries: 10 }), /holds more than 10 entries; refused as a possible zip bomb/);
    const big = writeZip(await zipOf({ 'a.txt': Buffer.alloc(3 * 1024 * 1024, 1) }, { compress: false }));
    await assert.rejects(openExportTree(big, { ...defaultZipLimits, maxTotalBytes: 1024 * 1024 }), /unpacks to more than 1 MB/);
  });

  it('says what is wrong with a corrupt zip, a missing path and a file that is not a zip', async () => {
    const corrupt = writeZip(Buffer.from('PK\u0003\u0004 this is not really a zip'));
    await assert.rejects(openExportTree(corrupt), (error: unknown) => error instanceof SourceUnavailableError && /cannot be read/.test(error.message));
    await assert.rejects(openExportTree(`${tempDir()}/missing`), /does not exist/);
    await assert.rejects(openExportTree(writeZip(Buffer.from('x'), 'notes.pdf')), /neither a folder nor a \.zip file/);
  });
});
