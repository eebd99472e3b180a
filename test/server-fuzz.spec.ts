// Random and mutated requests to every endpoint that takes input from outside: Slack events
// (correctly signed, so that they reach the parsing behind the signature check), Teams activities
// and Bot Framework tokens, and web chat questions. None may get a 5xx, and afterwards every
// channel still answers. Deterministic: FUZZ_SEED=<n> replays a run; failures name the seed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sinon from 'sinon';
import { startService, type Service } from '../src/main.js';
import { FakeBotConnector } from './fakes/bot-connector.js';
import { FakeBotFrameworkAuth } from './fakes/bot-framework-auth.js';
import { FakeSlackApi, slackSignature } from './fakes/slack-api.js';
import { SeededRandom, mutate, mutateText, randomJson } from './fuzz-inputs.js';
import { sharedData, testConfig } from './helpers.js';

const payloads = path.join(sharedData, 'chat-payloads');
const slackSamples = path.join(payloads, 'slack-events/java-slack-sdk-samples');
const teamsRecordings = path.join(payloads, 'teams-botframework-activities/inbound');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>;
const jsonFiles = (folder: string) => fs.readdirSync(folder).filter((name) => name.endsWith('.json')).map((name) => path.join(folder, name));

const seed = Number(process.env.FUZZ_SEED ?? 20260601);
const signingSecret = 'slack-signing-secret-for-fuzzing';
const appId = '00000000-0000-0000-0000-00000000f22';

/**
 * Sends one case and checks that the answer is not a server error (the one 5xx allowed is 501,
 * the Bot Framework's answer to an invoke the bot does not implement); any failure names the seed.
 */
async function fuzzCase(channel: string, index: number, input: unknown, send: () => Promise<Response>, invoke = false): Promise<{ status: number; body: string }> {
  const described = `seed ${seed}, ${channel} case ${index}: ${String(JSON.stringify(input)).slice(0, 400)}`;
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    throw new Error(`request failed (${(error as Error).message}) for ${described}`, { cause: error });
  }
  const body = await response.text();
  assert.ok(response.status < 500 || (invoke && response.status === 501), `${response.status} ${body.slice(0, 200)} for ${described}`);
  return { status: response.status, body };
}

