// A generated answer appearing in Slack as the model writes it: Slack's streaming methods
// (chat.startStream / appendStream / stopStream) in a thread; where they are refused, one
// message updated at most once a second. The final blocks (sources, feedback) end either way.
// Slack ends a stream on its own after a few minutes (appendStream and stopStream then answer
// message_not_in_streaming_state): the streamed message is then updated in place instead, and
// when even that fails the answer is posted anew. Blocks Slack refuses (invalid_blocks, e.g. a
// workspace without the native feedback element) are sent again with the plain buttons.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { SlackMessage } from './slack-message.js';
import { markdownToMrkdwn } from './slack-mrkdwn.js';
import { splitText } from './slack-message.js';

// chat.appendStream takes at most 12,000 characters a call.
const appendLimit = 12_000;

/** What Slack answers once a stream has ended without us (it expired, or another stop won). */
const streamEndedErrors = new Set(['message_not_in_streaming_state', 'streaming_state_conflict']);

/** The error code of a Web API call that Slack refused ("invalid_blocks"), or undefined. */
const slackErrorCode = (error: unknown): string | undefined => (error as { data?: { error?: string } } | undefined)?.data?.error;
/** Why a Web API call failed, for a log line: Slack's error code, else the error's message. */
export const slackErrorReason = (error: unknown): string => slackErrorCode(error) ?? (error as Error).message;

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
          this.logger.info({ reason: slackErrorReason(error) }, 'Slack streaming not available: updating a message instead');
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
      try {
        for (const piece of splitText(fresh, appendLimit)) await this.client.chat.appendStream({ channel, ts: this.ts, markdown_text: piece });
      } catch (error) {
        if (!streamEndedErrors.has(slackErrorCode(error) ?? '')) throw error;
        // The stream is over: the rest of the text grows in the same message, updated.
        this.logger.info({ reason: slackErrorCode(error), ts: this.ts }, 'Slack ended the stream: updating the message instead');
        this.mode = 'update';
        await this.client.chat.update({ channel, ts: this.ts, text: markdownToMrkdwn(this.text) });
      }
    } else {
      await this.client.chat.update({ channel, ts: this.ts, text: markdownToMrkdwn(this.text) });
    }
  }

  /** Ends with the final messages; returns the ts of the one that carries the feedback. */
  async finish(messages: SlackMessage[]): Promise<string | null> {
    await this.inFlight;
    const { channel } = this.target;
    const rest = [...messages];
    let lastTs: string | null = null;
    if (this.ts && this.mode === 'stream') {
      const first = rest.shift()!;
      const ts = this.ts;
      // The streamed text is replaced by the checked answer and its blocks.
      try {
        await withBlocks(first, (blocks) => this.client.chat.stopStream({ channel, ts, blocks: blocks as never }));
        lastTs = ts;
      } catch (error) {
        const reason = slackErrorCode(error);
        if (streamEndedErrors.has(reason ?? '')) this.logger.info({ reason, ts }, 'Slack ended the stream before the answer did: updating the message');
        else this.logger.warn({ err: error }, 'could not end the Slack stream with the final blocks');
        lastTs = await this.replace(ts, first);
      }
    } else if (this.ts && this.mode === 'update') {
      lastTs = await this.replace(this.ts, rest.shift()!);
    }
    for (const message of rest) lastTs = (await this.post(message)) ?? lastTs;
    return lastTs;
  }

  /** The message at `ts` becomes `message`; where Slack will not update it, `message` is posted anew. Returns the ts that holds it. */
  private async replace(ts: string, message: SlackMessage): Promise<string | null> {
    const { channel } = this.target;
    try {
      await withBlocks(message, (blocks) => this.client.chat.update({ channel, ts, text: message.text, blocks: blocks as never }));
      return ts;
    } catch (error) {
      this.logger.warn({ reason: slackErrorReason(error), ts }, 'could not update the streamed message: posting the answer anew');
      return this.post(message);
    }
  }

  private async post(message: SlackMessage): Promise<string | null> {
    const { channel, threadTs } = this.target;
    const posted = await withBlocks(message, (blocks) => this.client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: blocks as never }));
    return posted.ts ?? null;
  }
}

/** Sends a message's blocks; when Slack refuses them as invalid and the message has plain-button blocks, sends those instead. */
async function withBlocks<T>(message: SlackMessage, send: (blocks: SlackMessage['blocks']) => Promise<T>): Promise<T> {
  try {
    return await send(message.blocks);
  } catch (error) {
    if (!message.fallbackBlocks || slackErrorCode(error) !== 'invalid_blocks') throw error;
    return send(message.fallbackBlocks);
  }
}
