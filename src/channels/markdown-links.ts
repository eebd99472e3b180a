// Answer text is Markdown that a model wrote from documents, so a link in it is data too: a
// "[click](javascript:…)" planted in a page must not reach a chat client as a link. Every Markdown
// link construct whose target is not http(s) is broken by a backslash escape (its text stays).
import { safeUrl } from '../safe-url.js';

// "](" of an inline link and "]:" of a link definition, followed by a target that is not http(s).
const unsafeInlineLink = /\]\((?!\s*<?https?:\/\/)/gi;
const unsafeDefinition = /^( {0,3}\[[^\]\n]+\]):(?!\s*<?https?:\/\/)/gim;
// <scheme:…> autolinks.
const autolink = /<([a-z][a-z0-9+.-]{1,31}:[^<>\s]*)>/gi;

export function withoutUnsafeLinks(markdown: string): string {
  return markdown
    .replace(unsafeInlineLink, ']\\(')
    .replace(unsafeDefinition, '$1\\:')
    .replace(autolink, (whole, target: string) => (safeUrl(target) ? whole : `\\<${target}\\>`));
}

/** A safe URL written so that it cannot end a Markdown link early: "(", ")" and spaces encoded. */
export function markdownLinkTarget(url: string | null | undefined): string | null {
  return safeUrl(url)?.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`) ?? null;
}
