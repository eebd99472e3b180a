// What the bot does with each Teams activity: a message (every one in a personal chat, @mentions in
// channels and group chats) becomes a chat turn, shown the Teams way (streamed in personal chats,
// one message after a typing indicator elsewhere, with follow-up questions under an answer in a
// personal chat); the bot welcomes a conversation it joins and stores feedback, with its comment.
import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { ChatTurn, Presenter } from '../../conversation/chat-turn.js';
import { helpText } from '../../conversation/commands.js';
import type { FollowUps } from '../../conversation/follow-ups.js';
import type { SeenMessages } from '../../conversation/seen-messages.js';
import type { Answer, Question } from '../../domain.js';
import type { FeedbackLog } from '../../index/passage-index.js';
import type { Logger } from '../../logger.js';
import { answerActivity, suggestedActions } from './teams-message.js';
import { TeamsStream, type TeamsStreamOptions } from './teams-stream.js';

export interface TeamsBotDependencies {
  chatTurn: ChatTurn;
  /** Deliveries already taken (the welcome is sent once too). */
  seen: SeenMessages;
  feedbackLog: FeedbackLog;
  /** Microsoft Entra object ids of the people who may run `sync`. */
  adminIds: string[];
  logger: Logger;
  /** Posts to a conversation outside the turn (sync progress and reports). */
  continueConversation: (reference: Partial<ConversationReference>, send: (context: TurnContext) => Promise<void>) => Promise<void>;
  /** Opens (or finds) the personal chat of the turn's sender with the bot, and sends there. */
  openPersonalChat: (context: TurnContext, send: (personal: TurnContext) => Promise<void>) => Promise<void>;
  stream?: TeamsStreamOptions;
  /** The follow-up questions offered under answers in personal chats; none without it. */
  followUps?: FollowUps;
}

type FeedbackValue = { actionName?: string; actionValue?: { reaction?: string; feedback?: unknown } };

/** A Teams channel is read by its members (the channel's and its team's principals); a group chat has no principal of its own. */
function placePrincipals(activity: Activity): string[] {
  const data = activity.channelData as { channel?: { id?: string }; team?: { id?: string; aadGroupId?: string } } | undefined;
  return [
    ...(data?.channel?.id ? [`teams-channel:${data.channel.id}`] : []),
    ...(data?.team?.id ? [`teams-team:${data.team.id}`] : []),
    ...(data?.team?.aadGroupId ? [`teams-team:${data.team.aadGroupId}`] : []),
  ];
}

export class TeamsBot {
  constructor(private readonly deps: TeamsBotDependencies) {}

