// One question outside any chat (`groundwork ask`): help, status or an answer. Chats run the whole
// turn in chat-turn.ts (sync, memory, de-duplication, feedback, logs).
import type { AnswerOptions } from '../answer/answer-question.js';
import type { Answer, Question } from '../domain.js';
import { helpText, parseCommand, statusReply, type StatusSources } from './commands.js';
import { validQuestionText } from './validate-question.js';

export type Reply = { kind: 'answer'; answer: Answer } | { kind: 'text'; text: string };

export interface MessageHandlerDependencies extends StatusSources {
  answer: (question: Question, options?: AnswerOptions) => Promise<Answer>;
  maxQuestionChars: number;
}

export type MessageHandler = (question: Question, options?: AnswerOptions) => Promise<Reply>;

/** Throws InvalidQuestionError for an empty or oversized question. */
export function createMessageHandler(deps: MessageHandlerDependencies): MessageHandler {
  return async (question, options) => {
    const text = validQuestionText(question.text, deps.maxQuestionChars);
    switch (parseCommand(text)) {
      case 'help':
        return { kind: 'text', text: helpText() };
      case 'status':
        return { kind: 'text', text: await statusReply(deps, { readers: question.readers, isAdmin: false }) };
      default:
        return { kind: 'answer', answer: await deps.answer({ ...question, text }, options) };
    }
  };
}
