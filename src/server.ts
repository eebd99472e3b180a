// The HTTP server: health, readiness, metrics and (when enabled) the local web chat.
// Channel endpoints (Teams, Slack) mount here too.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import type { Question } from './domain.js';
import { answerToJson } from './answer/answer-json.js';
import type { TeamsEndpoint } from './channels/teams/teams-endpoint.js';
import { webchatAssets } from './channels/webchat/webchat-assets.js';
import { documentPage, webchatPage } from './channels/webchat/webchat-page.js';
import type { MessageHandler, Reply } from './conversation/handle-message.js';
import type { SourceSpec } from './config.js';
import { GroundworkError, InvalidQuestionError, SyncAlreadyRunningError } from './errors.js';
import type { SyncJob } from './ingest/sync-job.js';
import type { PassageIndex } from './index/passage-index.js';
import { redactUrl, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { joinWithoutOverlap } from './retrieval/retrieve.js';
import { safeUrl } from './safe-url.js';

export interface ServerDependencies {
  logger: Logger;
  metrics: Metrics;
  index: PassageIndex;
  handleMessage: MessageHandler;
  webchat: boolean;
  /** The address people reach the server at (PUBLIC_BASE_URL): the web chat's own origin behind a proxy that rewrites Host. */
  publicBaseUrl?: string | null;
  /** Mounts /admin/sync when a token is configured. */
  admin: { token: string; syncJob: SyncJob; sources: SourceSpec[] } | null;
  /** Mounts POST /api/messages for Microsoft Teams. */
  teams?: TeamsEndpoint | null;
  /** Mounts POST /slack/events for Slack over HTTP. */
  slack?: ((req: restify.Request, res: restify.Response) => Promise<void>) | null;
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

const maxBodyBytes = 256 * 1024;

export function createServer(deps: ServerDependencies): restify.Server {
  const log = deps.logger.child({ component: 'http' });
  const server = restify.createServer({ name: 'groundwork', handleUncaughtExceptions: false });
  // Before routing, so that every response has them, unknown routes included.
  server.pre((_req: restify.Request, res: restify.Response, next: restify.Next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: maxBodyBytes, mapParams: false, rejectUnknown: false }));

  server.on('after', (req: restify.Request, res: restify.Response, route?: { path?: string }) => {
    const routeName = String(route?.path ?? 'unmatched');
    const seconds = (Date.now() - req.time()) / 1000;
    deps.metrics.httpRequests.inc({ method: req.method, route: routeName, status: String(res.statusCode) });
    deps.metrics.httpDuration.observe({ method: req.method, route: routeName }, seconds);
    // Query strings can carry secrets (?token=…): their values are not logged.
    log.info({ reqId: req.id(), method: req.method, url: redactUrl(req.url ?? ''), status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
  });

  if (deps.teams) {
    const teams = deps.teams;
    server.post('/api/messages', async (req, res) => teams(req, res));
  }

  if (deps.slack) {
    const slack = deps.slack;
    server.post('/slack/events', async (req, res) => slack(req, res));
  }

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    try {
      const chunks = await deps.index.chunkCount();
      if (chunks > 0) res.send(200, { status: 'ready', passages: chunks });
      else res.send(503, { status: 'not ready', reason: 'the index is empty: run "groundwork sync"' });
    } catch (error) {
      res.send(503, { status: 'not ready', reason: (error as Error).message });
    }
  });

  server.get('/metrics', async (_req, res) => {
    const body = await deps.metrics.registry.metrics();
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.sendRaw(200, body);
  });

  if (deps.webchat) mountWebchat(server, deps, log);
  if (deps.admin) mountAdmin(server, deps.admin, log);
  return server;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function mountAdmin(server: restify.Server, admin: NonNullable<ServerDependencies['admin']>, log: Logger): void {
  const authorized = (req: restify.Request, res: restify.Response): boolean => {
    if (tokenMatches(req.header('authorization'), admin.token)) return true;
    res.setHeader('www-authenticate', 'Bearer');
    res.send(401, { error: { code: 'unauthorized', message: 'Send the admin token as "Authorization: Bearer <ADMIN_API_TOKEN>".' } });
    return false;
  };

  server.post('/admin/sync', async (req, res) => {
    if (!authorized(req, res)) return;
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as { sources?: unknown; allowMassDelete?: unknown; reindex?: unknown };
    let sources = admin.sources;
    if (body.sources !== undefined) {
      const names = Array.isArray(body.sources) ? body.sources.map(String) : [];
      const unknown = names.filter((name) => !admin.sources.some((s) => s.name === name));
      if (names.length === 0 || unknown.length > 0) {
        const known = admin.sources.map((s) => s.name).join(', ');
        res.send(400, { error: { code: 'invalid_request', message: `"sources" must list configured source names (${known}); unknown: ${unknown.join(', ') || 'none given'}` } });
        return;
      }
      sources = admin.sources.filter((s) => names.includes(s.name));
    }
    try {
      const { runId, done } = await admin.syncJob.start({ sources, requestedBy: 'http', allowMassDelete: body.allowMassDelete === true, reindex: body.reindex === true });
      done.catch((error: unknown) => log.error({ err: error, runId }, 'sync run failed'));
      res.header('location', `/admin/sync/${runId}`);
      res.send(202, { runId, status: 'running' });
    } catch (error) {
      if (error instanceof SyncAlreadyRunningError) res.send(409, { error: { code: error.code, message: error.message } });
      else throw error;
    }
  });

  server.get('/admin/sync/:id', async (req, res) => {
    if (!authorized(req, res)) return;
    const run = await admin.syncJob.getRun(String(req.params.id));
    if (run) res.send(200, run);
    else res.send(404, { error: { code: 'not_found', message: 'No sync run with that id (the last 50 runs are kept).' } });
  });
}

// Pages load only this server's own script and styles (no inline ones) and are never framed.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function sendHtml(res: restify.Response, status: number, html: string): void {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-security-policy', pagePolicy);
  res.sendRaw(status, html);
}

/**
 * A request a browser sent on behalf of another site (another origin, even on the same host): by
 * its Fetch Metadata, else by its Origin against the Host it was sent to (or the public address).
 * Clients that are not browsers send neither and are not cross-site.
 */
function crossSite(req: restify.Request, publicOrigin: string | null): boolean {
  const site = req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.header('origin');
  if (origin === undefined || origin === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return true; // "null" (a sandboxed frame, a file) or garbage
  }
  if (parsed.origin === publicOrigin) return false;
  return parsed.host.toLowerCase() !== (req.header('host') ?? '').toLowerCase();
}

const mediaType = (req: restify.Request) => (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/** Earlier turns sent by the page: at most 10, each at most 8,000 characters; null when malformed. */
function parseHistory(value: unknown): Question['history'] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 10) return null;
  const turns: Question['history'] = [];
  for (const turn of value as Array<{ role?: unknown; text?: unknown }>) {
    if ((turn?.role !== 'user' && turn?.role !== 'assistant') || typeof turn.text !== 'string' || turn.text.length > 8000) return null;
    turns.push({ role: turn.role, text: turn.text });
  }
  return turns;
}

