// The fragment ids that pages give their headings, so that a citation opens the page at its
// section: the slugs GitHub (and most static site generators) make of Markdown headings, and the
// ids Confluence renders on the headings of a page.

/** Characters a GitHub slug keeps: letters, marks, numbers, connector punctuation (`_`), `-` and spaces. */
const notKeptInSlug = /[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu;

/**
 * Slugs of one document's headings as GitHub makes them: lower case, punctuation and symbols
 * (emoji too) dropped except `-` and `_`, each space a `-`; a slug met before gets `-1`, `-2`…
 * An id the document gives a heading itself is kept as it is (and counts as met).
 */
export class HeadingSlugger {
  private readonly seen = new Map<string, number>();

  slug(text: string): string {
    const base = text.toLowerCase().replace(notKeptInSlug, '').replace(/ /g, '-');
    let slug = base;
    while (this.seen.has(slug)) {
      const count = this.seen.get(base)! + 1;
      this.seen.set(base, count);
      slug = `${base}-${count}`;
    }
    this.seen.set(slug, 0);
    return slug;
  }

  /** Records an explicit id (`{#id}`), so that a later slug does not take it. */
  explicit(id: string): string {
    if (!this.seen.has(id)) this.seen.set(id, 0);
    return id;
  }
}

/**
 * The ids Confluence renders on a page's headings: `<PageTitle>-<HeadingText>`, each without its
 * whitespace (punctuation is kept: "helloworld-1.1WhatisLoremIpsum?"); a second heading with the
 * same id gets `.1`, a third `.2`… (Confluence 4.3 and later).
 */
export class ConfluenceHeadingIds {
  private readonly seen = new Map<string, number>();
  private readonly prefix: string;

  constructor(pageTitle: string) {
    this.prefix = withoutWhitespace(pageTitle);
  }

  id(headingText: string): string {
    const base = `${this.prefix}-${withoutWhitespace(headingText)}`;
    const count = this.seen.get(base);
    this.seen.set(base, (count ?? -1) + 1);
    return count === undefined ? base : `${base}.${count + 1}`;
  }
}

function withoutWhitespace(text: string): string {
  return text.replace(/\s+/gu, '');
}
