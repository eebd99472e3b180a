import assert from 'node:assert/strict';
import { ModelUnavailableError } from '../../src/errors.js';
import { createChatModel } from '../../src/llm/chat-model.js';
import { FakeOpenAI } from '../fakes/openai-server.js';

const messages = [{ role: 'user' as const, content: 'hello' }];

describe('chat model (real openai client against a local OpenAI-compatible server)', () => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await new FakeOpenAI().start();
    fake.chatReply = () => 'Hi there [1].';
  });
  afterEach(() => fake.stop());
  const openai = (timeoutMs = 2000) => createChatModel({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'llama3' }, timeoutMs);

  it('sends the model name and returns the text with its token usage', async () => {
    const completion = await openai().complete(messages);
    assert.equal(completion.text, 'Hi there [1].');
    assert.ok(completion.usage.inputTokens > 0);
    assert.equal(fake.chatRequests()[0]!.body.model, 'llama3');
    assert.deepEqual(fake.chatRequests()[0]!.body.messages, messages);
  });

  it('retries once after a 429 whose Retry-After is short', async () => {
    fake.faults.push({ kind: 'status', status: 429, retryAfterSeconds: 0 });
    assert.equal((await openai().complete(messages)).text, 'Hi there [1].');
    assert.equal(fake.chatRequests().length, 2);
  });

  it('does not wait out a long Retry-After, and gives up after a second failure', async () => {
    fake.faults.push({ kind: 'status', status: 429, retryAfterSeconds: 30 });
    await assert.rejects(openai().complete(messages), ModelUnavailableError);
    assert.equal(fake.chatRequests().length, 1);
    fake.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    await assert.rejects(openai().complete(messages), /failed twice/);
  });

  it('fails on a slow model within its timeout, and on a malformed body', async () => {
    fake.faults.push({ kind: 'delay', ms: 1500 }, { kind: 'delay', ms: 1500 });
    const started = Date.now();
    await assert.rejects(openai(300).complete(messages), ModelUnavailableError);
    assert.ok(Date.now() - started < 1400, 'gave up at the timeout, not when the server answered');
    fake.faults.push({ kind: 'malformed' });
    await assert.rejects(openai().complete(messages), ModelUnavailableError);
  });

  it('talks to Azure OpenAI on the deployment path with the API version and key', async () => {
    const azure = createChatModel({ provider: 'azure', endpoint: fake.url, credential: { apiKey: 'azure-key' }, apiVersion: '2024-10-21', deployment: 'answers-gpt4o' }, 2000);
    assert.equal((await azure.complete(messages)).text, 'Hi there [1].');
    const request = fake.chatRequests()[0]!;
    assert.equal(request.path, '/openai/deployments/answers-gpt4o/chat/completions');
    assert.equal(request.query.get('api-version'), '2024-10-21');
    assert.equal(request.headers['api-key'], 'azure-key');
  });

  it('streams the answer piece by piece, and gives up when no first piece comes in time', async () => {
    const pieces: string[] = [];
    const completion = await openai().stream(messages, (piece) => pieces.push(piece));
    assert.equal(pieces.join(''), 'Hi there [1].');
    assert.equal(completion.text, 'Hi there [1].');
    const slow = createChatModel({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'llama3' }, 5000, 200);
    fake.faults.push({ kind: 'delay', ms: 1000 }, { kind: 'delay', ms: 1000 });
    const started = Date.now();
    await assert.rejects(slow.stream(messages, () => {}), /failed twice/);
    assert.ok(Date.now() - started < 900, 'two first-token timeouts of 200 ms, not the server\'s delay');
  });

  describe('Azure OpenAI with a managed identity (Entra ID)', () => {
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    // One identity endpoint for the whole process, as on a real host (the identity library keeps the first it finds).
    let identity: FakeOpenAI;
    before(async () => {
      identity = await new FakeOpenAI().start();
      // What Azure App Service gives a process with a managed identity; the identity library reads them.
      process.env.IDENTITY_ENDPOINT = `${identity.url}/msi/token`;
      process.env.IDENTITY_HEADER = 'identity-header-secret';
    });
    after(async () => {
      await identity.stop();
      for (const [name, value] of [['IDENTITY_ENDPOINT', saved.endpoint], ['IDENTITY_HEADER', saved.header]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('signs in with the identity\'s token instead of a key, fetched once for several calls', async () => {
      const model = createChatModel({ provider: 'azure', endpoint: fake.url, credential: { managedIdentityClientId: null }, apiVersion: '2024-10-21', deployment: 'answers' }, 5000);
      await model.complete(messages);
      await model.complete(messages);
      const [first, second] = fake.chatRequests();
      assert.equal(first!.headers.authorization, 'Bearer entra-token-for-system');
      assert.equal(first!.headers['api-key'], undefined);
      assert.equal(second!.headers.authorization, 'Bearer entra-token-for-system');
      const tokenRequests = identity.requests.filter((r) => r.path === '/msi/token' && !r.query.has('client_id'));
      assert.equal(tokenRequests.length, 1, 'the token is reused until it nears expiry');
      assert.equal(tokenRequests[0]!.query.get('resource'), 'https://cognitiveservices.azure.com');
    });

    it('uses a user-assigned identity by its client id', async () => {
      const model = createChatModel({ provider: 'azure', endpoint: fake.url, credential: { managedIdentityClientId: '1111-2222' }, apiVersion: '2024-10-21', deployment: 'answers' }, 5000);
      await model.complete(messages);
      assert.equal(fake.chatRequests()[0]!.headers.authorization, 'Bearer entra-token-for-1111-2222');
    });
  });
});
