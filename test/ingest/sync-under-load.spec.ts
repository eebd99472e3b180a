// The server as the Docker image runs it (node --max-old-space-size=384 dist/cli.js serve, here
// under tsx), fed the hostile files that used to kill or freeze it: it starts on an empty index
// holding a zip bomb, answers /healthz within a second while nested documents and the bomb sync
// through POST /admin/sync, and stops on SIGTERM in the middle of a sync past a named pipe.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { groundwork, repoRoot, tempDir, tsxLoader } from '../helpers.js';
import { inflatingDocx } from '../office-fixtures.js';

const token = 'an-admin-token-for-the-load-test';
const leave = '# Annual leave\n\nEmployees get 28 days of annual leave.';

/** Enough ordinary documents that a sync of them takes a while on any machine. */
function writeHandbook(folder: string, pages: number, version: number): void {
  for (let i = 0; i < pages; i++) {
    const body = Array.from({ length: 8 }, (_, p) => `Rule ${i}.${p} of the handbook, version ${version}: requests of kind ${i} go to team ${p} within ${p + 2} days.`);
    fs.writeFileSync(path.join(folder, `page-${String(i).padStart(4, '0')}.md`), `# Handbook page ${i}\n\n${body.join('\n\n')}`);
  }
}

function writeNested(folder: string): void {
  fs.writeFileSync(path.join(folder, 'nested.html'), `${'<div>'.repeat(100_000)}The nested page covers the parking permit.${'</div>'.repeat(100_000)}`);
  fs.writeFileSync(path.join(folder, 'nested.md'), Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}- step ${i}`).join('\n'));
}

describe('the server while hostile documents sync', function () {
  this.timeout(300_000);
  let docs: string;
  let child: ChildProcessWithoutNullStreams;
  let output = '';
  let url: string;

  before(async () => {
    docs = tempDir('groundwork-load-docs-');
    fs.mkdirSync(path.join(docs, 'hr'));
    fs.writeFileSync(path.join(docs, 'hr/leave.md'), leave);
    fs.writeFileSync(path.join(docs, 'bomb.docx'), await inflatingDocx(280));
    writeHandbook(docs, 50, 0);
    child = spawn(process.execPath, ['--max-old-space-size=384', '--import', tsxLoader, path.join(repoRoot, 'src/cli.ts'), 'serve'], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH, GROUNDWORK_DATA_DIR: tempDir('groundwork-load-data-'), GROUNDWORK_SOURCES: `docs=folder:${docs}`, ADMIN_API_TOKEN: token, PORT: '0', HOST: '127.0.0.1' },
    });
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    // A first start on an empty index syncs first, the bomb included, then listens.
    url = await new Promise<string>((resolve, reject) => {
      const failed = () => reject(new Error(`the server exited while starting:\n${output.slice(-3000)}`));
      child.once('exit', failed);
      child.stdout.on('data', () => {
        const match = /web chat at (http:\/\/[^/"]+)\//.exec(output);
        if (match) {
          child.off('exit', failed);
          resolve(match[1]!);
        }
      });
    });
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const admin = (pathname: string, init: RequestInit = {}) => fetch(`${url}${pathname}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  const runOf = async (runId: string) => (await (await admin(`/admin/sync/${runId}`)).json()) as { status: string; reports: Array<{ failed: Array<{ path: string; reason: string }>; skipped: Array<{ path: string }> }> };
  const ask = async (text: string) => (await (await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) })).json()) as { answer: string; citations: Array<{ path: string }> };

  it('starts on an empty index holding a Word zip bomb, and answers from the other documents', async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.match((await ask('How many days of annual leave?')).answer, /28 days of annual leave/);
  });

  it('answers /healthz within 1 s throughout a sync of 100,000-deep HTML, a 2,000-deep Markdown list and the bomb', async () => {
    writeNested(docs);
    writeHandbook(docs, 600, 1);
    const started = await admin('/admin/sync', { method: 'POST', body: '{}' });
    assert.equal(started.status, 202);
    const { runId } = (await started.json()) as { runId: string };
    const whileRunning: number[] = [];
    for (;;) {
      const asked = performance.now();
      const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      const took = performance.now() - asked;
      assert.equal(health.status, 200);
      const run = await runOf(runId);
      if (run.status !== 'running') {
        assert.equal(run.status, 'succeeded');
        assert.match(run.reports[0]!.failed.find((f) => f.path === 'bomb.docx')?.reason ?? '', /compression ratio of \d+:1; refused as a possible zip bomb/);
        break;
      }
      whileRunning.push(took);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(whileRunning.length > 0, 'the sync was seen running');
    assert.ok(Math.max(...whileRunning) < 1000, `/healthz took up to ${Math.round(Math.max(...whileRunning))} ms while the sync ran (${whileRunning.length} probes)`);
    assert.deepEqual((await ask('nested page parking permit')).citations[0]?.path, 'nested.html');
    assert.match((await ask('How many days of annual leave?')).answer, /28 days of annual leave/);
  });

  it('stops on SIGTERM while a sync past a named pipe and a link to it runs', async () => {
    execFileSync('mkfifo', [path.join(docs, 'pipe.md')]);
    fs.symlinkSync(path.join(docs, 'pipe.md'), path.join(docs, 'linked-pipe.md'));
    writeHandbook(docs, 600, 2);
    const started = await admin('/admin/sync', { method: 'POST', body: '{}' });
    assert.equal(started.status, 202);
    const { runId } = (await started.json()) as { runId: string };
    assert.equal((await runOf(runId)).status, 'running');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, output.slice(-2000));
    assert.match(output, /"msg":"stopped"/);
  });
});

describe('groundwork sync with hostile documents', function () {
  this.timeout(300_000);

  it('under a 384 MB heap, fails the Word zip bomb with its reason instead of dying, and warns of an emptied file', async () => {
    const docs = tempDir('groundwork-cli-docs-');
    fs.writeFileSync(path.join(docs, 'leave.md'), leave);
    fs.writeFileSync(path.join(docs, 'vpn.md'), '# VPN\n\nInstall WireGuard.');
    fs.writeFileSync(path.join(docs, 'notes.md'), '# Notes\n\nThe cafeteria opens at 8.');
    fs.writeFileSync(path.join(docs, 'bomb.docx'), await inflatingDocx(280));
    const env = { GROUNDWORK_DATA_DIR: tempDir('groundwork-cli-data-'), NODE_OPTIONS: '--max-old-space-size=384' };
    const first = await groundwork(['sync', '--source', `docs=folder:${docs}`], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /docs: 3 added, .* 1 failed \(/);
    assert.match(first.stdout, /\n {2}bomb\.docx: its part word\/document\.xml has a compression ratio of \d+:1; refused as a possible zip bomb\n/);
    fs.truncateSync(path.join(docs, 'leave.md'), 0);
    const second = await groundwork(['sync', '--source', `docs=folder:${docs}`], env);
    assert.match(second.stdout, /docs: 0 added, 0 updated, 2 unchanged, 0 deleted, 0 skipped, 1 failed, 1 warning \(/);
    assert.match(second.stdout, /\n {2}warning: leave\.md: it now holds no text \(emptied, or still being written\?\); its indexed version is kept until the file is gone\n/);
    const answer = JSON.parse((await groundwork(['ask', '--json', 'How many days of annual leave?'], env)).stdout) as { answer: string };
    assert.match(answer.answer, /28 days of annual leave/);
  });
});
