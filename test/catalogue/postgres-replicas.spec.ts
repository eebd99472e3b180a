import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { AccessPolicy } from '../../src/access/access-policy.js';
import type { SourceSpec } from '../../src/config.js';
import { PostgresCatalogue } from '../../src/catalogue/postgres-catalogue.js';
import { PostgresDatabase } from '../../src/catalogue/postgres-database.js';
import { postgresSchemaVersion } from '../../src/catalogue/postgres-migrations.js';
import { IndexUnavailableError, SyncAlreadyRunningError } from '../../src/errors.js';
import type { LockHolder } from '../../src/index/catalogue.js';
import { openSqliteStore } from '../../src/index/sqlite-store.js';
import type { DocumentSource } from '../../src/ingest/sources/document-source.js';
import { FolderSource } from '../../src/ingest/sources/folder-source.js';
import { SyncJob } from '../../src/ingest/sync-job.js';
import { until } from '../fakes/until.js';
import { folderWith, silentLogger } from '../helpers.js';
import { createTestSchema, manualClock, skipWithoutPostgres, testDatabaseUrl, type TestSchema } from './postgres-test-schema.js';

const replicaA: LockHolder = { pid: 1, host: 'groundwork-a' };
const replicaB: LockHolder = { pid: 1, host: 'groundwork-b' };
const leaseMs = 120_000;

