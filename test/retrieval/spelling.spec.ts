import assert from 'node:assert/strict';
import { correctSpelling, editDistance } from '../../src/retrieval/spelling.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions, and stops past the maximum', () => {
    assert.equal(editDistance('recipt', 'receipt', 2), 1);
    assert.equal(editDistance('hwo', 'how', 2), 1);
    assert.equal(editDistance('vacaton', 'vacat', 2), 2);
    assert.equal(editDistance('reimburs', 'travel', 2), 3);
  });
});

describe('correctSpelling', () => {
  const vocabulary = new Map([
    ['receipt', 40],
    ['recip', 3],
    ['reimburs', 25],
    ['vacat', 12],
    ['vacant', 1],
  ]);
  const lookup = async (prefix: string) => new Map([...vocabulary].filter(([term]) => term.startsWith(prefix)));

  it('replaces an unseen word by the indexed one fewest edits away, the more frequent on a tie', async () => {
    assert.deepEqual([...(await correctSpelling(['recipt', 'reimbursd', 'vacaton'], lookup))], [
      ['recipt', 'receipt'],
      ['reimbursd', 'reimburs'],
      ['vacaton', 'vacat'],
    ]);
  });

  it('leaves short words, other scripts and words far from any indexed one alone', async () => {
    assert.deepEqual([...(await correctSpelling(['rec', 'réçu', 'rocket', '报销'], lookup))], []);
  });
});
