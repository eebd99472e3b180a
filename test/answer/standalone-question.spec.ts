import assert from 'node:assert/strict';
import { rewriteInstructions, standaloneQuestion, standsAlone } from '../../src/answer/standalone-question.js';
import type { Question } from '../../src/domain.js';
import { createChatModel } from '../../src/llm/chat-model.js';
import { FakeOpenAI } from '../fakes/openai-server.js';

const question = (text: string, history: Question['history'] = []): Question => ({ text, asker: { platform: 'webchat', userId: 'u' }, conversation: { id: 'c' }, history, readers: ['everyone'] });
const history: Question['history'] = [
  { role: 'user', text: 'How many days of annual leave do I get?' },
  { role: 'assistant', text: 'Every full-time employee receives 28 days [1].' },
];

describe('standaloneQuestion', () => {
  it('leaves a question without history as it is', async () => {
    assert.equal(await standaloneQuestion(question('How do I book travel?'), null), 'How do I book travel?');
  });

  it('without a model, adds the previous question only to a follow-up that cannot stand alone', async () => {
    assert.equal(await standaloneQuestion(question('And in China?', history), null), 'And in China? How many days of annual leave do I get?');
    assert.equal(await standaloneQuestion(question('is it paid?', history), null), 'is it paid? How many days of annual leave do I get?');
    assert.equal(await standaloneQuestion(question('那中国呢？', history), null), '那中国呢？ How many days of annual leave do I get?');
    const full = 'How do I request a new laptop from the IT portal?';
    assert.equal(await standaloneQuestion(question(full, history), null), full);
    // Short, but a new question: borrowing the leave question's words would answer about leave.
    assert.equal(await standaloneQuestion(question('What is the zebra stipend?', history), null), 'What is the zebra stipend?');
    assert.equal(await standaloneQuestion(question('报销多久能到账', history), null), '报销多久能到账');
  });

  it('tells a continuation from a new question', () => {
    for (const text of ['and for part-timers?', 'What about part-time staff?', 'how about Shanghai', 'ok how do i get it set up on my mac?', 'do we get paid extra for it?', '那年假呢，怎么申请', '还有别的吗']) {
      assert.equal(standsAlone(text), false, text);
    }
    for (const text of ['What is the zebra stipend?', 'per diem?', 'wifi password', '报销多久能到账', 'how many days of annual leave do i get in the berlin office if i work part time']) {
      assert.equal(standsAlone(text), true, text);
    }
  });

  describe('with a model', () => {
    let fake: FakeOpenAI;
    beforeEach(async () => {
      fake = await new FakeOpenAI().start();
    });
    afterEach(() => fake.stop());
    const model = () => createChatModel({ provider: 'openai', apiKey: null, baseUrl: `${fake.url}/v1`, model: 'm' }, 2000);

    it('asks the model for a standalone question in the user\'s language, the conversation as data', async () => {
      fake.chatReply = () => '中国员工有多少天年假？\n';
      assert.equal(await standaloneQuestion(question('那中国呢？', history), model()), '中国员工有多少天年假？');
      const sent = fake.chatRequests()[0]!.body.messages as Array<{ role: string; content: string }>;
      assert.equal(sent[0]!.content, rewriteInstructions);
      assert.match(rewriteInstructions, /Keep the language of the last user message/);
      assert.equal(sent[1]!.content, 'CONVERSATION:\nUser: How many days of annual leave do I get?\nAssistant: Every full-time employee receives 28 days [1].\nUser: 那中国呢？');
    });

    it('keeps the original question when the model fails', async () => {
      fake.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
      assert.equal(await standaloneQuestion(question('And in China?', history), model()), 'And in China?');
    });
  });
});
