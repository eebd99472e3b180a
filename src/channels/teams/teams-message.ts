// The final Teams message of an answer: the text with its [n] markers and a visible list of
// sources (for clients that do not show citations), one schema.org Message entity carrying the
// citations (and the AI-generated label when a model wrote the text), the feedback buttons, and
// the follow-up questions as suggested actions where the caller gives them.
import type { Activity, CardAction, Entity, SuggestedActions } from 'botbuilder';
import type { Answer, Citation } from '../../domain.js';
import { isChinese } from '../../conversation/language.js';
import { citationDetailParts, citationDetails, citationUrl } from '../citation-view.js';
import { markdownLinkTarget, withoutUnsafeLinks } from '../markdown-links.js';

// Teams refuses messages over about 100 KB (413 MessageSizeTooBig); stay well inside.
const maxMessageBytes = 80 * 1024;
const maxCitations = 20;
// Teams shows three keywords under a citation, of 28 characters at most.
const maxKeywords = 3;
const maxKeywordChars = 28;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function sourcesList(answer: Answer): string {
  const lines = answer.citations.slice(0, maxCitations).map((citation) => {
    const title = citation.passage.document.title.replace(/[[\]]/g, '');
    // Links come from the documents' metadata: only http(s) ones are shown as links, opened at the section quoted.
    const url = markdownLinkTarget(citationUrl(citation.passage));
    const link = url ? `[${title}](${url})` : title;
    const details = citationDetails(citation, answer.text);
    return `[${citation.n}] ${link}${details ? ` · ${details}` : ''}`;
  });
  const chinese = isChinese(answer.text);
  // The closest passages are not an answer, and the list says so.
  const heading = answer.confidence === 'closest' ? (chinese ? '最接近的内容（并非直接答案）' : 'Closest matches (not a direct answer)') : chinese ? '来源' : 'Sources';
  return lines.length > 0 ? `\n\n**${heading}**\n\n${lines.join('  \n')}` : '';
}

/** Where the passage is, when it was updated, whether it may be out of date, then its headings: as many as Teams shows. */
function keywords(citation: Citation, answerText: string): string[] {
  const details = citationDetailParts(citation, answerText).slice(0, maxKeywords);
  // The deepest headings, in their order, in the room the details leave.
  const room = maxKeywords - details.length;
  const headings = room > 0 ? citation.passage.headingPath.slice(-room) : [];
  return [...details, ...headings].map((keyword) => clip(keyword, maxKeywordChars));
}

function citationEntity(answer: Answer): Entity {
  return {
    type: 'https://schema.org/Message',
    '@type': 'Message',
    '@context': 'https://schema.org',
    '@id': '',
    // Quoted (extractive) answers are the documents' own words, not generated content.
    ...(answer.mode === 'generated' ? { additionalType: ['AIGeneratedContent'] } : {}),
    citation: answer.citations.slice(0, maxCitations).map((citation) => {
      const { n, passage } = citation;
      const url = citationUrl(passage);
      return {
        '@type': 'Claim',
        position: n,
        appearance: {
          '@type': 'DigitalDocument',
          name: clip(passage.document.title, 80),
          ...(url ? { url } : {}),
          abstract: clip(passage.text, 160),
          keywords: keywords(citation, answer.text),
        },
      };
    }),
  };
}

/**
 * The message that carries an answer; `extra` adds entities or channel data (a stream's final
 * marker) and the suggested actions (follow-up questions) to show under it.
 */
export function answerActivity(answer: Answer, extra: { entities?: Entity[]; channelData?: Record<string, unknown>; suggestedActions?: SuggestedActions } = {}): Partial<Activity> {
  const build = (text: string): Partial<Activity> => ({
    type: 'message',
    textFormat: 'markdown',
    // Teams renders Markdown: a single line break would run table rows and sentences together.
    text: `${withoutUnsafeLinks(text).replace(/\n+/g, '\n\n')}${sourcesList(answer)}`,
    entities: [...(extra.entities ?? []), ...(answer.citations.length > 0 ? [citationEntity(answer)] : [])],
    channelData: { feedbackLoopEnabled: true, ...extra.channelData },
    ...(extra.suggestedActions ? { suggestedActions: extra.suggestedActions } : {}),
  });
  let activity = build(answer.text);
  // An answer too long for one message is shortened, never refused.
  for (let keep = answer.text.length; Buffer.byteLength(JSON.stringify(activity)) > maxMessageBytes && keep > 200; ) {
    keep = Math.floor(keep * 0.8);
    activity = build(`${answer.text.slice(0, keep).trimEnd()}… (shortened)`);
  }
  return activity;
}

/** Follow-up questions as the suggested actions of an activity for `to` (the asker's id): a click sends the question as their own message. */
export function suggestedActions(questions: string[], to: string[]): { actions: CardAction[]; to: string[] } | undefined {
  if (questions.length === 0) return undefined;
  return { actions: questions.map((question) => ({ type: 'imBack', title: question, value: question })), to };
}
