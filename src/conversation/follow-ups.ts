// Up to three questions a person may ask next, offered a click away under an answer (Teams
// suggested actions, Slack's suggested prompts in an assistant thread, the web chat's buttons).
// The model's own suggestions come first when the answer carries them; otherwise they are made
// from the headings of the cited pages: the sections cited beside the first one, the cited pages'
// other sections, then the sections above them, each turned into a question ("What about sick leave?").
import type { Answer } from '../domain.js';
import type { Logger } from '../logger.js';
import { isChinese } from './language.js';

/** Teams shows three suggested actions at most; more would crowd any channel. */
export const maxFollowUps = 3;
/** Longer ones read badly on a button and are left out, never cut: what is clicked is what is asked. */
export const maxFollowUpChars = 60;
/** The cited pages whose other sections are read for suggestions. */
const maxPagesRead = 3;

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
  const followUps: unknown = answer.followUps;
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

/** The follow-up questions for an answer to `asked` (the question as the asker typed it). */
export type FollowUps = (answer: Answer, asked: string, log: Logger) => Promise<string[]>;

/**
 * Follow-ups with the cited pages' other sections, read through `sectionHeadings` with each
 * page's own readers (whoever was shown the citation may read the page).
 */
export function createFollowUps(sectionHeadings: (documentId: string, readers: string[]) => Promise<string[][]>): FollowUps {
  return async (answer, asked, log) => {
    if (answer.confidence === 'none') return [];
    if (modelSuggestions(answer).length > 0) return followUpQuestions(answer, asked);
    const pages = [...new Map(answer.citations.map(({ passage }) => [passage.document.id, passage.document.readers])).entries()].slice(0, maxPagesRead);
    const pageHeadings = await Promise.all(
      pages.map(([id, readers]) =>
        sectionHeadings(id, readers).catch((error: unknown) => {
          // Follow-ups are a convenience: the answer goes without the page's other sections.
          log.debug({ err: error, documentId: id }, "could not read the cited page's sections for follow-up questions");
          return [];
        }),
      ),
    );
    return followUpQuestions(answer, asked, pageHeadings.flat());
  };
}
