import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DocumentTooLargeError, SourceUnavailableError } from '../../../src/errors.js';
import { openExportTree } from '../../../src/ingest/sources/export-tree.js';
import { defaultZipLimits } from '../../../src/ingest/zip-limits.js';
import { folderWith, tempDir } from '../../helpers.js';
import { markEncrypted, renameEntry, writeZip, zipEntries, zipOf } from '../../zip-fixtures.js';
import { exportBesideSecret } from '../export-fixtures.js';

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
    await assert.rejects(openExportTree(many, { zipLimits: { ...defaultZipLimits, maxEntries: 10 } }), /holds more than 10 entries; refused as a possible zip bomb/);
    const big = writeZip(await zipOf({ 'a.txt': Buffer.alloc(3 * 1024 * 1024, 1) }, { compress: false }));
    await assert.rejects(openExportTree(big, { zipLimits: { ...defaultZipLimits, maxTotalBytes: 1024 * 1024 } }), /unpacks to more than 1 MB/);
  });

  it('says what is wrong with a corrupt zip, a missing path and a file that is not a zip', async () => {
    const corrupt = writeZip(Buffer.from('PK\u0003\u0004 this is not really a zip'));
    await assert.rejects(openExportTree(corrupt), (error: unknown) => error instanceof SourceUnavailableError && /cannot be read/.test(error.message));
    await assert.rejects(openExportTree(`${tempDir()}/missing`), /does not exist/);
    await assert.rejects(openExportTree(writeZip(Buffer.from('x'), 'notes.pdf')), /neither a folder nor a \.zip file/);
  });

  describe('never leaving the export', () => {
    let base: string;
    let docs: string;
    beforeEach(() => {
      ({ base, docs } = exportBesideSecret('# Leave\n\n28 days.'));
    });
    const listed = async (options: Parameters<typeof openExportTree>[1] = {}) => {
      const tree = await openExportTree(docs, options);
      return { files: tree.files.map((f) => f.path), skipped: tree.skipped, read: (name: string) => tree.files.find((f) => f.path === name)!.read() };
    };

    it('skips symbolic links by default, absolute and relative ones, to files and to folders, and says why', async () => {
      fs.symlinkSync('/etc/passwd', path.join(docs, 'passwd.txt'));
      fs.symlinkSync('../../../outside/secret.md', path.join(docs, 'hr/secret.md'));
      fs.symlinkSync(path.join(base, 'outside'), path.join(docs, 'more'));
      fs.symlinkSync('leave.md', path.join(docs, 'hr/leave-copy.md'));
      const { files, skipped } = await listed();
      assert.deepEqual(files, ['hr/leave.md']);
      const reason = 'it is a symbolic link, which is not followed (FOLLOW_SYMLINKS=inside follows links that stay inside the export)';
      assert.deepEqual(skipped, ['hr/leave-copy.md', 'hr/secret.md', 'more', 'passwd.txt'].map((p) => ({ path: p, reason })));
    });

    it('with FOLLOW_SYMLINKS=inside, follows the links whose real path is inside the export, once, and no others', async () => {
      fs.symlinkSync('/etc/passwd', path.join(docs, 'passwd.txt'));
      fs.symlinkSync('../../../outside/secret.md', path.join(docs, 'hr/secret.md'));
      fs.symlinkSync('leave.md', path.join(docs, 'hr/leave-copy.md'));
      fs.symlinkSync('hr', path.join(docs, 'people'));
      fs.symlinkSync('..', path.join(docs, 'hr/up')); // a loop back to the root
      fs.symlinkSync('nowhere.md', path.join(docs, 'dangling.md'));
      fs.symlinkSync('/dev/zero', path.join(docs, 'zero.txt'));
      const { files, skipped, read } = await listed({ followSymlinks: 'inside' });
      assert.deepEqual(files, ['hr/leave-copy.md', 'hr/leave.md', 'people/leave-copy.md', 'people/leave.md']);
      assert.equal((await read('hr/leave-copy.md')).toString(), '# Leave\n\n28 days.');
      assert.deepEqual(skipped, [
        { path: 'dangling.md', reason: 'it is a symbolic link to nothing (its target is missing)' },
        { path: 'hr/secret.md', reason: 'it is a symbolic link to a place outside the export, which is never followed' },
        { path: 'hr/up', reason: 'it is a symbolic link to a folder that is read already (a loop, or a second way to it)' },
        { path: 'passwd.txt', reason: 'it is a symbolic link to a place outside the export, which is never followed' },
        { path: 'people/secret.md', reason: 'it is a symbolic link to a place outside the export, which is never followed' },
        { path: 'people/up', reason: 'it is a symbolic link to a folder that is read already (a loop, or a second way to it)' },
        { path: 'zero.txt', reason: 'it is a symbolic link to a place outside the export, which is never followed' },
      ]);
    });

    it('never opens a named pipe, a socket or a device, whether there or linked to', async () => {
      execFileSync('mkfifo', [path.join(docs, 'pipe.md')]);
      execFileSync('mkfifo', [path.join(base, 'outside/pipe.md')]);
      fs.symlinkSync(path.join(base, 'outside/pipe.md'), path.join(docs, 'linked-pipe.md'));
      fs.symlinkSync('pipe.md', path.join(docs, 'inside-pipe.md'));
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(path.join(docs, 'socket.md'), resolve));
      try {
        const never = await listed();
        assert.deepEqual(never.files, ['hr/leave.md']);
        assert.deepEqual(never.skipped.filter((s) => !s.reason.startsWith('it is a symbolic link')), [
          { path: 'pipe.md', reason: 'it is a named pipe (FIFO), not a regular file' },
          { path: 'socket.md', reason: 'it is a socket, not a regular file' },
        ]);
        const inside = await listed({ followSymlinks: 'inside' });
        assert.deepEqual(inside.files, ['hr/leave.md']);
        assert.deepEqual(
          inside.skipped.map((s) => `${s.path}: ${s.reason}`),
          [
            'inside-pipe.md: it is a symbolic link to a named pipe (FIFO), not a regular file',
            'linked-pipe.md: it is a symbolic link to a place outside the export, which is never followed',
            'pipe.md: it is a named pipe (FIFO), not a regular file',
            'socket.md: it is a socket, not a regular file',
          ],
        );
      } finally {
        server.close();
      }
    });

    it('stops reading at the byte limit, whatever size the file was listed with', async () => {
      const tree = await openExportTree(docs, { maxFileBytes: 1024 });
      const leave = tree.files.find((f) => f.path === 'hr/leave.md')!;
      assert.equal(leave.size, 17);
      fs.appendFileSync(path.join(docs, 'hr/leave.md'), 'x'.repeat(5000)); // grows after it was listed
      await assert.rejects(leave.read(), (error: unknown) => error instanceof DocumentTooLargeError && /over the 0\.0 MB limit \(MAX_FILE_MB\); reading stopped there/.test(error.message));
      assert.equal((await leave.read(10_000)).length, 5017);
    });

    it('refuses to read a file swapped for a link or another file after it was listed', async () => {
      fs.writeFileSync(path.join(docs, 'hr/vpn.md'), '# VPN');
      const tree = await openExportTree(docs);
      fs.rmSync(path.join(docs, 'hr/leave.md'));
      fs.symlinkSync('/etc/passwd', path.join(docs, 'hr/leave.md'));
      await assert.rejects(tree.files.find((f) => f.path === 'hr/leave.md')!.read(), /it became a symbolic link while the export was read/);
      fs.writeFileSync(path.join(docs, 'hr/vpn.md.new'), '# Other');
      fs.renameSync(path.join(docs, 'hr/vpn.md.new'), path.join(docs, 'hr/vpn.md'));
      await assert.rejects(tree.files.find((f) => f.path === 'hr/vpn.md')!.read(), /it was replaced while the export was read/);
    });
  });

  it('skips links and special files stored in a zip, and keeps the first of two entries with one name', async () => {
    const zip = await zipEntries([
      { name: 'a.md', content: '# First\n\nThe first a.md.' },
      { name: 'passwd.txt', content: '/etc/passwd', mode: 0o120777 },
      { name: 'pipe.md', content: '', mode: 0o010644 },
      { name: 'a.md', content: '# Second\n\nThe second a.md.' },
      { name: './a.md', content: '# Third' },
    ]);
    const tree = await openExportTree(writeZip(zip));
    assert.deepEqual(tree.files.map((f) => f.path), ['a.md']);
    assert.equal((await tree.files[0]!.read()).toString(), '# First\n\nThe first a.md.');
    assert.deepEqual(tree.skipped, [
      { path: 'passwd.txt', reason: 'it is a symbolic link stored in the zip, which is not followed' },
      { path: 'pipe.md', reason: 'it is a named pipe (FIFO) stored in the zip, not a regular file' },
    ]);
    assert.deepEqual(tree.problems, [
      { path: 'a.md', reason: 'entry 4 of the zip has the same name as entry 1; the first one (entry 1) is indexed, this one is left out' },
      { path: './a.md', reason: 'entry 5 of the zip has the same name as entry 1; the first one (entry 1) is indexed, this one is left out' },
    ]);
    await tree.close();
  });
});
