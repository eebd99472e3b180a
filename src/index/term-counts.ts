// How often each search term occurs in a chunk's text, stored as " term:count term:count " so that
// a question's few terms are looked up without parsing the whole list (BM25 needs only those).
export class TermCounts {
  private constructor(private readonly stored: string) {}

  static of(terms: string[]): TermCounts {
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    return new TermCounts(` ${[...counts].map(([term, count]) => `${term}:${count}`).join(' ')} `);
  }

  static parse(stored: string): TermCounts {
    return new TermCounts(stored);
  }

  count(term: string): number {
    const needle = ` ${term}:`;
    // A term may hold a colon itself ("10:30"): the match is the one followed by digits only.
    for (let at = this.stored.indexOf(needle); at >= 0; at = this.stored.indexOf(needle, at + 1)) {
      const start = at + needle.length;
      const value = this.stored.slice(start, this.stored.indexOf(' ', start));
      if (/^\d+$/.test(value)) return Number(value);
    }
    return 0;
  }

  private distinct: Set<string> | null = null;

  /** The distinct terms. */
  terms(): Set<string> {
    this.distinct ??= new Set(
      this.stored
        .trim()
        .split(' ')
        .filter((pair) => pair !== '')
        .map((pair) => pair.slice(0, pair.lastIndexOf(':'))),
    );
    return this.distinct;
  }

  toString(): string {
    return this.stored;
  }
}
