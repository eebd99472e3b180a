// The answer when no model is configured: the sentences of the top passages that best match
// the question, each followed by its citation marker. Nothing appears that is not in a passage.
import type { Citation, Passage } from '../domain.js';
import { distinctTerms, splitSentences } from '../retrieval/tokenize.js';

export interface ExtractiveOptions {
  maxPassages: number;
  maxSentences: number;
  maxChars: number;
  /** A sentence is used only when it scores at least this share of the best sentence. */
  minShareOfBest: number;
  /** A passage is quoted only when its score is at least this share of the best passage's. */
  minPassageShareOfBest: number;
}

export const defaultExtractiveOptions: ExtractiveOptions = { maxPassages: 3, maxSentences: 5, maxChars: 900, minShareOfBest: 0.6, minPassageShareOfBest: 0.75 };

interface Candidate {
  passage: number;
  line: number;
  order: number;
  text: string;
  score: number;
  /** Too short to answer on its own (a heading-like list item); used only after the sentence introducing it. */
  fragment: boolean;
}

const listLine = /^(?:[-*•]|\d+[.)])\s/;

export function extractiveAnswer(
  passages: Passage[],
  termWeights: Map<string, number>,
  options: ExtractiveOptions = defaultExtractiveOptions,
): { text: string; citations: Citation[] } {
  // The passages that hold the most of the question (a passage far less relevant than the best one
  // would only dilute the answer), quoted in their rank order.
  const bestPassage = Math.max(0, ...passages.map((p) => p.score));
  const strongest = passages
    .filter((p) => p.score >= bestPassage * options.minPassageShareOfBest)
    .sort((a, b) => b.score - a.score)
    .slice(0, options.maxPassages);
  const considered = passages.filter((p) => strongest.includes(p));
  const candidates: Candidate[] = [];
  considered.forEach((passage, passageIndex) => {
    let order = 0;
    passage.text.split('\n').forEach((line, lineIndex) => {
      for (const sentence of splitSentences(line)) {
        const terms = new Set(distinctTerms(sentence));
        let score = 0;
        for (const [term, weight] of termWeights) if (terms.has(term)) score += weight;
        candidates.push({ passage: passageIndex, line: lineIndex, order: order++, text: sentence, score, fragment: terms.size < 3 });
      }
    });
  });

  const chosen = new Set<Candidate>();
  let chars = 0;
  const take = (candidate: Candidate): boolean => {
    if (chosen.has(candidate)) return true;
    if (chosen.size >= options.maxSentences || (chosen.size > 0 && chars + candidate.text.length > options.maxChars)) return false;
    chosen.add(candidate);
    chars += candidate.text.length;
    return true;
  };
  // Sentences far weaker than the best one add words, not answers.
  const best = Math.max(0, ...candidates.filter((c) => !c.fragment).map((c) => c.score));
  const ranked = candidates.filter((c) => !c.fragment && c.score > 0 && c.score >= best * options.minShareOfBest).sort((a, b) => b.score - a.score || a.passage - b.passage || a.order - b.order);
  for (const candidate of ranked) {
    if (!take(candidate)) continue;
    // A sentence that introduces a list ("You can use:") answers with the list that follows.
    if (candidate.text.endsWith(':') || candidate.text.endsWith('：')) {
      const following = candidates.filter((c) => c.passage === candidate.passage && c.order > candidate.order);
      for (const item of following) {
        if (!listLine.test(item.text) || !take(item)) break;
      }
    }
  }
  // A passage that matched on its title or headings alone still offers its opening sentence.
  if (chosen.size === 0 && candidates.length > 0) take(candidates[0]!);

  const ordered = [...chosen].sort((a, b) => a.passage - b.passage || a.order - b.order);
  const numbers = new Map<number, number>();
  const citations: Citation[] = [];
  let text = '';
  ordered.forEach((candidate, i) => {
    let n = numbers.get(candidate.passage);
    if (n === undefined) {
      n = citations.length + 1;
      numbers.set(candidate.passage, n);
      citations.push({ n, passage: considered[candidate.passage]! });
    }
    const previous = ordered[i - 1];
    // Sentences of one line of the source stay on one line; table rows and list items keep theirs.
    const separator = !previous ? '' : previous.passage === candidate.passage && previous.line === candidate.line ? ' ' : '\n';
    text += `${separator}${candidate.text} [${n}]`;
  });
  return { text, citations };
}
