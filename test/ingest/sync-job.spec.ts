import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { AccessPolicy } from '../../src/access/access-policy.js';
import type { SourceSpec } from '../../src/config.js';
import { SyncAlreadyRunningError } from '../../src/errors.js';
import { openSqliteStore, type SqliteStore } from '../../src/index/sqlite-store.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { holderAlive, SyncJob, type Observer } from '../../src/ingest/sync-job.js';
import { folderWith, repoRoot, silentLogger, tempDir } from '../helpers.js';

describe('SyncJob', () => {
  let file: string;
  let store: SqliteStore;
  let job: SyncJob;
  let spec: SourceSpec;

  beforeEach(() => {
    file = path.join(tempDir(), 'index.db');
    store = openSqliteStore(file);
    spec = { name: 'docs', kind: 'folder', location: folderWith({ 'a.md': '# Leave\n\nAnnual leave is 28 days.', 'b.md': '# VPN\n\nUse WireGuard.' }) };
    job = new SyncJob({
      ...store,
      logger: silentLogger,
      access: AccessPolicy.open(),
      createSource: (s) => new FolderSource(s),
      options: { chunking: { maxTokens: 200, overlapTokens: 20 }, maxFileBytes: 1024 * 1024 },
    });
  });
  afterEach(() => store.close());

  it('records each run with who asked, its reports and its outcome', async () => {
    const run = await job.run({ sources: [spec], requestedBy: 'cli:ana' });
    assert.equal(run.status, 'succeeded');
    assert.equal(run.requestedBy, 'cli:ana');
    assert.equal(run.reports[0]!.added, 2);
    assert.ok(run.finishedAt);
    assert.deepEqual((await store.catalogue.recentRuns(5)).map((r) => r.id), [run.id]);
    assert.deepEqual(await job.getRun(run.id), run);
  });

  it('refuses a second sync while one runs, naming who started it, when, and for which source', async () => {
    const { runId, done } = await job.start({ sources: [spec], requestedBy: 'slack:U123' });
    await assert.rejects(
      job.start({ sources: [spec], requestedBy: 'cli:bob' }),
      (error: unknown) => error instanceof SyncAlreadyRunningError && /a sync is already running: started by slack:U123 at \d{4}-.* for docs/.test(error.message),
    );
    assert.equal((await done).id, runId);
    assert.equal((await job.run({ sources: [spec], requestedBy: 'cli:bob' })).status, 'succeeded');
  });

  it('holds the lock across processes, and takes it over when the holder is killed', async () => {
    // Another process takes the lock through its own connection to the same file and stays alive.
    const holderScript = `
      import { openSqliteStore } from ${JSON.stringify(path.join(repoRoot, 'src/index/sqlite-store.ts'))};
      const store = openSqliteStore(${JSON.stringify(file)});
      await store.catalogue.beginRun({ id: 'other', requestedBy: 'cli:other', sources: ['docs'] }, { pid: process.pid, host: ${JSON.stringify(os.hostname())} }, () => true);
      console.log('locked');
      setInterval(() => {}, 1000);`;
    const scriptFile = path.join(tempDir(), 'holder.mts');
    (await import('node:fs')).writeFileSync(scriptFile, holderScript);
    const holder = spawn(process.execPath, ['--import', 'tsx', scriptFile], { cwd: repoRoot });
    await once(holder.stdout, 'data');
    try {
      await assert.rejects(job.start({ sources: [spec], requestedBy: 'cli:me' }), /started by cli:other/);
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    const run = await job.run({ sources: [spec], requestedBy: 'cli:me' });
    assert.equal(run.status, 'succeeded');
    assert.equal((await store.catalogue.getRun('other'))!.status, 'failed');
  });

  it('takes over a lock left by a former process with this pid on this host (a container restarted as pid 1), failing its run', async () => {
    await store.catalogue.beginRun({ id: 'before-restart', requestedBy: 'schedule', sources: ['docs'] }, { pid: process.pid, host: os.hostname() }, () => true);
    const run = await job.run({ sources: [spec], requestedBy: 'cli:me' });
    assert.equal(run.status, 'succeeded');
    assert.equal((await store.catalogue.getRun('before-restart'))!.status, 'failed');
  });

  it('while this process runs a sync, refuses a second one from another SyncJob of this process', async () => {
    const other = new SyncJob({ ...store, logger: silentLogger, access: AccessPolicy.open(), createSource: (s) => new FolderSource(s), options: { chunking: { maxTokens: 200, overlapTokens: 20 }, maxFileBytes: 1024 * 1024 } });
    const { runId, done } = await job.start({ sources: [spec], requestedBy: 'slack:U123' });
    await assert.rejects(other.start({ sources: [spec], requestedBy: 'cli:bob' }), /a sync is already running: started by slack:U123/);
    assert.equal((await done).id, runId);
  });

  it('takes over a lock whose holder on this host still exists but has not heartbeaten for the lease', async () => {
    // The parent process is alive on this host; its lock was last proved three minutes ago.
    const clock = sinon.useFakeTimers({ now: Date.now() - 3 * 60_000, toFake: ['Date'] });
    try {
      await store.catalogue.beginRun({ id: 'hung', requestedBy: 'schedule', sources: ['docs'] }, { pid: process.ppid, host: os.hostname() }, () => true);
    } finally {
      clock.restore();
    }
    assert.equal((await job.run({ sources: [spec], requestedBy: 'cli:me' })).status, 'succeeded');
    assert.equal((await store.catalogue.getRun('hung'))!.status, 'failed');
  });

  it('marks a run failed when every source failed', async () => {
    const run = await job.run({ sources: [{ ...spec, location: path.join(tempDir(), 'missing') }], requestedBy: 'schedule' });
    assert.equal(run.status, 'failed');
    assert.match(run.reports[0]!.error ?? '', /does not exist/);
  });
});

describe('holderAlive (whether the sync lock\'s holder is alive)', () => {
  const now = new Date('2025-03-01T09:00:00Z');
  const here: Observer = { pid: 1, host: 'groundwork-7d9f-abcde', now, holdsRun: false, staleAfterMs: 120_000 };
  const beat = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000);
  const exists = (pids: number[]) => (pid: number) => pids.includes(pid);

  it('on another host: alive while its heartbeat is younger than the lease', () => {
    assert.equal(holderAlive({ pid: 1, host: 'groundwork-other', heartbeatAt: beat(119) }, here, exists([])), true);
    assert.equal(holderAlive({ pid: 1, host: 'groundwork-other', heartbeatAt: beat(120) }, here, exists([1])), false);
  });

  it('on this host: alive only while its process exists and its heartbeat is younger than the lease', () => {
    assert.equal(holderAlive({ pid: 42, host: here.host, heartbeatAt: beat(5) }, here, exists([42])), true);
    assert.equal(holderAlive({ pid: 42, host: here.host, heartbeatAt: beat(5) }, here, exists([])), false, 'killed: known at once, before the lease runs out');
    assert.equal(holderAlive({ pid: 42, host: here.host, heartbeatAt: beat(121) }, here, exists([42])), false, 'hung, or its pid taken by another process');
  });

  it('naming this very process: a former one with the same pid (restarted as pid 1) unless this process holds a run', () => {
    assert.equal(holderAlive({ pid: 1, host: here.host, heartbeatAt: beat(5) }, here, exists([1])), false);
    assert.equal(holderAlive({ pid: 1, host: here.host, heartbeatAt: beat(5) }, { ...here, holdsRun: true }, exists([1])), true);
    assert.equal(holderAlive({ pid: 1, host: here.host, heartbeatAt: beat(125) }, { ...here, holdsRun: true }, exists([1])), false);
  });
});
