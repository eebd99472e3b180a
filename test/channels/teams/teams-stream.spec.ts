import assert from 'node:assert/strict';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import sinon from 'sinon';
import { TeamsStream } from '../../../src/channels/teams/teams-stream.js';
import { silentLogger } from '../../helpers.js';

/** Lets the sends in flight finish (they are promises, not timers). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

interface TurnOptions {
  /** Streaming updates fail as Teams fails them when it does not allow the stream. */
  refuseUpdates?: boolean;
  /** Streaming updates wait until `release()` is called. */
  holdUpdates?: boolean;
  /** Sends are answered without an id. */
  noIds?: boolean;
}

/**
 * A turn on botbuilder's own test adapter; every activity the bot sends is collected, with the
 * (fake) time it was sent.
 */
function turn(options: TurnOptions = {}): { context: TurnContext; sent: Array<Partial<Activity>>; sentAt: Map<Partial<Activity>, number>; idOf: Map<Partial<Activity>, string>; release: () => void } {
  const adapter = new TestAdapter();
  const context = new TurnContext(adapter, { type: 'message', text: 'hi', conversation: { id: 'c' } as Activity['conversation'], channelId: 'msteams', from: { id: 'u', name: 'u' }, recipient: { id: 'b', name: 'b' } });
  const sent: Array<Partial<Activity>> = [];
  const sentAt = new Map<Partial<Activity>, number>();
  const idOf = new Map<Partial<Activity>, string>();
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  context.onSendActivities(async (_ctx, activities, next) => {
    for (const activity of activities) sentAt.set(activity, Date.now());
    sent.push(...activities);
    const streaming = activities.some((a) => info(a)?.streamType === 'streaming');
    if (streaming && options.holdUpdates) await held;
    if (streaming && options.refuseUpdates) throw Object.assign(new Error('ContentStreamNotAllowed'), { statusCode: 403 });
    const responses = await next();
    if (options.noIds) return responses.map(() => ({ id: '' }));
    return activities.map((activity, i) => {
      const id = responses[i]?.id ?? `id-${sent.indexOf(activity)}`;
      idOf.set(activity, id);
      return { id };
    });
  });
  return { context, sent, sentAt, idOf, release };
}

const info = (activity: Partial<Activity>) => (activity.entities ?? []).find((e) => e.type === 'streaminfo') as Record<string, unknown> | undefined;

const start = Date.UTC(2026, 2, 2, 9, 0, 0);

describe('Teams stream', () => {
  // The stream paces itself by the clock: a fake one makes every moment exact.
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: start, toFake: ['Date'] });
  });
  afterEach(() => clock.restore());

  it('updates at most once a second, each time with the whole text so far, then ends with the final message', async () => {
    const { context, sent, sentAt, idOf } = turn();
    const stream = new TeamsStream(context, silentLogger);
    await stream.informative('Searching the docs…');
    stream.append('A');
    await settle();
    clock.tick(500);
    stream.append('B');
    clock.tick(499);
    stream.append('C');
    await settle();
    clock.tick(1);
    stream.append('D'); // one second after the first update
    await settle();
    clock.tick(999);
    stream.append('E');
    await settle();
    const id = await stream.finish({ type: 'message', text: 'ABCDE' });

    const updates = sent.filter((a) => info(a)?.streamType === 'streaming');
    assert.deepEqual(updates.map((a) => a.text), ['A', 'ABCD']);
    assert.deepEqual(updates.map((a) => sentAt.get(a)! - start), [0, 1000], 'one second apart');
    assert.deepEqual(updates.map((a) => info(a)!.streamSequence), [2, 3]);
    const streamId = idOf.get(sent[0]!)!;
    assert.ok(streamId, 'Teams gave the informative update an id');
    assert.ok(updates.every((a) => info(a)!.streamId === streamId), 'every update names the stream');
    const final = sent.at(-1)!;
    assert.equal(final.type, 'message');
    assert.equal(final.text, 'ABCDE', 'the final message carries all of it');
    assert.deepEqual([info(final)!.streamType, info(final)!.streamId, info(final)!.streamSequence], ['final', streamId, undefined]);
    assert.equal(id, idOf.get(final), 'the id of the final message');
    assert.equal(sent.length, 4, 'informative, two updates, final');
  });

  it('holds an update back while the previous one is still being sent', async () => {
    const { context, sent, release } = turn({ holdUpdates: true });
    const stream = new TeamsStream(context, silentLogger);
    await stream.informative('Searching the docs…');
    stream.append('A');
    clock.tick(5000);
    stream.append('B'); // the first update has not been answered yet
    release();
    await settle();
    clock.tick(1000);
    stream.append('C');
    await settle();
    await stream.finish({ type: 'message', text: 'ABC' });
    assert.deepEqual(sent.filter((a) => info(a)?.streamType === 'streaming').map((a) => a.text), ['A', 'ABC']);
  });

  it('ends a stream that outlived its limit (110 s, within Teams\' two minutes) with a plain message, and sends no more updates', async () => {
    const { context, sent } = turn();
    const stream = new TeamsStream(context, silentLogger);
    await stream.informative('Searching the docs…');
    stream.append('Hello');
    await settle();
    clock.tick(109_999);
    stream.append(',');
    await settle();
    clock.tick(1);
    stream.append(' world');
    await settle();
    await stream.finish({ type: 'message', text: 'Hello, world' });
    assert.deepEqual(sent.map((a) => [a.type, info(a)?.streamType ?? null, a.text]), [
      ['typing', 'informative', 'Searching the docs…'],
      ['typing', 'streaming', 'Hello'],
      ['typing', 'streaming', 'Hello,'],
      ['message', null, 'Hello, world'],
    ]);
  });

  it('when Teams refuses the stream (403), sends no more updates and the answer arrives as one plain message', async () => {
    const { context, sent, idOf } = turn({ refuseUpdates: true });
    const stream = new TeamsStream(context, silentLogger);
    await stream.informative('Searching the docs…');
    stream.append('Hello');
    await settle();
    clock.tick(1000);
    stream.append(' world');
    await settle();
    const id = await stream.finish({ type: 'message', text: 'Hello world' });
    assert.deepEqual(sent.map((a) => [a.type, info(a)?.streamType ?? null]), [
      ['typing', 'informative'],
      ['typing', 'streaming'], // refused
      ['message', null],
    ]);
    assert.equal(sent.at(-1)!.text, 'Hello world');
    assert.equal(id, idOf.get(sent.at(-1)!), 'the id of the plain message');
  });

  it('when Teams gives the informative update no id, streams nothing and sends the answer as one plain message', async () => {
    const { context, sent } = turn({ noIds: true });
    const stream = new TeamsStream(context, silentLogger);
    await stream.informative('Searching the docs…');
    stream.append('Hello');
    await settle();
    await stream.finish({ type: 'message', text: 'Hello' });
    assert.deepEqual(sent.map((a) => [a.type, info(a)?.streamType ?? null]), [
      ['typing', 'informative'],
      ['message', null],
    ]);
  });
});
