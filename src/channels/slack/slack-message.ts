// An answer as Slack messages: the text in mrkdwn sections (3,000 characters each), a context
// block of numbered sources with links and dates, and feedback buttons; split into several
// messages rather than break Slack's limits (50 blocks, 40,000 characters).
import type { Answer } from '../../domain.js';
import { isChinese } from '../../conversation/language.js';
import { markdownToMrkdwn, slackLinkTarget } from './slack-mrkdwn.js';

export interface SlackMessage {
  /** The notification and accessibility text. */
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const sectionLimit = 3000;
const blocksPerMessage = 50;
const textLimit = 40_000;
export const feedbackActions = { like: 'feedback_like', dislike: 'feedback_dislike' } as const;

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
  const lines = answer.citations.map(({ n, passage: { document } }) => {
    // Escaped as Slack asks; a "|" would end a link's text early.
    const title = document.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '¦');
    // Links come from the documents' metadata: only http(s) ones are shown as links.
    const url = slackLinkTarget(document.url);
    const link = url ? `<${url}|${title}>` : title;
    const updated = document.updatedAt ? ` · updated ${document.updatedAt.toISOString().slice(0, 10)}` : '';
    return `[${n}] ${link}${updated}`;
  });
  // A context block holds at most 10 elements of up to 2,000 characters.
  const elements = splitText(lines.join('\n'), 1900).slice(0, 10).map((text) => ({ type: 'mrkdwn', text }));
  return { type: 'context', block_id: 'sources', elements };
}

function closestLabel(answer: Answer): Record<string, unknown> {
  const text = isChinese(answer.text) ? ':mag: *最接近的内容*，并非直接答案' : ':mag: *Closest match*, not a direct answer';
  return { type: 'context', block_id: 'closest', elements: [{ type: 'mrkdwn', text }] };
}

function feedbackBlock(): Record<string, unknown> {
  return {
    type: 'actions',
    block_id: 'feedback',
    elements: [
      { type: 'button', action_id: feedbackActions.like, text: { type: 'plain_text', text: '👍 Helpful' }, value: 'like' },
      { type: 'button', action_id: feedbackActions.dislike, text: { type: 'plain_text', text: '👎 Not helpful' }, value: 'dislike' },
    ],
  };
}

/** The messages that carry an answer, in order; the last one holds the sources and the buttons. */
export function answerMessages(answer: Answer): SlackMessage[] {
  const mrkdwn = markdownToMrkdwn(answer.text) || ' ';
  const sections = splitText(mrkdwn, sectionLimit).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  const tail = [sourcesBlock(answer), feedbackBlock()].filter((block): block is Record<string, unknown> => block !== null);
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
  return messages;
}
