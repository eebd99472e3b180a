// The bot answers in the language of the question: Chinese when it holds Chinese characters.
import { IndexUnavailableError } from '../errors.js';

const han = /[\p{Script=Han}]/u;

export function isChinese(text: string): boolean {
  return han.test(text);
}

/**
 * What the asker reads when answering failed: that search is down when the index cannot be reached
 * (Qdrant or the index file), otherwise a plain apology. Never the error itself.
 */
export function failureText(question: string, error: unknown): string {
  const searchDown = error instanceof IndexUnavailableError;
  if (isChinese(question)) return searchDown ? '文档检索暂时不可用，请过几分钟再试。' : '抱歉，回答时出错了，请稍后再试。';
  return searchDown
    ? 'Search is unavailable right now: the document index cannot be reached. Please try again in a few minutes.'
    : 'Sorry, something went wrong while answering. Please try again in a moment.';
}

/** What a channel shows while the answer is prepared. */
export function searchingText(question: string): string {
  return isChinese(question) ? '正在检索文档…' : 'Searching the docs…';
}
