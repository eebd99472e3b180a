import assert from 'node:assert/strict';
import { createSlackChannel, type SlackChannel, type SlackDependencies } from '../../../src/channels/slack/slack-bot.js';
import type { ChatTurn } from '../../../src/conversation/chat-turn.js';
import { createLogger } from '../../../src/logger.js';
import { FakeSlackApi } from '../../fakes/slack-api.js';
import { slackEventEnvelope } from '../../fakes/slack-events.js';
import { CapturedLog } from '../../helpers.js';

// The assistant view's prompts come from a dependency the composition root wires; here the Slack
// channel runs alone, in Socket Mode against the fake Web API, with no turn to answer.
describe('Slack assistant view: suggested prompts', function () {
  this.timeout(20_000);
  let slack: FakeSlackApi;
  let channel: SlackChannel | null = null;
  let log: CapturedLog;
  let nextEvent = 1;

  const noTurn: ChatTurn = async () => 'command';
  const open = async (deps: Partial<SlackDependencies>) => {
    slack = await new FakeSlackApi().start();
    log = new CapturedLog();
    channel = createSlackChannel(
      { botToken: 'xoxb-test', appToken: 'xapp-test', signingSecret: null, apiUrl: slack.url, adminIds: [], threadFollowUps: false },
      { chatTurn: noTurn, feedbackLog: { recordFeedback: async () => true } as never, logger: createLogger('debug', log.destination), ...deps },
    );
    await channel.start();
  };
  const threadStarted = (threadTs: string) => {
    const wrapped = slackEventEnvelope(`EvA${nextEvent++}`, slack.botUserId, {
      type: 'assistant_thread_started',
      ts: '',
      assistant_thread: { user_id: 'UASKER01', context: { channel_id: 'CGENERAL', team_id: 'TFAKE' }, channel_id: 'DASSIST9', thread_ts: threadTs },
      event_ts: threadTs,
    });
    delete (wrapped.event as { ts?: string }).ts;
    return wrapped;
  };
  afterEach(async () => {
    await channel?.stop();
    channel = null;
    await slack?.stop();
  });

  it('offers the first four prompts the dependency gives', async () => {
    const questions = ['How do I request leave?', 'How do I connect to the VPN?', 'What is the hotel cap?', 'Who approves expenses?', 'Where is the travel policy?'];
    await open({ suggestedPrompts: async () => questions.map((q) => ({ title: q, message: q })) });
    await slack.deliver(threadStarted('1700008000.000100'));
    const [call] = await slack.waitFor('assistant.threads.setSuggestedPrompts');
    assert.equal(call!.result!.ok, true);
    assert.deepEqual(call!.args.prompts.map((p: { message: string }) => p.message), questions.slice(0, 4));
  });

  it('offers the commands when the dependency has nothing, or fails', async () => {
    await open({ suggestedPrompts: async () => [{ title: ' ', message: '' }] });
    await slack.deliver(threadStarted('1700008000.000200'));
    const [empty] = await slack.waitFor('assistant.threads.setSuggestedPrompts');
    assert.deepEqual(empty!.args.prompts.map((p: { message: string }) => p.message), ['help', 'status']);
    await channel!.stop();
    channel = null;
    await slack.stop();

    await open({ suggestedPrompts: async () => Promise.reject(new Error('catalogue unavailable')) });
    await slack.deliver(threadStarted('1700008000.000300'));
    const [failed] = await slack.waitFor('assistant.threads.setSuggestedPrompts');
    assert.deepEqual(failed!.args.prompts.map((p: { message: string }) => p.message), ['help', 'status']);
    assert.equal(log.withMessage('could not prepare the suggested prompts: offering the commands').length, 1);
    assert.equal(slack.callsOf('chat.postMessage').length, 1, 'the greeting all the same');
  });
});
