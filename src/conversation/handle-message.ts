import type { AnswerOptions } from '../answer/answer-question.js';
import type { Answer, Question } from '../domain.js';
import { InvalidQuestionError } from '../errors.js';
import { helpText, parseCommand, statusText } from './commands.js';
import type { FeedbackLog, PassageIndex, SyncState } from '../index/passage-index.js';
import { syncRunLine } from '../ingest/sync-report-text.js';

export type Reply = { kind: 'answer'; answer: Answer } | { kind: 'text'; text: string };

export interface MessageHandlerDependencies {
  answer: (question: Question, options?: AnswerOptions) => Promise<Answer>;
  index: PassageIndex;
  syncState: SyncState;
  /** Adds feedback counts to `status` when answers are rated in a chat. */
  feedbackLog?: FeedbackLog;
  maxQuestionChars: number;
}

export type MessageHandler = (question: Question, options?: AnswerOptions) => Promise<Reply>;

/** The one entry point every channel calls: a command, or a question to answer. */
export function createMessageHandler(deps: MessageHandlerDependencies): MessageHandler {
  return async (question, options) => {
    const text = question.text.trim();
    if (text === '') throw new InvalidQuestionError('The question is empty: type what you want to know, e.g. "How do I request leave?"');
    if (text.length > deps.maxQuestionChars) {
      throw new InvalidQuestionError(
        `The question is ${text.length.toLocaleString('en')} characters long; the limit is ${deps.maxQuestionChars.toLocaleString('en')}. ` +
          'Ask a shorter question.',
      );
    }
    switch (parseCommand(text)) {
      case 'help':
        return { kind: 'text', text: helpText() };
      case 'status': {
        const lines = [statusText(await deps.syncState.sourceStatuses(), await deps.index.chunkCount())];
        const [lastRun] = await deps.syncState.recentRuns(1);
        if (lastRun) lines.push(`Last sync: ${syncRunLine(lastRun)}`);
        if (deps.feedbackLog) {
          const { like, dislike } = await deps.feedbackLog.feedbackCounts();
          lines.push(`Feedback on answers: ${like} helpful, ${dislike} not helpful.`);
        }
        return { kind: 'text', text: lines.join('\n') };
      }
      default:
        return { kind: 'answer', answer: await deps.answer({ ...question, text }, options) };
    }
  };
}
