// The Slack app: @mentions in channels (answered in the thread), DMs, follow-ups in threads the bot
// answered, the /groundwork command, `@bot sync`, and feedback buttons. Every event is
// acknowledged before any work (Slack retries after 3 s); a retried event is answered once.
import { App, LogLevel, type Receiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type restify from 'restify';
import type { Config } from '../../config.js';
import type { Question } from '../../domain.js';
import { InvalidQuestionError } from '../../errors.js';
import { ConversationMemory } from '../../conversation/conversation-memory.js';
import type { MessageHandler } from '../../conversation/handle-message.js';
import { searchingText } from '../../conversation/language.js';
import { recordGivenAnswer } from '../../conversation/record-answer.js';
import { adminsOnlyReply, parseSyncCommand, startChatSync, type ChatSyncDependencies } from '../../conversation/sync-command.js';
import type { FeedbackLog } from '../../index/passage-index.js';
import type { Logger } from '../../logger.js';
import { answerMessages, feedbackActions } from './slack-message.js';
import { RestifyReceiver, SocketModeBridge } from './slack-receivers.js';
import { SlackStream } from './slack-stream.js';

export interface SlackDependencies {
  handleMessage: MessageHandler;
  feedbackLog: FeedbackLog;
  sync: ChatSyncDependencies;
  logger: Logger;
  streamIntervalMs?: number;
}

export interface SlackChannel {
  /** The HTTP endpoint for POST /slack/events; null in Socket Mode. */
  endpoint: ((req: restify.Request, res: restify.Response) => Promise<void>) | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Asked {
  client: WebClient;
  channel: string;
  /** The thread to answer in (none for a DM outside a thread). */
  threadTs?: string;
  /** The message that asked, for the reaction shown while working. */
  ts: string;
  userId: string;
  teamId?: string;
  text: string;
  inThread: boolean;
  /** A direct message (its main conversation, outside threads, has a memory of its own). */
  direct: boolean;
}

const mention = /<@[A-Z0-9]+(?:\|[^>]*)?>/g;
const maxHistoryMessages = 20;

export function createSlackChannel(slack: NonNullable<Config['slack']>, deps: SlackDependencies): SlackChannel {
  const log = deps.logger;
  const receiver: Receiver & { handle?: RestifyReceiver['handle'] } = slack.appToken
    ? new SocketModeBridge(slack.appToken, slack.apiUrl, log)
    : new RestifyReceiver(slack.signingSecret!, log);
  const app = new App({
    token: slack.botToken,
    receiver,
    clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 } },
    logLevel: LogLevel.ERROR,
    // The token is checked (auth.test) in start(), where a refusal can be reported, not in the background.
    deferInitialization: true,
  });
  // Slack retries an event it thinks was lost, immediately, after 1 and after 5 minutes.
  const seenEvents = new LRUCache<string, true>({ max: 20_000, ttl: 15 * 60_000 });
  // Threads the bot answered in: replies there are follow-ups without a mention.
  const answeredThreads = new LRUCache<string, true>({ max: 20_000, ttl: 24 * 60 * 60_000 });
  // Follow-ups outside threads (a DM's main conversation) use the last turns kept here.
  const memory = new ConversationMemory();
  const running = new Set<Promise<void>>();
  const inBackground = (work: Promise<void>) => {
    const tracked = work.catch((error: unknown) => log.error({ err: error }, 'Slack answer failed'));
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
  };

  // Bolt reports a listener's failure here (by default, unstructured on the console).
  app.error(async (error) => {
    log.error({ err: error }, 'Slack listener failed');
  });

  app.use(async ({ body, next }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId) {
      if (seenEvents.has(eventId)) {
        log.info({ eventId }, 'Slack event delivered again: already handled');
        return;
      }
      seenEvents.set(eventId, true);
    }
    await next();
  });

  app.event('app_mention', async ({ event, client, body }) => {
    if ((event as { bot_id?: string }).bot_id || (event as { subtype?: string }).subtype) return;
    const teamId = (body as { team_id?: string }).team_id;
    inBackground(answer({ client, channel: event.channel, threadTs: event.thread_ts ?? event.ts, ts: event.ts, userId: event.user ?? '', teamId, text: event.text, inThread: Boolean(event.thread_ts), direct: false }));
  });

  app.message(async ({ message, client, context, body }) => {
    const m = message as { subtype?: string; bot_id?: string; text?: string; channel: string; channel_type?: string; ts: string; thread_ts?: string; user?: string; files?: unknown[] };
    // Edits, deletions, joins and other bots (this one included) are not questions.
    if ((m.subtype && m.subtype !== 'file_share') || m.bot_id || !m.user) return;
    const teamId = (body as { team_id?: string }).team_id;
    const asked: Asked = { client, channel: m.channel, threadTs: m.thread_ts, ts: m.ts, userId: m.user, teamId, text: m.text ?? '', inThread: Boolean(m.thread_ts), direct: m.channel_type === 'im' };
    if (m.channel_type === 'im') {
      inBackground(answer(asked));
      return;
    }
    // In channels a mention arrives as app_mention too; only unmentioned thread replies are taken here.
    const mentionsBot = context.botUserId ? (m.text ?? '').includes(`<@${context.botUserId}>`) : false;
    if (slack.threadFollowUps && m.thread_ts && !mentionsBot && answeredThreads.has(`${m.channel}:${m.thread_ts}`)) inBackground(answer(asked));
  });

  app.command('/groundwork', async ({ command, ack, client, respond }) => {
    const text = (command.text ?? '').trim(); // Slack leaves the field out when nothing follows the command
    const sync = parseSyncCommand(text);
    if (sync) {
      await ack();
      if (!slack.adminIds.includes(command.user_id)) {
        await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: adminsOnlyReply });
        return;
      }
      // An announcement in the channel; the outcome, progress and report go into its thread.
      const announcement = await client.chat.postMessage({ channel: command.channel_id, text: `<@${command.user_id}> asked for a sync${sync.source ? ` of ${sync.source}` : ''}.` });
      const inThread = (message: string) => client.chat.postMessage({ channel: command.channel_id, thread_ts: announcement.ts, text: message });
      await inThread(
        await startChatSync(deps.sync, {
          source: sync.source,
          requestedBy: `slack:${command.user_name || command.user_id}`,
          isAdmin: true,
          post: async (message) => void (await inThread(message)),
        }),
      );
      return;
    }
    // help and status answer at once; anything else is a question, answered privately when ready.
    await ack();
    inBackground(
      (async () => {
        const reply = await deps
          .handleMessage({ text: text === '' ? 'help' : text, asker: { platform: 'slack', userId: command.user_id }, conversation: { id: `slack:${command.channel_id}` }, history: [] })
          .catch((error: unknown) => ({ kind: 'text' as const, text: error instanceof InvalidQuestionError ? error.message : 'Sorry, something went wrong while answering.' }));
        const [first] = reply.kind === 'text' ? [{ text: reply.text, blocks: undefined }] : answerMessages(reply.answer);
        await respond({ response_type: 'ephemeral', text: first!.text, ...(first!.blocks ? { blocks: first!.blocks as never } : {}) });
      })(),
    );
  });

  app.action(new RegExp(`^(${feedbackActions.like}|${feedbackActions.dislike})$`), async ({ ack, body, action, client }) => {
    await ack();
    const b = body as { user: { id: string }; channel?: { id: string }; message?: { ts: string; thread_ts?: string } };
    const reaction = (action as { action_id: string }).action_id === feedbackActions.like ? 'like' : 'dislike';
    if (!b.channel || !b.message) return;
    const stored = await deps.feedbackLog.recordFeedback({ messageId: `${b.channel.id}:${b.message.ts}`, conversationId: `slack:${b.channel.id}`, userId: b.user.id, reaction, comment: null });
    await client.chat.postEphemeral({
      channel: b.channel.id,
      user: b.user.id,
      thread_ts: b.message.thread_ts,
      text: stored ? 'Thanks for the feedback: it helps whoever looks after the documents.' : 'Thanks! That answer is too old to record feedback on.',
    });
  });

  async function answer(asked: Asked): Promise<void> {
    const { client, channel, threadTs } = asked;
    const post = (text: string) => client.chat.postMessage({ channel, thread_ts: threadTs, text });
    const text = asked.text.replace(mention, ' ').replace(/\s+/g, ' ').trim();
    if (text === '') {
      await post('Ask me a question about the company documents, e.g. "How do I request leave?". Type "help" for more.');
      return;
    }
    const sync = parseSyncCommand(text);
    if (sync) {
      await post(
        await startChatSync(deps.sync, {
          source: sync.source,
          requestedBy: `slack:${asked.userId}`,
          isAdmin: slack.adminIds.includes(asked.userId),
          post: async (message) => void (await post(message)),
        }),
      );
      return;
    }
    const done = await showProgress(asked, searchingText(text));
    try {
      const question: Question = {
        text,
        asker: { platform: 'slack', userId: asked.userId },
        conversation: { id: `slack:${channel}`, threadId: threadTs },
        history: asked.inThread && threadTs ? await threadHistory(client, channel, threadTs, asked.ts) : asked.direct ? memory.history(`slack:${channel}`) : [],
      };
      const stream = new SlackStream(client, { channel, threadTs, recipient: { userId: asked.userId, teamId: asked.teamId } }, log, deps.streamIntervalMs);
      let reply;
      try {
        reply = await deps.handleMessage(question, { onToken: (piece) => stream.append(piece) });
      } catch (error) {
        if (!(error instanceof InvalidQuestionError)) throw error;
        await post(error.message);
        return;
      }
      if (reply.kind === 'text') {
        await post(reply.text);
        return;
      }
      const lastTs = await stream.finish(answerMessages(reply.answer));
      answeredThreads.set(`${channel}:${threadTs ?? asked.ts}`, true);
      if (asked.direct && !asked.inThread) memory.remember(`slack:${channel}`, text, reply.answer.text);
      if (lastTs) {
        await recordGivenAnswer(deps.feedbackLog, log, { messageId: `${channel}:${lastTs}`, platform: 'slack', conversationId: `slack:${channel}`, question: text, answer: reply.answer });
      }
    } catch (error) {
      log.error({ err: error, channel }, 'Slack answer failed');
      await post('Sorry, something went wrong while answering. Please try again in a moment.').catch(() => {});
    } finally {
      await done();
    }
  }

  /** The assistant thread status where the workspace allows it, otherwise a reaction on the question. */
  async function showProgress(asked: Asked, status: string): Promise<() => Promise<void>> {
    const { client, channel, threadTs, ts } = asked;
    if (threadTs) {
      try {
        await client.assistant.threads.setStatus({ channel_id: channel, thread_ts: threadTs, status });
        return async () => {
          await client.assistant.threads.setStatus({ channel_id: channel, thread_ts: threadTs, status: '' }).catch(() => {});
        };
      } catch {
        // Not an assistant thread: a reaction says the same.
      }
    }
    try {
      await client.reactions.add({ channel, timestamp: ts, name: 'hourglass_flowing_sand' });
    } catch (error) {
      log.warn({ reason: (error as { data?: { error?: string } }).data?.error ?? (error as Error).message, channel }, 'could not show progress in Slack');
      return async () => {};
    }
    return async () => {
      await client.reactions.remove({ channel, timestamp: ts, name: 'hourglass_flowing_sand' }).catch(() => {});
    };
  }

  /** The thread's earlier turns: people's messages as questions, the bot's as answers. */
  async function threadHistory(client: WebClient, channel: string, threadTs: string, currentTs: string): Promise<Question['history']> {
    try {
      const { messages = [] } = await client.conversations.replies({ channel, ts: threadTs, limit: maxHistoryMessages });
      return messages
        .filter((m) => m.ts !== currentTs && (m.text ?? '').trim() !== '')
        .slice(-6)
        .map((m) => ({ role: m.bot_id ? ('assistant' as const) : ('user' as const), text: (m.text ?? '').replace(mention, ' ').trim() }));
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'could not read the thread: answering without it');
      return [];
    }
  }

  return {
    endpoint: receiver instanceof RestifyReceiver ? (req, res) => receiver.handle(req, res) : null,
    start: async () => {
      await app.init();
      await app.start();
    },
    stop: async () => {
      await app.stop();
      await Promise.all(running);
    },
  };
}
