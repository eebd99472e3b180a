import assert from 'node:assert/strict';
import { extractiveAnswer } from '../../src/answer/extractive-answer.js';
import type { Passage } from '../../src/domain.js';
import { distinctTerms, splitSentences } from '../../src/retrieval/tokenize.js';

const passage = (id: string, text: string, score = 1): Passage => ({
  chunkIds: [`${id}:0`],
  document: { id, source: 'docs', path: `${id}.md`, title: id, url: null, updatedAt: null, superseded: false, readers: ['everyone'] },
  headingPath: [],
  text,
  score,
});
const weights = (question: string) => new Map(distinctTerms(question).map((term) => [term, 1]));

describe('extractiveAnswer', () => {
  const leave = passage(
    'leave',
    'This policy covers all staff. Every employee receives 28 days of annual leave. Office plants are watered on Fridays.\nYou can carry over 5 days of annual leave.',
  );
  const travel = passage('travel', 'Annual leave can be combined with business travel. Hotels cost at most 150 EUR.', 0.9);

  it('answers with the matching sentences in document order, each followed by its citation marker', () => {
    const { text, citations } = extractiveAnswer([leave, travel], weights('annual leave'));
    assert.equal(
      text,
      'Every employee receives 28 days of annual leave. [1]\nYou can carry over 5 days of annual leave. [1]\nAnnual leave can be combined with business travel. [2]',
    );
    assert.deepEqual(citations.map((c) => [c.n, c.passage.document.id]), [[1, 'leave'], [2, 'travel']]);
  });

  it('never writes a sentence that is not in a passage, and cites only passages it quotes', () => {
    const { text, citations } = extractiveAnswer([travel, leave], weights('hotel cost'));
    const quoted = text.split(/\s*\[\d+\]\s*/).filter((s) => s !== '');
    const available = new Set([travel, leave].flatMap((p) => p.text.split('\n').flatMap(splitSentences)));
    for (const sentence of quoted) assert.ok(available.has(sentence), sentence);
    assert.deepEqual(citations.map((c) => c.passage.document.id), ['travel']);
  });

  it('leaves out sentences that match far less of the question than the best one', () => {
    const { text } = extractiveAnswer([leave, travel], weights('How many days of annual leave do employees get?'));
    assert.equal(text, 'Every employee receives 28 days of annual leave. [1]\nYou can carry over 5 days of annual leave. [1]');
  });

  it('follows a sentence that introduces a list with the list', () => {
    const list = passage('sick', 'You can use sick leave for:\n- Doctor appointments\n- Recovering from illness\nOther text here about nothing.');
    assert.equal(
      extractiveAnswer([list], weights('what can I use sick leave for')).text,
      'You can use sick leave for: [1]\n- Doctor appointments [1]\n- Recovering from illness [1]',
    );
  });

  it('leaves out passages much weaker than the best one', () => {
    const weak = passage('weak', 'Annual leave is mentioned here too.', 0.4);
    assert.deepEqual(extractiveAnswer([leave, weak], weights('annual leave days')).citations.map((c) => c.passage.document.id), ['leave']);
  });

  it('quotes the passage that holds the most of the question even when the ranking put it fourth', () => {
    const ranked = [passage('a', 'Meals are limited to 40 EUR.', 0.3), passage('b', 'Taxis are reimbursed.', 0.3), passage('c', 'Trains are preferred.', 0.3), passage('d', 'Hotels in Munich cost up to 200 EUR per night.', 0.9)];
    const { text, citations } = extractiveAnswer(ranked, new Map([['hotel', 2], ['munich', 3]]));
    assert.equal(text, 'Hotels in Munich cost up to 200 EUR per night. [1]');
    assert.equal(citations[0]!.passage.document.id, 'd');
  });
});
