// The web chat identifies nobody: under access rules it answers from documents everyone may read,
// and shows no other document at /documents/:id.
import assert from 'node:assert/strict';
import { documentId } from '../../../src/ingest/run-sync.js';
import { startService, type Service } from '../../../src/main.js';
import { accessSetup, question, secret } from '../../access/access-fixtures.js';
import { testConfig } from '../../helpers.js';

describe('the web chat under access rules', function () {
  this.timeout(60_000);
  let service: Service;
  before(async () => {
    service = await startService(testConfig({ ...accessSetup().env, WEBCHAT_ENABLED: 'true' }));
  });
  after(async () => service?.stop());

  it('answers from what everyone may read, streamed or not', async () => {
    const json = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: question }) });
    const body = await json.text();
    assert.equal(json.status, 200);
    assert.ok(!body.includes(secret));
    assert.match(body, /Salary reviews/);
    const streamed = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ text: question }) });
    const events = await streamed.text();
    assert.match(events, /Salary reviews/);
    assert.ok(!events.includes(secret));
  });

  it('a history the page sends cannot open restricted documents either', async () => {
    const response = await fetch(`${service.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'and for level 3?', history: [{ role: 'user', text: question }, { role: 'assistant', text: 'Salary bands are in the HR pages.' }] }),
    });
    assert.ok(!(await response.text()).includes(secret));
  });

  it('shows a document everyone may read, and answers 404 for one they may not, as for one that does not exist', async () => {
    const open = await fetch(`${service.url}/documents/${documentId('docs', 'handbook/salary-reviews.md')}`);
    assert.equal(open.status, 200);
    assert.match(await open.text(), /Salary reviews happen every April/);
    const restricted = await fetch(`${service.url}/documents/${documentId('docs', 'hr/salary-bands.md')}`);
    assert.equal(restricted.status, 404);
    assert.ok(!(await restricted.text()).includes(secret));
  });

  it('status counts the sources nobody here may read without naming them', async () => {
    const response = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'status' }) });
    const body = (await response.json()) as { answer: string };
    assert.match(body.answer, /docs \(folder\): 2 documents/, 'the two documents everyone may read');
    assert.match(body.answer, /it \(folder\): 1 documents/);
    assert.match(body.answer, /1 more source \(1 document\) cannot be read here\./);
    assert.doesNotMatch(body.answer, /legal/, 'the source nobody here may read is not named');
    assert.doesNotMatch(body.answer, /Access rules in force/);
  });
});
