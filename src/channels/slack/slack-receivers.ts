// How Slack's requests reach Bolt. Over HTTP: POST /slack/events on the server's own port (Bolt has
// no restify receiver): the signature is checked over the raw body before anything else, then
// Bolt gets the event with an `ack` that answers the HTTP request. In Socket Mode: a WebSocket
// to Slack (no public URL), through a Socket Mode client that honours SLACK_API_URL.
import { verifySlackRequest, type App, type Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type restify from 'restify';
import { RequestNotAuthenticError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { classifySlackPayload } from './slack-payload.js';

const maxClockSkewMs = 5 * 60_000;

export class RestifyReceiver implements Receiver {
  private app: App | null = null;

  constructor(
    private readonly signingSecret: string,
    private readonly logger: Logger,
  ) {}

  init(app: App): void {
    this.app = app;
  }

  // The restify server is started and stopped by the service.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async handle(req: restify.Request, res: restify.Response): Promise<void> {
    const raw = (req as restify.Request & { rawBody?: Buffer | string }).rawBody;
    const body = Buffer.isBuffer(raw) ? raw.toString('utf8') : (raw ?? '');
    const timestamp = Number(req.header('x-slack-request-timestamp'));
    try {
      // Bolt refuses old timestamps; one from the future is as suspect (a replay prepared in advance).
      if (timestamp * 1000 > Date.now() + maxClockSkewMs) throw new RequestNotAuthenticError(`the request timestamp ${timestamp} is in the future`);
      // Constant-time comparison of the HMAC; a timestamp over 5 minutes off is refused.
      verifySlackRequest({
        signingSecret: this.signingSecret,
        body,
        headers: { 'x-slack-signature': String(req.header('x-slack-signature') ?? ''), 'x-slack-request-timestamp': timestamp },
      });
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'Slack request refused: bad or missing signature');
      res.send(401, { error: 'invalid_signature' });
      return;
    }
    let payload: unknown;
    try {
      payload = String(req.header('content-type') ?? '').includes('application/json') ? JSON.parse(body) : parseForm(body);
    } catch {
      this.logger.warn({ contentType: req.header('content-type') }, 'Slack request refused: the body is not JSON or a form');
      res.send(400, { error: 'invalid_body' });
      return;
    }
    const kind = classifySlackPayload(payload);
    switch (kind.kind) {
      case 'invalid':
        this.logger.warn({ reason: kind.reason }, 'Slack request refused: not a Slack payload');
        res.send(400, { error: 'invalid_body' });
        return;
      case 'url_verification':
        res.send(200, { challenge: kind.challenge });
        return;
      case 'ssl_check':
        res.send(200);
        return;
      case 'not_handled':
        this.logger.debug({ type: kind.type }, 'Slack payload not handled: acknowledged');
        res.send(200);
        return;
    }
    let acked = false;
    const retryNum = Number(req.header('x-slack-retry-num'));
    await this.app!.processEvent({
      body: payload as Record<string, any>,
      retryNum: Number.isFinite(retryNum) ? retryNum : undefined,
      retryReason: req.header('x-slack-retry-reason') || undefined,
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        if (response === undefined || response === '') res.send(200);
        else res.send(200, response as object);
      },
    }).catch((error: unknown) => {
      this.logger.error({ err: error }, 'Slack event failed');
      if (!acked) res.send(500);
    });
    if (!acked) res.send(200); // nothing listened for it: Slack should not retry
  }
}

/** Slash commands and interactivity arrive form-encoded; interactivity carries JSON in `payload`. */
function parseForm(body: string): unknown {
  const form = Object.fromEntries(new URLSearchParams(body));
  return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
}

export class SocketModeBridge implements Receiver {
  private app: App | null = null;
  readonly client: SocketModeClient;

  constructor(appToken: string, apiUrl: string, logger: Logger) {
    this.client = new SocketModeClient({ appToken, clientOptions: { slackApiUrl: apiUrl } });
    this.client.on('slack_event', async ({ ack, body, retry_num, retry_reason }: { ack: (response?: unknown) => Promise<void>; body: Record<string, any>; retry_num?: number; retry_reason?: string }) => {
      // The same payloads as over HTTP go to Bolt; others are acknowledged so that Slack does not resend them.
      const kind = classifySlackPayload(body);
      if (kind.kind !== 'for_bolt') {
        if (kind.kind === 'invalid') logger.warn({ reason: kind.reason }, 'Slack payload dropped: not a Slack payload');
        await ack();
        return;
      }
      await this.app!.processEvent({ body, ack: async (response?: unknown) => ack(response), retryNum: retry_num, retryReason: retry_reason }).catch((error: unknown) =>
        logger.error({ err: error }, 'Slack event failed'),
      );
    });
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
  }
}
