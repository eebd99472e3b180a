import assert from 'node:assert/strict';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { TeamsStream } from '../../../src/channels/teams/teams-stream.js';
import { silentLogger } from '../../helpers.js';

/** A turn on botbuilder's own test adapter; every activity the bot sends is collected. */
function turn(): { context: TurnContext; sent: Array<Partial<Activity>> } {
  const adapter = new TestAdapter();
  const context = new TurnContext(adapter, { type: 'message', text: 'hi', conversation: { id: 'c' } as Activity['conversation'], channelId: 'msteams', from: { id: 'u', name: 'u' }, recipient: { id: 'b', name: 'b' } });
  const sent: Array<Partial<Activity>> = [];
  context.onSendActivities(async (_ctx, activities, next) => {
    sent.push(...activities);
    const responses = await next();
    return responses.map((response, i) => ({ id: response?.id ?? `id-${sent.length - activities.length + i}` }));
  });
  return { context, sent };
}

const info = (activity: Partial<Activity>) => (activity.entities ?? []).find((e) => e.type === 'streaminfo') as Record<string, unknown> | undefined;

describe('Teams stream', () => {
  it('ends a stream that outlived its limit with a plain message, and sends no more updates', async () => {
    const { context, sent } = turn();
    const stream = new TeamsStream(context, silentLogger, { minIntervalMs: 0, maxDurationMs: 50 });
    await stream.informative('Searching the docs…');
    stream.append('Hello');
    await new Promise((resolve) => setTimeout(resolve, 80));
    stream.append(' world');
    await stream.finish({ type: 'message', text: 'Hello world' });
    assert.deepEqual(sent.map((a) => [a.type, info(a)?.streamType ?? null]), [
      ['typing', 'informative'],
      ['typing', 'streaming'],
      ['message', null],
    ]);
  });

  it('updates at most once per interval, each time with the whole text so far', async () => {
    const { context, sent } = turn();
    const stream = new TeamsStream(context, silentLogger, { minIntervalMs: 40 });
    await stream.informative('Searching the docs…');
    for (const piece of ['A', 'B', 'C']) stream.append(piece);
    await new Promise((resolve) => setTimeout(resolve, 60));
    stream.append('D');
    await stream.finish({ type: 'message', text: 'ABCD' });
    const updates = sent.filter((a) => info(a)?.streamType === 'streaming');
    assert.deepEqual(updates.map((a) => a.text), ['A', 'ABCD']);
    assert.deepEqual(updates.map((a) => info(a)!.streamSequence), [2, 3]);
    assert.equal(info(sent.at(-1)!)!.streamType, 'final');
  });
});
