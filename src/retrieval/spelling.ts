// Typos in questions ("reimbursd", "recipts", "vacaton"): a word the index has never seen is
// searched as the indexed word closest to it in spelling, when one is close enough.

/** Edits allowed for a term of this length: none below 4 letters (too many short words are one edit apart). */
function allowedEdits(length: number): number {
  if (length < 4) return 0;
  return length < 7 ? 1 : 2;
}

/** Optimal string alignment distance (insertions, deletions, substitutions, transpositions), or max + 1 once it is over `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, previous2[j - 2]! + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The indexed term each unseen Latin-script term most likely misspells: the fewest edits, then
 * the most chunks. Candidates share the first letter (typos rarely hit it), which keeps the lookup
 * to one small range of the vocabulary.
 */
export async function correctSpelling(unseen: string[], termsStartingWith: (prefix: string) => Promise<Map<string, number>>): Promise<Map<string, string>> {
  const corrections = new Map<string, string>();
  for (const term of unseen) {
    const max = allowedEdits(term.length);
    if (max === 0 || !/^[a-z]+$/.test(term)) continue;
    let best: { term: string; edits: number; frequency: number } | null = null;
    for (const [candidate, frequency] of await termsStartingWith(term[0]!)) {
      const edits = editDistance(term, candidate, max);
      if (edits > max) continue;
      if (!best || edits < best.edits || (edits === best.edits && frequency > best.frequency)) best = { term: candidate, edits, frequency };
    }
    if (best) corrections.set(term, best.term);
  }
  return corrections;
}
