import { InvalidQuestionError } from '../errors.js';

/** The question's text, trimmed; an empty or oversized one is refused with words the asker can act on. */
export function validQuestionText(text: string, maxChars: number): string {
  const trimmed = text.trim();
  if (trimmed === '') throw new InvalidQuestionError('The question is empty: type what you want to know, e.g. "How do I request leave?"');
  if (trimmed.length > maxChars) {
    throw new InvalidQuestionError(
      `The question is ${trimmed.length.toLocaleString('en')} characters long; the limit is ${maxChars.toLocaleString('en')}. ` + 'Ask a shorter question.',
    );
  }
  return trimmed;
}
