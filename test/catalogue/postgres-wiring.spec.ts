import assert from 'node:assert/strict';
import net from 'node:net';
import { AppContext } from '../../src/app-context.js';
import { postgresSchemaVersion } from '../../src/catalogue/postgres-migrations.js';
import { IndexUnavailableError } from '../../src/errors.js';
import { createServer, startServer } from '../../src/server.js';
import { Metrics } from '../../src/metrics.js';
import { startQdrantFake } from '../fakes/qdrant-server.js';
import { groundwork, silentLogger, tempDir, testConfig } from '../helpers.js';
import { createTestSchema, skipWithoutPostgres, testDatabaseUrl, type TestSchema } from './postgres-test-schema.js';

describe('DATABASE_URL wiring', function () {
  before(skipWithoutPostgres);
  this.timeout(60_000);
  let schema: TestSchema;
  let url: string;
  beforeEach(async () => {
    schema = await createTestSchema();
    // The URL's own startup options put the tables in the test's schema.
    url = `${testDatabaseUrl}?options=${encodeURIComponent(`-c search_path=${schema.name}`)}`;
  });
  afterEach(() => schema.drop());

  it('groundwork migrate creates the tables and prints the version; run again, it changes nothing', async () => {
    const env = { DATABASE_URL: url, QDRANT_URL: 'http://127.0.0.1:6333', GROUNDWORK_DATA_DIR: tempDir() };
    const first = await groundwork(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^PostgreSQL [^ /]+:\\d+/\\w+: schema version ${postgresSchemaVersion} \\(migrated from 0\\)\\n$`));
    const again = await groundwork(['migrate'], env);
    assert.match(again.stdout, new RegExp(`schema version ${postgresSchemaVersion} \\(already up to date\\)`));
    const { rows } = await schema.admin.query(`SELECT count(*)::integer AS n FROM ${schema.name}.schema_migrations`);
    assert.equal(rows[0].n, postgresSchemaVersion);
  });

  it('groundwork migrate without DATABASE_URL migrates groundwork.db and prints its version', async () => {
    const dataDir = tempDir();
    const result = await groundwork(['migrate'], { GROUNDWORK_DATA_DIR: dataDir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /groundwork\.db: schema version \d+\n$/);
  });

  it('gives two replicas one catalogue, one set of claimed deliveries and one memory', async () => {
    // Ready means the access rules are applied to the passage index too: it must answer.
    const qdrant = await startQdrantFake();
    const config = testConfig({ DATABASE_URL: url, QDRANT_URL: qdrant.url });
    const [a, b] = [AppContext.fromConfig(config, { logger: silentLogger }), AppContext.fromConfig(config, { logger: silentLogger })];
    try {
      await Promise.all([a.ready(), b.ready()]);
      assert.equal(await a.seen.claim('slack:Ev1'), true);
      assert.equal(await b.seen.claim('slack:Ev1'), false);
      await a.catalogue.recordAnswer({ messageId: 'm1', platform: 'slack', conversationId: 'slack:C1', question: 'q', answer: 'a', citedDocumentIds: [] });
      assert.equal(await b.catalogue.recordFeedback({ messageId: 'm1', conversationId: 'slack:C1', userId: 'U1', reaction: 'like', comment: null }), true);
      await a.catalogue.beginRun({ id: 'nightly', requestedBy: 'schedule', sources: ['samples'] }, { pid: 1, host: 'replica-a' }, () => true);
      assert.equal((await b.catalogue.getRun('nightly'))?.status, 'running');
    } finally {
      a.close();
      b.close();
      await qdrant.stop();
    }
  });

  it('reports not ready on /readyz, naming the database server, while it cannot be reached', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const config = testConfig({ DATABASE_URL: `postgres://groundwork:s3cret@127.0.0.1:${port}/groundwork`, QDRANT_URL: 'http://127.0.0.1:6333' });
    const context = AppContext.fromConfig(config, { logger: silentLogger, metrics: new Metrics() });
    const running = await startServer(createServer({ logger: silentLogger, metrics: context.metrics, index: context.index, ready: context.ready, webchat: null, admin: null }), 0, '127.0.0.1');
    try {
      await assert.rejects(context.ready(), IndexUnavailableError);
      const response = await fetch(`${running.url}/readyz`);
      assert.equal(response.status, 503);
      const body = (await response.json()) as { reason: string };
      assert.match(body.reason, new RegExp(`PostgreSQL database at 127\\.0\\.0\\.1:${port}/groundwork`));
      assert.doesNotMatch(body.reason, /s3cret/);
    } finally {
      await running.stop();
      await context.close();
    }
  });
});
