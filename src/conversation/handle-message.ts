import type { AnswerOptions } from '../answer/answer-question.js';
import type { Answer, Question } from '../domain.js';
import { InvalidQuestionError } from '../errors.js';
import { helpText, parseCommand, statusText } from './commands.js';
import type { PassageIndex, SyncState } from '../index/passage-index.js';

export type Reply = { kind: 'answer'; answer: Answer } | { kind: 'text'; text: string };

export interface MessageHandlerDependencies {
  answer: (question: Question, options?: AnswerOptions) => Promise<Answer>;
  index: PassageIndex;
  syncState: SyncState;
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
      case 'status':
        return { kind: 'text', text: statusText(await deps.syncState.sourceStatuses(), await deps.index.chunkCount()) };
      default:
        return { kind: 'answer', answer: await deps.answer({ ...question, text }, options) };
    }
  };
}
