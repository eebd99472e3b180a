// An answer as Slack messages: the text in mrkdwn sections (3,000 characters each), a context
// block of numbered sources (a link opened at the section or page, where it is, when it was
// updated, whether it may be out of date), and feedback: Slack's own thumbs (a feedback_buttons
// element in a context_actions block) or two plain buttons; split into several messages rather
// than break Slack's limits (50 blocks, 40,000 characters).
import type { Answer } from '../../domain.js';
import { citationDetails, citationUrl } from '../citation-view.js';
import { isChinese } from '../../conversation/language.js';
import { escapeMrkdwn, markdownToMrkdwn, slackLinkTarget } from './slack-mrkdwn.js';

export interface SlackMessage {
  /** The notification and accessibility text. */
  text: string;
  blocks: Array<Record<string, unknown>>;
  /** The same blocks with plain feedback buttons, for a workspace that refuses the native ones. */
  fallbackBlocks?: Array<Record<string, unknown>>;
}

/** How the answer asks for feedback: Slack's native thumbs, plain buttons (also the fallback), or not at all (an ephemeral message, which cannot be rated). */
export type FeedbackStyle = 'native' | 'buttons' | 'none';

const sectionLimit = 3000;
const blocksPerMessage = 50;
const textLimit = 40_000;
export const feedbackActions = { like: 'feedback_like', dislike: 'feedback_dislike', native: 'feedback_thumbs' } as const;
/** The values the native thumbs send back (the plain buttons send the same). */
export const feedbackValues = { positive: 'like', negative: 'dislike' } as const;

/** Splits text into pieces of at most `limit` characters, at paragraph, line or word boundaries. */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > limit / 2 ? cut : limit;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

function sourcesBlock(answer: Answer): Record<string, unknown> | null {
  if (answer.citations.length === 0) return null;
  const lines = answer.citations.map((citation) => {
    const { n, passage } = citation;
    // Escaped as Slack asks; a "|" would end a link's text early.
    const title = escapeMrkdwn(passage.document.title).replace(/\|/g, '¦');
    // Links come from the documents' metadata: only http(s) ones are shown as links.
    const url = slackLinkTarget(citationUrl(passage));
    const link = url ? `<${url}|${title}>` : title;
    const details = escapeMrkdwn(citationDetails(citation, answer.text));
    return `[${n}] ${link}${details ? ` · ${details}` : ''}`;
  });
  // A context block holds at most 10 elements of up to 2,000 characters.
  const elements = splitText(lines.join('\n'), 1900).slice(0, 10).map((text) => ({ type: 'mrkdwn', text }));
  return { type: 'context', block_id: 'sources', elements };
}

function closestLabel(answer: Answer): Record<string, unknown> {
  const text = isChinese(answer.text) ? ':mag: *最接近的内容*，并非直接答案' : ':mag: *Closest match*, not a direct answer';
  return { type: 'context', block_id: 'closest', elements: [{ type: 'mrkdwn', text }] };
}

function feedbackBlock(style: Exclude<FeedbackStyle, 'none'>, chinese: boolean): Record<string, unknown> {
  if (style === 'native') {
    const thumb = (emoji: string, value: string, label: string) => ({ text: { type: 'plain_text', text: emoji }, value, accessibility_label: label });
    return {
      type: 'context_actions',
      block_id: 'feedback',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: feedbackActions.native,
          positive_button: thumb('👍', feedbackValues.positive, chinese ? '有帮助' : 'Helpful'),
          negative_button: thumb('👎', feedbackValues.negative, chinese ? '没有帮助' : 'Not helpful'),
        },
      ],
    };
  }
  return {
    type: 'actions',
    block_id: 'feedback',
    elements: [
      { type: 'button', action_id: feedbackActions.like, text: { type: 'plain_text', text: '👍 Helpful' }, value: 'like' },
      { type: 'button', action_id: feedbackActions.dislike, text: { type: 'plain_text', text: '👎 Not helpful' }, value: 'dislike' },
    ],
  };
}

/** The messages that carry an answer, in order; the last one holds the sources and the feedback. */
export function answerMessages(answer: Answer, feedback: FeedbackStyle = 'buttons'): SlackMessage[] {
  const mrkdwn = markdownToMrkdwn(answer.text) || ' ';
  const sections = splitText(mrkdwn, sectionLimit).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  const chinese = isChinese(answer.text);
  const sources = sourcesBlock(answer);
  const tail = [...(sources ? [sources] : []), ...(feedback === 'none' ? [] : [feedbackBlock(feedback, chinese)])];
  const messages: SlackMessage[] = [];
  // The closest passages are not an answer: a label above them says so.
  let blocks: Array<Record<string, unknown>> = answer.confidence === 'closest' ? [closestLabel(answer)] : [];
  let length = 0;
  const flush = () => {
    const text = blocks.map((b) => ((b.text as { text?: string } | undefined)?.text ?? '')).join('\n\n');
    messages.push({ text: text.slice(0, 3000), blocks });
    blocks = [];
    length = 0;
  };
  for (const section of sections) {
    const size = section.text.text.length;
    if (blocks.length >= blocksPerMessage - tail.length || length + size > textLimit - 5000) flush();
    blocks.push(section);
    length += size;
  }
  blocks.push(...tail);
  flush();
  if (feedback === 'native') {
    const last = messages.at(-1)!;
    last.fallbackBlocks = [...last.blocks.slice(0, -1), feedbackBlock('buttons', chinese)];
  }
  return messages;
}
