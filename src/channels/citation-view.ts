// How every channel shows a citation: the link that opens the document at the section it quotes
// (a heading's fragment, a PDF page), where it is when no link can say so (a slide, a sheet), when
// the document was last updated, and whether it may be out of date. Channels render these pieces
// in their own markup.
import type { Citation, Passage } from '../domain.js';
import { isChinese } from '../conversation/language.js';
import { safeUrl } from '../safe-url.js';

/** The document's http(s) link, opened at the passage where the source allows it; null without a safe link. */
export function citationUrl(passage: Passage): string | null {
  const url = safeUrl(passage.document.url);
  if (!url) return null;
  const { anchor, page } = passage.location ?? {};
  // A link that already names a fragment keeps it: it is the page's own.
  if (url.includes('#')) return url;
  if (anchor) return `${url}#${encodeURIComponent(anchor).replace(/%2F/gi, '/')}`;
  if (page) return `${url}#page=${page}`;
  return url;
}

/** Where the passage is, for a document a link cannot open there ("slide 3", "sheet Rates"); also pages ("p. 4"). */
export function locationLabel(passage: Passage, chinese = false): string {
  const { page, slide, sheet } = passage.location ?? {};
  if (page) return chinese ? `第 ${page} 页` : `p. ${page}`;
  if (slide) return chinese ? `第 ${slide} 张幻灯片` : `slide ${slide}`;
  if (sheet) return chinese ? `工作表 ${sheet}` : `sheet ${sheet}`;
  return '';
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "updated 14 Mar 2026" (更新于 2026-03-14), or '' without a date. Dates are UTC: the exports' own. */
function updatedLabel(date: Date | null, chinese = false): string {
  if (!date) return '';
  if (chinese) return `更新于 ${date.toISOString().slice(0, 10)}`;
  return `updated ${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

function staleLabel(chinese = false): string {
  return chinese ? '可能已过时' : 'may be out of date';
}

/** The details shown after a citation's title, each: "p. 4", "updated 14 Mar 2026", "may be out of date" (those that apply). */
export function citationDetailParts(citation: Citation, answerText: string): string[] {
  const chinese = isChinese(answerText);
  return [locationLabel(citation.passage, chinese), updatedLabel(citation.passage.document.updatedAt, chinese), citation.stale ? staleLabel(chinese) : ''].filter((part) => part !== '');
}

/** The details shown after a citation's title, joined: "p. 4 · updated 14 Mar 2026 · may be out of date". */
export function citationDetails(citation: Citation, answerText: string, separator = ' · '): string {
  return citationDetailParts(citation, answerText).join(separator);
}
