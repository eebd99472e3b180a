// Access rules on Slack, over real HTTP against the Slack fake, on both indexes: the same question
// from an HR person and from someone else, in a DM, in #general and in the HR channel, by @mention
// and by slash command. Whoever reads the reply decides what it may quote; the fuller answer goes
// to the HR person alone, as an ephemeral message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { rewriteInstructions } from '../../../src/answer/standalone-question.js';
import { createLogger } from '../../../src/logger.js';
import { startService, type Service } from '../../../src/main.js';
import { accessSetup, people, places, question, secret } from '../../access/access-fixtures.js';
import { FakeOpenAI } from '../../fakes/openai-server.js';
import { useQdrantFake } from '../../fakes/qdrant-suite.js';
import { FakeSlackApi, slackSignature, type SlackCall } from '../../fakes/slack-api.js';
import { slackEventEnvelope } from '../../fakes/slack-events.js';
import { CapturedLog, sharedData, testConfig } from '../../helpers.js';

const signingSecret = 'slack-signing-secret-for-access';
const slashShape = path.join(sharedData, 'chat-payloads/slack-events/java-slack-sdk-samples/app-backend/slash-commands/SlashCommandPayload.json');
let nextEvent = 1;

for (const store of ['sqlite', 'qdrant'] as const) {
  describe(`Slack under access rules (${store} index)`, function () {
    this.timeout(60_000);
    let service: Service;
    let slack: FakeSlackApi;
    let log: CapturedLog;

    // Registered ahead of the fake's hooks so that the service stops before the fake does (mocha runs `after` hooks in registration order).
    after(async () => {
      await service?.stop();
      await slack?.stop();
    });
    const qdrant = store === 'qdrant' ? useQdrantFake() : null;
    before(async () => {
      slack = await new FakeSlackApi().start();
      log = new CapturedLog();
      const { env } = accessSetup();
      service = await startService(
        testConfig({ ...env, SLACK_ADMIN_IDS: 'UADMIN01', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url, TEAMS_ENABLED: 'false', ...(qdrant ? { QDRANT_URL: qdrant().url, QDRANT_COLLECTION: 'access' } : {}) }),
        { logger: createLogger('debug', log.destination) },
      );
    });

    /** Posts an event and resolves, once its turn has finished, with every Slack call it made. */
    const turn = async (event: Record<string, unknown>): Promise<SlackCall[]> => {
      const eventId = `EvAccess${store}${nextEvent++}`;
      const before = slack.calls.length;
      const body = JSON.stringify(slackEventEnvelope(eventId, 'UBOTGW01', { ts: `1700100${nextEvent}.000100`, ...event } as never));
      const response = await fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(signingSecret, body) }, body });
      assert.equal(response.status, 200);
      await log.waitFor((line) => line.msg === 'turn finished' && line.eventId === eventId);
      return slack.calls.slice(before);
    };
    const dm = (user: string) => turn({ type: 'message', user, text: question, channel: `D${user}`, channel_type: 'im' });
    const mention = (user: string, channel: string) => turn({ type: 'app_mention', user, text: `<@UBOTGW01> ${question}`, channel });
    const posted = (calls: SlackCall[], method: string) => calls.filter((call) => call.method === method || (method === 'answer' && ['chat.postMessage', 'chat.stopStream', 'chat.update'].includes(call.method)));
    const text = (calls: SlackCall[]) => JSON.stringify(calls.map((call) => call.args));

    it('in a DM: the HR person gets the salary bands, someone else only what everyone may read', async () => {
      const hr = await dm(people.slack.hr);
      assert.ok(text(posted(hr, 'answer')).includes(secret), 'the HR person reads the band');
      assert.match(text(posted(hr, 'answer')), /Salary bands/);
      const other = await dm(people.slack.other);
      assert.ok(!text(other).includes(secret), 'nothing of the band reaches anyone else');
      assert.doesNotMatch(text(other), /Salary bands/, 'not even its title');
      assert.match(text(posted(other, 'answer')), /Salary reviews/, 'the page everyone may read answers instead');
    });

    it('in #general: the channel answer quotes only what everyone may read, and the HR person alone gets the fuller answer, ephemerally', async () => {
      const hr = await mention(people.slack.hr, places.slack.general);
      const [channelAnswer] = posted(hr, 'chat.postMessage').filter((call) => call.args.channel === places.slack.general);
      assert.ok(channelAnswer, 'answered in the channel');
      assert.ok(!text([channelAnswer!]).includes(secret));
      assert.match(text([channelAnswer!]), /not everyone here may read: I sent you a fuller answer/);
      const [ephemeral] = posted(hr, 'chat.postEphemeral');
      assert.equal(ephemeral?.args.user, people.slack.hr);
      assert.equal(ephemeral?.args.channel, places.slack.general);
      assert.ok(text([ephemeral!]).includes(secret), 'the fuller answer has the band');

      const other = await mention(people.slack.other, places.slack.general);
      assert.ok(!text(other).includes(secret));
      assert.doesNotMatch(text(other), /fuller answer/, 'no promise of more to someone who may not read it');
      assert.equal(posted(other, 'chat.postEphemeral').length, 0);
      assert.match(text(posted(other, 'answer')), /Salary reviews/);
    });

    it('in the HR channel, which the rules name, anyone there gets the bands', async () => {
      const other = await mention(people.slack.other, places.slack.hrChannel);
      assert.ok(text(posted(other, 'answer')).includes(secret));
      assert.equal(posted(other, 'chat.postEphemeral').length, 0);
    });

    it('#it-help answers from the IT sources only, whoever asks', async () => {
      const vpn = await turn({ type: 'app_mention', user: people.slack.other, text: '<@UBOTGW01> Which VPN client do we use?', channel: places.slack.itHelp });
      assert.match(text(posted(vpn, 'answer')), /WireGuard/);
      const salary = await mention(people.slack.hr, places.slack.itHelp);
      assert.doesNotMatch(text(salary), /Salary reviews|Salary bands/, 'the HR and handbook pages are not searched there');
      assert.ok(!text(salary).includes(secret));
      assert.equal(posted(salary, 'chat.postEphemeral').length, 0);
    });

    it('a follow-up in the #general thread never sees the private answer', async () => {
      const first = await mention(people.slack.hr, places.slack.general);
      const threadTs = posted(first, 'chat.postMessage')[0]!.args.thread_ts as string;
      // What Slack gives back as the thread: the question and the channel answer, never the ephemeral one.
      slack.threads.set(`${places.slack.general}:${threadTs}`, [
        { ts: threadTs, user: people.slack.hr, text: question },
        { ts: '1700100000.999', bot_id: 'BFAKE', text: posted(first, 'chat.postMessage')[0]!.args.text },
      ]);
      const followUp = await turn({ type: 'app_mention', user: people.slack.other, text: '<@UBOTGW01> and for level 4?', channel: places.slack.general, thread_ts: threadTs });
      assert.ok(!text(followUp).includes(secret));
      assert.ok(!text(followUp).includes('96,000'));
    });

    it('/groundwork replies ephemerally, so the asker\'s own access decides', async function () {
      if (!fs.existsSync(slashShape)) this.skip();
      const shape = JSON.parse(fs.readFileSync(slashShape, 'utf8')) as Record<string, string>;
      const slash = async (user: string, n: number) => {
        const body = new URLSearchParams({
          ...Object.fromEntries(Object.keys(shape).map((key) => [key, ''])),
          team_id: 'TFAKE',
          channel_id: places.slack.general,
          user_id: user,
          user_name: user,
          command: '/groundwork',
          text: question,
          response_url: `${slack.url.replace(/\/api\/$/, '')}/response/${store}-${n}`,
          trigger_id: 'trigger',
        }).toString();
        const before = slack.calls.length;
        await fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(signingSecret, body) }, body });
        await slack.until(() => slack.calls.slice(before).some((call) => call.method === 'response_url'), 'the slash command reply');
        return slack.calls.slice(before).filter((call) => call.method === 'response_url');
      };
      const hr = await slash(people.slack.hr, 1);
      assert.equal(hr[0]!.args.response_type, 'ephemeral');
      assert.ok(text(hr).includes(secret));
      const other = await slash(people.slack.other, 2);
      assert.ok(!text(other).includes(secret));
      // status: the rules for admins only.
      const statusOf = async (user: string, n: number) => {
        const before = slack.calls.length;
        const body = new URLSearchParams({ ...Object.fromEntries(Object.keys(shape).map((key) => [key, ''])), team_id: 'TFAKE', channel_id: places.slack.general, user_id: user, user_name: user, command: '/groundwork', text: 'status', response_url: `${slack.url.replace(/\/api\/$/, '')}/response/${store}-s${n}`, trigger_id: 'trigger' }).toString();
        await fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(signingSecret, body) }, body });
        await slack.until(() => slack.calls.slice(before).some((call) => call.method === 'response_url'), 'the status reply');
        return slack.calls.slice(before).find((call) => call.method === 'response_url')!.args.text as string;
      };
      assert.match(await statusOf('UADMIN01', 1), /Access rules in force:\n- Access file .*\n- docs hr\/\*\* → group:hr/);
      const forOthers = await statusOf(people.slack.other, 2);
      assert.doesNotMatch(forOthers, /Access rules in force|legal/);
      assert.match(forOthers, /1 more source \(1 document\) cannot be read here/);
    });

    it('feedback on the #general answer keeps what the channel saw, without the fuller answer', async () => {
      const hr = await mention(people.slack.hr, places.slack.general);
      const answer = posted(hr, 'chat.postMessage').find((call) => call.args.channel === places.slack.general)!;
      const ts = answer.result!.ts as string;
      const payload = {
        type: 'block_actions',
        team: { id: 'TFAKE', domain: 'fake' },
        api_app_id: 'AFAKE',
        user: { id: people.slack.other, name: 'someone' },
        channel: { id: places.slack.general, name: 'general' },
        container: { type: 'message', channel_id: places.slack.general, message_ts: ts },
        message: { ts, thread_ts: answer.args.thread_ts, text: 'answer' },
        trigger_id: 'trigger',
        response_url: `${slack.url.replace(/\/api\/$/, '')}/response/feedback`,
        actions: [{ type: 'button', action_id: 'feedback_like', block_id: 'feedback', value: 'like', action_ts: '1700000000.1' }],
        token: 'unused',
      };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      await fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(signingSecret, body) }, body });
      await slack.until(() => slack.calls.some((call) => call.method === 'chat.postEphemeral' && /Thanks for the feedback/.test(call.args.text ?? '')), 'the thanks');
      const [stored] = await service.context.catalogue.recentFeedback(1);
      assert.equal(stored!.messageId, `${places.slack.general}:${ts}`);
      assert.ok(!stored!.answer.includes(secret), 'the record is the channel answer');
      assert.ok(stored!.citedDocumentIds.length > 0);
    });

    it('with a model, the prompt, the streamed pieces and the answer in #general hold only what everyone may read', async function () {
      if (store === 'qdrant') this.skip(); // the model path does not depend on the index
      const model = await new FakeOpenAI().start();
      const modelSlack = await new FakeSlackApi().start();
      const modelLog = new CapturedLog();
      // A model that repeats every source it was given: whatever reached the prompt is streamed.
      model.chatReply = (body) => `From the sources: ${body.messages.slice(1).map((m) => m.content).join(' ').slice(0, 4000)} [1]`;
      const withModel = await startService(
        testConfig({ ...accessSetup().env, OPENAI_BASE_URL: `${model.url}/v1`, EMBEDDING_MODEL: 'none', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: modelSlack.url, TEAMS_ENABLED: 'false' }),
        { logger: createLogger('debug', modelLog.destination) },
      );
      try {
        const eventId = `EvAccessModel${nextEvent++}`;
        const body = JSON.stringify(slackEventEnvelope(eventId, 'UBOTGW01', { type: 'app_mention', ts: '1700200000.000100', user: people.slack.hr, text: `<@UBOTGW01> ${question}`, channel: places.slack.general }));
        await fetch(`${withModel.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(signingSecret, body) }, body });
        await modelLog.waitFor((line) => line.msg === 'turn finished' && line.eventId === eventId);
        const inChannel = modelSlack.calls.filter((call) => call.method !== 'chat.postEphemeral');
        assert.ok(inChannel.some((call) => call.method === 'chat.appendStream' || call.method === 'chat.startStream'), 'the answer was streamed');
        assert.ok(!text(inChannel).includes(secret), 'no streamed piece or channel message holds the band');
        const ephemeral = modelSlack.calls.filter((call) => call.method === 'chat.postEphemeral');
        assert.ok(text(ephemeral).includes(secret), 'the fuller answer, for the HR person alone, does');
        const channelPrompts = model.chatRequests().filter((request) => !JSON.stringify(request.body).includes(secret));
        assert.ok(channelPrompts.length > 0, 'the channel answer was written from a prompt without the band');

        // A question whose evidence the whole channel may read: the model writes one answer, not two.
        const requestsBefore = model.chatRequests().length;
        const ephemeralsBefore = ephemeral.length;
        const publicId = `EvAccessModel${nextEvent++}`;
        const publicBody = JSON.stringify(slackEventEnvelope(publicId, 'UBOTGW01', { type: 'app_mention', ts: '1700200000.000900', user: people.slack.hr, text: '<@UBOTGW01> Do flights need the approval of my manager?', channel: places.slack.general }));
        await fetch(`${withModel.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(signingSecret, publicBody) }, body: publicBody });
        const [finished] = await modelLog.waitFor((line) => line.msg === 'turn finished' && line.eventId === publicId);
        assert.equal(finished!.outcome, 'answer');
        assert.equal(model.chatRequests().length - requestsBefore, 1, 'no fuller answer is written when nothing is beyond the channel');
        assert.equal(modelSlack.calls.filter((call) => call.method === 'chat.postEphemeral').length, ephemeralsBefore);

        // A follow-up in the thread, answered for the channel and for the HR person: rewritten once for both.
        modelSlack.threads.set(`${places.slack.general}:1700200000.000900`, [
          { user: people.slack.hr, text: 'Do flights need the approval of my manager?', ts: '1700200000.000900' },
          { bot_id: 'BFAKE', text: 'Flights need the approval of your manager [1].', ts: '1700200000.000950' },
        ]);
        const rewritesBefore = model.chatRequests().filter((request) => request.body.messages[0].content === rewriteInstructions).length;
        const followUpId = `EvAccessModel${nextEvent++}`;
        const followUpBody = JSON.stringify(slackEventEnvelope(followUpId, 'UBOTGW01', { type: 'app_mention', ts: '1700200000.000990', thread_ts: '1700200000.000900', user: people.slack.hr, text: `<@UBOTGW01> and ${question}`, channel: places.slack.general }));
        await fetch(`${withModel.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(signingSecret, followUpBody) }, body: followUpBody });
        await modelLog.waitFor((line) => line.msg === 'turn finished' && line.eventId === followUpId);
        const rewrites = model.chatRequests().filter((request) => request.body.messages[0].content === rewriteInstructions).length - rewritesBefore;
        assert.equal(rewrites, 1, 'one rewrite of the follow-up for both answers');
      } finally {
        await withModel.stop();
        await modelSlack.stop();
        await model.stop();
      }
    });

    it('logs at info carry document ids, never the restricted text', () => {
      const infoLines = log.lines.filter((line) => line.level >= 30);
      assert.ok(infoLines.some((line) => line.msg === 'fuller answer sent to the asker alone'));
      assert.ok(!JSON.stringify(infoLines).includes(secret), 'no restricted text at info level or above');
      assert.ok(!JSON.stringify(infoLines).includes('Salary bands'), 'nor its title');
    });
  });
}
