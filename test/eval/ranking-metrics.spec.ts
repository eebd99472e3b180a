import assert from 'node:assert/strict';
import { percentile, rankingScores } from '../../src/eval/ranking-metrics.js';

describe('rankingScores', () => {
  it('scores a list whose first relevant document is third', () => {
    const scores = rankingScores([false, false, true, false, true], 2, 5);
    assert.equal(scores.reciprocalRank, 1 / 3);
    assert.deepEqual([scores.hit1, scores.hit3, scores.hit5], [0, 1, 1]);
    assert.equal(scores.recall, 1);
    const dcg = 1 / Math.log2(4) + 1 / Math.log2(6);
    const ideal = 1 + 1 / Math.log2(3);
    assert.ok(Math.abs(scores.ndcg10 - dcg / ideal) < 1e-12);
  });

  it('gives nothing to a list without a relevant document, and counts recall against every relevant one', () => {
    assert.deepEqual(rankingScores([false, false], 1, 5), { recall: 0, reciprocalRank: 0, ndcg10: 0, hit1: 0, hit3: 0, hit5: 0 });
    assert.equal(rankingScores([true, false, false, false, false, true], 4, 5).recall, 0.25);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual([percentile(values, 50), percentile(values, 95), percentile([], 95)], [50, 95, 0]);
  });
});
