import assert from 'node:assert/strict';
import { ModelUnavailableError } from '../../src/errors.js';
import { createChatModel } from '../../src/llm/chat-model.js';
import sinon from 'sinon';
import { FakeOpenAI } from '../fakes/openai-server.js';
import { waitFor } from '../wait-for.js';

const messages = [{ role: 'user' as const, content: 'hello' }];

/**
 * Moves the fake clock forward one millisecond at a time, letting the event loop run between steps,
 * so that a timer set in reaction to an earlier one (the pause before a retry) is set before its
 * moment comes.
 */
async function stepClock(clock: sinon.SinonFakeTimers, ms: number): Promise<void> {
  for (let step = 0; step < ms; step++) {
    await clock.tickAsync(1);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A promise's outcome so far, readable without awaiting it (and without an unhandled rejection). */
function settled<T>(promise: Promise<T>): () => { value?: T; error?: unknown } {
  const outcome: { value?: T; error?: unknown } = {};
  promise.then((value) => (outcome.value = value), (error: unknown) => (outcome.error = error ?? new Error('rejected without a reason')));
  return () => ({ ...outcome });
}

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

  it('fails on a slow model at its timeout, retrying once, and on a malformed body', async () => {
    // The server would answer after 1.5 s; the client gives up after 300 ms, waits 250 ms and tries
    // once more. The clock is fake (the server's delay runs on it too), so the machine's speed cannot
    // decide the outcome: the server has not answered when the client gives up.
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      fake.faults.push({ kind: 'delay', ms: 1500 }, { kind: 'delay', ms: 1500 });
      const outcome = settled(openai(300).complete(messages));
      await waitFor(() => fake.chatRequests().length === 1, 'the first attempt reaches the server');
      await clock.tickAsync(299);
      assert.equal(outcome().error, undefined, 'still waiting 1 ms before the timeout');
      await clock.tickAsync(1);
      await stepClock(clock, 249);
      assert.equal(fake.chatRequests().length, 1, 'no retry before the pause of 250 ms is over');
      await stepClock(clock, 1);
      await waitFor(() => fake.chatRequests().length === 2, 'the retry reaches the server 250 ms after the first timeout');
      await clock.tickAsync(299);
      assert.equal(outcome().error, undefined, 'the retry has its own 300 ms');
      await clock.tickAsync(1);
      await waitFor(() => outcome().error !== undefined, 'the client gives up after the second timeout');
      const { error } = outcome();
      assert.ok(error instanceof ModelUnavailableError, String(error));
      assert.match(error.message, /the chat model failed twice: .*timed out/i);
      assert.equal(fake.chatRequests().length, 2, 'one retry, no more');
    } finally {
      clock.restore();
    }
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

  it('streams the answer piece by piece', async () => {
    const pieces: string[] = [];
    const completion = await openai().stream(messages, (piece) => pieces.push(piece));
    assert.ok(pieces.length > 1, 'more than one piece');
    assert.equal(pieces.join(''), 'Hi there [1].');
    assert.equal(completion.text, 'Hi there [1].');
  });

  it('gives up on a stream when no first piece comes within the first-token timeout, twice, long before the request timeout', async () => {
    // Request timeout 5 s, first-token timeout 200 ms; the server would start answering after 1 s.
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const slow = createChatModel({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'llama3' }, 5000, 200);
      fake.faults.push({ kind: 'delay', ms: 1000 }, { kind: 'delay', ms: 1000 });
      const pieces: string[] = [];
      const outcome = settled(slow.stream(messages, (piece) => pieces.push(piece)));
      await waitFor(() => fake.chatRequests().length === 1, 'the first attempt reaches the server');
      await clock.tickAsync(199);
      assert.equal(outcome().error, undefined, 'still waiting 1 ms before the first-token timeout');
      await clock.tickAsync(1);
      await stepClock(clock, 1); // a 0 ms timer fires after 1 ms
      await waitFor(() => fake.chatRequests().length === 2, 'the retry, at once after the first-token timeout');
      await clock.tickAsync(199);
      assert.equal(outcome().error, undefined, 'the retry has its own 200 ms');
      await clock.tickAsync(1);
      await waitFor(() => outcome().error !== undefined, 'the client gives up after the second first-token timeout');
      const { error } = outcome();
      assert.ok(error instanceof ModelUnavailableError, String(error));
      assert.match(error.message, /the chat model failed twice/);
      assert.equal(fake.chatRequests().length, 2, 'one retry, no more');
      assert.ok(fake.chatRequests().every((r) => r.body.stream === true));
      assert.deepEqual(pieces, [], 'nothing reached the reader');
      assert.ok(Date.now() < 1000, 'given up after two first-token timeouts of 200 ms, before the server\'s delay of 1 s was over');
    } finally {
      clock.restore();
    }
  });

  it('retries a stream that starts but says nothing before the first-token timeout, then answers', async () => {
    fake.faults.push({ kind: 'silent-stream' });
    const pieces: string[] = [];
    const completion = await createChatModel({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'llama3' }, 20_000, 1000).stream(messages, (piece) => pieces.push(piece));
    assert.equal(completion.text, 'Hi there [1].');
    assert.equal(pieces.join(''), 'Hi there [1].');
    assert.equal(fake.chatRequests().length, 2);
  });

  it('gives up with the reason when neither stream says anything', async () => {
    fake.faults.push({ kind: 'silent-stream' }, { kind: 'silent-stream' });
    await assert.rejects(
      createChatModel({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'llama3' }, 20_000, 300).stream(messages, () => {}),
      (error: unknown) => error instanceof ModelUnavailableError && /failed twice: no answer within 300 ms/.test(error.message),
    );
    assert.equal(fake.chatRequests().length, 2);
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
