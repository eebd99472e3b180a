// The Slack app: @mentions in channels (answered in the thread), DMs, follow-ups in threads the bot
// answered and the /groundwork command become chat turns, shown the Slack way; feedback (Slack's
// native thumbs in direct conversations, plain buttons in channels) is stored. The assistant view:
// a thread opened there is greeted with suggested prompts; its questions are answered as DMs are,
// the thread titled after the first one, a status shown while searching. Every event is
// acknowledged before any work (Slack retries after 3 s); the turn answers a retried event once.
//
// Bolt's Assistant class is not used: its default thread-context store keeps one context for the
// whole process and rewrites the greeting message's metadata, and its message matcher takes every
// DM thread. The two assistant events are handled here directly; the context (the channel the
// person is looking at) is not needed, since an assistant thread is answered with the asker's
// own access.
import { App, LogLevel, type Receiver, type RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type restify from 'restify';
import type { Config } from '../../config.js';
import type { ChatTurn, Presenter, TurnRequest } from '../../conversation/chat-turn.js';
import type { FollowUps } from '../../conversation/follow-ups.js';
import { isChinese } from '../../conversation/language.js';
import { maxSuggestedPrompts, type SuggestedPrompt } from '../../conversation/suggested-prompts.js';
import { parseSyncCommand } from '../../conversation/sync-command.js';
import type { Answer, Question } from '../../domain.js';
import { toGroundworkError } from '../../errors.js';
import type { FeedbackLog } from '../../index/passage-index.js';
import type { Logger } from '../../logger.js';
import { answerMessages, feedbackActions, feedbackValues, type FeedbackStyle } from './slack-message.js';
import { RestifyReceiver, SocketModeBridge } from './slack-receivers.js';
import { slackErrorReason, SlackStream } from './slack-stream.js';

export interface SlackDependencies {
  chatTurn: ChatTurn;
  feedbackLog: FeedbackLog;
  logger: Logger;
  streamIntervalMs?: number;
  /**
   * The prompts offered in a new assistant thread (the most-asked answered questions, else the
   * sources' titles); at most 4 are shown. Without it, or when it has none, the commands are
   * offered (help, status).
   */
  suggestedPrompts?: () => Promise<SuggestedPrompt[]>;
  /** Slack's native feedback element in DMs and assistant threads (default true); false: plain buttons everywhere. */
  nativeFeedback?: boolean;
  /** The questions offered after an answer in an assistant thread, as its suggested prompts; none without it. */
  followUps?: FollowUps;
}

const defaultPrompts: SuggestedPrompt[] = [
  { title: 'What can you do?', message: 'help' },
  { title: 'Which documents do you answer from?', message: 'status' },
];
const greetingText = "Hi! I answer questions from the company's documents, with the sources. Ask me anything, or start with one of these.";
const maxTitleChars = 80;

export interface SlackChannel {
  /** The HTTP endpoint for POST /slack/events; null in Socket Mode. */
  endpoint: ((req: restify.Request, res: restify.Response) => Promise<void>) | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Asked {
  client: WebClient;
  /** The Events API delivery (retries carry the same id). */
  eventId?: string;
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
  // Threads the bot answered in: replies there are follow-ups without a mention.
  const answeredThreads = new LRUCache<string, true>({ max: 20_000, ttl: 24 * 60 * 60_000 });
  // Assistant threads already greeted (a retried assistant_thread_started is not greeted twice here).
  const greetedThreads = new LRUCache<string, true>({ max: 20_000, ttl: 60 * 60_000 });
  const running = new Set<Promise<void>>();
  const inBackground = (work: Promise<void>) => {
    const tracked = work.catch((error: unknown) => log.error({ err: error }, 'Slack answer failed'));
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
  };
  const eventIdOf = (body: unknown) => (body as { event_id?: string }).event_id;
  const ignored = (body: unknown, reason: string) => log.debug({ eventId: eventIdOf(body), reason }, 'Slack event ignored');

  // Bolt reports a listener's failure here (by default, unstructured on the console).
  app.error(async (error) => {
    log.error({ err: error }, 'Slack listener failed');
  });

  app.event('app_mention', async ({ event, client, body }) => {
    if ((event as { bot_id?: string }).bot_id || (event as { subtype?: string }).subtype) return ignored(body, 'not a person\'s new message');
    const teamId = (body as { team_id?: string }).team_id;
    inBackground(
      ask({ client, eventId: eventIdOf(body), channel: event.channel, threadTs: event.thread_ts ?? event.ts, ts: event.ts, userId: event.user ?? '', teamId, text: event.text, inThread: Boolean(event.thread_ts), direct: false }),
    );
  });

  app.event('assistant_thread_started', async ({ event, client, body }) => {
    const { channel_id: channel, thread_ts: threadTs } = event.assistant_thread;
    if (greetedThreads.has(`${channel}:${threadTs}`)) return ignored(body, 'assistant thread already greeted');
    greetedThreads.set(`${channel}:${threadTs}`, true);
    inBackground(greetAssistantThread(client, channel, threadTs, eventIdOf(body)));
  });

  // The person moved to another channel with the assistant view open: nothing to do, since the
  // thread is answered with the asker's own access whatever channel they look at.
  app.event('assistant_thread_context_changed', async ({ body }) => ignored(body, 'assistant thread context is not used'));

  app.message(async ({ message, client, context, body }) => {
    const m = message as { subtype?: string; bot_id?: string; text?: string; channel: string; channel_type?: string; ts: string; thread_ts?: string; user?: string; files?: unknown[] };
    // Edits, deletions, joins and other bots (this one included) are not questions.
    if ((m.subtype && m.subtype !== 'file_share') || m.bot_id || !m.user) return ignored(body, 'not a person\'s new message');
    const teamId = (body as { team_id?: string }).team_id;
    const asked: Asked = { client, eventId: eventIdOf(body), channel: m.channel, threadTs: m.thread_ts, ts: m.ts, userId: m.user, teamId, text: m.text ?? '', inThread: Boolean(m.thread_ts), direct: m.channel_type === 'im' };
    if (m.channel_type === 'im') {
      inBackground(ask(asked));
      return;
    }
    // In channels a mention arrives as app_mention too; only unmentioned thread replies are taken here.
    const mentionsBot = context.botUserId ? (m.text ?? '').includes(`<@${context.botUserId}>`) : false;
    if (slack.threadFollowUps && m.thread_ts && !mentionsBot && answeredThreads.has(`${m.channel}:${m.thread_ts}`)) inBackground(ask(asked));
    else ignored(body, mentionsBot ? 'answered as a mention' : 'not in a thread the bot answered');
  });

  app.command('/groundwork', async ({ command, ack, client, respond }) => {
    await ack();
    const text = (command.text ?? '').trim() || 'help'; // Slack leaves the field out when nothing follows the command
    const request: TurnRequest = {
      question: { text, asker: { platform: 'slack', userId: command.user_id }, conversation: { id: `slack:${command.channel_id}` }, history: [] },
      // The reply is ephemeral: only the asker reads it, so the asker's own access decides.
      place: { shared: false },
      delivery: {},
      isAdmin: slack.adminIds.includes(command.user_id),
      requestedBy: `slack:${command.user_name || command.user_id}`,
    };
    const sync = parseSyncCommand(text);
    inBackground(
      deps.chatTurn(request, (turnLog) =>
        sync ? syncCommandPresenter(client, command, sync.source) : slashCommandPresenter(respond, turnLog.child({ component: 'slack' })),
      ).then(() => {}),
    );
  });

  app.action(new RegExp(`^(${feedbackActions.like}|${feedbackActions.dislike}|${feedbackActions.native})$`), async ({ ack, body, action, client }) => {
    await ack();
    const b = body as { user: { id: string }; channel?: { id: string }; message?: { ts: string; thread_ts?: string } };
    const reaction = reactionOf(action as { action_id: string; value?: string });
    if (!b.channel || !b.message || !reaction) return;
    const stored = await deps.feedbackLog.recordFeedback({ messageId: `${b.channel.id}:${b.message.ts}`, conversationId: `slack:${b.channel.id}`, userId: b.user.id, reaction, comment: null });
    await client.chat.postEphemeral({
      channel: b.channel.id,
      user: b.user.id,
      thread_ts: b.message.thread_ts,
      text: stored ? 'Thanks for the feedback: it helps whoever looks after the documents.' : 'Thanks! That answer is too old to record feedback on.',
    });
  });

  /** The thumbs clicked: our buttons by their action id, Slack's native element by the value of the button pressed. */
  function reactionOf(action: { action_id: string; value?: string }): 'like' | 'dislike' | null {
    if (action.action_id === feedbackActions.like) return 'like';
    if (action.action_id === feedbackActions.dislike) return 'dislike';
    if (action.value === feedbackValues.positive) return 'like';
    if (action.value === feedbackValues.negative) return 'dislike';
    log.warn({ actionId: action.action_id, value: action.value }, 'Slack feedback with an unknown value: not stored');
    return null;
  }

  /** A new assistant thread: a short greeting and the suggested prompts. */
  async function greetAssistantThread(client: WebClient, channel: string, threadTs: string, eventId: string | undefined): Promise<void> {
    const greetLog = log.child({ eventId, channel });
    let prompts = defaultPrompts;
    try {
      const offered = ((await deps.suggestedPrompts?.()) ?? []).filter((prompt) => prompt.title.trim() !== '' && prompt.message.trim() !== '');
      if (offered.length > 0) prompts = offered;
    } catch (error) {
      greetLog.warn({ err: error }, 'could not prepare the suggested prompts: offering the commands');
    }
    await client.chat.postMessage({ channel, thread_ts: threadTs, text: greetingText });
    try {
      await client.assistant.threads.setSuggestedPrompts({
        channel_id: channel,
        thread_ts: threadTs,
        title: 'Try asking',
        prompts: prompts.slice(0, maxSuggestedPrompts) as [SuggestedPrompt, ...SuggestedPrompt[]],
      });
    } catch (error) {
      greetLog.warn({ reason: slackErrorReason(error) }, 'could not set the suggested prompts');
    }
  }

  /** The questions to ask next as the thread's suggested prompts (an assistant thread's; an ordinary DM thread has none). */
  async function offerFollowUps(client: WebClient, channel: string, threadTs: string, answer: Answer, asked: string, turnLog: Logger): Promise<void> {
    if (!deps.followUps) return;
    try {
      const questions = await deps.followUps(answer, asked, turnLog);
      if (questions.length === 0) return;
      await client.assistant.threads.setSuggestedPrompts({
        channel_id: channel,
        thread_ts: threadTs,
        title: isChinese(questions[0]!) ? '接着可以问' : 'Ask next',
        prompts: questions.map((q) => ({ title: q, message: q })) as [SuggestedPrompt, ...SuggestedPrompt[]],
      });
    } catch (error) {
      turnLog.debug({ reason: slackErrorReason(error), channel }, 'could not offer the follow-up questions');
    }
  }

  /** Names an assistant thread after its first question, as the person's list of chats shows it. */
  async function titleThread(client: WebClient, channel: string, threadTs: string, question: string): Promise<void> {
    const title = question.length > maxTitleChars ? `${question.slice(0, maxTitleChars - 1).trimEnd()}…` : question;
    try {
      await client.assistant.threads.setTitle({ channel_id: channel, thread_ts: threadTs, title });
    } catch (error) {
      // An ordinary DM thread has no title to set.
      log.debug({ reason: slackErrorReason(error), channel }, 'could not set the thread title');
    }
  }

  /** A mention, a DM or a follow-up in a thread: a chat turn answered in the conversation. */
  async function ask(delivered: Asked): Promise<void> {
    // A thread in a DM (the assistant view's threads are these) is direct whatever event brought it.
    const asked = { ...delivered, direct: delivered.direct || delivered.channel.startsWith('D') };
    const { client, channel, threadTs, direct } = asked;
    const text = asked.text.replace(mention, ' ').replace(/\s+/g, ' ').trim();
    if (text === '') {
      await client.chat.postMessage({ channel, thread_ts: threadTs, text: 'Ask me a question about the company documents, e.g. "How do I request leave?". Type "help" for more.' });
      return;
    }
    const history = asked.inThread && threadTs ? await threadHistory(client, channel, threadTs, asked.ts) : [];
    const question: Omit<Question, 'readers'> = {
      text,
      asker: { platform: 'slack', userId: asked.userId },
      conversation: { id: `slack:${channel}`, threadId: threadTs },
      history,
    };
    // A DM thread's first question names it.
    if (direct && asked.inThread && threadTs && !history.some((turn) => turn.role === 'user')) await titleThread(client, channel, threadTs, text);
    await deps.chatTurn(
      {
        question,
        // A DM is read by the asker alone; a channel (a group DM too) by everyone in it.
        place: direct ? { shared: false } : { shared: true, principals: [`slack-channel:${channel}`] },
        delivery: { eventId: asked.eventId },
        // Slack retries an event it thinks was lost, immediately, after 1 and after 5 minutes.
        dedupeKey: asked.eventId,
        // Follow-ups outside threads (a DM's main conversation) use the turns the bot remembers.
        remember: direct && !asked.inThread,
        isAdmin: slack.adminIds.includes(asked.userId),
        requestedBy: `slack:${asked.userId}`,
      },
      (turnLog) => conversationPresenter(asked, text, turnLog.child({ component: 'slack' })),
    );
  }

  /** Replies in the conversation (the thread, when there is one), the answer streamed where Slack allows. */
  function conversationPresenter(asked: Asked, question: string, turnLog: Logger): Presenter {
    const { client, channel, threadTs, direct } = asked;
    const feedback: FeedbackStyle = direct && deps.nativeFeedback !== false ? 'native' : 'buttons';
    const post = async (text: string) => void (await client.chat.postMessage({ channel, thread_ts: threadTs, text }));
    const stream = new SlackStream(client, { channel, threadTs, recipient: { userId: asked.userId, teamId: asked.teamId } }, turnLog, deps.streamIntervalMs);
    return {
      progress: (status) => showProgress(asked, status, turnLog),
      stream: (piece) => stream.append(piece),
      answer: async (answer) => {
        const lastTs = await stream.finish(answerMessages(answer, feedback));
        answeredThreads.set(`${channel}:${threadTs ?? asked.ts}`, true);
        if (threadTs && direct) await offerFollowUps(client, channel, threadTs, answer, question, turnLog);
        return lastTs ? `${channel}:${lastTs}` : null;
      },
      // Only the asker sees an ephemeral message; it lasts until they reload, so it is not rated.
      privateAnswer: async (answer) => {
        for (const message of answerMessages(answer, 'none')) {
          await client.chat.postEphemeral({ channel, user: asked.userId, thread_ts: threadTs, text: message.text, blocks: message.blocks as never });
        }
        return null;
      },
      reply: post,
      refuse: post,
      privately: post,
      postLater: post,
      fail: (message) => post(message),
    };
  }

  /** /groundwork with a question, help or status: answered privately when ready (an ephemeral reply cannot be rated). */
  function slashCommandPresenter(respond: RespondFn, turnLog: Logger): Presenter {
    const privately = async (text: string, blocks?: unknown[]) => void (await respond({ response_type: 'ephemeral', text, ...(blocks ? { blocks: blocks as never } : {}) }));
    return {
      progress: async () => async () => {},
      answer: async (answer) => {
        for (const message of answerMessages(answer, 'none')) await privately(message.text, message.blocks);
        return null; // an ephemeral reply cannot be rated
      },
      reply: privately,
      refuse: privately,
      privately,
      postLater: async (text) => turnLog.warn({ text }, 'nowhere to post after a slash command'),
      fail: (message) => privately(message),
    };
  }

  /** /groundwork sync: refused privately, or announced in the channel with the outcome, progress and report in its thread. */
  function syncCommandPresenter(client: WebClient, command: { channel_id: string; user_id: string }, source: string | null): Presenter {
    const privately = async (text: string) => void (await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text }));
    let announcement: Promise<string | undefined> | null = null;
    const inThread = async (text: string) => {
      announcement ??= client.chat.postMessage({ channel: command.channel_id, text: `<@${command.user_id}> asked for a sync${source ? ` of ${source}` : ''}.` }).then((posted) => posted.ts);
      await client.chat.postMessage({ channel: command.channel_id, thread_ts: await announcement, text });
    };
    return {
      progress: async () => async () => {},
      answer: async () => null,
      reply: inThread,
      refuse: privately,
      privately,
      postLater: inThread,
      fail: (message) => privately(message),
    };
  }

  /** The assistant thread status in a DM thread where the workspace allows it, otherwise (and in channels) a reaction on the question. */
  async function showProgress(asked: Asked, status: string, turnLog: Logger): Promise<() => Promise<void>> {
    const { client, channel, threadTs, ts } = asked;
    if (threadTs && asked.direct) {
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
      turnLog.warn({ reason: slackErrorReason(error), channel }, 'could not show progress in Slack');
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
        // The assistant view's greeting is no turn of the conversation.
        .filter((m) => m.ts !== currentTs && (m.text ?? '').trim() !== '' && m.text !== greetingText)
        .slice(-6)
        .map((m) => ({ role: m.bot_id ? ('assistant' as const) : ('user' as const), text: (m.text ?? '').replace(mention, ' ').trim() }));
    } catch (error) {
      log.warn({ reason: toGroundworkError(error).message }, 'could not read the thread: answering without it');
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
