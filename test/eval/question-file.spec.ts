import assert from 'node:assert/strict';
import { InvalidQuestionFileError } from '../../src/errors.js';
import { parseQuestionFile } from '../../src/eval/question-file.js';

describe('parseQuestionFile', () => {
  it('reads answerable and unanswerable questions, with the language guessed when not given', () => {
    const questions = parseQuestionFile(
      [
        '{"id": "a", "question": "which vpn do we use", "expect_files": ["it/vpn.md"], "answer_facts": ["WireGuard"], "kind": "casual"}',
        '',
        '{"id": "b", "question": "年假有几天", "expect_titles": ["请假制度"]}',
        '{"id": "c", "question": "dental plan deductible?", "kind": "near-miss"}',
        '{"id": "d", "question": "and in Shanghai?", "expect_files": ["hr/travel.md"], "history": [{"role": "user", "text": "hotel limit in Berlin"}], "sources": ["handbook"]}',
      ].join('\n'),
      'set.jsonl',
    );
    assert.deepEqual(
      questions.map((q) => [q.id, q.lang, q.kind, q.answerable]),
      [
        ['a', 'en', 'casual', true],
        ['b', 'zh', 'answerable', true],
        ['c', 'en', 'near-miss', false],
        ['d', 'en', 'answerable', true],
      ],
    );
    assert.equal(questions[2]!.origin, 'set.jsonl:4');
    assert.deepEqual(questions[3]!.sources, ['handbook']);
  });

  it('refuses a bad line with an error that names the file and the line', () => {
    const bad = (text: string) => assert.throws(() => parseQuestionFile(text, 'set.jsonl'), InvalidQuestionFileError);
    bad('{"id": "a", "question": "x"}\n{not json');
    assert.throws(() => parseQuestionFile('{"id": "a", "question": "x"}\n{not json', 'set.jsonl'), /^InvalidQuestionFileError: set\.jsonl:2: not valid JSON/);
    assert.throws(() => parseQuestionFile('{"id": "a", "question": "x", "expect_file": ["a.md"]}', 'set.jsonl'), /set\.jsonl:1: .*expect_file/);
    assert.throws(() => parseQuestionFile('{"id": "a", "question": "x"}\n{"id": "a", "question": "y"}', 'set.jsonl'), /set\.jsonl:2: the id "a" is already used on line 1/);
    assert.throws(() => parseQuestionFile('{"id": "a", "question": "x", "kind": "unanswerable", "expect_files": ["a.md"]}', 'set.jsonl'), /cannot name expected files/);
    assert.throws(() => parseQuestionFile('{"id": "a", "question": ""}', 'set.jsonl'), /set\.jsonl:1: "question"/);
    assert.throws(() => parseQuestionFile('\n\n', 'empty.jsonl'), /empty\.jsonl: holds no questions/);
  });
});