describe('fuzzing the endpoints (seeded)', function () {
  this.timeout(240_000);
  let random: SeededRandom;
  let service: Service;
  let connector: FakeBotConnector;
  let slack: FakeSlackApi;

  before(async function () {
    if (!fs.existsSync(slackSamples) || !fs.existsSync(teamsRecordings)) this.skip();
    random = new SeededRandom(seed);
    connector = await new FakeBotConnector().start();
    slack = await new FakeSlackApi().start();
    // Slack over HTTP, Teams in local mode (its replies go to the local connector) and the web chat, on one server.
    service = await startService(testConfig({ SLACK_BOT_TOKEN: 'xoxb-fuzz', SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url, WEBCHAT_ENABLED: 'true' }));
  });
  after(async () => {
    await service?.stop();
    await connector?.stop();
    await slack?.stop();
  });

  it('Slack: signed random and mutated events, commands and actions get no 5xx', async () => {
    const responseUrl = `${slack.url.replace(/\/api\/$/, '')}/response/fuzz`;
    const mention = {
      token: 'unused', team_id: 'TFUZZ', api_app_id: 'AFUZZ', type: 'event_callback', event_id: 'EvFuzz', event_time: 1700000000,
      authorizations: [{ team_id: 'TFUZZ', user_id: 'UBOTGW01', is_bot: true }],
      event: { type: 'app_mention', user: 'UASKER01', text: '<@UBOTGW01> How many days of annual leave do I get?', ts: '1700000000.000100', channel: 'CFUZZ', event_ts: '1700000000.000100' },
    };
    const events = [mention, ...jsonFiles(path.join(slackSamples, 'events')).map(readJson)];
    const interactions = jsonFiles(path.join(slackSamples, 'app-backend/interactive-components')).concat(jsonFiles(path.join(slackSamples, 'app-backend/views'))).map(readJson);
    const command = { ...Object.fromEntries(Object.keys(readJson(path.join(slackSamples, 'app-backend/slash-commands/SlashCommandPayload.json'))).map((key) => [key, ''])), command: '/groundwork', text: 'help', channel_id: 'CFUZZ', user_id: 'UFUZZ', team_id: 'TFUZZ', response_url: responseUrl };

    for (let i = 0; i < 140; i++) {
      let body: string;
      let contentType = 'application/json';
      const kind = random.int(10);
      if (kind < 5) {
        const event = mutate(random.pick(events), random) as Record<string, unknown>;
        if (event && typeof event === 'object' && random.chance(0.7)) event.event_id = `EvFuzz${i}`; // most are new events, some retries
        body = JSON.stringify(event) ?? 'null';
      } else if (kind < 7) {
        contentType = 'application/x-www-form-urlencoded';
        body = new URLSearchParams({ payload: JSON.stringify(mutate(random.pick(interactions), random)) ?? 'null' }).toString();
      } else if (kind < 9) {
        contentType = 'application/x-www-form-urlencoded';
        const fields = mutate(command, random);
        const form = fields && typeof fields === 'object' && !Array.isArray(fields) ? Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value) ?? '']) : [['payload', String(fields)]];
        body = new URLSearchParams(form).toString();
      } else {
        body = random.chance(0.5) ? mutateText(JSON.stringify(mention), random) : (JSON.stringify(randomJson(random, 3)) ?? 'null');
      }
      await fuzzCase('slack', i, body, () => fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...slackSignature(signingSecret, body) }, body }));
    }
    await assertSlackStillAnswers();
  });

  it('Teams: random and mutated activities get no 5xx', async () => {
    const recordings = jsonFiles(teamsRecordings).map((file) => ({ ...readJson(file), serviceUrl: connector.url }));
    for (let i = 0; i < 140; i++) {
      const activity = mutate(random.pick(recordings), random) as Record<string, unknown>;
      if (activity && typeof activity === 'object' && !Array.isArray(activity) && random.chance(0.8)) activity.id = `fuzz-${i}`;
      const raw = random.chance(0.1) ? mutateText(JSON.stringify(activity) ?? 'null', random) : (JSON.stringify(activity) ?? 'null');
      const invoke = (activity as { type?: unknown } | null)?.type === 'invoke';
      await fuzzCase('teams', i, raw, () => fetch(`${service.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw }), invoke);
    }
    const sent = connector.messages().length;
    await fetch(`${service.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...readJson(path.join(teamsRecordings, '20191021205338231-request.json')), id: 'after-fuzz', serviceUrl: connector.url, text: 'How many days of annual leave do I get?' }),
    });
    const answers = await connector.waitFor((s) => s.activity.type === 'message', sent + 1);
    assert.match(answers.at(-1)!.activity.text, /28 days of paid annual leave/, 'Teams still answers');
  });

  it('Teams: random and mutated Bot Framework tokens get 401, never a 5xx or the library\'s words', async () => {
    const auth = await new FakeBotFrameworkAuth().start();
    const withCredentials = await startService(testConfig({ MicrosoftAppId: appId, MicrosoftAppPassword: 'not-a-real-secret' }), { teamsAdapter: { openIdMetadataUrl: auth.metadataUrl } });
    // botbuilder prints each refused token's error, and the signing key, to the console itself.
    const quiet = sinon.stub(console, 'error');
    try {
      const invoke = { ...readJson(path.join(teamsRecordings, '20191021205338231-request.json')), serviceUrl: connector.url, type: 'invoke', name: 'composeExtension/query', value: {} };
      const valid = auth.token(appId, connector.url);
      const forged = Object.values(auth.forgedTokens(appId, connector.url));
      for (let i = 0; i < 80; i++) {
        let authorization: string;
        switch (random.int(6)) {
          case 0:
            authorization = `Bearer ${mutateText(random.pick([valid, ...forged]), random, () => random.headerText(3))}`;
            break;
          case 1: // validly signed, with odd claims
            authorization = `Bearer ${auth.sign(mutate(auth.claims(appId, connector.url), random))}`;
            break;
          case 2: // validly signed, with an odd header
            authorization = `Bearer ${auth.sign(auth.claims(appId, connector.url), mutate({ alg: 'RS256', typ: 'JWT', kid: 'fake-signing-key' }, random) as Record<string, unknown>)}`;
            break;
          case 3:
            authorization = `${random.pick(['bearer', 'Bearer  ', 'Basic', '', 'Bearer x'])} ${random.pick([valid, ...forged])}`;
            break;
          case 4:
            authorization = `Bearer ${random.pick(forged)}`;
            break;
          default:
            authorization = `Bearer ${Buffer.from(random.text(60)).toString('base64url')}.${Buffer.from(JSON.stringify(randomJson(random)) ?? '').toString('base64url')}.${random.headerText(20)}`;
        }
        const { status, body } = await fuzzCase('teams token', i, authorization, () => fetch(`${withCredentials.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(invoke) }), true);
        // 501 is the bot's own answer to this invoke, when a mutation left the token valid; 431, Node's to a header over 16 KB.
        assert.ok([401, 431, 501].includes(status), `${status} ${body.slice(0, 200)} for seed ${seed}, token case ${i}: ${authorization.slice(0, 400)}`);
        if (status === 401) assert.equal(body, '{"error":{"code":"unauthorized","message":"A valid Bot Framework token is required."}}', `seed ${seed}, token case ${i}`);
      }
      const accepted = await fetch(`${withCredentials.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${valid}` }, body: JSON.stringify(invoke) });
      assert.equal(accepted.status, 501, 'a valid token still gets through');
    } finally {
      quiet.restore();
      await withCredentials.stop();
      await auth.stop();
    }
  });

  it('web chat: random and mutated questions, content types and headers get no 5xx', async () => {
    const question = { text: 'How many days of annual leave do I get?', history: [{ role: 'user', text: 'Hi' }, { role: 'assistant', text: 'Hello [1].' }] };
    for (let i = 0; i < 100; i++) {
      const roll = random.next();
      // Questions of odd text reach the answer path; mutated bodies test the checks before it.
      const body = roll < 0.3 ? JSON.stringify({ text: random.text(300), history: [] }) : roll < 0.85 ? (JSON.stringify(mutate(question, random)) ?? 'null') : mutateText(JSON.stringify(question), random);
      const headers: Record<string, string> = {
        'content-type': random.pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', random.headerText(12)]),
        accept: random.pick(['application/json', 'text/event-stream', '*/*', random.headerText(10)]),
      };
      if (random.chance(0.1)) headers.origin = random.pick(['https://evil.example', 'null', service.url, random.headerText(10)]);
      if (random.chance(0.1)) headers['sec-fetch-site'] = random.pick(['cross-site', 'same-site', 'same-origin', 'none', random.headerText(5)]);
      await fuzzCase('webchat', i, { headers, body }, () => fetch(`${service.url}/api/chat`, { method: 'POST', headers, body }));
    }
    const answer = await fetch(`${service.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'How many days of annual leave do I get?' }) });
    assert.match(((await answer.json()) as { answer: string }).answer, /28 days of paid annual leave/, 'the web chat still answers');
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
  });

  async function assertSlackStillAnswers(): Promise<void> {
    const before = slack.callsOf('chat.postMessage').length;
    const body = JSON.stringify({
      type: 'event_callback', team_id: 'TFUZZ', event_id: 'EvAfterFuzz', authorizations: [{ team_id: 'TFUZZ', user_id: 'UBOTGW01', is_bot: true }],
      event: { type: 'app_mention', user: 'UASKER01', text: '<@UBOTGW01> How many days of annual leave do I get?', ts: '1800000000.000100', channel: 'CAFTER', event_ts: '1800000000.000100' },
    });
    const response = await fetch(`${service.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(signingSecret, body) }, body });
    assert.equal(response.status, 200);
    const [answer] = await slack.waitFor('chat.postMessage', 1, (c) => c.args.channel === 'CAFTER');
    assert.ok(slack.callsOf('chat.postMessage').length > before);
    assert.match(JSON.stringify(answer!.args.blocks), /28 days of paid annual leave/, 'Slack still answers');
  }
});
