// The HTTP server: health, readiness, metrics, the admin sync endpoint, and the routes of the
// channels (Teams, Slack, the web chat) mounted here.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import type { TeamsEndpoint } from './channels/teams/teams-endpoint.js';
import { mountWebchat, type WebchatDependencies } from './channels/webchat/webchat-routes.js';
import type { SourceSpec } from './config.js';
import { ErrorCode, SyncAlreadyRunningError, toGroundworkError } from './errors.js';
import type { SyncJob } from './ingest/sync-job.js';
import type { PassageIndex } from './index/passage-index.js';
import { redactUrl, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface ServerDependencies {
  logger: Logger;
  metrics: Metrics;
  index: PassageIndex;
  /** Rejects while another store the answers need cannot be used (the shared database); /readyz reports it. */
  ready?: () => Promise<void>;
  /** Mounts the web chat (its page, POST /api/chat, /documents/:id) when given. */
  webchat: Omit<WebchatDependencies, 'logger'> | null;
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
      await deps.ready?.();
      const chunks = await deps.index.chunkCount();
      if (chunks > 0) res.send(200, { status: 'ready', passages: chunks });
      else res.send(503, { status: 'not ready', reason: 'the index is empty: run "groundwork sync"' });
    } catch (error) {
      res.send(503, { status: 'not ready', reason: toGroundworkError(error).message });
    }
  });

  server.get('/metrics', async (_req, res) => {
    const body = await deps.metrics.registry.metrics();
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.sendRaw(200, body);
  });

  if (deps.webchat) mountWebchat(server, { ...deps.webchat, logger: log });
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
      if (error instanceof SyncAlreadyRunningError) {
        res.send(409, { error: { code: error.code, message: error.message } });
        return;
      }
      // The catalogue (its file, or PostgreSQL) cannot be reached: the sync does not start.
      const refused = toGroundworkError(error);
      log.error({ err: error }, 'sync not started');
      res.send(refused.code === ErrorCode.IndexUnavailable ? 503 : 500, { error: { code: refused.code, message: refused.message } });
    }
  });

  server.get('/admin/sync/:id', async (req, res) => {
    if (!authorized(req, res)) return;
    const run = await admin.syncJob.getRun(String(req.params.id));
    if (run) res.send(200, run);
    else res.send(404, { error: { code: 'not_found', message: 'No sync run with that id (the last 50 runs are kept).' } });
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
