// One chat turn, the same on every channel: de-duplicate the delivery, route the commands (help,
// status, sync for admins), validate the question, answer it with the conversation's history from
// the documents its readers may read, remember the exchange, keep the given answer for feedback,
// and log the turn. A channel brings the transport (who asked, where) and a presenter (how it
// shows each of these).
//
// Who reads the reply decides what it may quote: in a DM, the asker; in a channel, everyone in it.
// When the asker may read more than the channel, the channel answer says so and the fuller answer
// goes to the asker alone (presenter.privateAnswer). It is never remembered in the channel's
// history, so no later follow-up there can carry its text.
import type { AccessPolicy, Identity } from '../access/access-policy.js';
import type { AnswerOptions, AnswerTrace } from '../answer/answer-question.js';
import type { Answer, Passage, Place, Question } from '../domain.js';
import { InvalidQuestionError } from '../errors.js';
import type { FeedbackLog } from '../index/passage-index.js';
import type { Logger } from '../logger.js';
import { helpText, parseCommand, statusReply, type StatusSources } from './commands.js';
import type { ConversationMemory } from './conversation-memory.js';
import { failureText, privateAnswerNote, searchingText } from './language.js';
import { recordGivenAnswer } from './record-answer.js';
import type { SeenMessages } from './seen-messages.js';
import { adminsOnlyReply, parseSyncCommand, startChatSync, type ChatSyncDependencies } from './sync-command.js';
import { validQuestionText } from './validate-question.js';

export interface ChatTurnDependencies extends StatusSources {
  answer: (question: Question, options?: AnswerOptions) => Promise<Answer>;
  /** The asker's fuller answer in a shared place: null unless it cites something the place's readers may not read. */
  answerBeyond: (question: Question, placeReaders: readonly string[], options?: AnswerOptions) => Promise<Answer | null>;
  feedbackLog: FeedbackLog;
  sync: Omit<ChatSyncDependencies, 'logger'>;
  memory: ConversationMemory;
  seen: SeenMessages;
  maxQuestionChars: number;
  /** Who may read which document, and which sources each channel answers from. */
  access: AccessPolicy;
  /** The root logger: each turn logs through a child carrying its platform, conversation and delivery ids. */
  logger: Logger;
}

/** What one delivery is known by in the logs: Teams' activity id, Slack's event id, the web chat's request id. */
export type DeliveryIds = { activityId?: string; eventId?: string; reqId?: string };

export interface TurnRequest {
  /** Its `readers` are set by the turn, from the asker and the place. */
  question: Omit<Question, 'readers'>;
  /** Where the reply is read: by the asker alone, or by everyone in a channel or group chat. */
  place: Place;
  delivery: DeliveryIds;
  /** Set where the platform delivers again (Teams activities, Slack events): a second delivery is not answered. */
  dedupeKey?: string;
  /** The history is the one remembered for the conversation (the channel has none of its own), and this exchange is kept in it. */
  remember?: boolean;
  /** May start a sync. */
  isAdmin: boolean;
  /** Who started a sync, as its run records it ("teams:Ana"). */
  requestedBy: string;
}

/** How a channel shows a turn. Every method may post; `stream` is absent where the channel cannot stream. */
export interface Presenter {
  /** Shown at once while the reply is prepared ("Searching the docs…"); returns what takes it down. */
  progress(text: string): Promise<() => Promise<void>>;
  /** A piece of a generated answer as the model writes it. */
  stream?: (piece: string) => void;
  /** The answer, whatever its outcome (answer, closest, none: `answer.confidence`); returns the id of the message feedback will name, if any. */
  answer(answer: Answer): Promise<string | null>;
  /** A command's reply (help, status, the sync's start). */
  reply(text: string): Promise<void>;
  /** The question cannot be answered as asked (empty, too long): the message says why. */
  refuse(message: string): Promise<void>;
  /** Only the asker should see this (a sync refused to someone who is not an admin). */
  privately(text: string): Promise<void>;
  /**
   * In a shared place: the fuller answer, from documents the asker may read and the place may
   * not, for the asker alone (a Slack ephemeral message, a Teams personal chat). Returns the
   * message feedback will name and the conversation it is in, if any. Absent where a channel has
   * no private way.
   */
  privateAnswer?: (answer: Answer) => Promise<{ messageId: string; conversationId: string } | null>;
  /** Posts to the conversation after the turn (sync progress and report). */
  postLater(text: string): Promise<void>;
  /** Answering failed: `message` (in the asker's language) says so, never the error itself. */
  fail(message: string, error: unknown): Promise<void>;
}

export type TurnOutcome = 'answer' | 'closest' | 'none' | 'command' | 'invalid' | 'duplicate' | 'error';

/** Runs one turn; `present` builds the channel's presenter with the turn's logger. */
export type ChatTurn = (request: TurnRequest, present: (log: Logger) => Presenter) => Promise<TurnOutcome>;

const passageLog = (passage: Passage) => ({ documentId: passage.document.id, score: passage.score, ...(passage.similarity !== undefined ? { similarity: passage.similarity } : {}) });

