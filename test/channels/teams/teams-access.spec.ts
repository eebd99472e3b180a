// Access rules on Teams, over real HTTP against the Bot Connector fake, on both indexes: the same
// question from an HR person and from someone else, in a personal chat, in a general channel and
// in the HR channel. In a channel the answer quotes only what the channel may read; the fuller
// answer goes to the HR person alone, in their personal chat with the bot.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../../src/logger.js';
import { startService, type Service } from '../../../src/main.js';
import { accessSetup, people, places, question, secret } from '../../access/access-fixtures.js';
import { FakeBotConnector, type SentActivity } from '../../fakes/bot-connector.js';
import { useQdrantFake } from '../../fakes/qdrant-suite.js';
import { CapturedLog, sharedData, testConfig } from '../../helpers.js';

const recordings = path.join(sharedData, 'chat-payloads/teams-botframework-activities/inbound');
const recorded = (file: string) => JSON.parse(fs.readFileSync(path.join(recordings, file), 'utf8'));
let nextId = 1;

for (const store of ['sqlite', 'qdrant'] as const) {
  describe(`Teams under access rules (${store} index)`, function () {
    this.timeout(60_000);
    let service: Service;
    let connector: FakeBotConnector;
    let log: CapturedLog;

    // Registered ahead of the fake's hooks so that the service stops before the fake does (mocha runs `after` hooks in registration order).
    after(async () => {
      await service?.stop();
      await connector?.stop();
    });
    const qdrant = store === 'qdrant' ? useQdrantFake() : null;
    before(async function () {
      if (!fs.existsSync(recordings)) this.skip();
      connector = await new FakeBotConnector().start();
      log = new CapturedLog();
      service = await startService(testConfig({ ...accessSetup().env, ...(qdrant ? { QDRANT_URL: qdrant().url, QDRANT_COLLECTION: 'access' } : {}) }), {
        logger: createLogger('debug', log.destination),
      });
    });

    const from = (user: string) => ({ id: `29:${user}`, name: user === people.teams.hr ? 'Hana HR' : 'Omar Other', aadObjectId: user });
    /** Posts an activity and resolves, once its turn has finished, with what the bot sent. */
    const turn = async (activity: Record<string, any>): Promise<SentActivity[]> => {
      const before = connector.sent.length;
      const response = await fetch(`${service.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      assert.equal(response.status, 200);
      await log.waitFor((line) => line.msg === 'turn finished' && line.activityId === activity.id);
      return connector.sent.slice(before).filter((sent) => sent.activity.type === 'message');
    };
    const personal = (user: string) =>
      turn({ ...recorded('20191021205338231-request.json'), id: `pa-${nextId++}`, serviceUrl: connector.url, text: question, from: from(user), conversation: { conversationType: 'personal', id: `a:chat-${user}`, tenantId: 'tenant-1' } });
    const inChannel = (user: string, channel: string) => {
      const activity = recorded('20191020025610932-request.json');
      return turn({
        ...activity,
        id: `ca-${nextId++}`,
        serviceUrl: connector.url,
        text: `<at>My Combined</at> ${question}\n`,
        attachments: [],
        from: from(user),
        conversation: { ...activity.conversation, id: `${channel};messageid=${nextId}`, tenantId: 'tenant-1' },
        channelData: { channel: { id: channel }, team: { id: places.teams.team }, tenant: { id: 'tenant-1' } },
      });
    };
    const text = (sent: SentActivity[]) => JSON.stringify(sent.map((s) => s.activity));

    it('in a personal chat: the HR person gets the salary bands, someone else only what everyone may read', async () => {
      const hr = await personal(people.teams.hr);
      assert.ok(text(hr).includes(secret));
      const other = await personal(people.teams.other);
      assert.ok(!text(other).includes(secret));
      assert.doesNotMatch(text(other), /Salary bands/);
      assert.match(text(other), /Salary reviews/);
    });

    it('in a general channel: the channel answer quotes only what everyone may read, and the HR person gets the fuller answer in their personal chat', async () => {
      const hr = await inChannel(people.teams.hr, places.teams.generalChannel);
      const inTheChannel = hr.filter((sent) => sent.conversationId.startsWith(places.teams.generalChannel));
      assert.equal(inTheChannel.length, 1);
      assert.ok(!text(inTheChannel).includes(secret));
      assert.match(text(inTheChannel), /I sent you a fuller answer in our personal chat/);
      const created = connector.created.find((c) => c.parameters.members[0].id === `29:${people.teams.hr}`);
      assert.ok(created, 'a personal chat with the HR person was opened');
      assert.equal(created!.parameters.isGroup, false);
      assert.equal(created!.parameters.tenantId, 'tenant-1');
      const privately = hr.filter((sent) => sent.conversationId === created!.id);
      assert.equal(privately.length, 1);
      assert.ok(text(privately).includes(secret));

      // Feedback on the private answer is stored with it, in the personal chat; the channel's answer record has no band.
      const invoke = { ...recorded('20191021205338231-request.json'), type: 'invoke', name: 'message/submitAction', id: `fb-${nextId++}`, serviceUrl: connector.url, from: from(people.teams.hr), conversation: { conversationType: 'personal', id: created!.id, tenantId: 'tenant-1' }, replyToId: privately[0]!.id, value: { actionName: 'feedback', actionValue: { reaction: 'like', feedback: '{"feedbackText":"exactly"}' } } };
      assert.equal((await fetch(`${service.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(invoke) })).status, 200);
      const [stored] = await service.context.catalogue.recentFeedback(1);
      assert.equal(stored!.conversationId, `teams:${created!.id}`);
      assert.equal(stored!.comment, 'exactly');

      const other = await inChannel(people.teams.other, places.teams.generalChannel);
      assert.ok(!text(other).includes(secret));
      assert.doesNotMatch(text(other), /fuller answer/);
      assert.ok(!connector.created.some((c) => c.parameters.members[0].id === `29:${people.teams.other}`), 'nothing private for someone who may not read more');
    });

    it('in the HR channel, which the rules name, anyone there gets the bands', async () => {
      const other = await inChannel(people.teams.other, places.teams.hrChannel);
      assert.ok(text(other).includes(secret));
    });

    it('when the personal chat cannot be opened, the channel answer stands and nothing restricted is posted', async () => {
      connector.createFault = 403;
      const before = connector.created.length;
      try {
        const hr = await inChannel(people.teams.hr, `19:another@thread.tacv2`);
        assert.ok(!text(hr).includes(secret));
        assert.equal(connector.created.length, before);
        assert.ok(log.withMessage('could not send the fuller answer to the asker alone').length > 0);
      } finally {
        connector.createFault = null;
      }
    });

    it('logs at info carry document ids, never the restricted text', () => {
      const infoLines = log.lines.filter((line) => line.level >= 30);
      // The lines that name what was sent privately are there, with document ids only.
      const privateLines = infoLines.filter((line) => line.msg === 'fuller answer sent to the asker alone');
      assert.ok(privateLines.length > 0 && privateLines.every((line) => line.privateCited.every((id: string) => /^[0-9a-f]{32}$/.test(id))));
      assert.ok(!JSON.stringify(infoLines).includes(secret));
      assert.ok(!JSON.stringify(infoLines).includes('Salary bands'));
    });
  });
}
