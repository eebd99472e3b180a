// The reply when the evidence is weak: say so plainly, then show the best one to three passages
// as "the closest I found" — cited, their own words, without claiming that they answer it.
import type { Citation, Passage } from '../domain.js';
import { isChinese } from '../conversation/language.js';
import { extractiveAnswer } from './extractive-answer.js';

const maxPassages = 3;
const excerpt = { maxPassages: 1, maxSentences: 2, maxChars: 320, minShareOfBest: 0.6, minPassageShareOfBest: 0 };

export function closestAnswer(question: string, passages: Passage[], termWeights: Map<string, number>): { text: string; citations: Citation[] } {
  const chinese = isChinese(question);
  const citations: Citation[] = [];
  const lines = passages.slice(0, maxPassages).map((passage, i) => {
    const n = i + 1;
    citations.push({ n, passage });
    const words = extractiveAnswer([passage], termWeights, excerpt).text.replace(/\s*\[1\]/g, '').replace(/\n+/g, ' ').trim();
    const title = passage.document.title;
    return chinese ? `- 《${title}》：${words} [${n}]` : `- “${title}”: ${words} [${n}]`;
  });
  const intro = chinese ? '我没有在文档中找到明确的答案。最接近的内容如下，请自行判断是否适用：' : "I couldn't find a clear answer to that in the documents. The closest I found, which may not answer it:";
  return { text: `${intro}\n${lines.join('\n')}`, citations };
}

function formatDate(date: Date, chinese: boolean): string {
  return chinese ? date.toISOString().slice(0, 10) : date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** A warning for each cited document marked superseded or replaced by a newer page, with its date; '' when none is. */
export function supersededNote(question: string, citations: Citation[]): string {
  const chinese = isChinese(question);
  return citations
    .filter(({ passage }) => passage.document.superseded)
    .map(({ n, passage: { document } }) => {
      const date = document.updatedAt ? formatDate(document.updatedAt, chinese) : null;
      return chinese
        ? `注意：[${n}]《${document.title}》已标记为过时或已被新版本取代${date ? `（最后更新于 ${date}）` : ''}，请确认其内容是否仍然有效。`
        : `Note: [${n}] “${document.title}” is marked as superseded or replaced by a newer page${date ? ` (last updated ${date})` : ''}; check that it still applies.`;
    })
    .join('\n');
}