  /** Ends when the activity is handled (answered, ignored or found delivered again). */
  async onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    switch (activity.type) {
      case ActivityTypes.Message:
        return this.onMessage(context);
      case ActivityTypes.ConversationUpdate:
        return this.onConversationUpdate(context);
      case ActivityTypes.Invoke:
        return this.onInvoke(context);
      default:
        this.deps.logger.debug({ activityId: activity.id, type: activity.type }, 'activity type not handled');
    }
  }

  private async onMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const personal = activity.conversation?.conversationType === 'personal' || !activity.conversation?.isGroup;
    const mentioned = (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === activity.recipient?.id);
    if (!personal && !mentioned) {
      // In channels and group chats, only when asked.
      this.deps.logger.debug({ activityId: activity.id }, 'Teams message ignored: the bot is not mentioned');
      return;
    }
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

    const question: Omit<Question, 'readers'> = {
      text,
      asker: { platform: 'teams', userId: activity.from?.aadObjectId ?? activity.from?.id ?? 'unknown', displayName: activity.from?.name },
      conversation: { id: `teams:${activity.conversation?.id}` },
      history: [],
    };
    await this.deps.chatTurn(
      {
        question,
        place: personal ? { shared: false } : { shared: true, principals: placePrincipals(activity) },
        delivery: { activityId: activity.id },
        // Teams re-sends an activity it thinks was not answered: the same id is answered once.
        dedupeKey: activity.id ? `${activity.conversation?.id}|${activity.id}` : undefined,
        remember: true,
        isAdmin: Boolean(activity.from?.aadObjectId && this.deps.adminIds.includes(activity.from.aadObjectId)),
        requestedBy: `teams:${activity.from?.name ?? activity.from?.aadObjectId ?? activity.from?.id}`,
      },
      (log) => this.presenter(context, personal, text, log.child({ component: 'teams' })),
    );
  }

  /** Personal chats stream; channels and group chats cannot: a typing indicator, then one message. */
  private presenter(context: TurnContext, personal: boolean, asked: string, log: Logger): Presenter {
    const stream = personal ? new TeamsStream(context, log, this.deps.stream) : null;
    const send = async (text: string) => void (await (stream ? stream.finish({ type: 'message', text }) : context.sendActivity(text)));
    const reference = TurnContext.getConversationReference(context.activity);
    return {
      progress: async (text) => {
        if (stream) await stream.informative(text);
        else await context.sendActivity({ type: ActivityTypes.Typing });
        return async () => {};
      },
      stream: stream ? (piece) => stream.append(piece) : undefined,
      answer: async (answer) => {
        // Teams shows suggested actions in personal chats; in a channel a click would post without the @mention the bot answers to.
        const message = answerActivity(answer, personal ? { suggestedActions: await this.followUps(answer, asked, context.activity.from?.id, log) } : {});
        return stream ? stream.finish(message) : ((await context.sendActivity(message))?.id ?? null);
      },
      // Targeted in-channel messages are in preview: the fuller answer goes to the personal chat.
      privateAnswer: personal
        ? undefined
        : async (answer) => {
            let posted: { messageId: string; conversationId: string } | null = null;
            await this.deps.openPersonalChat(context, async (chat) => {
              const id = (await chat.sendActivity(answerActivity(answer, { suggestedActions: await this.followUps(answer, asked, context.activity.from?.id, log) })))?.id;
              if (id) posted = { messageId: id, conversationId: `teams:${chat.activity.conversation?.id}` };
            });
            return posted;
          },
      reply: send,
      refuse: send,
      privately: send,
      postLater: (text) => this.deps.continueConversation(reference, async (later) => void (await later.sendActivity(text))),
      // Never a stack trace in chat: a short apology.
      fail: async (message) => void (await context.sendActivity(message)),
    };
  }

  /** The follow-up questions as suggested actions for the asker; none when there are none to offer. */
  private async followUps(answer: Answer, asked: string, askerId: string | undefined, log: Logger) {
    if (!askerId || !this.deps.followUps) return undefined;
    return suggestedActions(await this.deps.followUps(answer, asked, log), [askerId]);
  }

  private async onConversationUpdate(context: TurnContext): Promise<void> {
    const { membersAdded, recipient, id, conversation } = context.activity;
    if (!membersAdded?.some((member) => member.id === recipient?.id)) {
      this.deps.logger.debug({ activityId: id }, 'Teams conversation update ignored: the bot was not added');
      return;
    }
    if (id && !(await this.deps.seen.claim(`teams:${conversation?.id}|${id}`))) {
      this.deps.logger.info({ activityId: id }, 'activity delivered again: already answered');
      return;
    }
    await context.sendActivity(`Hi! I answer questions from the company's documents, with links to the sources.\n\n${helpText()}\n\nIn a channel, @mention me with your question.`);
  }

  private async onInvoke(context: TurnContext): Promise<void> {
    const { name, value, replyToId, from } = context.activity as Activity & { value?: FeedbackValue };
    if (name !== 'message/submitAction' || value?.actionName !== 'feedback') {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 501 } });
      return;
    }
    const reaction = value.actionValue?.reaction;
    if (reaction !== 'like' && reaction !== 'dislike') {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 400 } });
      return;
    }
    const comment = feedbackComment(value.actionValue?.feedback);
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

/**
 * The comment typed in Teams' feedback form: `feedback` is the form's JSON as a string
 * (`{"feedbackText":"…"}`), an object in some clients, or plain text; empty means none.
 */
function feedbackComment(feedback: unknown): string | null {
  let form: unknown = feedback;
  if (typeof feedback === 'string') {
    try {
      form = JSON.parse(feedback || '{}');
    } catch {
      return feedback.trim() || null;
    }
  }
  const text = form && typeof form === 'object' ? (form as { feedbackText?: unknown }).feedbackText : typeof form === 'string' ? form : undefined;
  return typeof text === 'string' ? text.trim() || null : null;
}
