import assert from 'node:assert/strict';
import { judgeEvidence } from '../../src/answer/judge-evidence.js';
import type { Passage } from '../../src/domain.js';

const passage = (id: string, score: number, similarity?: number): Passage => ({
  chunkIds: [`${id}:0`],
  document: { id, source: 's', path: id, title: id, url: null, updatedAt: null, superseded: false, readers: ['everyone'] },
  headingPath: [],
  text: id,
  score,
  ...(similarity !== undefined ? { similarity } : {}),
});
const floors = { answerScore: 0.6, closestScore: 0.3, answerSimilarity: 0.5, closestSimilarity: 0.4 };

describe('judgeEvidence', () => {
  it('answers when a passage covers enough of the question, keeping the weaker relevant ones and dropping noise', () => {
    const judged = judgeEvidence([passage('a', 0.4), passage('b', 0.7), passage('noise', 0.1)], floors);
    assert.equal(judged.confidence, 'answer');
    assert.deepEqual(judged.passages.map((p) => p.document.id), ['a', 'b']);
  });

  it('offers the closest passages when the evidence is weak, and nothing when there is none', () => {
    assert.equal(judgeEvidence([passage('a', 0.5)], floors).confidence, 'closest');
    assert.deepEqual(judgeEvidence([passage('a', 0.2)], floors), { confidence: 'none', passages: [] });
    assert.deepEqual(judgeEvidence([], floors), { confidence: 'none', passages: [] });
  });

  it('takes meaning as evidence too when the passage was found by its embedding', () => {
    assert.equal(judgeEvidence([passage('a', 0, 0.55)], floors).confidence, 'answer');
    assert.equal(judgeEvidence([passage('a', 0, 0.45)], floors).confidence, 'closest');
  });
});
