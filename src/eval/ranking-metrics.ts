// Standard ranking measures over one ranked list of documents, with binary relevance.

export interface RankingScores {
  /** Share of the relevant documents among the first k. */
  recall: number;
  /** 1 / rank of the first relevant document (0 when none is ranked). */
  reciprocalRank: number;
  ndcg10: number;
  hit1: number;
  hit3: number;
  hit5: number;
}

/**
 * `relevant[i]` tells whether the i-th ranked document is relevant; `relevantCount` is how many
 * relevant documents exist (at least the ones ranked).
 */
export function rankingScores(relevant: boolean[], relevantCount: number, k: number): RankingScores {
  const firstHit = relevant.indexOf(true);
  const hitWithin = (n: number) => (firstHit >= 0 && firstHit < n ? 1 : 0);
  const found = relevant.slice(0, k).filter(Boolean).length;
  let dcg = 0;
  relevant.slice(0, 10).forEach((isRelevant, i) => {
    if (isRelevant) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(relevantCount, 10); i++) ideal += 1 / Math.log2(i + 2);
  return {
    recall: relevantCount === 0 ? 0 : found / relevantCount,
    reciprocalRank: firstHit >= 0 ? 1 / (firstHit + 1) : 0,
    ndcg10: ideal === 0 ? 0 : dcg / ideal,
    hit1: hitWithin(1),
    hit3: hitWithin(3),
    hit5: hitWithin(5),
  };
}

export function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((total, value) => total + value, 0) / values.length;
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
