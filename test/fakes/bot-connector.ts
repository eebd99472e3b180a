// A local Bot Connector (the REST API Teams gives a bot as `serviceUrl`): records every activity
// the bot sends and answers with an id, or with a fault the test asks for; opens the personal
// chats the bot asks for (POST /v3/conversations), one per member.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './until.js';

export interface SentActivity {
  conversationId: string;
  replyToId: string | null;
  /** The id the connector gave it. */
  id: string;
  activity: any;
  at: number;
}

export type ConnectorFault = { status: number; body?: unknown; retryAfterSeconds?: number };

export class FakeBotConnector {
  readonly sent: SentActivity[] = [];
  /** Conversations the bot created: the parameters it sent, and the id given. */
  readonly created: Array<{ id: string; parameters: any }> = [];
  /** Answers a request to create a conversation with this status instead (403: the user has not installed the app). */
  createFault: number | null = null;
  /** Decides a fault for an activity about to be recorded (null: accept it). */
  fault: (activity: any) => ConnectorFault | null = () => null;
  private server: http.Server | null = null;
  /** Emits "sent" as each activity is recorded. */
  private readonly events = new EventEmitter();
  private nextId = 1;
  url = '';

  /** Listens on `host` (loopback unless told otherwise); `url` names it by `urlHost`. */
  async start(host = '127.0.0.1', urlHost = host): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.url = `http://${urlHost}:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  messages(): SentActivity[] {
    return this.sent.filter((s) => s.activity.type === 'message');
  }

  /** Resolves when `count` activities matching `filter` have been sent. */
  waitFor(filter: (s: SentActivity) => boolean, count = 1, timeoutMs = 10_000): Promise<SentActivity[]> {
    return until(
      this.events,
      'sent',
      () => {
        const found = this.sent.filter(filter);
        return found.length >= count && found;
      },
      () => `expected ${count} matching activities; sent: ${JSON.stringify(this.sent.map((s) => [s.activity.type, s.activity.text?.slice(0, 60)]))}`,
      timeoutMs,
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'POST' && /^\/v3\/conversations\/?$/.test(req.url ?? '')) {
      const parameters = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (this.createFault !== null) {
        res.writeHead(this.createFault, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'Forbidden', message: 'fake refusal to create a conversation' } }));
        return;
      }
      const member = parameters.members?.[0]?.id ?? 'unknown';
      const id = `a:personal-${member}`;
      if (!this.created.some((c) => c.id === id)) this.created.push({ id, parameters });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, activityId: null }));
      this.events.emit('sent');
      return;
    }
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: `${req.method} ${req.url}` } }));
      return;
    }
    const activity = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const fault = this.fault(activity);
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}) });
      res.end(JSON.stringify(fault.body ?? { error: { code: 'Fault', message: `fake ${fault.status}` } }));
      return;
    }
    const id = `msg-${this.nextId++}`;
    this.sent.push({ conversationId: decodeURIComponent(match[1]!), replyToId: match[2] ? decodeURIComponent(match[2]) : null, id, activity, at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id }));
    this.events.emit('sent');
  }
}
