// PostgreSQL going away under a running service (DATABASE_URL through a TCP proxy the test can
// cut): questions get the clear "search is unavailable" reply, /readyz is 503 naming the server,
// a sync does not start, and all of it recovers when the database is back, without a restart.
import assert from 'node:assert/strict';
import net from 'node:net';
import { startService, type Service } from '../../src/main.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';
import { testConfig } from '../helpers.js';
import { createTestSchema, skipWithoutPostgres, testDatabaseUrl, type TestSchema } from './postgres-test-schema.js';

/** A TCP proxy to the test database that can be cut (every connection dropped, the port closed) and restored on the same port. */
async function startCuttableProxy(target: URL): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const cut = async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return { port, cut, restore: () => listen(port), close: () => (server.listening ? cut() : Promise.resolve()) };
}

describe('the service when PostgreSQL goes away', function () {
  this.timeout(120_000);
  let schema: TestSchema;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  let service: Service;
  const token = 'an-admin-token-for-the-outage-test';
  before(skipWithoutPostgres);
  // Registered ahead of the fake's hooks so that the service stops before the fake does (mocha runs `after` hooks in registration order).
  after(async () => {
    await service?.stop();
    await proxy?.close();
    await schema?.drop();
  });
  const fake = useQdrantFake();
  before(async () => {
    schema = await createTestSchema();
    proxy = await startCuttableProxy(new URL(testDatabaseUrl));
    const url = new URL(testDatabaseUrl);
    url.host = `127.0.0.1:${proxy.port}`;
    url.searchParams.set('options', `-c search_path=${schema.name}`);
    service = await startService(testConfig({ DATABASE_URL: url.href, QDRANT_URL: fake().url, QDRANT_COLLECTION: 'pg-outage', ADMIN_API_TOKEN: token }));
  });

  const ask = async (text: string) => {
    const response = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const startSync = () => fetch(`${service.url}/admin/sync`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });

  it('answers clearly that search is unavailable, is not ready and starts no sync while the database is down; all of it recovers once it is back', async () => {
    assert.equal((await ask('How many days of annual leave do I get?')).body.confidence, 'answer');

    await proxy.cut();
    const down = await ask('How many days of annual leave do I get?');
    assert.equal(down.status, 503);
    assert.equal(down.body.error.message, 'Search is unavailable right now: the document index cannot be reached. Please try again in a few minutes.');
    const notReady = await fetch(`${service.url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.match(((await notReady.json()) as { reason: string }).reason, new RegExp(`127\\.0\\.0\\.1:${proxy.port}/`));
    const refused = await startSync();
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'index_unavailable');

    await proxy.restore();
    assert.equal((await fetch(`${service.url}/readyz`)).status, 200);
    assert.equal((await ask('How many days of annual leave do I get?')).body.confidence, 'answer');
    assert.equal((await startSync()).status, 202);
  });
});
