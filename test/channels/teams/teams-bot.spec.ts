import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startService, type Service } from '../../../src/main.js';
import { FakeBotConnector } from '../../fakes/bot-connector.js';
import { FakeBotFrameworkAuth } from '../../fakes/bot-framework-auth.js';
import { FakeOpenAI } from '../../fakes/openai-server.js';
import { sharedData, testConfig } from '../../helpers.js';

const recordings = path.join(sharedData, 'chat-payloads/teams-botframework-activities/inbound');
/** A real Teams activity (recorded), as the starting point of each test's activity. */
const recorded = (file: string) => JSON.parse(fs.readFileSync(path.join(recordings, file), 'utf8'));
const personalMessage = '20191021205338231-request.json';
const channelMention = '20191020025610932-request.json';
const groupChatInstall = '20191019235900304-request.json';

const admin = '6d415fdd-f97e-4f70-ac45-e69601e4ecb2'; // the recorded personal chat's user
let nextId = 1;

describe('Teams bot (POST /api/messages, local mode)', function () {
  this.timeout(30_000);
  let service: Service;
  let connector: FakeBotConnector;
  let model: FakeOpenAI | null = null;

  before(function () {
    if (!fs.existsSync(recordings)) this.skip();
  });

  const start = async (env: Record<string, string> = {}, openIdMetadataUrl?: string) => {
    connector = await new FakeBotConnector().start();
    service = await startService(testConfig({ TEAMS_ADMIN_IDS: admin, ...env }), openIdMetadataUrl ? { teamsAdapter: { openIdMetadataUrl } } : {});
  };
  afterEach(async () => {
    await service?.stop();
    await connector?.stop();
    await model?.stop();
    model = null;
  });

  const personal = (text: string, extra: Record<string, unknown> = {}) => ({ ...recorded(personalMessage), id: `p-${nextId++}`, serviceUrl: connector.url, text, ...extra });
  const inChannel = (text: string, mention: boolean) => {
    const activity = recorded(channelMention);
    return {
      ...activity,
      id: `c-${nextId++}`,
      serviceUrl: connector.url,
      text: mention ? `<at>My Combined</at> ${text}\n` : text,
      entities: mention ? activity.entities : activity.entities.filter((e: { type: string }) => e.type !== 'mention'),
      attachments: [],
    };
  };
  const post = (activity: unknown, headers: Record<string, string> = {}) =>
    fetch(`${service.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  const citationEntity = (activity: any) => (activity.entities ?? []).filter((e: any) => e.type === 'https://schema.org/Message');
  const streamInfo = (activity: any) => (activity.entities ?? []).find((e: any) => e.type === 'streaminfo');

  it('answers in a personal chat: an informative update first, then the cited answer that ends the stream', async () => {
    await start();
    const response = await post(personal('How many days of annual leave do I get?'));
    assert.equal(response.status, 200);
    const [informative, final] = await connector.waitFor(() => true, 2);
    assert.equal(informative!.activity.type, 'typing');
    assert.equal(informative!.activity.text, 'Searching the docs…');
    assert.deepEqual(streamInfo(informative!.activity), { type: 'streaminfo', streamType: 'informative', streamSequence: 1 });

    const message = final!.activity;
    assert.equal(message.type, 'message');
    assert.deepEqual(streamInfo(message), { type: 'streaminfo', streamType: 'final', streamId: informative!.id });
    assert.match(message.text, /28 days of paid annual leave.*\[1\]/);
    assert.match(message.text, /\*\*Sources\*\*\n\n\[1\] Leave policy/);
    const [entity, ...others] = citationEntity(message);
    assert.equal(others.length, 0, 'exactly one citation entity');
    assert.equal(entity['@type'], 'Message');
    assert.equal(entity.additionalType, undefined, 'quoted answers are not labelled AI-generated');
    const [citation] = entity.citation;
    assert.equal(citation['@type'], 'Claim');
    assert.equal(citation.position, 1);
    assert.equal(citation.appearance['@type'], 'DigitalDocument');
    assert.equal(citation.appearance.name, 'Leave policy');
    assert.ok(citation.appearance.abstract.length <= 160);
    assert.ok(citation.appearance.keywords.length <= 3);
    assert.equal(message.channelData.feedbackLoopEnabled, true);
    assert.equal(final!.conversationId, recorded(personalMessage).conversation.id);
  });

  it('in a channel answers only when mentioned, without the mention, in the same reply chain and without streaming', async () => {
    await start();
    assert.equal((await post(inChannel('How many days of annual leave do I get?', false))).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(connector.sent.length, 0, 'no answer without a mention');

    await post(inChannel('How many days of annual leave do I get?', true));
    const [typing, message] = await connector.waitFor(() => true, 2);
    assert.equal(typing!.activity.type, 'typing');
    assert.equal(streamInfo(typing!.activity), undefined);
    assert.equal(message!.activity.type, 'message');
    assert.equal(streamInfo(message!.activity), undefined);
    assert.match(message!.activity.text, /28 days of paid annual leave/);
    assert.equal(citationEntity(message!.activity).length, 1);
    assert.equal(message!.conversationId, recorded(channelMention).conversation.id, 'the reply goes to the thread of the question');
  });

  it('streams a generated answer in a personal chat: cumulative updates at most once a second, then the final message', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year, and more with years of service [1].';
    model.pieceDelayMs = 250;
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    await post(personal('How many days of annual leave do I get?'));
    const [final] = await connector.waitFor((s) => s.activity.type === 'message');
    const updates = connector.sent.filter((s) => streamInfo(s.activity)?.streamType === 'streaming');
    assert.ok(updates.length >= 1, 'the answer was streamed');
    const streamId = connector.sent[0]!.id;
    updates.forEach((update, i) => {
      const info = streamInfo(update.activity);
      assert.equal(info.streamId, streamId);
      assert.equal(info.streamSequence, i + 2, 'sequence numbers follow the informative update');
      if (i > 0) {
        assert.ok(update.at - updates[i - 1]!.at >= 950, 'no faster than once a second');
        assert.ok(update.activity.text.startsWith(updates[i - 1]!.activity.text), 'each update carries the text so far');
      }
    });
    assert.deepEqual(streamInfo(final!.activity), { type: 'streaminfo', streamType: 'final', streamId });
    assert.match(final!.activity.text, /^Full-time employees get 28 days of paid annual leave per calendar year, and more with years of service \[1\]\./);
    assert.deepEqual(citationEntity(final!.activity)[0].additionalType, ['AIGeneratedContent']);
  });

  it('sends the answer as one plain message when Teams refuses the stream', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year [1].';
    model.pieceDelayMs = 200;
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    connector.fault = (activity) =>
      activity.type === 'typing' && streamInfo(activity)?.streamType === 'streaming'
        ? { status: 403, body: { error: { code: 'ContentStreamNotAllowed', message: 'Content stream is not allowed' } } }
        : null;
    await post(personal('How many days of annual leave do I get?'));
    const [final] = await connector.waitFor((s) => s.activity.type === 'message');
    assert.equal(streamInfo(final!.activity), undefined, 'a plain message, not part of the refused stream');
    assert.match(final!.activity.text, /28 days of paid annual leave per calendar year \[1\]/);
    assert.equal(citationEntity(final!.activity).length, 1);
  });

  it('welcomes a conversation it is added to', async () => {
    await start();
    const install = { ...recorded(groupChatInstall), id: `u-${nextId++}`, serviceUrl: connector.url };
    install.membersAdded = [...install.membersAdded, { id: install.recipient.id }];
    await post(install);
    const [welcome] = await connector.waitFor((s) => s.activity.type === 'message');
    assert.match(welcome!.activity.text, /I answer questions from the company's documents[\s\S]*@mention me/);
    await post({ ...recorded(groupChatInstall), id: `u-${nextId++}`, serviceUrl: connector.url }); // someone else joins
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(connector.messages().length, 1);
  });

  it('stores thumbs up and down with the answer they rate, answers the invoke with 200 and counts them in status', async () => {
    await start();
    await post(personal('How many days of annual leave do I get?'));
    const [answer] = await connector.waitFor((s) => s.activity.type === 'message');
    const feedback = (reaction: string, text: string) =>
      post({
        ...personal(''),
        type: 'invoke',
        name: 'message/submitAction',
        replyToId: answer!.id,
        value: { actionName: 'feedback', actionValue: { reaction, feedback: JSON.stringify({ feedbackText: text }) } },
      });
    const response = await feedback('dislike', 'It missed the part-time rule');
    assert.equal(response.status, 200);
    const [stored] = await service.context.index.recentFeedback(5);
    assert.equal(stored!.reaction, 'dislike');
    assert.equal(stored!.comment, 'It missed the part-time rule');
    assert.equal(stored!.question, 'How many days of annual leave do I get?');
    assert.match(stored!.answer, /28 days/);
    assert.equal(stored!.citedDocumentIds.length, 1);

    await post(personal('status'));
    const [status] = await connector.waitFor((s) => s.activity.type === 'message' && /Feedback on answers/.test(s.activity.text));
    assert.match(status!.activity.text, /Indexed sources[\s\S]*Last sync: .* succeeded \(first start\)[\s\S]*Feedback on answers: 0 helpful, 1 not helpful\./);
    assert.equal((await post({ ...personal(''), type: 'invoke', name: 'composeExtension/query', value: {} })).status, 501);
  });

  it('lets admins sync from chat, posting the report; refuses others and a second sync while one runs', async () => {
    await start();
    await post(personal('sync', { from: { ...recorded(personalMessage).from, aadObjectId: 'someone-else' } }));
    const [refusal] = await connector.waitFor((s) => s.activity.type === 'message');
    assert.match(refusal!.activity.text, /only administrators can start a sync/);

    await post(personal('sync samples'));
    await post(personal('sync'));
    const started = await connector.waitFor((s) => /Sync started|Not started/.test(s.activity.text ?? ''), 2);
    assert.match(started[0]!.activity.text, /Sync started for samples \(run [\w-]+\)/);
    assert.match(started[1]!.activity.text, /Not started: a sync is already running: started by teams:Tien Suwandy at \S+ for samples/);
    const [report] = await connector.waitFor((s) => /^Sync finished/.test(s.activity.text ?? ''));
    assert.match(report!.activity.text, /samples: 0 added, 0 updated, \d+ unchanged/);
    assert.equal(report!.conversationId, recorded(personalMessage).conversation.id);
  });

  it('understands a follow-up from the conversation\'s earlier turns', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = (body) =>
      /standalone/i.test(body.messages[0]!.content) ? 'How many days of annual leave do part-time employees get?' : 'Part-time employees get leave in proportion to their working days [1].';
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    await post(personal('How many days of annual leave do I get?'));
    await connector.waitFor((s) => s.activity.type === 'message');
    await post(personal('and for part-time staff?'));
    const [, followUp] = await connector.waitFor((s) => s.activity.type === 'message', 2);
    assert.match(followUp!.activity.text, /Part-time employees get leave in proportion/);
    const rewrite = model.chatRequests().find((r) => JSON.stringify(r.body.messages).includes('and for part-time staff?') && /standalone/i.test(r.body.messages[0].content));
    assert.ok(rewrite, 'the follow-up was rewritten with the conversation');
    assert.match(JSON.stringify(rewrite!.body.messages), /How many days of annual leave do I get\?/);
  });

  it('answers an activity delivered twice only once', async () => {
    await start();
    const activity = personal('How many days of annual leave do I get?');
    await post(activity);
    await post(activity);
    await connector.waitFor((s) => s.activity.type === 'message');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(connector.messages().length, 1);
  });

  it('replies politely to a file without text and to an over-long question, and refuses a malformed body', async () => {
    await start();
    await post(personal('', { attachments: [{ contentType: 'image/png', contentUrl: 'https://example.com/a.png' }] }));
    await post(personal('why '.repeat(25_000)));
    const replies = await connector.waitFor((s) => s.activity.type === 'message', 2);
    assert.match(replies.map((r) => r.activity.text).join('\n'), /only read questions typed as text[\s\S]*The question is [\d,]+ characters long; the limit is 4,000/);
    const malformed = await fetch(`${service.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
    assert.equal(malformed.status, 400);
  });

  it('retries a reply the connector refuses with 429 or 500, so the answer still arrives', async () => {
    await start();
    const faults = [{ status: 429, retryAfterSeconds: 1 }, { status: 500 }];
    connector.fault = (activity) => (activity.type === 'message' ? (faults.shift() ?? null) : null);
    await post(personal('How many days of annual leave do I get?'));
    const [answer] = await connector.waitFor((s) => s.activity.type === 'message');
    assert.match(answer!.activity.text, /28 days of paid annual leave/);
    assert.equal(faults.length, 0);
  });

  it('refuses activities from tenants outside the allow-list with 403', async () => {
    await start({ TEAMS_ALLOWED_TENANTS: 'aaaaaaaa-0000-0000-0000-000000000000' });
    const response = await post(personal('How many days of annual leave do I get?'));
    assert.equal(response.status, 403);
    assert.equal(connector.sent.length, 0);
  });

  it('requires a valid Bot Framework token once an app id is configured: 401 without one or with a bad one, accepted when signed', async () => {
    const auth = await new FakeBotFrameworkAuth().start();
    const appId = '00000000-0000-0000-0000-00000000b07';
    try {
      await start({ MicrosoftAppId: appId, MicrosoftAppPassword: 'not-a-real-secret' }, auth.metadataUrl);
      const activity = () => personal('', { type: 'invoke', name: 'composeExtension/query', value: {} });
      assert.equal((await post(activity())).status, 401, 'no token');
      assert.equal((await post(activity(), { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' })).status, 401, 'unsigned');
      assert.equal((await post(activity(), { authorization: `Bearer ${auth.token('someone-else', connector.url)}` })).status, 401, 'another bot\'s token');
      assert.equal((await post(activity(), { authorization: `Bearer ${auth.token(appId, connector.url, { exp: Math.floor(Date.now() / 1000) - 600 })}` })).status, 401, 'expired');
      // A signed token for this bot gets through to the bot, which answers the invoke it does not handle with 501.
      assert.equal((await post(activity(), { authorization: `Bearer ${auth.token(appId, connector.url)}` })).status, 501);
      assert.equal(connector.sent.length, 0);
    } finally {
      await auth.stop();
    }
  });
});
