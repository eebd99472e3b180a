import assert from 'node:assert/strict';
import { createFollowUps, followUpQuestions } from '../../src/conversation/follow-ups.js';
import type { Answer, Passage } from '../../src/domain.js';
import { silentLogger } from '../helpers.js';

const passage = (headingPath: string[], title = 'Leave policy', id = 'leave'): Passage => ({
  chunkIds: [`${id}:${headingPath.length}`],
  document: { id, source: 'handbook', path: `hr/${id}.md`, title, url: null, updatedAt: null, superseded: false, readers: ['everyone'] },
  headingPath,
  text: 'Some text.',
  score: 0.9,
});

const cited = (passages: Passage[], extra: Partial<Omit<Answer, 'followUps'>> & { followUps?: unknown } = {}): Answer => ({
  text: 'Full-time employees get 28 days [1].',
  citations: passages.map((p, i) => ({ n: i + 1, passage: p })),
  confidence: 'answer',
  grounded: true,
  mode: 'extractive',
  searched: [],
  ...extra,
}) as Answer;

describe('follow-up questions', () => {
  it('asks about the other cited sections first, then the sections above them, never about the section quoted or the page itself', () => {
    const answer = cited([passage(['Leave policy', 'Annual leave', 'Carrying days over']), passage(['Leave policy', 'Sick leave']), passage(['Leave policy', 'Annual leave', 'How to request leave'])]);
    assert.deepEqual(followUpQuestions(answer, 'Can I carry unused days over?'), ['What about sick leave?', 'How to request leave?', 'What about annual leave?']);
  });

  it('adds the cited pages\' other sections when they are known, skipping what the question already names and duplicates', () => {
    const answer = cited([passage(['Leave policy', 'Annual leave'])]);
    const sections = [['Leave policy'], ['Leave policy', 'Annual leave'], ['Leave policy', 'Sick leave'], ['Leave policy', 'Sick leave'], ['Leave policy', 'Parental leave'], ['Leave policy', 'VPN access abroad'], ['Leave policy', 'Special leave']];
    assert.deepEqual(followUpQuestions(answer, 'How much annual leave do I get?', sections), ['What about sick leave?', 'What about parental leave?', 'What about VPN access abroad?']);
    assert.deepEqual(followUpQuestions(answer, 'Is sick leave paid?', sections), ['What about parental leave?', 'What about VPN access abroad?', 'What about special leave?']);
  });

  it('prefers the model\'s own suggestions when the answer carries them, reading them defensively', () => {
    const answer = cited([passage(['Leave policy', 'Annual leave']), passage(['Leave policy', 'Sick leave'])], { followUps: ['Can I carry days over?', 42, '  ', 'Can I carry days over?', 'x'.repeat(61), 'Who approves leave?', 'Is there parental leave?', 'One too many?'] });
    assert.deepEqual(followUpQuestions(answer, 'How much leave?'), ['Can I carry days over?', 'Who approves leave?', 'Is there parental leave?']);
    assert.deepEqual(followUpQuestions(cited([passage(['Leave policy', 'Annual leave']), passage(['Leave policy', 'Sick leave'])], { followUps: 'not a list' }), 'How much leave?'), ['What about sick leave?']);
  });

  it('keeps each to 60 characters, asks in Chinese under a Chinese answer, and offers none when nothing was found', () => {
    const long = passage(['Leave policy', 'A heading that goes on and on and on well past what fits a button']);
    assert.deepEqual(followUpQuestions(cited([passage(['Leave policy', 'Annual leave']), long]), 'How much leave?'), []);
    const chinese = { ...cited([passage(['请假制度（中国）', '年假'], '请假制度（中国）'), passage(['请假制度（中国）', '病假'], '请假制度（中国）')]), text: '年假为每年十五天 [1]。' };
    assert.deepEqual(followUpQuestions(chinese, '年假有几天？'), ['病假呢？']);
    assert.deepEqual(followUpQuestions({ ...cited([]), confidence: 'none', grounded: false }, 'Where is the moon?'), []);
  });

  it("reads each cited page's sections once, with the page's own readers, and does without a page that cannot be read", async () => {
    const asked: Array<[string, string[]]> = [];
    const followUps = createFollowUps(async (documentId, readers) => {
      asked.push([documentId, readers]);
      if (documentId === 'broken') throw new Error('the index is unavailable');
      return [['Leave policy', 'Parental leave']];
    });
    const broken = { ...passage(['Travel', 'Trains'], 'Travel', 'broken'), document: { ...passage([], 'Travel', 'broken').document, readers: ['group:hr'] } };
    const answer = cited([passage(['Leave policy', 'Annual leave']), passage(['Leave policy', 'Annual leave', 'Carrying over']), broken]);
    assert.deepEqual(await followUps(answer, 'How much leave?', silentLogger), ['What about carrying over?', 'What about trains?', 'What about parental leave?']);
    assert.deepEqual(asked, [['leave', ['everyone']], ['broken', ['group:hr']]], 'each page once, with its readers');
    assert.deepEqual(await followUps({ ...answer, followUps: ['Who approves leave?'] }, 'How much leave?', silentLogger), ['Who approves leave?']);
    assert.equal(asked.length, 2, "the model's own suggestions need no page read");
  });

});
