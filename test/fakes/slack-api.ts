// A local Slack Web API (what SLACK_API_URL points at): records every call the bot makes and
// answers like Slack, or with the error or rate limit a test asks for; streams end as Slack ends
// them (message_not_in_streaming_state) when a test asks for it. It also serves
// response_url posts and, for Socket Mode, apps.connections.open with a local WebSocket.
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { until } from './until.js';

export interface SlackCall {
  method: string;
  args: Record<string, any>;
  at: number;
  /** What the fake answered. */
  result?: Record<string, any>;
}

/** The headers Slack signs a request with (v0 HMAC-SHA256 over the timestamp and the raw body). */
export function slackSignature(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
  };
}

export type SlackFault = { status: 429; retryAfterSeconds: number } | { error: string };

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  /** Emits "call" once a call is answered. */
  private readonly events = new EventEmitter();
  /** Errors for the next calls of a method, in order. */
  readonly faults = new Map<string, SlackFault[]>();
  /** Methods this workspace does not offer (answered `unknown_method`). */
  readonly unavailable = new Set<string>(['assistant.threads.setStatus']);
  /** What conversations.replies returns for a thread, by "channel:ts". */
  readonly threads = new Map<string, Array<Record<string, unknown>>>();
  readonly botUserId = 'UBOTGW01';
  /** Streams (by ts) Slack has ended: appendStream and stopStream on them answer message_not_in_streaming_state. */
  readonly endedStreams = new Set<string>();
  /** When set, a stream ends (as Slack ends one a few minutes in) once this many appendStream calls to it succeeded. */
  endStreamsAfterAppends: number | null = null;
  private readonly appendsByStream = new Map<string, number>();
  private server: http.Server | null = null;
  private sockets: WebSocketServer | null = null;
  private socket: WebSocket | null = null;
  private nextTs = 1_700_000_000;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.sockets = new WebSocketServer({ server: this.server, path: '/socket' });
    this.sockets.on('connection', (socket) => {
      this.socket = socket;
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.sockets?.clients ?? []) client.terminate();
    this.sockets?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the calls of `method` that match, once there are `count` of them. */
  waitFor(method: string, count = 1, match: (call: SlackCall) => boolean = () => true, timeoutMs = 10_000): Promise<SlackCall[]> {
    return this.until(() => {
      const found = this.callsOf(method).filter(match);
      return found.length >= count && found;
    }, `${count} ${method} calls`, timeoutMs);
  }

  /** Resolves with `check`'s first truthy value, checked as each call is answered. */
  until<T>(check: () => T | null | undefined | false, expected = 'the calls expected', timeoutMs = 10_000): Promise<T> {
    return until(this.events, 'call', check, () => `expected ${expected}; calls: ${JSON.stringify(this.calls.map((c) => [c.method, c.args.text?.slice?.(0, 60)]))}`, timeoutMs);
  }

  /** Delivers an Events API envelope over Socket Mode; resolves with the client's acknowledgement. */
  async deliver(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (!socket) throw new Error('no Socket Mode connection');
    const envelopeId = `env-${this.nextTs++}`;
    const acked = new Promise<Record<string, unknown>>((resolve) => {
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as Record<string, unknown>;
        if (message.envelope_id === envelopeId) {
          socket.off('message', onMessage);
          resolve(message);
        }
      };
      socket.on('message', onMessage);
    });
    socket.send(JSON.stringify({ envelope_id: envelopeId, type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '', payload }));
    return acked;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let call: SlackCall | null = null;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (call) call.result = body as Record<string, any>;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
      this.events.emit('call');
    };
    if (url.pathname.startsWith('/response/')) {
      call = { method: 'response_url', args: JSON.parse(raw || '{}'), at: Date.now() };
      this.calls.push(call);
      return reply(200, { ok: true });
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const args: Record<string, any> = (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw));
    for (const [key, value] of Object.entries(args)) {
      if (typeof value === 'string' && /^[[{]/.test(value)) {
        try {
          args[key] = JSON.parse(value);
        } catch {
          // plain text that starts with a bracket
        }
      }
    }
    call = { method, args, at: Date.now() };
    this.calls.push(call);
    const fault = this.faults.get(method)?.shift();
    if (fault && 'status' in fault) return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSeconds) });
    if (fault) return reply(200, { ok: false, error: fault.error });
    if (this.unavailable.has(method)) return reply(200, { ok: false, error: 'unknown_method' });
    if (method === 'chat.appendStream' || method === 'chat.stopStream') {
      const appended = this.appendsByStream.get(args.ts) ?? 0;
      if (method === 'chat.appendStream' && this.endStreamsAfterAppends !== null && appended >= this.endStreamsAfterAppends) this.endedStreams.add(args.ts);
      if (this.endedStreams.has(args.ts)) return reply(200, { ok: false, error: 'message_not_in_streaming_state' });
      if (method === 'chat.appendStream') this.appendsByStream.set(args.ts, appended + 1);
      else this.endedStreams.add(args.ts);
    }
    switch (method) {
      case 'auth.test':
        return reply(200, { ok: true, user_id: this.botUserId, bot_id: 'BFAKE', team_id: 'TFAKE', user: 'groundwork' });
      case 'apps.connections.open':
        return reply(200, { ok: true, url: `${this.url.replace('http', 'ws').replace(/\/api\/$/, '')}/socket` });
      case 'chat.postMessage':
      case 'chat.startStream':
        return reply(200, { ok: true, channel: args.channel, ts: `${this.nextTs++}.000100` });
      case 'chat.postEphemeral':
        return reply(200, { ok: true, message_ts: `${this.nextTs++}.000200` });
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setTitle':
        return reply(200, { ok: true });
      case 'assistant.threads.setSuggestedPrompts':
        // Slack takes up to four prompts, each with a title and a message.
        if (!Array.isArray(args.prompts) || args.prompts.length === 0 || args.prompts.length > 4 || args.prompts.some((p: any) => !p?.title || !p?.message)) {
          return reply(200, { ok: false, error: 'invalid_arguments' });
        }
        return reply(200, { ok: true });
      case 'conversations.replies':
        return reply(200, { ok: true, messages: this.threads.get(`${args.channel}:${args.ts}`) ?? [], has_more: false });
      default:
        return reply(200, { ok: true, ts: args.ts });
    }
  }
}
