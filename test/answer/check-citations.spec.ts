import assert from 'node:assert/strict';
import { checkCitations } from '../../src/answer/check-citations.js';
import type { Passage } from '../../src/domain.js';

const passages = ['a', 'b', 'c'].map(
  (id): Passage => ({ chunkIds: [`${id}:0`], document: { id, source: 's', path: id, title: id, url: null, updatedAt: null, superseded: false, readers: ['everyone'] }, headingPath: [], text: id, score: 1 }),
);

describe('checkCitations', () => {
  it('drops markers that point at no passage and renumbers the rest in order of appearance', () => {
    const { text, citations } = checkCitations('Leave is 28 days [3]. Carry over 5 [1][9]. Sick leave [3, 7].', passages);
    assert.equal(text, 'Leave is 28 days [1]. Carry over 5 [2]. Sick leave [1].');
    assert.deepEqual(citations.map((c) => [c.n, c.passage.document.id]), [[1, 'c'], [2, 'a']]);
  });

  it('cites nothing when the answer has no valid marker', () => {
    assert.deepEqual(checkCitations('The documents do not say [0] [4].', passages), { text: 'The documents do not say.', citations: [] });
  });
});