describe('PostgreSQL catalogue shared by replicas', () => {
  before(skipWithoutPostgres);
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(() => schema.drop());

  describe('the sync lock', () => {
    // As the sync job judges a holder on another host: by the age of its heartbeat.
    const heartbeatYoungerThanLease = (clock: { now: () => Date }) => (holder: { heartbeatAt: Date }) => clock.now().getTime() - holder.heartbeatAt.getTime() < leaseMs;

    it('taken by one replica, is refused to another with the running run', async () => {
      const clock = manualClock();
      const [a, b] = [new PostgresCatalogue(schema.open(), clock.now), new PostgresCatalogue(schema.open(), clock.now)];
      assert.equal(await a.beginRun({ id: 'nightly', requestedBy: 'schedule', sources: ['docs'] }, replicaA, heartbeatYoungerThanLease(clock)), null);
      const running = await b.beginRun({ id: 'mine', requestedBy: 'slack:U1', sources: ['docs'] }, replicaB, heartbeatYoungerThanLease(clock));
      assert.deepEqual(
        { id: running?.id, requestedBy: running?.requestedBy, status: running?.status },
        { id: 'nightly', requestedBy: 'schedule', status: 'running' },
      );
    });

    it('asked for by many replicas at once, goes to exactly one; the others get its run', async () => {
      const clock = manualClock();
      const replicas = Array.from({ length: 6 }, () => new PostgresCatalogue(schema.open(), clock.now));
      const answers = await Promise.all(
        replicas.map((catalogue, n) => catalogue.beginRun({ id: `run-${n}`, requestedBy: `replica-${n}`, sources: ['docs'] }, { pid: 1, host: `r${n}` }, heartbeatYoungerThanLease(clock))),
      );
      const winners = answers.flatMap((answer, n) => (answer === null ? [`run-${n}`] : []));
      assert.equal(winners.length, 1);
      for (const answer of answers) if (answer) assert.equal(answer.id, winners[0]);
      assert.equal((await replicas[0]!.recentRuns(10)).length, 1);
    });

    it('kept by heartbeats; lost to another replica once its holder stops heartbeating for the lease, its run marked failed', async () => {
      const clock = manualClock();
      const [a, b] = [new PostgresCatalogue(schema.open(), clock.now), new PostgresCatalogue(schema.open(), clock.now)];
      await a.beginRun({ id: 'nightly', requestedBy: 'schedule', sources: ['docs'] }, replicaA, heartbeatYoungerThanLease(clock));
      for (let beat = 0; beat < 5; beat++) {
        clock.advance(leaseMs - 1000);
        await a.heartbeat('nightly');
        assert.equal((await b.beginRun({ id: `try-${beat}`, requestedBy: 'cli', sources: ['docs'] }, replicaB, heartbeatYoungerThanLease(clock)))?.id, 'nightly');
      }
      clock.advance(leaseMs); // replica A is gone: no heartbeat for the whole lease
      assert.equal(await b.beginRun({ id: 'takeover', requestedBy: 'cli', sources: ['docs'] }, replicaB, heartbeatYoungerThanLease(clock)), null);
      assert.equal((await b.getRun('nightly'))!.status, 'failed');
      assert.equal((await a.getRun('takeover'))!.status, 'running');
    });

    it('survives its holder\'s connections being killed: the pool reconnects and the lease, kept in a row, still holds', async () => {
      const clock = manualClock();
      const dropped = new EventEmitter();
      const holderDb = schema.open({ applicationName: `${schema.name}_holder`, onIdleError: () => dropped.emit('error-reported') });
      let reported = 0;
      dropped.on('error-reported', () => reported++);
      const [a, b] = [new PostgresCatalogue(holderDb, clock.now), new PostgresCatalogue(schema.open(), clock.now)];
      await a.beginRun({ id: 'nightly', requestedBy: 'schedule', sources: ['docs'] }, replicaA, heartbeatYoungerThanLease(clock));
      const { rows } = await schema.admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`${schema.name}_holder`]);
      assert.ok(rows.length > 0, 'connections killed');
      // The pool drops each killed idle connection (without ending the process); the next heartbeat gets a new one.
      await until(dropped, 'error-reported', () => reported === rows.length, () => `${reported} of ${rows.length} dropped connections reported`);
      clock.advance(60_000);
      await a.heartbeat('nightly');
      assert.equal((await b.beginRun({ id: 'mine', requestedBy: 'cli', sources: ['docs'] }, replicaB, heartbeatYoungerThanLease(clock)))?.id, 'nightly');
      clock.advance(leaseMs - 1000); // 119 s after that heartbeat, 179 s after the start: alive thanks to it
      assert.equal((await b.beginRun({ id: 'mine', requestedBy: 'cli', sources: ['docs'] }, replicaB, heartbeatYoungerThanLease(clock)))?.id, 'nightly');
    });

    it('refuses a second sync job on another replica with SyncAlreadyRunningError naming the running one', async () => {
      const spec: SourceSpec = { name: 'docs', kind: 'folder', location: folderWith({ 'a.md': '# Leave\n\nAnnual leave is 28 days.' }) };
      // The first sync's export is slow to list (a large export on a network share) until released:
      // the second request certainly comes while the first runs.
      let release!: () => void;
      const exportListed = new Promise<void>((resolve) => (release = resolve));
      const slowly = (source: FolderSource): DocumentSource => ({ spec: source.spec, list: async () => (await exportListed, source.list()), close: () => source.close() });
      const job = (catalogue: PostgresCatalogue, slow = false) => {
        const store = openSqliteStore(':memory:');
        return new SyncJob({
          index: store.index,
          catalogue,
          logger: silentLogger,
          access: AccessPolicy.open(),
          createSource: (s) => (slow ? slowly(new FolderSource(s)) : new FolderSource(s)),
          options: { chunking: { maxTokens: 200, overlapTokens: 20 }, maxFileBytes: 1024 * 1024 },
        });
      };
      const [a, b] = [new PostgresCatalogue(schema.open()), new PostgresCatalogue(schema.open())];
      const first = await job(a, true).start({ sources: [spec], requestedBy: 'slack:U123' });
      await assert.rejects(
        job(b).start({ sources: [spec], requestedBy: 'cli:bob' }),
        (error: unknown) => error instanceof SyncAlreadyRunningError && /already running: started by slack:U123 at \d{4}-.* for docs/.test(error.message),
      );
      release();
      assert.equal((await first.done).status, 'succeeded');
      assert.equal((await job(b).run({ sources: [spec], requestedBy: 'cli:bob' })).status, 'succeeded');
    });
  });

  describe('migrations', () => {
    it('bring an empty schema to the latest version; run again, they change nothing', async () => {
      const db = schema.open();
      assert.deepEqual(await db.ready(), { from: 0, to: postgresSchemaVersion });
      await new PostgresCatalogue(db).commitVersion({ id: 'leave', source: 'docs', path: 'leave.md', contentHash: 'h' }, 1, false);
      const again = schema.open();
      assert.deepEqual(await again.ready(), { from: postgresSchemaVersion, to: postgresSchemaVersion });
      const { rows } = await schema.admin.query(`SELECT version FROM ${schema.name}.schema_migrations ORDER BY version`);
      assert.deepEqual(rows.map((row) => row.version), Array.from({ length: postgresSchemaVersion }, (_, n) => n + 1));
      assert.equal((await new PostgresCatalogue(again).documentsOf('docs')).get('leave')?.version, 1);
    });

    it('of replicas starting together, are applied once', async () => {
      const results = await Promise.all(Array.from({ length: 4 }, () => schema.open().ready()));
      assert.equal(results.filter((result) => result.from === 0).length, 1);
      assert.ok(results.every((result) => result.to === postgresSchemaVersion));
    });

    it('refuse a schema newer than this code, naming both versions, and touch nothing', async () => {
      await schema.open().ready();
      await schema.admin.query(`INSERT INTO ${schema.name}.schema_migrations (version) VALUES ($1)`, [postgresSchemaVersion + 5]);
      const catalogue = new PostgresCatalogue(schema.open());
      await assert.rejects(
        catalogue.sourceStatuses(),
        (error: unknown) =>
          error instanceof IndexUnavailableError &&
          error.message.includes(`schema version ${postgresSchemaVersion + 5}, newer than this version of Groundwork understands (${postgresSchemaVersion})`),
      );
    });
  });

  describe('an unreachable database', () => {
    it('gives an IndexUnavailableError naming host, port and database, never the password', async () => {
      const port = await closedPort();
      const db = new PostgresDatabase({ url: `postgres://groundwork:s3cret-pw@127.0.0.1:${port}/catalogue`, poolMax: 2 });
      try {
        await assert.rejects(new PostgresCatalogue(db).recentRuns(5), (error: unknown) => {
          assert.ok(error instanceof IndexUnavailableError, String(error));
          assert.match(error.message, new RegExp(`PostgreSQL database at 127\\.0\\.0\\.1:${port}/catalogue \\(DATABASE_URL\\) cannot be used: .*ECONNREFUSED`));
          assert.doesNotMatch(error.message, /s3cret|groundwork:/);
          return true;
        });
      } finally {
        await db.close();
      }
    });

    it('names the database that does not exist', async () => {
      const db = new PostgresDatabase({ url: testDatabaseUrl.replace(/\/[^/]*$/, '/no_such_groundwork_db'), poolMax: 1 });
      try {
        await assert.rejects(db.ready(), (error: unknown) => error instanceof IndexUnavailableError && /\/no_such_groundwork_db .*does not exist/.test(error.message));
      } finally {
        await db.close();
      }
    });
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
