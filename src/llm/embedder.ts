// Embeddings through the official client: requests batched within the API's input and token
// limits, a bounded number in flight, retries with backoff (the client honours Retry-After),
// and inputs longer than the model accepts split on purpose instead of truncated.
import pLimit from 'p-limit';
import type { EmbeddingEndpoint, EmbeddingLimits } from '../config.js';
import { EmbeddingError, toGroundworkError } from '../errors.js';
import type { VectorSpace } from '../index/passage-index.js';
import { openAIClient } from './openai-client.js';

export interface Embedder {
  /** The model (or Azure deployment) name, recorded with the vectors it makes. */
  readonly model: string;
  /** The vector size asked for, or null for the model's own. */
  readonly dimensions: number | null;
  /** Inputs per request, and requests in flight at once. */
  readonly batchInputs: number;
  readonly concurrency: number;
  /** Unit-length vectors, one per text, in order; for indexing (patient: several retries). */
  embedDocuments(texts: string[]): Promise<Float32Array[]>;
  /** One question's vector; for answering (quick: a short timeout and one retry). */
  embedQuery(text: string): Promise<Float32Array>;
}

/** Whether vectors of this space can be compared with the embedder's (same model, same size). */
export function madeBy(space: VectorSpace, embedder: Embedder): boolean {
  return space.model === embedder.model && (embedder.dimensions === null || embedder.dimensions === space.dimensions);
}

// The per-input limit of OpenAI's embedding models (cl100k_base tokens).
const maxInputTokens = 8191;
const documentRequest = { timeout: 60_000, maxRetries: 5 };
const queryRequest = { timeout: 5_000, maxRetries: 1 };

type Tokenizer = typeof import('gpt-tokenizer/encoding/cl100k_base');
let tokenizer: Promise<Tokenizer> | null = null;
/** The encoding of OpenAI's embedding models, loaded on first use (its tables take memory). */
const loadTokenizer = () => (tokenizer ??= import('gpt-tokenizer/encoding/cl100k_base'));

interface Piece {
  /** Which input the piece belongs to, and its length in tokens. */
  input: number;
  text: string;
  tokens: number;
}

export function createEmbedder(endpoint: EmbeddingEndpoint, limits: EmbeddingLimits): Embedder {
  const client = openAIClient(endpoint);
  const model = endpoint.provider === 'azure' ? endpoint.deployment : endpoint.model;
  const { dimensions } = endpoint;
  const inFlight = pLimit(limits.concurrency);

  const request = async (texts: string[], options: typeof documentRequest): Promise<Float32Array[]> => {
    let response;
    try {
      // base64 is a quarter of the bytes of JSON numbers; decoded below (some servers send numbers anyway).
      response = await client.embeddings.create({ model, input: texts, encoding_format: 'base64', ...(dimensions ? { dimensions } : {}) }, options);
    } catch (error) {
      throw new EmbeddingError(`the embedding model ${model} failed: ${toGroundworkError(error).message}`, error);
    }
    const data = Array.isArray(response?.data) ? response.data : [];
    if (data.length !== texts.length) throw new EmbeddingError(`the embedding model ${model} answered ${data.length} vectors for ${texts.length} inputs`);
    const vectors = new Array<Float32Array>(texts.length);
    data.forEach((item, position) => {
      const index = typeof item.index === 'number' ? item.index : position;
      const vector = decodeVector(item.embedding as unknown);
      if (!vector || vector.length === 0 || index < 0 || index >= texts.length) throw new EmbeddingError(`the embedding model ${model} answered a malformed vector`);
      if (dimensions && vector.length !== dimensions) throw new EmbeddingError(`the embedding model ${model} answered ${vector.length} dimensions, not the ${dimensions} asked for (EMBEDDING_DIMENSIONS)`);
      vectors[index] = vector;
    });
    if (vectors.some((vector) => vector === undefined)) throw new EmbeddingError(`the embedding model ${model} answered a malformed list of vectors`);
    return vectors.map(normalize);
  };

  return {
    model,
    dimensions,
    batchInputs: limits.batchInputs,
    concurrency: limits.concurrency,

    async embedDocuments(texts) {
      const { encode, decode } = await loadTokenizer();
      // An input over the model's limit becomes several pieces whose vectors are averaged.
      const pieces: Piece[] = texts.flatMap((text, input) => {
        const tokens = encode(text);
        if (tokens.length <= maxInputTokens) return [{ input, text, tokens: Math.max(1, tokens.length) }];
        const parts: Piece[] = [];
        for (let start = 0; start < tokens.length; start += maxInputTokens) {
          const slice = tokens.slice(start, start + maxInputTokens);
          parts.push({ input, text: decode(slice), tokens: slice.length });
        }
        return parts;
      });
      const batches: Piece[][] = [];
      let batch: Piece[] = [];
      let batchTokens = 0;
      for (const piece of pieces) {
        if (batch.length > 0 && (batch.length >= limits.batchInputs || batchTokens + piece.tokens > limits.batchTokens)) {
          batches.push(batch);
          batch = [];
          batchTokens = 0;
        }
        batch.push(piece);
        batchTokens += piece.tokens;
      }
      if (batch.length > 0) batches.push(batch);

      const vectors = await Promise.all(batches.map((b) => inFlight(() => request(b.map((piece) => piece.text), documentRequest))));
      const sums = new Array<Float32Array | undefined>(texts.length);
      batches.forEach((b, i) =>
        b.forEach((piece, j) => {
          const vector = vectors[i]![j]!;
          const sum = (sums[piece.input] ??= new Float32Array(vector.length));
          if (sum.length !== vector.length) throw new EmbeddingError(`the embedding model ${model} answered vectors of different sizes`);
          for (let k = 0; k < vector.length; k++) sum[k]! += vector[k]! * piece.tokens;
        }),
      );
      return sums.map((sum) => normalize(sum!));
    },

    async embedQuery(text) {
      const [vector] = await request([text], queryRequest);
      return vector!;
    },
  };
}

function decodeVector(embedding: unknown): Float32Array | null {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) return null;
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }
  if (Array.isArray(embedding) && embedding.every((value) => typeof value === 'number' && Number.isFinite(value))) return Float32Array.from(embedding);
  return null;
}

function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm) || norm === 0) throw new EmbeddingError('the embedding model answered a zero or invalid vector');
  return vector.map((value) => value / norm);
}
