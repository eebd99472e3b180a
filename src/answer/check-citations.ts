import type { Citation, Passage } from '../domain.js';

/**
 * Keeps the markers that point at a passage of the prompt, drops the others, and renumbers the
 * kept ones 1..n in order of first appearance; the citations are exactly the passages cited.
 */
export function checkCitations(text: string, included: Passage[]): { text: string; citations: Citation[] } {
  const numbers = new Map<number, number>();
  const citations: Citation[] = [];
  const checked = text
    .replace(/\[(\d+(?:\s*,\s*\d+)*)\]/g, (_, list: string) =>
      list
        .split(',')
        .map((item) => Number(item.trim()))
        .filter((n) => n >= 1 && n <= included.length)
        .map((n) => {
          let renumbered = numbers.get(n);
          if (renumbered === undefined) {
            renumbered = citations.length + 1;
            numbers.set(n, renumbered);
            citations.push({ n: renumbered, passage: included[n - 1]! });
          }
          return `[${renumbered}]`;
        })
        .join(''),
    )
    .replace(/[ \t]+([.,;:!?。，；：！？])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return { text: checked, citations };
}
