// A generated answer appearing in Slack as the model writes it: Slack's streaming methods
// (chat.startStream / appendStream / stopStream) in a thread; where they are refused, one
// message updated at most once a second. The final blocks (sources, buttons) end either way.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { SlackMessage } from './slack-message.js';
import { markdownToMrkdwn } from './slack-mrkdwn.js';
import { splitText } from './slack-message.js';

// chat.appendStream takes at most 12,000 characters a call.
const appendLimit = 12_000;

export interface StreamTarget {
  channel: string;
  threadTs?: string;
  recipient: { userId: string; teamId?: string };
}

export class SlackStream {
  private text = '';
  private sentLength = 0;
  private ts: string | null = null;
  private mode: 'none' | 'stream' | 'update' = 'none';
  private lastSendAt = 0;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly client: WebClient,
    private readonly target: StreamTarget,
    private readonly logger: Logger,
    private readonly minIntervalMs = 1000,
  ) {}

  append(piece: string): void {
    this.text += piece;
    if (this.inFlight || Date.now() - this.lastSendAt < this.minIntervalMs) return;
    this.lastSendAt = Date.now();
    this.inFlight = this.send()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Slack stream update failed'))
      .finally(() => {
        this.inFlight = null;
      });
  }

  private async send(): Promise<void> {
    const { channel, threadTs, recipient } = this.target;
    if (this.mode === 'none') {
      if (threadTs) {
        try {
          const started = await this.client.chat.startStream({ channel, thread_ts: threadTs, markdown_text: this.text, recipient_user_id: recipient.userId, recipient_team_id: recipient.teamId });
          this.ts = started.ts ?? null;
          this.mode = 'stream';
          this.sentLength = this.text.length;
          return;
        } catch (error) {
          this.logger.info({ reason: (error as { data?: { error?: string } }).data?.error ?? (error as Error).message }, 'Slack streaming not available: updating a message instead');
        }
      }
      const posted = await this.client.chat.postMessage({ channel, thread_ts: threadTs, text: markdownToMrkdwn(this.text) });
      this.ts = posted.ts ?? null;
      this.mode = 'update';
      return;
    }
    if (!this.ts) return;
    if (this.mode === 'stream') {
      const fresh = this.text.slice(this.sentLength);
      this.sentLength = this.text.length;
      for (const piece of splitText(fresh, appendLimit)) await this.client.chat.appendStream({ channel, ts: this.ts, markdown_text: piece });
    } else {
      await this.client.chat.update({ channel, ts: this.ts, text: markdownToMrkdwn(this.text) });
    }
  }

  /** Ends with the final messages; returns the ts of the one that carries the buttons. */
  async finish(messages: SlackMessage[]): Promise<string | null> {
    await this.inFlight;
    const { channel, threadTs } = this.target;
    const rest = [...messages];
    let lastTs: string | null = null;
    if (this.ts && this.mode === 'stream') {
      const first = rest.shift()!;
      // The streamed text is replaced by the checked answer and its blocks.
      await this.client.chat.stopStream({ channel, ts: this.ts, blocks: first.blocks as never }).catch(async (error: unknown) => {
        this.logger.warn({ err: error }, 'could not end the Slack stream with the final blocks');
        await this.client.chat.update({ channel, ts: this.ts!, text: first.text, blocks: first.blocks as never });
      });
      lastTs = this.ts;
    } else if (this.ts && this.mode === 'update') {
      const first = rest.shift()!;
      await this.client.chat.update({ channel, ts: this.ts, text: first.text, blocks: first.blocks as never });
      lastTs = this.ts;
    }
    for (const message of rest) lastTs = (await this.client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks as never })).ts ?? lastTs;
    return lastTs;
  }
}
