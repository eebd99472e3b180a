// A local server that speaks Qdrant's REST protocol (v1.19), for the real `@qdrant/js-client-rest`
// to talk to. Every request body is checked against Qdrant's official OpenAPI schema (400 when it
// does not match), answers come from an in-memory model with Qdrant's scoring, and each response
// can be made to fail: a status with Retry-After, a delay, a malformed body, a dropped connection,
// or an outage (stop, then start again on the same port).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotImplemented, QdrantError } from './qdrant/errors.js';
import { QdrantOpenApi, qdrantOpenApiAvailable, qdrantOpenApiPath } from './qdrant/openapi.js';
import { QdrantStore, handlers } from './qdrant/routes.js';
import type { Collection } from './qdrant/collection.js';

export { qdrantOpenApiAvailable, qdrantOpenApiPath };
export { RRF_K, idf, rrfContribution } from './qdrant/query.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (the raw text when it was not JSON, null when empty). */
  body: any;
  /** The OpenAPI operation the request addressed, when it addressed one. */
  operationId?: string;
  /** Status the fake answered with (0 when the connection was dropped). */
  status?: number;
  /** Why the request was refused: schema or query validation, authentication, unknown path. */
  rejected?: string;
  /** The fault that answered this request, if one did. */
  fault?: Fault;
  /** Set when the fake's own answer did not match the response schema (it then answers 500). */
  responseError?: string;
}

export type FaultScope = {
  /** How many matching requests this fault answers (default 1). */
  times?: number;
  /** Only requests whose path contains this string or matches this pattern. */
  path?: string | RegExp;
  /** Only requests with this method. */
  method?: string;
};

export type Fault = FaultScope &
  (
    | { status: 429 | 500 | 502 | 503 | 504; retryAfter?: number }
    /** The answer waits this long first; the delay uses the global `setTimeout`, so sinon fake timers control it when installed. */
    | { delayMs: number }
    /** A 200 with a JSON content type whose body is not JSON. */
    | { malformed: true }
    /** The connection is destroyed without any response. */
    | { drop: true }
  );

export interface QdrantFakeOptions {
  /** Require this `api-key` header on every request but the health probes and `GET /`. */
  apiKey?: string;
  /** The version `GET /` reports (the client warns when its major/minor differ by more than one). */
  version?: string;
  /** Check every successful answer against the operation's response schema (default true). */
  checkResponses?: boolean;
}

export interface QdrantFake {
  url: string;
  apiKey?: string;
  readonly requests: RecordedRequest[];
  /** Queue of faults; the first one whose scope matches a request answers it. */
  readonly faults: Fault[];
  /** The in-memory collections, by name, for assertions. */
  readonly collections: ReadonlyMap<string, Collection>;
  /** alias name -> collection name */
  readonly aliases: ReadonlyMap<string, string>;
  /** Closes the port and every open connection; data is kept. */
  stop(): Promise<void>;
  /** Listens again on the same port after stop(). */
  start(): Promise<void>;
  restart(): Promise<void>;
}

const PUBLIC_PATHS = new Set(['/', '/healthz', '/livez', '/readyz']);

export async function startQdrantFake(options: QdrantFakeOptions = {}): Promise<QdrantFake> {
  const spec = QdrantOpenApi.load();
  const store = new QdrantStore();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const checkResponses = options.checkResponses ?? true;
  const version = options.version ?? '1.19.0';

  const takeFault = (method: string, path: string): Fault | undefined => {
    const index = faults.findIndex(
      (f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = faults[index]!;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) faults.splice(index, 1);
    else fault.times = left;
    return fault;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    let body: any = null;
    let parseError: string | null = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch (error) {
        body = text;
        parseError = (error as Error).message;
      }
    }
    const recorded: RecordedRequest = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body };
    requests.push(recorded);
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      recorded.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}) => send(status, { status: { error: message }, time: elapsed() }, headers);

    const fault = takeFault(method, url.pathname);
    if (fault) {
      recorded.fault = fault;
      if ('drop' in fault) {
        recorded.status = 0;
        req.socket.destroy();
        return;
      }
      if ('status' in fault) return fail(fault.status, `Service fault injected by the test (${fault.status})`, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
      if ('malformed' in fault) {
        recorded.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"result": {"points": [');
        return;
      }
      await new Promise((resolve) => globalThis.setTimeout(resolve, fault.delayMs));
    }

    if (options.apiKey !== undefined && !PUBLIC_PATHS.has(url.pathname)) {
      const given = req.headers['api-key'] ?? (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined);
      if (given === undefined) return (recorded.rejected = 'no api key'), fail(401, 'Must provide an API key or an Authorization bearer token');
      if (given !== options.apiKey) return (recorded.rejected = 'wrong api key'), fail(403, 'Invalid API key or JWT');
    }

    if (method === 'GET' && url.pathname === '/') return send(200, { title: 'qdrant - vector search engine', version, commit: 'fake' });
    if (method === 'GET' && (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz')) {
      recorded.status = 200;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(url.pathname === '/readyz' ? 'all shards are ready' : 'healthz check passed');
      return;
    }

    const operation = spec.find(method, url.pathname);
    if (!operation) {
      // Qdrant's router answers an unknown route with an empty 404.
      recorded.rejected = 'no such route';
      recorded.status = 404;
      res.writeHead(404);
      res.end();
      return;
    }
    recorded.operationId = operation.operationId;
    if (parseError) return (recorded.rejected = parseError), fail(400, `Format error in JSON body: ${parseError}`);
    const queryCheck = spec.validateQuery(operation.operationId, url.searchParams);
    if (!queryCheck.ok) return (recorded.rejected = queryCheck.message), fail(400, queryCheck.message);
    if (operation.hasBody) {
      if (body === null) return (recorded.rejected = 'empty body'), fail(400, 'Json deserialize error: EOF while parsing a value at line 1 column 0');
      const check = spec.validateBody(operation.operationId, body);
      if (!check.ok) return (recorded.rejected = check.message), fail(400, check.message);
    }
    const handler = handlers[operation.operationId];
    if (!handler) return fail(501, `Not implemented by the Qdrant fake: ${method} ${operation.template} (${operation.operationId})`);
    let result: unknown;
    try {
      result = handler(store, { params: operation.pathParams, query: url.searchParams, body });
    } catch (error) {
      if (error instanceof QdrantError) {
        if (!(error instanceof NotImplemented)) recorded.rejected = error.message;
        return fail(error.status, error.message);
      }
      return fail(500, `Service internal error: ${(error as Error).stack ?? error}`);
    }
    const answer = { result, status: 'ok', time: elapsed() };
    if (checkResponses) {
      const check = spec.validateResponse(operation.operationId, 200, answer);
      if (!check.ok) {
        recorded.responseError = check.message;
        return fail(500, `The Qdrant fake's answer broke the schema: ${check.message}`);
      }
    }
    send(200, answer);
  };

  let server: http.Server | null = null;
  let port = 0;
  const listen = async () => {
    server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  };
  const close = async () => {
    const current = server;
    server = null;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: options.apiKey,
    requests,
    faults,
    collections: store.collections,
    aliases: store.aliases,
    stop: close,
    start: async () => {
      if (!server) await listen();
    },
    restart: async () => {
      await close();
      await listen();
    },
  };
}
