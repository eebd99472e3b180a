// Up to three questions a user may ask next, shown as buttons under an answer in a personal chat
// (Teams suggested actions). A model's own suggestions come first when the answer carries them;
// otherwise they are made from the headings of the cited pages: the sections cited beside the first
// one, the cited pages' other sections when they are known, then the sections above them, each
// turned into a question ("What about sick leave?").
import type { CardAction } from 'botbuilder';
import { isChinese } from '../../conversation/language.js';
import type { Answer } from '../../domain.js';

/** Teams shows three suggested actions at most. */
export const maxFollowUps = 3;
/** Longer ones read badly on a button and are left out, never cut: what is clicked is what is asked. */
export const maxFollowUpChars = 60;

/** What an answer may carry beyond the domain's fields: a model's suggested next questions. */
type WithFollowUps = Answer & { followUps?: unknown };

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
const key = (text: string) => flat(text).toLowerCase().replace(/[?？。.!！]+$/, '');
const questionLike = /^(how|what|when|where|who|whom|which|why|can|could|do|does|is|are|should|may|will)\b|[?？]$/i;

/** A heading as the question that would be asked about it. */
function headingQuestion(heading: string, chinese: boolean): string {
  if (questionLike.test(heading)) return /[?？]$/.test(heading) ? heading : `${heading}?`;
  if (chinese) return `${heading}呢？`;
  // "Sick leave" reads "sick leave" mid-sentence; "VPN setup" keeps its capitals.
  const inSentence = /^\p{Lu}\p{Ll}/u.test(heading) ? `${heading[0]!.toLowerCase()}${heading.slice(1)}` : heading;
  return `What about ${inSentence}?`;
}

/** The model's suggestions, read defensively: only non-empty strings count. */
function modelSuggestions(answer: Answer): string[] {
  const followUps = (answer as WithFollowUps).followUps;
  return Array.isArray(followUps) ? followUps.filter((item): item is string => typeof item === 'string').map(flat).filter((item) => item !== '') : [];
}

/** The headings worth asking about, best first: what the first citation quotes and what the question names are left out. */
function headingSuggestions(answer: Answer, asked: string, pageHeadings: string[][]): string[] {
  const [first, ...others] = answer.citations;
  if (!first) return [];
  // A page's title is its first heading too: asking about the whole page is not a next step.
  const quoted = new Set([first.passage.headingPath.at(-1), ...answer.citations.map(({ passage }) => passage.document.title)].filter((h): h is string => !!h).map(key));
  const headings = [
    ...others.map(({ passage }) => passage.headingPath.at(-1)),
    ...pageHeadings.map((path) => path.at(-1)),
    ...answer.citations.flatMap(({ passage }) => passage.headingPath.slice(0, -1).reverse()),
  ].filter((heading): heading is string => typeof heading === 'string' && flat(heading) !== '' && !quoted.has(key(heading)));
  const question = key(asked);
  const chinese = isChinese(answer.text);
  return headings.filter((heading) => !question.includes(key(heading))).map((heading) => headingQuestion(flat(heading), chinese));
}

/**
 * The follow-up questions for an answer to `asked`: at most three, each 60 characters at most, no
 * two alike. `pageHeadings` are the heading paths of the cited pages' sections, when known.
 */
export function followUpQuestions(answer: Answer, asked: string, pageHeadings: string[][] = []): string[] {
  if (answer.confidence === 'none') return [];
  const fromModel = modelSuggestions(answer);
  const candidates = fromModel.length > 0 ? fromModel : headingSuggestions(answer, asked, pageHeadings);
  const seen = new Set([key(asked)]);
  const chosen: string[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= maxFollowUps) break;
    if (candidate.length > maxFollowUpChars || seen.has(key(candidate))) continue;
    seen.add(key(candidate));
    chosen.push(candidate);
  }
  return chosen;
}

/** The suggested actions of an activity for `to` (the asker's id): a click sends the question as their own message. */
export function suggestedActions(questions: string[], to: string[]): { actions: CardAction[]; to: string[] } | undefined {
  if (questions.length === 0) return undefined;
  return { actions: questions.map((question) => ({ type: 'imBack', title: question, value: question })), to };
}