export function createChatTurn(deps: ChatTurnDependencies): ChatTurn {
  return async (request, present) => {
    const started = performance.now();
    const { question } = request;
    const conversationId = question.conversation.id;
    const log = deps.logger.child({ platform: question.asker.platform, conversationId, ...request.delivery });
    const turnLog = log.child({ component: 'turn' });
    const finished = (outcome: TurnOutcome, fields: Record<string, unknown> = {}): TurnOutcome => {
      turnLog.info({ outcome, ...fields, totalMs: Math.round(performance.now() - started) }, 'turn finished');
      return outcome;
    };
    if (request.dedupeKey !== undefined && !(await deps.seen.claim(`${question.asker.platform}:${request.dedupeKey}`))) {
      return finished('duplicate');
    }

    const presenter = present(log);
    let takeDownProgress: (() => Promise<void>) | null = null;
    try {
      const sync = parseSyncCommand(question.text);
      if (sync) {
        if (!request.isAdmin) {
          await presenter.privately(adminsOnlyReply);
          return finished('command', { command: 'sync', refused: 'not an admin' });
        }
        const reply = await startChatSync({ ...deps.sync, logger: turnLog }, { source: sync.source, requestedBy: request.requestedBy, isAdmin: true, post: presenter.postLater });
        await presenter.reply(reply);
        return finished('command', { command: 'sync' });
      }

      takeDownProgress = await presenter.progress(searchingText(question.text));
      let text: string;
      try {
        text = validQuestionText(question.text, deps.maxQuestionChars);
      } catch (error) {
        if (!(error instanceof InvalidQuestionError)) throw error;
        await presenter.refuse(error.message);
        return finished('invalid', { reason: error.message });
      }
      const audience = deps.access.audience(identityOf(question), request.place);
      const command = parseCommand(text);
      if (command) {
        await presenter.reply(command === 'help' ? helpText() : await statusReply(deps, { readers: audience.readers, isAdmin: request.isAdmin }));
        return finished('command', { command });
      }

      const history = request.remember ? await deps.memory.history(conversationId) : question.history;
      const sources = narrowed(question.sources, audience.sources);
      const asked: Question = { ...question, text, history, readers: audience.readers, ...(sources ? { sources } : {}) };
      let trace: AnswerTrace | null = null;
      // The fuller answer is prepared beside the channel's, never streamed; the model is asked for
      // it only when the evidence holds something the place may not read. A follow-up is
      // rewritten once for both.
      const rewrite = {};
      const fuller =
        audience.askerReaders && presenter.privateAnswer
          ? deps.answerBeyond({ ...asked, readers: audience.askerReaders }, audience.readers, { logger: log, rewrite }).catch((error: unknown) => {
              turnLog.warn({ err: error }, 'the fuller answer for the asker alone failed: the channel answer stands');
              return null;
            })
          : null;
      const answer = await deps.answer(asked, { logger: log, onToken: presenter.stream, onTrace: (made) => (trace = made), rewrite });
      const more = await fuller;
      const shown = more ? { ...answer, text: `${answer.text}\n\n${privateAnswerNote(text, question.asker.platform)}` } : answer;
      const messageId = await presenter.answer(shown);
      if (request.remember) await deps.memory.remember(conversationId, text, shown.text);
      const record = (id: string, given: Answer, where = conversationId) =>
        recordGivenAnswer(deps.feedbackLog, turnLog, { messageId: id, platform: question.asker.platform, conversationId: where, question: text, answer: given });
      if (messageId) await record(messageId, shown);
      if (more) {
        try {
          const posted = await presenter.privateAnswer!(more);
          // Kept with the private conversation: feedback in the channel never lands on it.
          if (posted) await record(posted.messageId, more, posted.conversationId);
          turnLog.info({ privateCited: more.citations.map((citation) => citation.passage.document.id) }, 'fuller answer sent to the asker alone');
        } catch (error) {
          // The channel answer stands; its note promised more, so the failure is worth a warning.
          turnLog.warn({ err: error }, 'could not send the fuller answer to the asker alone');
        }
      }
      const made = trace as AnswerTrace | null;
      return finished(answer.confidence, {
        mode: answer.mode,
        cited: answer.citations.map((citation) => passageLog(citation.passage)),
        dropped: made?.dropped.map(passageLog) ?? [],
        retrievalMs: made?.retrievalMs,
        modelFirstTokenMs: made?.modelFirstTokenMs ?? undefined,
      });
    } catch (error) {
      turnLog.error({ err: error }, 'turn failed');
      await presenter.fail(failureText(question.text, error), error).catch((failure: unknown) => turnLog.warn({ err: failure }, 'could not tell the asker that answering failed'));
      return finished('error');
    } finally {
      await takeDownProgress?.().catch(() => {});
    }
  };
}

/** The asker as the access file names people: only Teams and Slack identities count. */
function identityOf(question: Omit<Question, 'readers'>): Identity {
  const { platform, userId } = question.asker;
  return platform === 'slack' || platform === 'teams' ? { platform, userId } : null;
}

/** The sources both lists allow; either may be absent (no restriction). */
function narrowed(asked: string[] | undefined, place: string[] | undefined): string[] | undefined {
  if (!asked) return place;
  if (!place) return asked;
  return asked.filter((source) => place.includes(source));
}
