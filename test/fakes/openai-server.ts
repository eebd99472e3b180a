// A local server that speaks the OpenAI REST protocol (and Azure OpenAI's deployment paths), for
// the real `openai` client to talk to. Each response can be made to fail: 429 with Retry-After,
// 500, a slow answer, a malformed body, a stream that breaks off or one that never says anything.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'broken-stream' }
  /** A stream that starts (status and headers sent) and then says nothing until the client gives up. */
  | { kind: 'silent-stream' };

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  stream?: boolean;
}

export interface EmbeddingRequestBody {
  input: string[] | string;
  model: string;
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  /** What the "model" answers to a chat request. */
  chatReply: (body: ChatRequestBody) => string = () => 'I do not know.';
  /** The "embedding model": a vector for a text (a bag of words unless a test knows better). */
  embed: (text: string, dimensions: number) => number[] = hashedEmbedding;
  /** Vector size when the request does not ask for one. */
  defaultDimensions = 64;
  /** Time every chat answer takes before its first byte, like a real model (milliseconds). */
  latencyMs = 0;
  /** Pause between the pieces of a streamed answer (milliseconds), like a model writing. */
  pieceDelayMs = 0;
  /** Called before each piece of a streamed answer is written (a test moves its fake clock here). */
  beforePiece: ((index: number) => void) | null = null;
  /** While set, chat requests wait for it before answering (a model still thinking, for as long as a test needs). */
  hold: Promise<void> | null = null;
  /** Time every embedding request takes (milliseconds). */
  embeddingLatencyMs = 0;
  /** Faults for the next chat requests, and for the next embedding requests, in order; each is used once. */
  readonly faults: Fault[] = [];
  readonly embeddingFaults: Fault[] = [];
  private server: http.Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  embeddingRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/embeddings'));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = Buffer.concat(chunks).toString('utf8');
    const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : null };
    this.requests.push(request);

    const fault = url.pathname.endsWith('/embeddings') ? this.embeddingFaults.shift() : this.faults.shift();
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}) });
      res.end(JSON.stringify({ error: { message: `fake ${fault.status}`, type: 'fake_error' } }));
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const latency = url.pathname.endsWith('/chat/completions') ? this.latencyMs : url.pathname.endsWith('/embeddings') ? this.embeddingLatencyMs : 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (res.destroyed) return;
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [');
      return;
    }
    if (url.pathname === '/msi/token') return this.managedIdentityToken(req, url, res);
    if (fault?.kind === 'silent-stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      return;
    }
    if (url.pathname.endsWith('/chat/completions')) return this.chat(request.body as ChatRequestBody, res, fault?.kind === 'broken-stream');
    if (url.pathname.endsWith('/embeddings')) return this.embeddings(request.body as EmbeddingRequestBody, res);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `no route ${url.pathname}` } }));
  }

  /** Azure App Service's managed identity endpoint (IDENTITY_ENDPOINT), as Entra ID sign-in uses it. */
  private managedIdentityToken(req: http.IncomingMessage, url: URL, res: http.ServerResponse): void {
    if (req.headers['x-identity-header'] !== 'identity-header-secret') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const resource = url.searchParams.get('resource') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: `entra-token-for-${url.searchParams.get('client_id') ?? 'system'}`, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: 'Bearer' }));
  }

  private async chat(body: ChatRequestBody, res: http.ServerResponse, broken: boolean): Promise<void> {
    await this.hold;
    const content = this.chatReply(body);
    const usage = { prompt_tokens: JSON.stringify(body.messages).length >> 2, completion_tokens: content.length >> 2, total_tokens: 0 };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const pieces = content.match(/.{1,12}/gs) ?? [''];
    for (const [i, piece] of pieces.entries()) {
      if (broken && i === Math.floor(pieces.length / 2)) {
        res.write('data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content"');
        res.destroy();
        return;
      }
      if (res.destroyed) return;
      this.beforePiece?.(i);
      res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
      if (this.pieceDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.pieceDelayMs));
    }
    if (res.destroyed) return;
    res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  private embeddings(body: EmbeddingRequestBody, res: http.ServerResponse): void {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dimensions = body.dimensions ?? this.defaultDimensions;
    // Like OpenAI: base64 of little-endian float32 when asked for, JSON numbers otherwise.
    const encode = (vector: number[]) => (body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        model: body.model,
        data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: encode(this.embed(input, dimensions)) })),
        usage: { prompt_tokens: inputs.join(' ').length >> 2, total_tokens: inputs.join(' ').length >> 2 },
      }),
    );
  }
}

/** A deterministic bag-of-words vector: texts sharing words point the same way. */
export function hashedEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let hash = 2166136261;
    for (const char of word) hash = Math.imul(hash ^ char.codePointAt(0)!, 16777619) >>> 0;
    vector[hash % dimensions]! += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}
