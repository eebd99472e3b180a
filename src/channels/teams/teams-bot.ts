// What the bot does with each Teams activity: answer questions (every message in a personal chat,
// @mentions in channels and group chats), run help/status/sync, welcome, and store feedback.
import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import { InvalidQuestionError } from '../../errors.js';
import type { ConversationMemory } from '../../conversation/conversation-memory.js';
import { helpText } from '../../conversation/commands.js';
import type { MessageHandler } from '../../conversation/handle-message.js';
import { searchingText } from '../../conversation/language.js';
import { recordGivenAnswer } from '../../conversation/record-answer.js';
import { parseSyncCommand, startChatSync, type ChatSyncDependencies } from '../../conversation/sync-command.js';
import type { FeedbackLog } from '../../index/passage-index.js';
import type { Logger } from '../../logger.js';
import { answerActivity } from './teams-message.js';
import { TeamsStream, type TeamsStreamOptions } from './teams-stream.js';

export interface TeamsBotDependencies {
  handleMessage: MessageHandler;
  memory: ConversationMemory;
  feedbackLog: FeedbackLog;
  sync: ChatSyncDependencies;
  /** Microsoft Entra object ids of the people who may run `sync`. */
  adminIds: string[];
  logger: Logger;
  /** Posts to a conversation outside the turn (sync progress and reports). */
  continueConversation: (reference: Partial<ConversationReference>, send: (context: TurnContext) => Promise<void>) => Promise<void>;
  stream?: TeamsStreamOptions;
}


export class TeamsBot {
  // Teams re-sends an activity it thinks was not answered: the same id is answered once.
  private readonly seen = new LRUCache<string, true>({ max: 10_000, ttl: 15 * 60_000 });

  constructor(private readonly deps: TeamsBotDependencies) {}

  async onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const key = activity.id ? `${activity.conversation?.id}|${activity.id}` : null;
    if (key && activity.type !== ActivityTypes.Invoke) {
      if (this.seen.has(key)) {
        this.deps.logger.info({ activityId: activity.id }, 'activity delivered again: already answered');
        return;
      }
      this.seen.set(key, true);
    }
    switch (activity.type) {
      case ActivityTypes.Message:
        return this.onMessage(context);
      case ActivityTypes.ConversationUpdate:
        return this.onConversationUpdate(context);
      case ActivityTypes.Invoke:
        return this.onInvoke(context);
      default:
        this.deps.logger.debug({ type: activity.type }, 'activity type not handled');
    }
  }

  private async onMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const personal = activity.conversation?.conversationType === 'personal' || !activity.conversation?.isGroup;
    const mentioned = (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === activity.recipient?.id);
    if (!personal && !mentioned) return; // in channels and group chats, only when asked
    const text = (mentioned ? TurnContext.removeRecipientMention(activity) : activity.text ?? '').replace(/<[^>]+>/g, ' ').trim();
    if (text === '') {
      const onlyFiles = (activity.attachments ?? []).some((a) => a.contentType !== 'text/html');
      await context.sendActivity(
        onlyFiles
          ? 'I can only read questions typed as text, not files or images. What would you like to know?'
          : 'What would you like to know? Ask me a question about the company documents, or type "help".',
      );
      return;
    }

    const sync = parseSyncCommand(text);
    if (sync) {
      const reference = TurnContext.getConversationReference(activity);
      const reply = await startChatSync(this.deps.sync, {
        source: sync.source,
        requestedBy: `teams:${activity.from?.name ?? activity.from?.aadObjectId ?? activity.from?.id}`,
        isAdmin: Boolean(activity.from?.aadObjectId && this.deps.adminIds.includes(activity.from.aadObjectId)),
        post: (message) => this.deps.continueConversation(reference, async (ctx) => void (await ctx.sendActivity(message))),
      });
      await context.sendActivity(reply);
      return;
    }

    const conversationKey = `teams:${activity.conversation?.id}`;
    const question = {
      text,
      asker: { platform: 'teams' as const, userId: activity.from?.aadObjectId ?? activity.from?.id ?? 'unknown', displayName: activity.from?.name },
      conversation: { id: conversationKey },
      history: this.deps.memory.history(conversationKey),
    };
    // Personal chats stream; channels and group chats cannot: a typing indicator, then one message.
    const stream = personal ? new TeamsStream(context, this.deps.logger, this.deps.stream) : null;
    if (stream) await stream.informative(searchingText(text));
    else await context.sendActivity({ type: ActivityTypes.Typing });

    let reply;
    try {
      reply = await this.deps.handleMessage(question, stream ? { onToken: (piece) => stream.append(piece) } : {});
    } catch (error) {
      if (!(error instanceof InvalidQuestionError)) throw error;
      await (stream ? stream.finish({ type: 'message', text: error.message }) : context.sendActivity(error.message));
      return;
    }
    if (reply.kind === 'text') {
      await (stream ? stream.finish({ type: 'message', text: reply.text }) : context.sendActivity(reply.text));
      return;
    }
    const message = answerActivity(reply.answer);
    const sent = stream ? await stream.finish(message) : ((await context.sendActivity(message))?.id ?? null);
    this.deps.memory.remember(conversationKey, text, reply.answer.text);
    if (sent) await recordGivenAnswer(this.deps.feedbackLog, this.deps.logger, { messageId: sent, platform: 'teams', conversationId: conversationKey, question: text, answer: reply.answer });
  }

  private async onConversationUpdate(context: TurnContext): Promise<void> {
    const { membersAdded, recipient } = context.activity;
    if (!membersAdded?.some((member) => member.id === recipient?.id)) return;
    await context.sendActivity(`Hi! I answer questions from the company's documents, with links to the sources.\n\n${helpText()}\n\nIn a channel, @mention me with your question.`);
  }

  private async onInvoke(context: TurnContext): Promise<void> {
    const { name, value, replyToId, from } = context.activity as Activity & { value?: { actionName?: string; actionValue?: { reaction?: string; feedback?: string } } };
    if (name !== 'message/submitAction' || value?.actionName !== 'feedback') {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 501 } });
      return;
    }
    const reaction = value.actionValue?.reaction;
    if (reaction !== 'like' && reaction !== 'dislike') {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 400 } });
      return;
    }
    const feedback = typeof value.actionValue?.feedback === 'string' ? value.actionValue.feedback : '';
    let comment: string | null = null;
    try {
      const text = (JSON.parse(feedback || '{}') as { feedbackText?: unknown } | null)?.feedbackText;
      comment = typeof text === 'string' ? text.trim() || null : null;
    } catch {
      comment = feedback.trim() || null;
    }
    const stored = await this.deps.feedbackLog.recordFeedback({
      // Without the id of the message rated, the feedback is about the conversation's latest answer.
      messageId: replyToId ?? null,
      conversationId: `teams:${context.activity.conversation?.id}`,
      userId: from?.aadObjectId ?? from?.id ?? 'unknown',
      reaction,
      comment,
    });
    if (!stored) this.deps.logger.warn({ replyToId }, 'feedback on an answer that is not on record');
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: {} } });
  }
}