/** The web chat's JSON form of a reply: the documented answer JSON plus what the page shows. */
function replyJson(reply: Reply) {
  if (reply.kind === 'text') return { answer: reply.text, grounded: true, citations: [], mode: 'command' };
  const json = answerToJson(reply.answer);
  return {
    ...json,
    mode: reply.answer.mode,
    citations: json.citations.map((citation, i) => {
      const document = reply.answer.citations[i]!.passage.document;
      // A link is http(s) or this server's own page of the document, never another scheme.
      const url = safeUrl(document.url);
      return { ...citation, url, updatedAt: document.updatedAt?.toISOString() ?? null, link: url ?? `documents/${encodeURIComponent(document.id)}` };
    }),
  };
}

function mountWebchat(server: restify.Server, deps: ServerDependencies, log: Logger): void {
  const publicOrigin = deps.publicBaseUrl ? new URL(deps.publicBaseUrl).origin : null;
  server.get('/', async (_req, res) => sendHtml(res, 200, webchatPage()));

  server.get('/assets/:name', async (req, res) => {
    const asset = webchatAssets.get(String(req.params.name));
    if (!asset) {
      res.send(404, { error: { code: 'not_found', message: 'No such file.' } });
      return;
    }
    res.setHeader('content-type', asset.contentType);
    res.setHeader('cache-control', 'no-cache');
    res.sendRaw(200, asset.body);
  });

  server.post('/api/chat', async (req, res) => {
    // A plain form on another site could otherwise ask questions in the user's name (and read
    // nothing, but still drive the bot): only same-origin JSON is taken.
    if (crossSite(req, publicOrigin)) {
      log.warn({ reqId: req.id(), origin: req.header('origin'), fetchSite: req.header('sec-fetch-site') }, 'cross-site request to the web chat refused');
      res.send(403, { error: { code: 'cross_site_request', message: 'The web chat answers requests from its own page only.' } });
      return;
    }
    if (mediaType(req) !== 'application/json') {
      res.send(415, { error: { code: 'unsupported_media_type', message: 'Send the question as JSON, with "Content-Type: application/json".' } });
      return;
    }
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as { text?: unknown; history?: unknown };
    const history = parseHistory(body.history);
    if (typeof body.text !== 'string' || history === null) {
      res.send(400, { error: { code: 'invalid_request', message: 'Send JSON of the form {"text": "your question", "history": [{"role": "user" | "assistant", "text": "..."}]}.' } });
      return;
    }
    const question: Question = {
      text: body.text,
      asker: { platform: 'webchat', userId: 'local' },
      conversation: { id: 'webchat' },
      history,
    };
    // With "Accept: text/event-stream" a generated answer streams as server-sent events: "token"
    // events as the model writes, then one "final" event with the checked answer. Headers go out
    // with the first event, so an invalid question still gets a plain 400.
    const streaming = (req.header('accept') ?? '').includes('text/event-stream');
    let eventsStarted = false;
    const sendEvent = (event: string, data: unknown) => {
      if (!eventsStarted) {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
        eventsStarted = true;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    try {
      const reply = await deps.handleMessage(question, streaming ? { onToken: (piece) => sendEvent('token', { text: piece }) } : {});
      const json = replyJson(reply);
      if (streaming) {
        sendEvent('final', json);
        res.end();
      } else res.send(200, json);
    } catch (error) {
      if (error instanceof InvalidQuestionError) {
        res.send(400, { error: { code: error.code, message: error.message } });
        return;
      }
      log.error({ err: error, reqId: req.id() }, 'answering failed');
      const failure = { error: { code: error instanceof GroundworkError ? error.code : 'internal', message: 'Sorry, I could not search the documents just now. Please try again in a moment.' } };
      if (eventsStarted) {
        sendEvent('error', failure);
        res.end();
      } else res.send(503, failure);
    }
  });

  server.get('/documents/:id', async (req, res) => {
    const found = await deps.index.documentChunks(String(req.params.id));
    if (!found) {
      sendHtml(res, 404, '<!doctype html><title>Not found</title><p>No such document in the index.</p>');
      return;
    }
    const merged: Array<{ headingPath: string[]; text: string }> = [];
    for (const chunk of found.chunks) {
      const last = merged[merged.length - 1];
      if (last && last.headingPath.join('\n') === chunk.headingPath.join('\n')) last.text = joinWithoutOverlap(last.text, chunk.text);
      else merged.push({ headingPath: chunk.headingPath, text: chunk.text });
    }
    sendHtml(res, 200, documentPage(found.document, merged));
  });
}

/** Listens on host:port (port 0 picks a free one) and returns the URL and a graceful stop. */
export async function startServer(server: restify.Server, port: number, host: string): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.server.closeIdleConnections?.();
      }),
  };
}
