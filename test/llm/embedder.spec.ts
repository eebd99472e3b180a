import assert from 'node:assert/strict';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import type { EmbeddingEndpoint, EmbeddingLimits } from '../../src/config.js';
import { EmbeddingError } from '../../src/errors.js';
import { createEmbedder } from '../../src/llm/embedder.js';
import { FakeOpenAI, hashedEmbedding } from '../fakes/openai-server.js';

const limits: EmbeddingLimits = { batchInputs: 256, batchTokens: 280_000, concurrency: 4 };
const words = (n: number, seed = 'word') => Array.from({ length: n }, (_, i) => `${seed}${i}`).join(' ');
const cosine = (a: Float32Array, b: ArrayLike<number>) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

describe('embedder (real openai client against a local OpenAI-compatible server)', () => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await new FakeOpenAI().start();
  });
  afterEach(() => fake.stop());
  const openai = (overrides: Partial<EmbeddingLimits> = {}, dimensions: number | null = null) =>
    createEmbedder({ provider: 'openai', apiKey: 'sk-test', baseUrl: `${fake.url}/v1`, model: 'nomic-embed-text', dimensions }, { ...limits, ...overrides });

  it('returns one unit vector per text, in order, with the model name and key sent', async () => {
    const texts = ['annual leave is 28 days', 'install the VPN client', 'expenses within 30 days'];
    const vectors = await openai().embedDocuments(texts);
    assert.equal(vectors.length, 3);
    vectors.forEach((vector, i) => {
      assert.equal(vector.length, 64);
      assert.ok(Math.abs(cosine(vector, vector) - 1) < 1e-5);
      assert.ok(cosine(vector, hashedEmbedding(texts[i]!, 64)) > 0.999, `vector ${i} is the one of its text`);
    });
    const [request] = fake.embeddingRequests();
    assert.equal(request!.body.model, 'nomic-embed-text');
    assert.deepEqual(request!.body.input, texts);
    assert.equal(request!.body.dimensions, undefined, 'no size asked for unless configured');
    assert.equal(request!.headers.authorization, 'Bearer sk-test');
  });

  it('batches at most EMBEDDING_BATCH_INPUTS inputs per request', async () => {
    const texts = Array.from({ length: 600 }, (_, i) => `passage number ${i}`);
    const vectors = await openai().embedDocuments(texts);
    assert.equal(vectors.length, 600);
    assert.deepEqual(fake.embeddingRequests().map((r) => r.body.input.length), [256, 256, 88]);
    assert.ok(cosine(vectors[599]!, hashedEmbedding('passage number 599', 64)) > 0.999);
  });

  it('keeps each request under the token limit', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => words(1000, `t${i}x`));
    const tokens = texts.map((text) => encode(text).length);
    await openai({ batchTokens: 9000 }).embedDocuments(texts);
    const requests = fake.embeddingRequests();
    assert.ok(requests.length >= 2);
    for (const request of requests) {
      const sent = (request.body.input as string[]).reduce((sum, text) => sum + encode(text).length, 0);
      assert.ok(sent <= 9000, `a request carried ${sent} tokens`);
    }
    assert.equal(requests.flatMap((r) => r.body.input).length, 10);
    assert.ok(tokens.every((t) => t < 9000));
  });

  it('splits an input over 8,191 tokens into pieces and averages their vectors instead of truncating it', async () => {
    const long = `${words(5000, 'alpha')} ${words(5000, 'omega')}`;
    const [vector] = await openai().embedDocuments([long]);
    const pieces = fake.embeddingRequests().flatMap((r) => r.body.input as string[]);
    assert.equal(pieces.length, Math.ceil(encode(long).length / 8191));
    assert.ok(pieces.length >= 2);
    assert.ok(pieces.every((piece) => encode(piece).length <= 8191));
    assert.equal(pieces.join(''), long, 'nothing is lost between the pieces');
    // The average leans to neither half.
    assert.ok(cosine(vector!, hashedEmbedding(words(5000, 'alpha'), 64)) > 0.3);
    assert.ok(cosine(vector!, hashedEmbedding(words(5000, 'omega'), 64)) > 0.3);
  });

  it('asks for EMBEDDING_DIMENSIONS and refuses vectors of another size', async () => {
    const [vector] = await openai({}, 32).embedDocuments(['hello']);
    assert.equal(vector!.length, 32);
    assert.equal(fake.embeddingRequests()[0]!.body.dimensions, 32);
    fake.embed = (text) => hashedEmbedding(text, 16); // a server that ignores the size asked for
    await assert.rejects(openai({}, 32).embedDocuments(['hello']), /answered 16 dimensions, not the 32 asked for \(EMBEDDING_DIMENSIONS\)/);
  });

  it('waits out a 429 with Retry-After and a 500, then succeeds', async () => {
    // When each request reached the server, on the monotonic clock: the pauses between them are
    // at least what the client must wait, however slow the machine (load only lengthens them).
    const receivedAt: number[] = [];
    const record = fake.requests.push.bind(fake.requests);
    fake.requests.push = (...requests) => {
      receivedAt.push(...requests.map(() => performance.now()));
      return record(...requests);
    };
    fake.embeddingFaults.push({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { kind: 'status', status: 500 });
    const vectors = await openai().embedDocuments(['annual leave']);
    assert.equal(vectors.length, 1);
    assert.equal(fake.embeddingRequests().length, 3);
    const [first, second, third] = receivedAt as [number, number, number];
    // Without the Retry-After the first retry would come after the client's own backoff, under 0.5 s.
    assert.ok(second - first >= 995, `the Retry-After of one second was honoured (the retry came after ${Math.round(second - first)} ms)`);
    assert.ok(third - second >= 300, `the 500 was retried after a backoff (${Math.round(third - second)} ms)`);
  });

  it('fails clearly on a malformed body or a wrong number of vectors', async () => {
    fake.embeddingFaults.push({ kind: 'malformed' });
    await assert.rejects(openai().embedDocuments(['a']), (error: unknown) => error instanceof EmbeddingError && /nomic-embed-text failed/.test(error.message));
    const original = fake.embed;
    let calls = 0;
    fake.embed = (text, dimensions) => (++calls === 1 ? [] : original(text, dimensions));
    await assert.rejects(openai().embedDocuments(['a', 'b']), /malformed vector/);
  });

  it('embeds a question quickly: one retry, then an error', async () => {
    fake.embeddingFaults.push({ kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    await assert.rejects(openai().embedQuery('how many days of leave?'), EmbeddingError);
    assert.equal(fake.embeddingRequests().length, 2);
    fake.embeddingFaults.length = 0;
    assert.equal((await openai().embedQuery('how many days of leave?')).length, 64);
  });

  it('accepts vectors sent as JSON numbers by servers that ignore the base64 request', async () => {
    const server = fake as unknown as { embeddings: (body: { encoding_format?: string }, res: unknown) => void };
    const original = server.embeddings.bind(fake);
    server.embeddings = (body, res) => original({ ...body, encoding_format: 'float' }, res);
    const [vector] = await openai().embedDocuments(['annual leave']);
    assert.ok(cosine(vector!, hashedEmbedding('annual leave', 64)) > 0.999);
    assert.equal(fake.embeddingRequests()[0]!.body.encoding_format, 'base64');
  });

  it('calls an Azure OpenAI embedding deployment on its path with the api-version and api-key', async () => {
    const endpoint: EmbeddingEndpoint = { provider: 'azure', endpoint: fake.url, credential: { apiKey: 'azure-key' }, apiVersion: '2024-10-21', deployment: 'emb-small', dimensions: null };
    const embedder = createEmbedder(endpoint, limits);
    assert.equal(embedder.model, 'emb-small');
    await embedder.embedDocuments(['annual leave']);
    const [request] = fake.embeddingRequests();
    assert.equal(request!.path, '/openai/deployments/emb-small/embeddings');
    assert.equal(request!.query.get('api-version'), '2024-10-21');
    assert.equal(request!.headers['api-key'], 'azure-key');
  });
});
