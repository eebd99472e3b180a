// The bot answers in the language of the question: Chinese when it holds Chinese characters.
const han = /[\p{Script=Han}]/u;

export function isChinese(text: string): boolean {
  return han.test(text);
}

/** What a channel shows while the answer is prepared. */
export function searchingText(question: string): string {
  return isChinese(question) ? '正在检索文档…' : 'Searching the docs…';
}
