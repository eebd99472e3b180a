import assert from 'node:assert/strict';
import { distinctTerms, searchTerms, splitSentences } from '../../src/retrieval/tokenize.js';

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
