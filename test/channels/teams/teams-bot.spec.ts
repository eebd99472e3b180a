import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import type { TeamsAdapterOptions } from '../../../src/channels/teams/teams-adapter.js';
import { createLogger } from '../../../src/logger.js';
import { startService, type Service } from '../../../src/main.js';
import { FakeBotConnector } from '../../fakes/bot-connector.js';
import { FakeBotFrameworkAuth } from '../../fakes/bot-framework-auth.js';
import { FakeOpenAI } from '../../fakes/openai-server.js';
import { CapturedLog, sharedData, testConfig } from '../../helpers.js';
import { replaceDocument } from '../../../src/ingest/index-writer.js';
import { plantDocument, plantedQuestion } from '../../planted-document.js';

const recordings = path.join(sharedData, 'chat-payloads/teams-botframework-activities/inbound');
/** A real Teams activity (recorded), as the starting point of each test's activity. */
const recorded = (file: string) => JSON.parse(fs.readFileSync(path.join(recordings, file), 'utf8'));
const personalMessage = '20191021205338231-request.json';
const channelMention = '20191020025610932-request.json';
const groupChatInstall = '20191019235900304-request.json';

const admin = '6d415fdd-f97e-4f70-ac45-e69601e4ecb2'; // the recorded personal chat's user

/** A page of three sections, each at its own heading on the page (its fragment id), last updated long ago. */
async function plantSectionedPage(service: Service): Promise<{ id: string; question: string; url: string; anchors: string[] }> {
  const id = 'heron00000000000000000000000001';
  const url = 'https://intranet.example.com/facilities/heron-permit';
  const sections = [
    { heading: 'Who can apply', anchor: 'who-can-apply', text: 'The heron parking permit is free for every employee who cycles to the office less than twice a week.' },
    { heading: 'Renewing the permit', anchor: 'renewing-the-permit', text: 'The heron parking permit is renewed every January at the front desk of the heron building.' },
    { heading: 'Lost permits', anchor: 'lost-permits', text: 'A lost heron parking permit is replaced once a year for free at the front desk.' },
  ];
  await replaceDocument(
    service.context,
    { id, source: 'intranet', path: 'facilities/heron-permit.aspx', title: 'Heron parking permit', url, updatedAt: new Date('2020-05-14T00:00:00Z'), author: null, labels: [], superseded: false, readers: ['everyone'], contentHash: 'planted-heron' },
    // Sections apart from each other on the page: retrieval merges neighbouring chunks into one passage.
    sections.map((section, i) => ({
      id: `${id}:${i * 2}`,
      documentId: id,
      position: i * 2,
      headingPath: ['Heron parking permit', section.heading],
      text: section.text,
      tokenCount: 24,
      contentHash: `planted-heron-${i}`,
      location: { anchor: section.anchor },
    })),
  );
  return { id, question: 'How does the heron parking permit work?', url, anchors: sections.map((section) => section.anchor) };
}
let nextId = 1;

