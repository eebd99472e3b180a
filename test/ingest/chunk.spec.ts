import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer';
import { chunkDocument } from '../../src/ingest/chunk.js';
import { splitSentences } from '../../src/retrieval/tokenize.js';

const english = Array.from({ length: 40 }, (_, i) => `Rule ${i} says that employees must file form ${i} before the deadline.`).join(' ');
const chinese = Array.from({ length: 40 }, (_, i) => `第${i}条规定员工必须在截止日期前提交第${i}号表格。`).join('');

describe('chunkDocument', () => {
  for (const [language, text] of [['English', english], ['Chinese', chinese]] as const) {
    it(`keeps ${language} chunks under the token budget and never cuts a sentence`, () => {
      const chunks = chunkDocument('doc', [{ headingPath: ['Rules'], text }], { maxTokens: 80, overlapTokens: 20 });
      assert.ok(chunks.length > 3);
      const sentences = new Set(splitSentences(text));
      for (const chunk of chunks) {
        assert.ok(chunk.tokenCount <= 80, `chunk of ${chunk.tokenCount} tokens`);
        assert.equal(chunk.tokenCount, countTokens(chunk.text));
        for (const sentence of splitSentences(chunk.text)) assert.ok(sentences.has(sentence), `cut sentence: ${sentence}`);
        assert.deepEqual(chunk.headingPath, ['Rules']);
      }
    });
  }

  it('starts each chunk with the last sentences of the one before', () => {
    const chunks = chunkDocument('doc', [{ headingPath: [], text: english }], { maxTokens: 80, overlapTokens: 20 });
    for (let i = 1; i < chunks.length; i++) {
      const previous = splitSentences(chunks[i - 1]!.text);
      assert.equal(splitSentences(chunks[i]!.text)[0], previous[previous.length - 1]);
    }
  });

  it('gives stable ids and content hashes, one chunk per small section', () => {
    const sections = [
      { headingPath: ['A'], text: 'Alpha.' },
      { headingPath: ['B'], text: 'Beta.' },
    ];
    const first = chunkDocument('doc', sections, { maxTokens: 80, overlapTokens: 20 });
    const second = chunkDocument('doc', sections, { maxTokens: 80, overlapTokens: 20 });
    assert.deepEqual(first, second);
    assert.deepEqual(first.map((c) => c.id), ['doc:0', 'doc:1']);
    assert.notEqual(first[0]!.contentHash, first[1]!.contentHash);
  });

  it('cuts a single sentence longer than the budget at word boundaries', () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunkDocument('doc', [{ headingPath: [], text: long }], { maxTokens: 64, overlapTokens: 0 });
    assert.ok(chunks.length > 1);
    assert.equal(chunks.map((c) => c.text).join(' '), long);
  });

  it("gives each chunk its section's location, and a chunk that moves a new content hash", () => {
    const sections = [
      { headingPath: ['Rules'], text: english, location: { anchor: 'rules' } },
      { headingPath: ['Travel'], text: 'Book trains.', location: { page: 2 } },
      { headingPath: ['Other'], text: 'No location here.' },
    ];
    const chunks = chunkDocument('doc', sections, { maxTokens: 80, overlapTokens: 20 });
    const rules = chunks.filter((c) => c.headingPath[0] === 'Rules');
    assert.ok(rules.length > 1 && rules.every((c) => c.location?.anchor === 'rules'));
    assert.deepEqual(chunks.find((c) => c.headingPath[0] === 'Travel')!.location, { page: 2 });
    assert.ok(!('location' in chunks.at(-1)!), 'no location key without a location');
    const moved = chunkDocument('doc', [{ ...sections[1]!, location: { page: 3 } }], { maxTokens: 80, overlapTokens: 20 })[0]!;
    const unlocated = chunkDocument('doc', [{ headingPath: ['Travel'], text: 'Book trains.' }], { maxTokens: 80, overlapTokens: 20 })[0]!;
    const travel = chunks.find((c) => c.headingPath[0] === 'Travel')!;
    assert.notEqual(moved.contentHash, travel.contentHash);
    assert.notEqual(unlocated.contentHash, travel.contentHash);
  });
});
