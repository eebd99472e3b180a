import assert from 'node:assert/strict';
import { answerBeyond, answerQuestion } from '../../src/answer/answer-question.js';
import { AppContext } from '../../src/app-context.js';
import { createChatTurn, type Presenter, type TurnRequest } from '../../src/conversation/chat-turn.js';
import { InProcessConversationMemory } from '../../src/conversation/conversation-memory.js';
import { InProcessSeenMessages } from '../../src/conversation/seen-messages.js';
import type { Answer, Question } from '../../src/domain.js';
import { createChatModel } from '../../src/llm/chat-model.js';
import { createLogger } from '../../src/logger.js';
import { FakeOpenAI } from '../fakes/openai-server.js';
import { testConfig } from '../helpers.js';

interface Shown {
  kind: 'progress' | 'progress taken down' | 'piece' | 'answer' | 'reply' | 'refuse' | 'privately' | 'later' | 'fail';
  text?: string;
  answer?: Answer;
}

/** What a channel would have shown, in order; answers get message ids m1, m2… */
class RecordingPresenter implements Presenter {
  readonly shown: Shown[] = [];
  private messages = 0;
  private readonly laterWaiters: Array<{ match: RegExp; resolve: (text: string) => void }> = [];
  constructor(private readonly options: { streams?: boolean; failToPost?: boolean } = {}) {
    if (options.streams) this.stream = (piece) => void this.shown.push({ kind: 'piece', text: piece });
  }
  stream?: (piece: string) => void;
  progress = async (text: string) => {
    this.shown.push({ kind: 'progress', text });
    return async () => void this.shown.push({ kind: 'progress taken down' });
  };
  answer = async (answer: Answer) => {
    if (this.options.failToPost) throw new Error('the channel refused the message (not_in_channel)');
    this.shown.push({ kind: 'answer', answer });
    return `m${++this.messages}`;
  };
  reply = async (text: string) => void this.shown.push({ kind: 'reply', text });
  refuse = async (text: string) => void this.shown.push({ kind: 'refuse', text });
  privately = async (text: string) => void this.shown.push({ kind: 'privately', text });
  postLater = async (text: string) => {
    this.shown.push({ kind: 'later', text });
    for (const waiter of this.laterWaiters.filter((w) => w.match.test(text))) waiter.resolve(text);
  };
  fail = async (message: string) => void this.shown.push({ kind: 'fail', text: message });
  kinds = () => this.shown.map((s) => s.kind);
  /** Resolves with the first later post that matches. */
  later = (match: RegExp) => new Promise<string>((resolve) => this.laterWaiters.push({ match, resolve }));
}

interface LogLine {
  level: number;
  msg: string;
  component?: string;
  platform?: string;
  conversationId?: string;
  eventId?: string;
  activityId?: string;
  reqId?: string;
  outcome?: string;
  [field: string]: unknown;
}

let nextEvent = 1;
const asked = (text: string, extra: Partial<TurnRequest> = {}, conversation = 'slack:DTEST'): TurnRequest => {
  const eventId = `Ev${nextEvent++}`;
  const question: TurnRequest['question'] = { text, asker: { platform: 'slack', userId: 'UASKER' }, conversation: { id: conversation }, history: [] };
  return { question, place: { shared: false }, delivery: { eventId }, dedupeKey: eventId, remember: true, isAdmin: false, requestedBy: 'slack:UASKER', ...extra };
};

