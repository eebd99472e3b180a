import assert from 'node:assert/strict';
import { distinctTerms, fillerWeight, queryTerms, searchTerms, splitSentences } from '../../src/retrieval/tokenize.js';

describe('searchTerms', () => {
  it('segments Chinese into words so that a question and a document meet on the same terms', () => {
    const question = new Set(distinctTerms('年假有多少天？'));
    const document = new Set(distinctTerms('员工每年享有带薪年假，天数根据累计工作年限确定'));
    assert.ok(question.has('年假'));
    assert.ok(document.has('年假'));
    assert.ok(!question.has('多少'), 'question words are stop words');
  });

  it('indexes character pairs of words the dictionary does not know', () => {
    assert.ok(searchTerms('住房公积金缴纳比例').includes('公积'));
  });

  it('lower-cases, stems English and drops stop words', () => {
    assert.deepEqual(searchTerms('How are the Holidays counted?'), ['holidai', 'count']);
    assert.deepEqual(distinctTerms('holiday holidays'), ['holidai']);
    assert.deepEqual(distinctTerms('lost lose losing'), ['lose']);
  });

  it('keeps Japanese and numbers', () => {
    assert.ok(searchTerms('有給休暇は20日です').includes('20'));
    assert.ok(searchTerms('有給休暇は20日です').some((term) => /休暇/.test(term)));
  });
});

describe('queryTerms', () => {
  it('weighs the chat filler of a question down, not out', () => {
    assert.deepEqual([...queryTerms('hey, quick question: which VPN client do we use?')], [
      ['hei', fillerWeight],
      ['quick', fillerWeight],
      ['question', fillerWeight],
      ['vpn', 1],
      ['client', 1],
      ['us', fillerWeight],
    ]);
    assert.deepEqual([...queryTerms('我要请病假，需要做什么')], [['我要', fillerWeight], ['病假', 1], ['做', fillerWeight]]);
  });

  it('counts a word fully when it also appears as content', () => {
    assert.equal(queryTerms('new hire: what do new hires get').get('new'), fillerWeight);
    assert.equal(queryTerms('use of the company car, who may use it').get('us'), fillerWeight);
    assert.equal(queryTerms('company car usage').get('usag'), 1);
  });
});

describe('hyphenated words', () => {
  it('are indexed both split and joined, so that "wifi" meets "Wi-Fi" and "e-mail" meets "email"', () => {
    assert.deepEqual(searchTerms('Wi-Fi'), ['wi', 'wifi', 'fi']);
    assert.ok(searchTerms('Send an e-mail').includes('email'));
    assert.ok(searchTerms('the on-call engineer').includes('oncal'));
  });
});

describe('splitSentences', () => {
  it('splits English and Chinese sentences without breaking at common abbreviations', () => {
    assert.deepEqual(splitSentences('Take leave, e.g. a holiday. 年假为20天。最多结转5天！Done'), [
      'Take leave, e.g. a holiday.',
      '年假为20天。',
      '最多结转5天！',
      'Done',
    ]);
  });
});
