import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sinon from 'sinon';
import { createLogger } from '../../../src/logger.js';
import { startService, type Service } from '../../../src/main.js';
import { FakeOpenAI } from '../../fakes/openai-server.js';
import { FakeSlackApi, slackSignature } from '../../fakes/slack-api.js';
import { CapturedLog, sharedData, testConfig } from '../../helpers.js';
import { plantDocument, plantedQuestion } from '../../planted-document.js';
import { slackEventEnvelope } from '../../fakes/slack-events.js';

const samples = path.join(sharedData, 'chat-payloads/slack-events/java-slack-sdk-samples');
const signingSecret = 'slack-signing-secret-for-tests';
const admin = 'UADMIN01';
let nextEvent = 1;

/** A recorded envelope shape (values blanked) filled in with the fields of this event. */
function envelope(sample: string, event: Record<string, unknown>): Record<string, unknown> {
  const shape = JSON.parse(fs.readFileSync(path.join(samples, 'events', sample), 'utf8')) as { event: { type: string } };
  return slackEventEnvelope(`Ev${nextEvent++}`, 'UBOTGW01', { type: shape.event.type, ts: String(event.ts), ...event });
}

const sign = (body: string, timestamp?: number) => slackSignature(signingSecret, body, timestamp);

describe('Slack bot (POST /slack/events)', function () {
  this.timeout(30_000);
  let service: Service;
  let slack: FakeSlackApi;
  let model: FakeOpenAI | null = null;

  before(function () {
    if (!fs.existsSync(samples)) this.skip();
  });
  /** Log lines of the running service (at debug). */
  let log = new CapturedLog();
  /** Resolves when the turn of an event is done (every turn logs one line when it is), with that line. */
  const turnDone = async (eventId: string, count = 1) => log.waitFor((line) => line.msg === 'turn finished' && line.eventId === eventId, count);
  /** Resolves when the listener has decided an event is not a question. */
  const ignored = (eventId: string) => log.waitFor((line) => line.msg === 'Slack event ignored' && line.eventId === eventId);
  const idOf = (envelope: Record<string, unknown>) => envelope.event_id as string;
  const start = async (env: Record<string, string> = {}) => {
    slack = await new FakeSlackApi().start();
    log = new CapturedLog();
    service = await startService(
      testConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url, SLACK_ADMIN_IDS: admin, TEAMS_ENABLED: 'false', ...env }),
      { logger: createLogger('debug', log.destination) },
    );
  };
  afterEach(async () => {
    await service?.stop();
    await slack?.stop();
    await model?.stop();
    model = null;
  });

  const postJson = (payload: unknown, headers: Record<string, string> = {}) => {
    const body = JSON.stringify(payload);
    return fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(body), ...headers }, body });
  };
  const postForm = (fields: Record<string, string>) => {
    const body = new URLSearchParams(fields).toString();
    return fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
  };
  const mention = (text: string, extra: Record<string, unknown> = {}) =>
    envelope('AppMentionPayload.json', { user: 'UASKER01', text: `<@UBOTGW01> ${text}`, ts: `1700000${nextEvent}.000200`, channel: 'CGENERAL', ...extra });
  /** Messages Slack accepted that carry an answer (they end with the feedback buttons). */
  const answers = () =>
    slack.calls.filter((c) => ['chat.postMessage', 'chat.stopStream', 'chat.update'].includes(c.method) && c.result?.ok && (c.args.blocks ?? []).some((b: { block_id?: string }) => b.block_id === 'feedback'));
  const waitForAnswers = (count = 1) => slack.until(() => answers().length >= count && answers(), `${count} answers`);
  const allText = (call: { args: Record<string, any> }) => (call.args.blocks ?? []).map((b: any) => b.text?.text ?? (b.elements ?? []).map((e: any) => e.text).join(' ')).join('\n');

  it('acknowledges an @mention at once and answers in its thread with sources and feedback buttons', async () => {
    model = await new FakeOpenAI().start();
    // The model does not answer until the test lets it: the acknowledgement cannot wait for the answer.
    let answerNow!: () => void;
    model.hold = new Promise((resolve) => (answerNow = resolve));
    model.chatReply = () => 'Full-time employees get **28 days** of paid annual leave per calendar year [1].';
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    const event = mention('How many days of annual leave do I get?');
    const response = await postJson(event);
    assert.equal(response.status, 200, 'acknowledged while the model is still thinking');
    assert.equal(answers().length, 0);
    answerNow();

    const [answer] = await waitForAnswers();
    // The model's answer streams into the thread of the question, then ends with its blocks.
    const [stream] = slack.callsOf('chat.startStream');
    assert.equal(stream!.args.channel, 'CGENERAL');
    assert.equal(stream!.args.thread_ts, (event.event as { ts: string }).ts);
    assert.equal(answer!.method, 'chat.stopStream');
    assert.equal(answer!.args.ts, stream!.result!.ts);
    const [section, sources, feedback] = answer!.args.blocks;
    assert.deepEqual(section.text, { type: 'mrkdwn', text: 'Full-time employees get *28 days* of paid annual leave per calendar year [1].' });
    assert.equal(sources.type, 'context');
    assert.match(sources.elements[0].text, /^\[1\] Leave policy · updated \d{1,2} [A-Z][a-z]{2} \d{4}$/);
    assert.deepEqual(feedback.elements.map((e: { action_id: string }) => e.action_id), ['feedback_like', 'feedback_dislike']);
    // Working on it: a reaction on the question, removed when done.
    assert.equal(slack.callsOf('reactions.add')[0]!.args.timestamp, (event.event as { ts: string }).ts);
    await slack.waitFor('reactions.remove');
  });

  it('answers a mention inside a thread in that thread (its parent ts), and a retried event only once', async () => {
    await start();
    const event = mention('How many days of annual leave do I get?', { thread_ts: '1699999999.000100' });
    await postJson(event);
    assert.equal((await postJson(event, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status, 200);
    const [answer] = await slack.waitFor('chat.postMessage');
    assert.equal(answer!.args.thread_ts, '1699999999.000100');
    assert.match(allText(answer!), /28 days of paid annual leave/);
    const turns = await turnDone(idOf(event), 2);
    assert.deepEqual(turns.map((line) => line.outcome).sort(), ['answer', 'duplicate']);
    assert.equal(answers().length, 1, 'the retry is not answered again');
  });

  it('refuses unsigned, wrongly signed and stale requests with 401, and answers url_verification', async () => {
    await start();
    const body = JSON.stringify(mention('How many days of annual leave do I get?'));
    const post = (headers: Record<string, string>) => fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ ...sign(body), 'x-slack-signature': `v0=${'0'.repeat(64)}` })).status, 401);
    assert.equal((await post(sign(body, Math.floor(Date.now() / 1000) - 6 * 60))).status, 401, 'six minutes old');
    assert.equal((await post(sign(body, Math.floor(Date.now() / 1000) + 6 * 60))).status, 401, 'six minutes ahead');
    // Refused before the app sees them: nothing was dispatched, so no turn started.
    assert.equal(log.withMessage('turn finished').length, 0);
    assert.equal(slack.callsOf('chat.postMessage').length, 0);
    const challenge = await postJson({ token: 'x', challenge: 'challenge-123', type: 'url_verification' });
    assert.deepEqual(await challenge.json(), { challenge: 'challenge-123' });
  });

  it('answers a DM in the DM, in a thread only when asked in one, and ignores bots and edits', async () => {
    await start();
    const dm = (extra: Record<string, unknown>) =>
      envelope('MessagePayload.json', { user: 'UASKER01', text: 'How many days of annual leave do I get?', ts: `1700001${nextEvent}.000300`, channel: 'DDIRECT', channel_type: 'im', ...extra });
    await postJson(dm({}));
    const [plain] = await slack.waitFor('chat.postMessage');
    assert.equal(plain!.args.channel, 'DDIRECT');
    assert.equal(plain!.args.thread_ts, undefined);
    await postJson(dm({ thread_ts: '1700000000.000900' }));
    const [, threaded] = await slack.waitFor('chat.postMessage', 2);
    assert.equal(threaded!.args.thread_ts, '1700000000.000900');

    const notQuestions = [dm({ bot_id: 'BOTHER', user: 'UOTHERBOT' }), dm({ subtype: 'message_changed' }), envelope('MessagePayload.json', { channel: 'DDIRECT', channel_type: 'im', ts: '1700000000.1', hidden: true, subtype: 'message_deleted' })];
    for (const event of notQuestions) await postJson(event);
    for (const event of notQuestions) await ignored(idOf(event));
    assert.equal(slack.callsOf('chat.postMessage').length, 2);
  });

  it('replies usefully to an empty mention, a file without text and a 40 KB message, and refuses a malformed body', async () => {
    await start();
    await postJson(mention(''));
    await postJson(envelope('MessagePayload.json', { user: 'UASKER01', subtype: 'file_share', text: '', files: [{ id: 'F1', name: 'scan.png' }], ts: '1700002000.000100', channel: 'DDIRECT', channel_type: 'im' }));
    await postJson(mention('why '.repeat(10_000)));
    const replies = await slack.waitFor('chat.postMessage', 3);
    const texts = replies.map((r) => r.args.text).join('\n');
    assert.match(texts, /Ask me a question about the company documents[\s\S]*Ask me a question about the company documents/);
    assert.match(texts, /The question is [\d,]+ characters long; the limit is 4,000/);
    const malformed = await fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign('{"type":') }, body: '{"type":' });
    assert.equal(malformed.status, 400);
  });

  it('refuses signed bodies that are not Slack payloads with 400 and a log line, and acknowledges well-formed ones it does not handle', async () => {
    await start();
    const postRaw = (body: string, contentType = 'application/json') =>
      fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...sign(body) }, body });
    const event = mention('How many days of annual leave do I get?');
    const notPayloads: Array<[string, string?]> = [
      ['null'],
      ['[]'],
      ['"event_callback"'],
      ['42'],
      ['{}'],
      [JSON.stringify({ type: 'event_callback' })],
      [JSON.stringify({ ...event, event: null })],
      [JSON.stringify({ ...event, event: 'app_mention' })],
      [JSON.stringify({ ...event, event: { ...(event.event as object), channel: null } })],
      [JSON.stringify({ ...event, event: { ...(event.event as object), user: { id: null } } })],
      [JSON.stringify({ ...event, authorizations: [null] })],
      [JSON.stringify({ type: 'url_verification' })],
      [new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'feedback_like' }] }) }).toString(), 'application/x-www-form-urlencoded'],
      [new URLSearchParams({ payload: 'null' }).toString(), 'application/x-www-form-urlencoded'],
      [new URLSearchParams({ command: '/groundwork', text: 'help' }).toString(), 'application/x-www-form-urlencoded'],
      // Found by the fuzz test: Bolt keeps clients per team in a plain object.
      [new URLSearchParams({ command: '/groundwork', text: 'help', channel_id: 'COPS', user_id: 'UOTHER01', team_id: '__proto__', response_url: 'https://hooks.slack.com/x' }).toString(), 'application/x-www-form-urlencoded'],
      [JSON.stringify({ ...event, authorizations: [{ team_id: 'constructor' }] })],
    ];
    for (const [body, contentType] of notPayloads) {
      const response = await postRaw(body, contentType);
      assert.equal(response.status, 400, body);
      assert.deepEqual(await response.json(), { error: 'invalid_body' }, body);
    }
    const refusals = log.withMessage('Slack request refused: not a Slack payload');
    assert.equal(refusals.length, notPayloads.length);
    assert.match(refusals[0]!.reason!, /not an object but null/);
    // Well-formed, but nothing this app listens for: acknowledged, so that Slack does not retry.
    const homeOpened = { ...envelope('AppHomeOpenedPayload.json', { user: 'UASKER01', channel: 'DDIRECT', tab: 'home' }) };
    assert.equal((await postJson(homeOpened)).status, 200);
    assert.equal((await postJson({ type: 'app_rate_limited', minute_rate_limited: 1 })).status, 200);
    // And it goes on answering.
    await postJson(event);
    const [answer] = await waitForAnswers();
    assert.match(allText(answer!), /28 days of paid annual leave/);
  });

  it('shows a source whose url is javascript: as its title, without the link', async () => {
    await start();
    await plantDocument(service.context, 'javascript:alert(1)');
    await postJson(mention(plantedQuestion));
    const [answer] = await waitForAnswers();
    const sources = answer!.args.blocks.find((b: { block_id?: string }) => b.block_id === 'sources');
    assert.match(sources.elements[0].text, /^\[1\] Zebra crossing stipend · updated 3 Feb 2026$/);
    assert.doesNotMatch(JSON.stringify(answer!.args.blocks), /javascript/i);
  });

  it('takes replies in a thread it answered as follow-ups, with the thread as history', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = (body) =>
      /standalone/i.test(body.messages[0]!.content) ? 'How many days of annual leave do part-time employees get?' : 'Part-time employees get leave in proportion to their working days [1].';
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    const question = mention('How many days of annual leave do I get?');
    const parent = (question.event as { ts: string }).ts;
    await postJson(question);
    await waitForAnswers();
    slack.threads.set(`CGENERAL:${parent}`, [
      { user: 'UASKER01', text: '<@UBOTGW01> How many days of annual leave do I get?', ts: parent },
      { bot_id: 'BFAKE', text: 'Full-time employees get 28 days [1].', ts: `${parent}1` },
    ]);
    await postJson(envelope('MessagePayload.json', { user: 'UASKER01', text: 'and for part-time staff?', ts: '1700009999.000500', thread_ts: parent, channel: 'CGENERAL', channel_type: 'channel' }));
    const [, followUp] = await waitForAnswers(2);
    assert.equal(slack.callsOf('chat.startStream')[1]!.args.thread_ts, parent);
    assert.match(allText(followUp!), /Part-time employees get leave in proportion/);
    assert.equal(slack.callsOf('conversations.replies')[0]!.args.ts, parent);
    const rewrite = model.chatRequests().find((r) => /standalone/i.test(r.body.messages[0].content));
    assert.match(JSON.stringify(rewrite!.body.messages), /How many days of annual leave do I get\?[\s\S]*Full-time employees get 28 days/);

    // A reply in a thread the bot never answered is none of its business.
    const elsewhere = envelope('MessagePayload.json', { user: 'UASKER01', text: 'lunch?', ts: '1700009999.000600', thread_ts: '1600000000.000100', channel: 'CGENERAL', channel_type: 'channel' });
    await postJson(elsewhere);
    assert.equal((await ignored(idOf(elsewhere)))[0]!.reason, 'not in a thread the bot answered');
    assert.equal(answers().length, 2);
  });

  it('remembers a DM\'s earlier question for a follow-up outside threads', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = (body) => (/standalone/i.test(body.messages[0]!.content) ? 'How many days of annual leave do part-time employees get?' : 'In proportion to their working days [1].');
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    const dm = (text: string) => envelope('MessagePayload.json', { user: 'UASKER01', text, ts: `1700003${nextEvent}.000300`, channel: 'DDIRECT', channel_type: 'im' });
    await postJson(dm('How many days of annual leave do I get?'));
    await waitForAnswers();
    await postJson(dm('and for part-time staff?'));
    await waitForAnswers(2);
    const rewrite = model.chatRequests().find((r) => /standalone/i.test(r.body.messages[0].content));
    assert.match(JSON.stringify(rewrite!.body.messages), /How many days of annual leave do I get\?[\s\S]*and for part-time staff\?/);
  });

  it('streams a generated answer with Slack\'s streaming methods, ending with the sources and buttons', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year, more with years of service [1].';
    model.pieceDelayMs = 150;
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    const event = mention('How many days of annual leave do I get?');
    await postJson(event);
    const [stop] = await slack.waitFor('chat.stopStream');
    const [startCall] = slack.callsOf('chat.startStream');
    assert.equal(startCall!.args.recipient_user_id, 'UASKER01');
    assert.equal(startCall!.args.thread_ts, (event.event as { ts: string }).ts);
    assert.equal(stop!.args.ts, startCall!.result!.ts);
    const streamed = [startCall!.args.markdown_text, ...slack.callsOf('chat.appendStream').map((c) => c.args.markdown_text)].join('');
    assert.ok('Full-time employees get 28 days of paid annual leave per calendar year, more with years of service [1].'.startsWith(streamed));
    assert.ok(slack.callsOf('chat.appendStream').length >= 1);
    assert.equal(stop!.args.blocks.at(-1).block_id, 'feedback');
  });

  it('falls back to posting and updating a message at most once a second (by the bot\'s clock) when streaming is not available', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year, more with years of service [1].';
    model.pieceDelayMs = 50;
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    slack.unavailable.add('chat.startStream');
    // Only Date is faked: the bot's clock moves 400 ms between pieces, timers and sockets stay real.
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    let ticked = 0;
    model.beforePiece = () => {
      clock.tick(400);
      ticked += 400;
    };
    try {
      const event = mention('How many days of annual leave do I get?');
      await postJson(event);
      await turnDone(idOf(event));
      const [final] = slack.callsOf('chat.update').filter((c) => Boolean(c.args.blocks));
      const [first] = slack.callsOf('chat.postMessage');
      assert.equal(final!.args.ts, first!.result!.ts, 'the message first posted is the one completed');
      const partial = slack.callsOf('chat.update').filter((c) => !c.args.blocks);
      assert.ok(partial.length >= 1 && partial.every((update) => update.args.ts === first!.result!.ts), 'the text grew in place');
      // The first piece posts the message; after that, one update a second of the bot's clock at most.
      const sends = 1 + partial.length;
      assert.ok(sends <= 1 + Math.floor(ticked / 1000), `${sends} sends in ${ticked} ms`);
      assert.equal(final!.args.blocks.at(-1).block_id, 'feedback');
    } finally {
      clock.restore();
    }
  });

  it('stores feedback clicks with the answer and thanks the person privately', async () => {
    await start();
    await postJson(mention('How many days of annual leave do I get?'));
    const [answer] = await slack.waitFor('chat.postMessage');
    const answerTs = answer!.result!.ts as string;
    const shape = JSON.parse(fs.readFileSync(path.join(samples, 'app-backend/interactive-components/BlockActionPayload.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(shape.type, 'block_actions');
    const payload = {
      type: 'block_actions',
      team: { id: 'TFAKE', domain: 'fake' },
      api_app_id: 'AFAKE',
      user: { id: 'UASKER01', name: 'asker' },
      channel: { id: 'CGENERAL', name: 'general' },
      container: { type: 'message', channel_id: 'CGENERAL', message_ts: answerTs },
      message: { ts: answerTs, thread_ts: answer!.args.thread_ts, text: 'answer' },
      trigger_id: 'trigger',
      response_url: `${slack.url.replace(/\/api\/$/, '')}/response/1`,
      actions: [{ type: 'button', action_id: 'feedback_dislike', block_id: 'feedback', value: 'dislike', action_ts: '1700000000.1' }],
      token: 'unused',
    };
    const response = await postForm({ payload: JSON.stringify(payload) });
    assert.equal(response.status, 200);
    const [thanks] = await slack.waitFor('chat.postEphemeral');
    assert.equal(thanks!.args.user, 'UASKER01');
    assert.match(thanks!.args.text, /Thanks for the feedback/);
    const [stored] = await service.context.catalogue.recentFeedback(1);
    assert.equal(stored!.reaction, 'dislike');
    assert.equal(stored!.platform, 'slack');
    assert.equal(stored!.question, 'How many days of annual leave do I get?');
  });

  /** Someone opened the assistant view (or moved channel with it open): Slack's event, which has no ts of its own. */
  const assistantEvent = (type: 'assistant_thread_started' | 'assistant_thread_context_changed', channel: string, threadTs: string) => {
    const wrapped = slackEventEnvelope(`Ev${nextEvent++}`, 'UBOTGW01', {
      type,
      ts: '',
      assistant_thread: { user_id: 'UASKER01', context: { channel_id: 'CGENERAL', team_id: 'TFAKE', enterprise_id: null }, channel_id: channel, thread_ts: threadTs },
      event_ts: `1700005${nextEvent}.000100`,
    });
    delete (wrapped.event as { ts?: string }).ts;
    return wrapped;
  };
  /** A click on a message's feedback (our buttons or Slack's native thumbs). */
  const feedbackClick = (channel: string, message: { ts: string; thread_ts?: string }, action: Record<string, unknown>) => ({
    type: 'block_actions',
    team: { id: 'TFAKE', domain: 'fake' },
    api_app_id: 'AFAKE',
    user: { id: 'UASKER01', name: 'asker' },
    channel: { id: channel, name: 'directmessage' },
    container: { type: 'message', channel_id: channel, message_ts: message.ts },
    message: { ...message, text: 'answer' },
    trigger_id: 'trigger',
    response_url: `${slack.url.replace(/\/api\/$/, '')}/response/3`,
    actions: [{ block_id: 'feedback', action_ts: '1700000000.2', ...action }],
    token: 'unused',
  });

  it('greets a new assistant thread with at most four suggested prompts, once, and acknowledges a change of context', async () => {
    await start();
    const started = assistantEvent('assistant_thread_started', 'DASSIST1', '1700006000.000100');
    assert.equal((await postJson(started)).status, 200);
    const [prompts] = await slack.waitFor('assistant.threads.setSuggestedPrompts');
    assert.equal(prompts!.result!.ok, true);
    assert.equal(prompts!.args.channel_id, 'DASSIST1');
    assert.equal(prompts!.args.thread_ts, '1700006000.000100');
    assert.ok(prompts!.args.prompts.length >= 1 && prompts!.args.prompts.length <= 4);
    // Without SUGGESTED_PROMPTS: questions about the most recently updated documents everyone may read.
    const messages = prompts!.args.prompts.map((p: { message: string }) => p.message) as string[];
    assert.equal(messages.length, 4);
    for (const message of messages) assert.match(message, /^What does “.+” say\?$|^“.+”里有哪些规定？$/);
    assert.ok(messages.some((message) => /费用报销流程/.test(message)), 'Chinese titles are asked in Chinese');
    assert.ok(messages.includes('“费用报销流程”里有哪些规定？'));
    const [greeting] = slack.callsOf('chat.postMessage');
    assert.equal(greeting!.args.thread_ts, '1700006000.000100');
    assert.match(greeting!.args.text, /answer questions from the company's documents/);

    // A retry of the same event, and the person moving to another channel: nothing more is posted.
    await postJson(started, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    const moved = assistantEvent('assistant_thread_context_changed', 'DASSIST1', '1700006000.000100');
    assert.equal((await postJson(moved)).status, 200);
    await ignored(idOf(moved));
    assert.equal(slack.callsOf('assistant.threads.setSuggestedPrompts').length, 1);
    assert.equal(slack.callsOf('chat.postMessage').length, 1);
  });

  it('answers a question in an assistant thread: status while searching, the thread titled after the first question, native feedback stored', async () => {
    await start();
    slack.unavailable.delete('assistant.threads.setStatus');
    const threadTs = '1700007000.000100';
    const question = envelope('MessagePayload.json', { user: 'UASKER01', text: 'How many days of annual leave do I get?', ts: '1700007000.000500', thread_ts: threadTs, channel: 'DASSIST2', channel_type: 'im' });
    await postJson(question);
    const [answer] = await waitForAnswers();
    assert.equal(answer!.args.channel, 'DASSIST2');
    assert.equal(answer!.args.thread_ts, threadTs);
    assert.match(allText(answer!), /28 days of paid annual leave/);
    const feedback = answer!.args.blocks.at(-1);
    assert.equal(feedback.type, 'context_actions');
    assert.equal(feedback.elements[0].type, 'feedback_buttons');

    const [title] = slack.callsOf('assistant.threads.setTitle');
    assert.deepEqual([title!.args.channel_id, title!.args.thread_ts, title!.args.title], ['DASSIST2', threadTs, 'How many days of annual leave do I get?']);
    const statuses = await slack.waitFor('assistant.threads.setStatus', 2);
    assert.match(statuses[0]!.args.status, /\S/, 'a status while searching');
    assert.equal(statuses[1]!.args.status, '', 'cleared once answered');
    assert.equal(slack.callsOf('reactions.add').length, 0, 'no reaction where the status shows');
    assert.ok(statuses[0]!.at <= answer!.at);

    const click = feedbackClick('DASSIST2', { ts: answer!.result!.ts, thread_ts: threadTs }, {
      type: 'feedback_buttons',
      action_id: feedback.elements[0].action_id,
      value: feedback.elements[0].positive_button.value,
      text: { type: 'plain_text', text: '👍' },
    });
    assert.equal((await postForm({ payload: JSON.stringify(click) })).status, 200);
    const [thanks] = await slack.waitFor('chat.postEphemeral');
    assert.match(thanks!.args.text, /Thanks for the feedback/);
    const [stored] = await service.context.catalogue.recentFeedback(1);
    assert.equal(stored!.reaction, 'like');
    assert.equal(stored!.question, 'How many days of annual leave do I get?');

    // A follow-up in the same thread keeps its title.
    slack.threads.set(`DASSIST2:${threadTs}`, [
      { user: 'UASKER01', text: 'How many days of annual leave do I get?', ts: '1700007000.000500' },
      { bot_id: 'BFAKE', text: 'Full-time employees get 28 days [1].', ts: answer!.result!.ts },
    ]);
    await postJson(envelope('MessagePayload.json', { user: 'UASKER01', text: 'How do I connect to the VPN?', ts: '1700007000.000900', thread_ts: threadTs, channel: 'DASSIST2', channel_type: 'im' }));
    await waitForAnswers(2);
    assert.equal(slack.callsOf('assistant.threads.setTitle').length, 1);
  });

  it('offers follow-up questions as the assistant thread\'s suggested prompts after an answer: the model\'s when one is configured; none in a channel', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year [1].\nFOLLOW_UPS:\nCan I carry unused days over?\nHow do I book leave?';
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    const threadTs = '1700007100.000100';
    await postJson(envelope('MessagePayload.json', { user: 'UASKER01', text: 'How many days of annual leave do I get?', ts: '1700007100.000500', thread_ts: threadTs, channel: 'DASSIST3', channel_type: 'im' }));
    const [answer] = await waitForAnswers();
    assert.doesNotMatch(JSON.stringify(slack.calls.filter((c) => c.method.startsWith('chat.')).map((c) => c.args)), /FOLLOW_UPS|carry unused/, 'the suggestions are never posted as text');
    const [offered] = await slack.waitFor('assistant.threads.setSuggestedPrompts');
    assert.deepEqual([offered!.args.channel_id, offered!.args.thread_ts, offered!.args.title], ['DASSIST3', threadTs, 'Ask next']);
    assert.deepEqual(offered!.args.prompts, [
      { title: 'Can I carry unused days over?', message: 'Can I carry unused days over?' },
      { title: 'How do I book leave?', message: 'How do I book leave?' },
    ]);
    assert.ok(answer!.at <= offered!.at, 'after the answer');

    const inChannel = mention('How many days of annual leave do I get?');
    await postJson(inChannel);
    await turnDone(idOf(inChannel));
    assert.equal(answers().length, 2);
    assert.equal(slack.callsOf('assistant.threads.setSuggestedPrompts').length, 1, 'none in a channel');

    // Slack refusing the prompts costs the thread its suggestions, never its answer.
    slack.unavailable.add('assistant.threads.setSuggestedPrompts');
    const refused = envelope('MessagePayload.json', { user: 'UASKER01', text: 'How many days of annual leave do I get?', ts: '1700007100.000900', thread_ts: '1700007100.000800', channel: 'DASSIST4', channel_type: 'im' });
    await postJson(refused);
    const [line] = await turnDone(idOf(refused));
    assert.equal(line!.outcome, 'answer');
    assert.equal(answers().length, 3, 'the answer is posted');
  });

  it('when Slack ends the stream mid-answer, the streamed message is updated with the final answer and its feedback', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year, more with years of service [1].';
    model.pieceDelayMs = 150;
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    slack.endStreamsAfterAppends = 0;
    const event = mention('How many days of annual leave do I get?');
    await postJson(event);
    await turnDone(idOf(event));
    const [stream] = slack.callsOf('chat.startStream');
    const refused = slack.callsOf('chat.appendStream').filter((c) => c.result?.error === 'message_not_in_streaming_state');
    assert.ok(refused.length >= 1, 'the stream was over');
    const final = slack.callsOf('chat.update').find((c) => c.args.blocks);
    assert.ok(final, 'the final answer was written into the streamed message');
    assert.equal(final!.args.ts, stream!.result!.ts);
    assert.match(allText(final!), /28 days of paid annual leave/);
    assert.equal(final!.args.blocks.at(-1).block_id, 'feedback');
    assert.equal(slack.callsOf('chat.stopStream').filter((c) => c.result?.ok).length, 0);
    assert.equal(answers().length, 1);
    assert.ok(log.withMessage('Slack ended the stream: updating the message instead').length >= 1);
  });

  it('when the stream cannot be stopped nor its message updated, the answer is posted anew in the thread', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year [1].';
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    slack.faults.set('chat.stopStream', [{ error: 'message_not_in_streaming_state' }]);
    slack.faults.set('chat.update', [{ error: 'cant_update_message' }]);
    const event = mention('How many days of annual leave do I get?');
    await postJson(event);
    assert.equal((await turnDone(idOf(event)))[0]!.outcome, 'answer');
    const [posted] = answers();
    assert.equal(posted!.method, 'chat.postMessage');
    assert.equal(posted!.args.thread_ts, (event.event as { ts: string }).ts);
    assert.match(allText(posted!), /28 days of paid annual leave/);
  });

  it('/groundwork sync: refused for others, run for admins with the report in a thread, one at a time', async () => {
    await start();
    const shape = JSON.parse(fs.readFileSync(path.join(samples, 'app-backend/slash-commands/SlashCommandPayload.json'), 'utf8')) as Record<string, string>;
    const command = (user: string, text: string) =>
      postForm({
        ...Object.fromEntries(Object.keys(shape).map((key) => [key, ''])),
        team_id: 'TFAKE',
        api_app_id: 'AFAKE',
        channel_id: 'COPS',
        channel_name: 'ops',
        user_id: user,
        user_name: user === admin ? 'admin' : 'someone',
        command: '/groundwork',
        text,
        response_url: `${slack.url.replace(/\/api\/$/, '')}/response/2`,
        trigger_id: 'trigger',
        is_enterprise_install: 'false',
      });
    assert.equal((await command('UOTHER01', 'sync')).status, 200);
    const [refusal] = await slack.waitFor('chat.postEphemeral');
    assert.match(refusal!.args.text, /only administrators can start a sync/);

    await command(admin, 'sync samples');
    await command(admin, 'sync');
    const replies = await slack.waitFor('chat.postMessage', 2, (c) => /Sync started|Not started/.test(c.args.text ?? ''));
    const announcement = slack.callsOf('chat.postMessage').find((c) => /asked for a sync of samples/.test(c.args.text))!;
    assert.ok(announcement);
    assert.match(replies.map((r) => r.args.text).join('\n'), /Sync started for samples[\s\S]*Not started: a sync is already running: started by slack:admin/);
    const [report] = await slack.waitFor('chat.postMessage', 1, (c) => /^Sync finished/.test(c.args.text ?? ''));
    assert.match(report!.args.text, /samples: 0 added, 0 updated, \d+ unchanged/);
    assert.ok(report!.args.thread_ts, 'in the thread under the announcement');

    await command('UOTHER01', 'status');
    const [status] = await slack.waitFor('response_url');
    assert.equal(status!.args.response_type, 'ephemeral');
    assert.match(status!.args.text, /Indexed sources/);
  });

  it('waits out Slack\'s rate limit and answers once; a channel it cannot post in is logged, not fatal', async () => {
    await start();
    slack.faults.set('chat.postMessage', [{ status: 429, retryAfterSeconds: 1 }]);
    const limited = mention('How many days of annual leave do I get?');
    await postJson(limited);
    assert.equal((await turnDone(idOf(limited)))[0]!.outcome, 'answer');
    assert.equal(answers().length, 1);
    assert.equal(slack.callsOf('chat.postMessage')[0]!.result!.error, 'ratelimited');

    slack.faults.set('chat.postMessage', [{ error: 'not_in_channel' }, { error: 'not_in_channel' }]);
    const secret = mention('How many days of annual leave do I get?', { channel: 'CSECRET' });
    assert.equal((await postJson(secret)).status, 200);
    assert.equal((await turnDone(idOf(secret)))[0]!.outcome, 'error');
    await postJson(mention('How do I connect to the VPN?'));
    await slack.waitFor('chat.postMessage', 1, (c) => /VPN/.test(allText(c)));
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
  });

  it('refuses to start with a token Slack does not accept, saying which settings to check', async () => {
    slack = await new FakeSlackApi().start();
    slack.faults.set('auth.test', [{ error: 'invalid_auth' }]);
    await assert.rejects(
      startService(testConfig({ SLACK_BOT_TOKEN: 'xoxb-revoked', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url, TEAMS_ENABLED: 'false' })),
      /Slack refused to connect \(invalid_auth\): check SLACK_BOT_TOKEN, and SLACK_API_URL/,
    );
  });

  it('in Socket Mode connects through SLACK_API_URL and answers an event it receives over the socket', async () => {
    slack = await new FakeSlackApi().start();
    service = await startService(testConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.url, TEAMS_ENABLED: 'false' }));
    assert.equal((await fetch(`${service.url}/slack/events`, { method: 'POST', body: '{}' })).status, 404, 'no HTTP endpoint in Socket Mode');
    const ack = await slack.deliver(mention('How many days of annual leave do I get?'));
    assert.ok(ack.envelope_id);
    const [answer] = await slack.waitFor('chat.postMessage');
    assert.match(allText(answer!), /28 days of paid annual leave/);
  });
});
