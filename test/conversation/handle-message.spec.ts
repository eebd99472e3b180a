import assert from 'node:assert/strict';
import path from 'node:path';
import sinon from 'sinon';
import { AccessPolicy } from '../../src/access/access-policy.js';
import { createMessageHandler } from '../../src/conversation/handle-message.js';
import type { Answer, Question } from '../../src/domain.js';
import { InvalidQuestionError } from '../../src/errors.js';
import { openSqliteStore } from '../../src/index/sqlite-store.js';
import { tempDir } from '../helpers.js';

const question = (text: string): Question => ({ text, asker: { platform: 'webchat', userId: 'u' }, conversation: { id: 'c' }, history: [], readers: ['everyone'] });
const answer: Answer = { text: 'An answer. [1]', citations: [], confidence: 'answer', grounded: true, mode: 'extractive', searched: [] };

describe('handleMessage', () => {
  const setup = () => {
    const { index, catalogue } = openSqliteStore(path.join(tempDir(), 'index.db'));
    const answerFn = sinon.fake.resolves(answer);
    return { index, answerFn, handle: createMessageHandler({ answer: answerFn, index, syncState: catalogue, access: AccessPolicy.open(), maxQuestionChars: 4000 }) };
  };

  it('passes a question, trimmed, to the answer pipeline', async () => {
    const { handle, answerFn } = setup();
    assert.deepEqual(await handle(question('  How do I book travel?  ')), { kind: 'answer', answer });
    assert.equal(answerFn.firstCall.args[0].text, 'How do I book travel?');
  });

  it('refuses an empty question with a clear message', async () => {
    const { handle, answerFn } = setup();
    await assert.rejects(handle(question('   ')), (error: unknown) => error instanceof InvalidQuestionError && /The question is empty/.test(error.message));
    assert.equal(answerFn.callCount, 0);
  });

  it('refuses a question of 20,000 characters, naming its length and the limit', async () => {
    const { handle } = setup();
    await assert.rejects(handle(question('a'.repeat(20000))), /The question is 20,000 characters long; the limit is 4,000/);
  });

  it('answers help and status without searching', async () => {
    const { handle, answerFn } = setup();
    const help = await handle(question('help'));
    assert.equal(help.kind, 'text');
    assert.match(help.kind === 'text' ? help.text : '', /Ask me a question/);
    const status = await handle(question('/status'));
    assert.match(status.kind === 'text' ? status.text : '', /No documents have been synced yet/);
    assert.equal(answerFn.callCount, 0);
  });
});
