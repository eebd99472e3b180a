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

/** Under a channel answer when the asker was sent a fuller one that not everyone there may read. */
export function privateAnswerNote(question: string, platform: string): string {
  const where = platform === 'teams' ? (isChinese(question) ? '私人聊天' : 'our personal chat') : isChinese(question) ? '一条只有你能看到的消息' : 'a message only you can see';
  return isChinese(question)
    ? `_其他文档中还有更多内容，但这里并非每个人都有权阅读；完整的回答已通过${where}发给你。_`
    : `_More is in documents that not everyone here may read: I sent you a fuller answer in ${where}._`;
}