describe('Teams bot (POST /api/messages, local mode)', function () {
  this.timeout(30_000);
  let service: Service;
  let connector: FakeBotConnector;
  let model: FakeOpenAI | null = null;

  before(function () {
    if (!fs.existsSync(recordings)) this.skip();
  });

  /** Log lines of the running service (at debug). */
  let log = new CapturedLog();
  const logged = (message: string) => log.withMessage(message);
  /** The turn's line for an activity (every turn logs one when it is done). */
  const turnOf = (activityId: string) => log.lines.filter((line) => line.msg === 'turn finished' && line.activityId === activityId);
  const start = async (env: Record<string, string> = {}, teamsAdapter?: TeamsAdapterOptions) => {
    connector = await new FakeBotConnector().start();
    log = new CapturedLog();
    service = await startService(testConfig({ TEAMS_ADMIN_IDS: admin, ...env }), {
      teamsAdapter,
      logger: createLogger('debug', log.destination),
    });
  };
  const appId = '00000000-0000-0000-0000-00000000b07';
  let issuer: FakeBotFrameworkAuth | null = null;
  /** Starts the bot with credentials, trusting a local Bot Framework issuer (for Emulator tokens too). */
  const startWithCredentials = async () => {
    issuer = await new FakeBotFrameworkAuth().start();
    await start({ MicrosoftAppId: appId, MicrosoftAppPassword: 'not-a-real-secret' }, { openIdMetadataUrl: issuer.metadataUrl, emulatorOpenIdMetadataUrl: issuer.metadataUrl });
    return issuer;
  };
  let elsewhere: FakeBotConnector | null = null;
  afterEach(async () => {
    await service?.stop();
    await connector?.stop();
    await issuer?.stop();
    issuer = null;
    await elsewhere?.stop();
    elsewhere = null;
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
    const unmentioned = inChannel('How many days of annual leave do I get?', false);
    // The turn runs within the request: once it is answered, the activity has been handled.
    assert.equal((await post(unmentioned)).status, 200);
    assert.deepEqual(logged('Teams message ignored: the bot is not mentioned').map((line) => line.activityId), [unmentioned.id]);
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

  it('streams a generated answer in a personal chat: cumulative updates at most once a second by the bot\'s clock, then the final message', async () => {
    model = await new FakeOpenAI().start();
    const reply = 'Full-time employees get 28 days of paid annual leave per calendar year, and more with years of service [1].';
    model.chatReply = () => reply;
    model.pieceDelayMs = 20;
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    // Only Date is faked: the bot's clock moves when the test says, timers and sockets stay real.
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    try {
      // The clock standing still: however many pieces arrive, one update goes out.
      await post(personal('How many days of annual leave do I get?'));
      const still = connector.sent.filter((s) => streamInfo(s.activity)?.streamType === 'streaming');
      assert.equal(still.length, 1);
      assert.ok(reply.startsWith(still[0]!.activity.text));

      // 400 ms of the bot's clock between pieces.
      connector.sent.length = 0;
      let ticked = 0;
      model.beforePiece = () => {
        clock.tick(400);
        ticked += 400;
      };
      await post(personal('How many days of annual leave do I get?'));
      const [final] = connector.messages();
      const updates = connector.sent.filter((s) => streamInfo(s.activity)?.streamType === 'streaming');
      assert.ok(updates.length >= 1, 'the answer was streamed');
      assert.ok(updates.length <= 1 + Math.floor(ticked / 1000), `${updates.length} updates in ${ticked} ms`);
      const streamId = connector.sent[0]!.id;
      updates.forEach((update, i) => {
        const info = streamInfo(update.activity);
        assert.equal(info.streamId, streamId);
        assert.equal(info.streamSequence, i + 2, 'sequence numbers follow the informative update');
        if (i > 0) assert.ok(update.activity.text.startsWith(updates[i - 1]!.activity.text), 'each update carries the text so far');
      });
      assert.deepEqual(streamInfo(final!.activity), { type: 'streaminfo', streamType: 'final', streamId });
      assert.match(final!.activity.text, /^Full-time employees get 28 days of paid annual leave per calendar year, and more with years of service \[1\]\./);
      assert.deepEqual(citationEntity(final!.activity)[0].additionalType, ['AIGeneratedContent']);
    } finally {
      clock.restore();
    }
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
    const someoneJoins = { ...recorded(groupChatInstall), id: `u-${nextId++}`, serviceUrl: connector.url };
    assert.equal((await post(someoneJoins)).status, 200);
    assert.deepEqual(logged('Teams conversation update ignored: the bot was not added').map((line) => line.activityId), [someoneJoins.id]);
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
    const [stored] = await service.context.catalogue.recentFeedback(5);
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
    // Each turn ends within its request, the second one as a duplicate.
    assert.deepEqual(turnOf(activity.id).map((line) => line.outcome), ['answer', 'duplicate']);
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
    const auth = await startWithCredentials();
    const activity = () => personal('', { type: 'invoke', name: 'composeExtension/query', value: {} });
    assert.equal((await post(activity())).status, 401, 'no token');
    assert.equal((await post(activity(), { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' })).status, 401, 'unsigned');
    assert.equal((await post(activity(), { authorization: `Bearer ${auth.token('someone-else', connector.url)}` })).status, 401, 'another bot\'s token');
    assert.equal((await post(activity(), { authorization: `Bearer ${auth.token(appId, connector.url, { exp: Math.floor(Date.now() / 1000) - 600 })}` })).status, 401, 'expired');
    // A signed token for this bot gets through to the bot, which answers the invoke it does not handle with 501.
    assert.equal((await post(activity(), { authorization: `Bearer ${auth.token(appId, connector.url)}` })).status, 501);
    assert.equal(connector.sent.length, 0);
  });

  it('refuses a malformed activity with 400 and words of its own: no type, not an object, fields of the wrong type', async () => {
    await start();
    const { type: _type, ...untyped } = personal('How many days of annual leave do I get?');
    const malformed: unknown[] = [
      untyped,
      { ...personal('hi'), type: '' },
      null,
      [personal('hi')],
      'message',
      { ...personal('hi'), conversation: undefined },
      { ...personal('hi'), serviceUrl: undefined },
      { ...personal('hi'), serviceUrl: 'javascript:alert(1)' },
      { ...personal('hi'), text: { html: 'hi' } },
      { ...personal('hi'), entities: [null] },
      { ...inChannel('hi', true), entities: [{ type: 'mention', text: '<at>x</at>', mentioned: 'bot' }] },
      { ...personal('hi'), from: 'someone' },
    ];
    for (const body of malformed) {
      const response = await post(body);
      assert.equal(response.status, 400, JSON.stringify(body)?.slice(0, 80));
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'invalid_activity');
      assert.match(error.message, /^Not a Bot Framework activity: /);
    }
    assert.equal(logged('Teams request refused: not a valid activity').length, malformed.length);
    await post(personal('How many days of annual leave do I get?'));
    assert.match((await connector.waitFor((s) => s.activity.type === 'message'))[0]!.activity.text, /28 days/, 'only the valid activity was answered');
    assert.equal(connector.messages().length, 1);
  });

  it('in local mode posts only to a serviceUrl on this machine: any other is refused with 403 and logged', async () => {
    await start();
    // A connector that this machine can reach on an address that is not loopback, where there is one.
    const lan = Object.values(os.networkInterfaces()).flat().find((address) => address && !address.internal && address.family === 'IPv4');
    if (lan) elsewhere = await new FakeBotConnector().start('0.0.0.0', lan.address);
    const remote = [elsewhere?.url, 'https://smba.trafficmanager.net/amer/', 'http://203.0.113.7/', 'http://localhost.attacker.example/', 'http://127.0.0.1.nip.io/'].filter((url): url is string => Boolean(url));
    for (const serviceUrl of remote) {
      const response = await post({ ...personal('How many days of annual leave do I get?'), serviceUrl });
      assert.equal(response.status, 403, serviceUrl);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'service_url_not_allowed');
    }
    // The turn (typing, then the answer) runs within the request: a refused request posted nothing.
    assert.equal(elsewhere?.sent.length ?? 0, 0);
    assert.deepEqual(logged('Teams activity refused: in local mode the bot replies only to a serviceUrl on this machine').map((line) => line.serviceUrl), remote);
    assert.equal((await post(personal('How many days of annual leave do I get?'))).status, 200, 'a loopback serviceUrl is answered');
    await connector.waitFor((s) => s.activity.type === 'message');
  });

  it('answers every token it does not accept with 401 and words of its own, the library\'s reason only in the debug log', async () => {
    const auth = await startWithCredentials();
    const forged = Object.entries(auth.forgedTokens(appId, connector.url));
    for (const [how, token] of forged) {
      const response = await post(personal('', { type: 'invoke', name: 'composeExtension/query', value: {} }), { authorization: `Bearer ${token}` });
      assert.equal(response.status, 401, how);
      assert.deepEqual(await response.json(), { error: { code: 'unauthorized', message: 'A valid Bot Framework token is required.' } }, how);
    }
    const refusals = logged('Teams request refused: token not accepted');
    assert.equal(refusals.length, forged.length);
    assert.ok(refusals.every((line) => line.level === 20 && line.reason), 'each at debug, with the reason');
    assert.ok(refusals.some((line) => /signature/.test(line.reason!)));
    assert.equal(connector.sent.length, 0);
  });

  it('with credentials, answers only where the token says: a serviceUrl it does not name, or a token that names none, is refused with 401', async () => {
    const auth = await startWithCredentials();
    const invoke = (serviceUrl: string) => personal('', { type: 'invoke', name: 'composeExtension/query', value: {}, serviceUrl });
    // botbuilder's own rule: a channel token's serviceurl claim must be the activity's serviceUrl.
    assert.equal((await post(invoke('https://attacker.example/'), { authorization: `Bearer ${auth.token(appId, connector.url)}` })).status, 401, 'a token issued for another serviceUrl');
    // An Emulator token (Entra ID, issued to the bot's own app id) names no serviceUrl at all: botbuilder takes it for any.
    assert.equal((await post(invoke('https://attacker.example/'), { authorization: `Bearer ${auth.emulatorToken(appId)}` })).status, 401, 'an Emulator token');
    assert.equal((await post(invoke(connector.url), { authorization: `Bearer ${auth.emulatorToken(appId)}` })).status, 401, 'an Emulator token, whatever the serviceUrl');
    assert.equal((await post(invoke(connector.url), { authorization: `Bearer ${auth.token(appId, connector.url)}` })).status, 501, 'the token Teams sends still gets through');
  });

  it('shows a source whose url is javascript: as its title, without the link, in the Sources list and the citation', async () => {
    await start();
    await plantDocument(service.context, 'javascript:alert(1)');
    await post(personal(plantedQuestion));
    const [answer] = await connector.waitFor((s) => s.activity.type === 'message');
    const message = answer!.activity;
    assert.match(message.text, /\*\*Sources\*\*\n\n\[1\] Zebra crossing stipend · updated 3 Feb 2026/);
    assert.equal(citationEntity(message)[0].citation[0].appearance.url, undefined);
    assert.doesNotMatch(JSON.stringify(message), /javascript/i);
  });

  it('in a personal chat offers up to three follow-up questions from the cited page\'s headings, each a click away; none in a channel', async () => {
    await start();
    const page = await plantSectionedPage(service);
    await post(personal(page.question));
    const [answer] = await connector.waitFor((s) => s.activity.type === 'message');
    const suggested = answer!.activity.suggestedActions;
    assert.ok(suggested, 'suggested actions under the answer');
    assert.deepEqual(suggested.to, [recorded(personalMessage).from.id], 'for the asker');
    const actions = suggested.actions as Array<{ type: string; title: string; value: string }>;
    assert.ok(actions.length >= 1 && actions.length <= 3, `${actions.length} suggested actions`);
    const headings = ['who can apply', 'renewing the permit', 'lost permits'];
    for (const action of actions) {
      assert.equal(action.type, 'imBack');
      assert.equal(action.value, action.title, 'what is clicked is what is asked');
      assert.ok(action.title.length <= 60);
      assert.ok(headings.some((heading) => action.title.toLowerCase().includes(heading)), `${action.title} comes from a cited heading`);
    }
    assert.equal(new Set(actions.map((action) => action.title)).size, actions.length, 'no two alike');

    // A click is a message like any other: it is answered.
    connector.sent.length = 0;
    await post(personal(actions[0]!.value));
    const [next] = await connector.waitFor((s) => s.activity.type === 'message');
    assert.match(next!.activity.text, /heron parking permit/i);

    connector.sent.length = 0;
    await post(inChannel(page.question, true));
    const [inTheChannel] = await connector.waitFor((s) => s.activity.type === 'message');
    assert.match(inTheChannel!.activity.text, /heron parking permit/i);
    assert.equal(inTheChannel!.activity.suggestedActions, undefined, 'no suggested actions in a channel');
  });

  it('offers the model\'s own follow-up questions when one is configured, and never streams them as text', async () => {
    model = await new FakeOpenAI().start();
    model.chatReply = () => 'Full-time employees get 28 days of paid annual leave per calendar year [1].\n\nFOLLOW_UPS:\nCan I carry unused days over?\nHow do I book leave?';
    await start({ OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none' });
    await post(personal('How many days of annual leave do I get?'));
    const [final] = connector.messages();
    assert.match(final!.activity.text, /^Full-time employees get 28 days of paid annual leave per calendar year \[1\]\.\n\n\*\*Sources\*\*/);
    const actions = final!.activity.suggestedActions.actions as Array<{ type: string; title: string; value: string }>;
    assert.deepEqual(actions.map((action) => [action.type, action.value]), [['imBack', 'Can I carry unused days over?'], ['imBack', 'How do I book leave?']]);
    const streamed = connector.sent.filter((s) => streamInfo(s.activity)?.streamType === 'streaming');
    assert.ok(streamed.length >= 1, 'the answer was streamed');
    for (const update of streamed) assert.doesNotMatch(update.activity.text, /FOLLOW|carry unused/);
  });

  it('shows each citation\'s date and stale note in the Sources list and as the citation entity\'s keywords', async () => {
    await start();
    const page = await plantSectionedPage(service);
    await post(personal(page.question));
    const [answer] = await connector.waitFor((s) => s.activity.type === 'message');
    const message = answer!.activity;
    const claims = citationEntity(message)[0].citation as Array<{ position: number; appearance: { url: string; keywords: string[] } }>;
    assert.ok(claims.length >= 1);
    for (const claim of claims) {
      assert.ok(claim.appearance.url.startsWith(page.url));
      assert.deepEqual(claim.appearance.keywords.slice(0, 2), ['updated 14 May 2020', 'may be out of date']);
      assert.ok(message.text.includes(`[${claim.position}] [Heron parking permit](${claim.appearance.url}) · updated 14 May 2020 · may be out of date`), message.text);
    }
  });

  it('links each citation at the section it quotes, in the Sources list and the citation entity', async function () {
    await start();
    const page = await plantSectionedPage(service);
    const stored = await service.context.index.documentChunks(page.id, ['everyone']);
    // Runs once the passage index keeps the chunks' locations (src/index/**) for retrieval to pass on.
    if (!stored?.chunks.some((chunk) => chunk.location?.anchor)) this.skip();
    await post(personal(page.question));
    const [answer] = await connector.waitFor((s) => s.activity.type === 'message');
    const message = answer!.activity;
    const claims = citationEntity(message)[0].citation as Array<{ position: number; appearance: { url: string } }>;
    for (const claim of claims) {
      const anchor = new URL(claim.appearance.url).hash.slice(1);
      assert.ok(page.anchors.includes(anchor), `${claim.appearance.url} opens the page at a section`);
      assert.ok(message.text.includes(`[${claim.position}] [Heron parking permit](${page.url}#${anchor})`), message.text);
    }
  });

  it('stores a thumbs down with its comment and a thumbs up without one, answering each invoke with 200 and an empty body', async () => {
    await start();
    await post(personal('How many days of annual leave do I get?'));
    const [answer] = await connector.waitFor((s) => s.activity.type === 'message');
    assert.deepEqual(answer!.activity.channelData.feedbackLoopEnabled, true);
    const feedback = (actionValue: Record<string, unknown>) =>
      post({ ...personal(''), type: 'invoke', name: 'message/submitAction', replyToId: answer!.id, value: { actionName: 'feedback', actionValue } });

    // One rating per person and answer: each new one replaces the last.
    const latest = async () => {
      const [stored, ...others] = await service.context.catalogue.recentFeedback(5);
      assert.equal(others.length, 0);
      assert.equal(stored!.question, 'How many days of annual leave do I get?');
      return [stored!.reaction, stored!.comment];
    };
    const down = await feedback({ reaction: 'dislike', feedback: JSON.stringify({ feedbackText: '  It ignores part-time staff  ' }) });
    assert.equal(down.status, 200);
    assert.deepEqual(await down.json(), {});
    assert.deepEqual(await latest(), ['dislike', 'It ignores part-time staff']);
    const up = await feedback({ reaction: 'like', feedback: JSON.stringify({ feedbackText: '' }) });
    assert.equal(up.status, 200);
    assert.deepEqual(await latest(), ['like', null]);
    assert.equal((await feedback({ reaction: 'like' })).status, 200, 'no form at all');
    assert.deepEqual(await latest(), ['like', null]);
    assert.equal((await feedback({ reaction: 'dislike', feedback: { feedbackText: 'Sent as an object' } })).status, 200);
    assert.deepEqual(await latest(), ['dislike', 'Sent as an object']);

    assert.equal((await feedback({ reaction: 'meh' })).status, 400, 'a reaction Teams does not send');
  });
});