describe('chat turn', function () {
  this.timeout(60_000);
  let context: AppContext;
  let lines: string[] = [];
  const logged = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);
  const turnLines = () => logged().filter((line) => line.msg === 'turn finished');

  before(async () => {
    // The bundled samples, indexed once; lines captured at debug from here on.
    context = AppContext.fromConfig(testConfig(), { logger: createLogger('debug', { write: (line: string) => void lines.push(line) }) });
    await context.sync({ requestedBy: 'test' });
  });
  after(() => context.close());
  beforeEach(() => {
    lines = [];
  });

  const run = async (request: TurnRequest, presenter = new RecordingPresenter()) => ({ outcome: await context.chatTurn(request, () => presenter), presenter });

  it('answers a question: progress at once, then the cited answer, and the progress taken down', async () => {
    const { outcome, presenter } = await run(asked('How many days of annual leave do I get?'));
    assert.equal(outcome, 'answer');
    assert.deepEqual(presenter.kinds(), ['progress', 'answer', 'progress taken down']);
    assert.equal(presenter.shown[0]!.text, 'Searching the docs…');
    const answer = presenter.shown[1]!.answer!;
    assert.match(answer.text, /28 days of paid annual leave.*\[1\]/);
    assert.equal(answer.citations[0]!.passage.document.title, 'Leave policy');
  });

  it('shows the closest passages as such, and says so when nothing is relevant', async () => {
    const closest = await run(asked('Is there a company gym with a sauna?'));
    assert.equal(closest.outcome, 'closest');
    assert.equal(closest.presenter.shown.find((s) => s.kind === 'answer')!.answer!.confidence, 'closest');
    const none = await run(asked('Who won the football world cup in 2014?'));
    assert.equal(none.outcome, 'none');
    const answer = none.presenter.shown.find((s) => s.kind === 'answer')!.answer!;
    assert.deepEqual([answer.confidence, answer.citations.length], ['none', 0]);
    assert.match(answer.text, /couldn't find the answer[\s\S]*Sources searched/);
  });

  it('answers help and status as commands, in Chinese too, without searching', async () => {
    const help = await run(asked('help'));
    assert.equal(help.outcome, 'command');
    assert.match(help.presenter.shown.find((s) => s.kind === 'reply')!.text!, /Ask me a question about the company's documents/);
    const status = await run(asked('状态'));
    assert.match(status.presenter.shown.find((s) => s.kind === 'reply')!.text!, /Indexed sources \(\d+ passages in all\)[\s\S]*Last sync: .*\(test\)[\s\S]*Feedback on answers/);
    assert.ok(![...help.presenter.kinds(), ...status.presenter.kinds()].includes('answer'));
    assert.deepEqual(turnLines().map((line) => [line.outcome, line.command]), [['command', 'help'], ['command', 'status']]);
  });

  it('refuses an empty or oversized question with the words that say why, and answers nothing', async () => {
    const empty = await run(asked('   '));
    const long = await run(asked('why '.repeat(2000)));
    assert.deepEqual([empty.outcome, long.outcome], ['invalid', 'invalid']);
    assert.match(empty.presenter.shown.find((s) => s.kind === 'refuse')!.text!, /The question is empty/);
    assert.match(long.presenter.shown.find((s) => s.kind === 'refuse')!.text!, /The question is 7,999 characters long; the limit is 4,000/);
    assert.ok(![...empty.presenter.kinds(), ...long.presenter.kinds()].includes('answer'));
  });

  it('starts a sync only for an admin: refused privately to others; started, then the report posted to the conversation', async () => {
    const refused = await run(asked('sync'));
    assert.deepEqual(refused.presenter.shown, [{ kind: 'privately', text: 'Sorry, only administrators can start a sync. Type "status" to see when the documents were last synced.' }]);

    const presenter = new RecordingPresenter();
    const report = presenter.later(/^Sync (finished|failed)/);
    const started = await run(asked('sync samples', { isAdmin: true, requestedBy: 'slack:admin' }), presenter);
    assert.equal(started.outcome, 'command');
    assert.match(presenter.shown.find((s) => s.kind === 'reply')!.text!, /^Sync started for samples \(run [\w-]+\)/);
    assert.match(await report, /^Sync finished:\nsamples: 0 added, 0 updated, \d+ unchanged/);
    assert.equal((await context.catalogue.recentRuns(1))[0]!.requestedBy, 'slack:admin');
  });

  it('answers a delivery once: a second claim of the same id shows nothing and is logged as a duplicate', async () => {
    const request = asked('How many days of annual leave do I get?');
    const first = await run(request);
    const again = await run(request);
    assert.equal(first.outcome, 'answer');
    assert.equal(again.outcome, 'duplicate');
    assert.deepEqual(again.presenter.shown, []);
    assert.deepEqual(turnLines().map((line) => [line.outcome, line.eventId]), [['answer', request.delivery.eventId], ['duplicate', request.delivery.eventId]]);
  });

  it('keeps the given answer so that feedback on its message is stored with the question and the cited documents', async () => {
    const request = asked('How many days of annual leave do I get?', {}, 'slack:DFEEDBACK');
    await run(request);
    assert.equal(await context.catalogue.recordFeedback({ messageId: 'm1', conversationId: 'slack:DFEEDBACK', userId: 'UASKER', reaction: 'like', comment: null }), true);
    const [stored] = await context.catalogue.recentFeedback(1);
    assert.equal(stored!.question, 'How many days of annual leave do I get?');
    assert.match(stored!.answer, /28 days/);
    assert.equal(stored!.citedDocumentIds.length, 1);
  });

  it('logs one line per turn, and every line of the turn carries its platform, conversation and delivery id', async () => {
    const request = asked('How many days of annual leave do I get?', {}, 'slack:DLOGS');
    await run(request);
    const all = logged();
    assert.ok(all.length >= 2, 'retrieval and the turn logged');
    for (const line of all) assert.deepEqual([line.platform, line.conversationId, line.eventId], ['slack', 'slack:DLOGS', request.delivery.eventId], line.msg);
    assert.ok(all.some((line) => line.component === 'retrieval'), 'retrieval logs through the turn');
    const [turn, ...others] = turnLines();
    assert.equal(others.length, 0);
    assert.equal(turn!.level, 30);
    assert.equal(turn!.outcome, 'answer');
    const cited = turn!.cited as Array<{ documentId: string; score: number }>;
    assert.ok(cited.length >= 1);
    assert.ok(cited.every((passage) => typeof passage.documentId === 'string' && passage.score > 0 && passage.score <= 1));
    assert.deepEqual(turn!.dropped, []);
    assert.equal(typeof turn!.retrievalMs, 'number');
    assert.equal(typeof turn!.totalMs, 'number');
  });

  it('when the channel cannot show the answer: an error line with the ids, and an apology through the presenter', async () => {
    const { outcome, presenter } = await run(asked('How many days of annual leave do I get?', {}, 'slack:CSECRET'), new RecordingPresenter({ failToPost: true }));
    assert.equal(outcome, 'error');
    assert.deepEqual(presenter.kinds(), ['progress', 'fail', 'progress taken down']);
    assert.equal(presenter.shown.find((shown) => shown.kind === 'fail')!.text, 'Sorry, something went wrong while answering. Please try again in a moment.');
    const failed = logged().find((line) => line.msg === 'turn failed')!;
    assert.equal(failed.level, 50);
    assert.equal(failed.conversationId, 'slack:CSECRET');
    assert.equal(turnLines()[0]!.outcome, 'error');
  });

  describe('with a chat model', () => {
    let model: FakeOpenAI;
    let withModel: AppContext;
    before(async () => {
      model = await new FakeOpenAI().start();
      withModel = AppContext.fromConfig(testConfig({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' }), {
        index: context.index,
        logger: createLogger('debug', { write: (line: string) => void lines.push(line) }),
      });
    });
    after(() => model.stop());
    beforeEach(() => {
      model.requests.length = 0;
      model.faults.length = 0;
    });

    it('streams the answer, remembers the exchange and gives it to a follow-up as its history', async () => {
      model.chatReply = (body) => (/standalone/i.test(body.messages[0]!.content) ? 'How many days of annual leave do part-time employees get?' : 'Full-time employees get 28 days of paid annual leave [1].');
      const presenter = new RecordingPresenter({ streams: true });
      assert.equal(await withModel.chatTurn(asked('How many days of annual leave do I get?', {}, 'slack:DMEMORY'), () => presenter), 'answer');
      assert.ok(presenter.kinds().includes('piece'), 'pieces shown as the model wrote');
      assert.equal(presenter.shown.filter((s) => s.kind === 'piece').map((s) => s.text).join(''), 'Full-time employees get 28 days of paid annual leave [1].');

      await withModel.chatTurn(asked('and for part-time staff?', {}, 'slack:DMEMORY'), () => new RecordingPresenter());
      const rewrite = model.chatRequests().find((r) => /standalone/i.test(r.body.messages[0].content));
      assert.match(JSON.stringify(rewrite!.body.messages), /How many days of annual leave do I get\?[\s\S]*Full-time employees get 28 days[\s\S]*and for part-time staff\?/);
      // Another conversation, or a turn that keeps no memory (a thread has its own), starts afresh.
      model.requests.length = 0;
      await withModel.chatTurn(asked('and for part-time staff?', { remember: false }, 'slack:DMEMORY'), () => new RecordingPresenter());
      assert.equal(model.chatRequests().filter((r) => /standalone/i.test(r.body.messages[0].content)).length, 0);
    });

    it('warns, with the turn\'s ids, when the follow-up rewrite fails or the model fails, and still answers', async () => {
      model.chatReply = () => 'Full-time employees get 28 days of paid annual leave [1].';
      const history: Question['history'] = [{ role: 'user', text: 'How many days of annual leave do I get?' }, { role: 'assistant', text: '28 days [1].' }];
      const request = asked('and for part-time staff?', { remember: false }, 'slack:DWARN');
      request.question.history = history;
      model.faults.push({ kind: 'status', status: 400 }, { kind: 'status', status: 400 });
      const presenter = new RecordingPresenter();
      assert.equal(await withModel.chatTurn(request, () => presenter), 'answer');
      assert.match(presenter.shown.find((s) => s.kind === 'answer')!.answer!.text, /language model is unavailable/);
      const warnings = logged().filter((line) => line.level === 40);
      assert.deepEqual(warnings.map((line) => line.msg), ['follow-up rewrite failed: searching the question as asked', 'chat model unavailable: answering extractively']);
      for (const line of warnings) assert.deepEqual([line.platform, line.conversationId, line.eventId], ['slack', 'slack:DWARN', request.delivery.eventId]);
    });

    it('logs the passages the prompt dropped for its budget, with the model\'s first-token time', async () => {
      model.chatReply = () => 'Full-time employees get 28 days of paid annual leave [1].';
      const config = testConfig({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none', RETRIEVAL_TOP_K: '5' });
      // The same pipeline with a budget that holds one passage at most.
      const chat = { model: createChatModel(config.chat!, config.chat!.timeoutMs), promptBudgetTokens: 700 };
      const answering = { index: context.index, syncState: context.catalogue, retrieval: config.retrieval, evidence: config.evidence, chat };
      const turn = createChatTurn({
        answer: (question, options) => answerQuestion(answering, question, options),
        answerBeyond: (question, placeReaders, options) => answerBeyond(answering, question, placeReaders, options),
        index: context.index,
        syncState: context.catalogue,
        feedbackLog: context.catalogue,
        sync: { syncJob: context.syncJob, sources: config.sources },
        memory: new InProcessConversationMemory(),
        seen: new InProcessSeenMessages(),
        access: config.access,
        maxQuestionChars: config.maxQuestionChars,
        logger: createLogger('debug', { write: (line: string) => void lines.push(line) }),
      });
      assert.equal(await turn(asked('How do I request annual leave and how many days do I get?'), () => new RecordingPresenter({ streams: true })), 'answer');
      const [line] = turnLines();
      const dropped = line!.dropped as Array<{ documentId: string; score: number }>;
      assert.ok(dropped.length >= 1, JSON.stringify(line));
      assert.ok(dropped.every((passage) => typeof passage.documentId === 'string' && typeof passage.score === 'number'));
      assert.equal(typeof line!.modelFirstTokenMs, 'number');
      assert.equal(line!.mode, 'generated');
    });
  });
});
