import assert from 'node:assert/strict';
import { InProcessSeenMessages } from '../../src/conversation/seen-messages.js';

describe('InProcessSeenMessages', () => {
  it('lets the first claimer of an id answer, of any number claiming at once', async () => {
    const seen = new InProcessSeenMessages();
    const claims = await Promise.all(Array.from({ length: 5 }, () => seen.claim('slack:Ev1')));
    assert.deepEqual(claims, [true, false, false, false, false]);
    assert.equal(await seen.claim('slack:Ev2'), true);
  });

  it('forgets the oldest ids beyond its size, so that memory stays bounded', async () => {
    const seen = new InProcessSeenMessages({ max: 2 });
    for (const id of ['a', 'b', 'c']) await seen.claim(id);
    assert.equal(await seen.claim('a'), true, 'forgotten');
    assert.equal(await seen.claim('c'), false, 'still known');
  });
});
