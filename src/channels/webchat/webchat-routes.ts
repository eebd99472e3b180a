// The web chat channel: its page and assets, POST /api/chat (one chat turn per request, answered
// as JSON or streamed as server-sent events) and /documents/:id (a document's own page, where a
// citation without an http(s) link points).
import type restify from 'restify';
import { everyone } from '../../access/principals.js';
import { answerToJson } from '../../answer/answer-json.js';
import type { ChatTurn, Presenter } from '../../conversation/chat-turn.js';
import type { FollowUps } from '../../conversation/follow-ups.js';
import type { SuggestedPrompt } from '../../conversation/suggested-prompts.js';
import type { Answer, Question, SectionLocation } from '../../domain.js';
import { ErrorCode, toGroundworkError } from '../../errors.js';
import type { PassageIndex } from '../../index/passage-index.js';
import type { Logger } from '../../logger.js';
import { joinWithoutOverlap } from '../../retrieval/retrieve.js';
import { citationDetails } from '../citation-view.js';
import { webchatAssets } from './webchat-assets.js';
import { documentPage, webchatPage } from './webchat-page.js';

export interface WebchatDependencies {
  chatTurn: ChatTurn;
  index: PassageIndex;
  /** The address people reach the server at (PUBLIC_BASE_URL): the web chat's own origin behind a proxy that rewrites Host. */
  publicBaseUrl?: string | null;
  /** Questions offered on an empty conversation, for readers who may read only what everyone may. */
  suggestedPrompts?: (readers: string[]) => Promise<SuggestedPrompt[]>;
  /** The questions offered under an answer; none without it. */
  followUps?: FollowUps;
  logger: Logger;
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

/** The web chat's JSON form of an answer: the documented answer JSON plus what the page shows. */
function answerJson(answer: Answer, followUps: string[]) {
  const json = answerToJson(answer);
  return {
    ...json,
    mode: answer.mode,
    followUps,
    citations: json.citations.map((citation, i) => {
      const cited = answer.citations[i]!;
      // A link is http(s) or this server's own page of the document (at the section), never another scheme.
      const anchor = cited.passage.location?.anchor;
      const ownPage = `documents/${encodeURIComponent(cited.passage.document.id)}${anchor ? `#${encodeURIComponent(anchor)}` : ''}`;
      return { ...citation, link: citation.sectionUrl ?? ownPage, details: citationDetails(cited, answer.text) };
    }),
  };
}

const commandJson = (text: string) => ({ answer: text, grounded: true, citations: [], mode: 'command' });

/**
 * The reply to one request. With "Accept: text/event-stream" a generated answer streams as
 * server-sent events: "token" events as the model writes, then one "final" event with the checked
 * answer. Headers go out with the first event, so a refused question still gets a plain 400.
 */
function webchatPresenter(res: restify.Response, streaming: boolean, asked: string, followUps: FollowUps | undefined, log: Logger): Presenter {
  let eventsStarted = false;
  const sendEvent = (event: string, data: unknown) => {
    if (!eventsStarted) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      eventsStarted = true;
    }
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const send = async (json: unknown) => {
    if (streaming) {
      sendEvent('final', json);
      res.end();
    } else res.send(200, json);
  };
  return {
    progress: async () => async () => {},
    stream: streaming ? (piece) => sendEvent('token', { text: piece }) : undefined,
    answer: async (answer) => {
      // Suggestions are a nicety: without them the answer goes alone.
      const next = await (followUps?.(answer, asked, log) ?? Promise.resolve([])).catch((error: unknown) => {
        log.warn({ err: error }, 'could not make follow-up questions');
        return [];
      });
      await send(answerJson(answer, next));
      return null; // the web chat takes no feedback
    },
    reply: (text) => send(commandJson(text)),
    refuse: async (message) => void res.send(400, { error: { code: ErrorCode.InvalidQuestion, message } }),
    privately: (text) => send(commandJson(text)),
    postLater: async (text) => log.warn({ text }, 'the web chat cannot post after its reply'),
    fail: async (message, error) => {
      const failure = { error: { code: toGroundworkError(error).code, message } };
      if (eventsStarted) {
        sendEvent('error', failure);
        res.end();
      } else res.send(503, failure);
    },
  };
}

export function mountWebchat(server: restify.Server, deps: WebchatDependencies): void {
  const log = deps.logger;
  const publicOrigin = deps.publicBaseUrl ? new URL(deps.publicBaseUrl).origin : null;
  server.get('/', async (_req, res) => sendHtml(res, 200, webchatPage()));

  server.get('/api/prompts', async (_req, res) => {
    // Suggestions are a nicety: without them the page simply shows none.
    const prompts = await (deps.suggestedPrompts?.([everyone]) ?? Promise.resolve([])).catch((error: unknown) => {
      log.warn({ err: error }, 'could not make suggested prompts');
      return [];
    });
    res.send(200, { prompts });
  });

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
    const question = { text: body.text, asker: { platform: 'webchat' as const, userId: 'local' }, conversation: { id: 'webchat' }, history };
    const streaming = (req.header('accept') ?? '').includes('text/event-stream');
    // The page sends its own history, and nobody here is an admin. Nobody is identified either:
    // the web chat answers from documents everyone may read.
    await deps.chatTurn({ question, place: { shared: false }, delivery: { reqId: req.id() }, isAdmin: false, requestedBy: 'webchat' }, (turnLog) => webchatPresenter(res, streaming, question.text, deps.followUps, turnLog));
  });

  server.get('/documents/:id', async (req, res) => {
    // Only documents everyone may read: nobody is identified here.
    const found = await deps.index.documentChunks(String(req.params.id), [everyone]);
    if (!found) {
      sendHtml(res, 404, '<!doctype html><title>Not found</title><p>No such document in the index.</p>');
      return;
    }
    const merged: Array<{ headingPath: string[]; text: string; location?: SectionLocation }> = [];
    for (const chunk of found.chunks) {
      const last = merged[merged.length - 1];
      if (last && last.headingPath.join('\n') === chunk.headingPath.join('\n')) last.text = joinWithoutOverlap(last.text, chunk.text);
      else merged.push({ headingPath: chunk.headingPath, text: chunk.text, location: chunk.location });
    }
    sendHtml(res, 200, documentPage(found.document, merged));
  });
}
