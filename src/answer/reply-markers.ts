// The two signals a model's reply may carry besides the answer: the "not in the sources" marker on
// its first line, and a closing "follow-ups" line with the questions the sources could answer
// next. Neither is ever shown: streamed pieces are held back while they could be the start of one,
// and the final text is split from them.
import { maxFollowUpChars, maxFollowUps } from '../conversation/follow-ups.js';

/** How the model says that the sources do not answer the question: a structured signal, not prose to interpret. */
export const notInSourcesMarker = 'NOT_IN_SOURCES';
/** What the model puts before its suggested next questions, after the answer. */
export const followUpsMarker = 'FOLLOW_UPS:';
// What is looked for: the marker however the model dressed it ("**FOLLOW_UPS**:", no colon).
const followUpsSignal = 'FOLLOW_UPS';

// A suggestion is clicked as the asker's own question: it may not carry links, mentions or markup,
// whatever a quoted document led the model to write.
const notPlainQuestion = /https?:|www\.|[<>`*_|\\[\]{}@#]|\p{Cc}/iu;

/** The length of the longest end of `text` that starts `marker` (the part to hold back). */
function heldLength(text: string, marker: string): number {
  for (let length = Math.min(marker.length - 1, text.length); length > 0; length--) {
    if (marker.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

/**
 * Passes streamed pieces on, except what could be a marker: a reply that opens with the "not in
 * the sources" marker passes nothing, and from the follow-ups marker on nothing passes.
 */
export function gateReply(onToken: (piece: string) => void): (piece: string) => void {
  let pending = '';
  let state: 'opening' | 'answer' | 'closed' = 'opening';
  return (piece) => {
    if (state === 'closed') return;
    pending += piece;
    if (state === 'opening') {
      const start = pending.trimStart();
      if (start.startsWith(notInSourcesMarker)) {
        state = 'closed';
        return;
      }
      if (notInSourcesMarker.startsWith(start)) return;
      state = 'answer';
    }
    const at = pending.indexOf(followUpsSignal);
    if (at >= 0) state = 'closed';
    const shown = at >= 0 ? pending.slice(0, at) : pending.slice(0, pending.length - heldLength(pending, followUpsSignal));
    pending = pending.slice(shown.length);
    if (shown !== '') onToken(shown);
  };
}

/** One suggestion as the model wrote it, without list marks, quotes or citation markers; null when it is no plain question. */
function suggestion(line: string): string | null {
  const text = line
    .replace(/\[\d+\]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:[-•*]|\d+[.)、])\s*/u, '')
    .replace(/^["'“”‘’「」]+|["'“”‘’「」]+$/gu, '')
    .trim();
  if (text === '' || text.length > maxFollowUpChars || notPlainQuestion.test(text)) return null;
  return text;
}

/** The answer without the follow-ups line, and the (at most three) plain questions it suggested. */
export function splitFollowUps(reply: string): { text: string; followUps: string[] } {
  const at = reply.indexOf(followUpsSignal);
  if (at < 0) return { text: reply, followUps: [] };
  const followUps: string[] = [];
  const rest = reply.slice(at + followUpsSignal.length).replace(/^[*_]*:?[*_]*/, '');
  for (const line of rest.split(/\r?\n|\s\|\s/)) {
    const question = suggestion(line);
    if (question && !followUps.includes(question)) followUps.push(question);
  }
  // The emphasis or heading marks a model may have put in front of the marker go with it.
  return { text: reply.slice(0, at).replace(/[\s*#]+$/, ''), followUps: followUps.slice(0, maxFollowUps) };
}
