// Qdrant down or slow while the service runs: every question gets a clear "search is unavailable"
// in its own language (never an error's text), /readyz turns 503 with the reason, and both recover
// once Qdrant is back, without a restart.
import assert from 'node:assert/strict';
import { startService, type Service } from '../../src/main.js';
import { useQdrantFake } from '../fakes/qdrant-suite.js';
import { testConfig } from '../helpers.js';

async function ask(service: Service, text: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  return { status: response.status, body: await response.json() };
}

describe('the service when Qdrant fails', function () {
  this.timeout(120_000);
  let service: Service;
  // Registered ahead of the fake's hooks so that the service stops before the fake does (mocha runs `after` hooks in registration order).
  after(async () => {
    await service?.stop();
  });
  const fake = useQdrantFake();
  before(async () => {
    service = await startService(testConfig({ QDRANT_URL: fake().url, QDRANT_COLLECTION: 'outage', QDRANT_TIMEOUT_SECONDS: '1' }));
  });

  it('says search is unavailable, in the asker\'s language, and is not ready while Qdrant is down; both recover when it is back', async () => {
    assert.equal((await ask(service, 'How many days of annual leave do I get?')).status, 200);
    await fake().stop();
    const english = await ask(service, 'How many days of annual leave do I get?');
    assert.equal(english.status, 503);
    assert.deepEqual(english.body, {
      error: { code: 'index_unavailable', message: 'Search is unavailable right now: the document index cannot be reached. Please try again in a few minutes.' },
    });
    assert.equal((await ask(service, '年假可以结转几天？')).body.error.message, '文档检索暂时不可用，请过几分钟再试。');
    const notReady = await fetch(`${service.url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.match(((await notReady.json()) as { reason: string }).reason, new RegExp(`Qdrant at ${fake().url.replace(/[.]/g, '\\.')}`));

    await fake().start();
    assert.equal((await fetch(`${service.url}/readyz`)).status, 200);
    const answered = await ask(service, 'How many days of annual leave do I get?');
    assert.equal(answered.status, 200);
    assert.equal(answered.body.confidence, 'answer');
  });

  it('gives up on a Qdrant slower than QDRANT_TIMEOUT_SECONDS with the same clear reply', async () => {
    fake().faults.push({ delayMs: 5000, path: '/points/query', times: 10 });
    const slow = await ask(service, 'How many days of annual leave do I get?');
    assert.equal(slow.status, 503);
    assert.match(slow.body.error.message, /^Search is unavailable right now/);
    fake().faults.length = 0;
  });
});
