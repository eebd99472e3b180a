// What every SeenMessages and ConversationMemory does, checked through the interfaces alone:
// each implementation registers these cases with a factory that opens a fresh store and a clock
// the test moves.
import assert from 'node:assert/strict';
import type { ConversationMemory, ConversationMemoryOptions } from '../../src/conversation/conversation-memory.js';
import type { SeenMessages } from '../../src/conversation/seen-messages.js';

export interface StoreUnderTest<Store> {
  store: Store;
  advance(ms: number): void;
  close(): Promise<void>;
}

export function describeSeenMessages(name: string, open: (options: { ttlMs: number }) => Promise<StoreUnderTest<SeenMessages>>): void {
  describe(`${name} (SeenMessages contract)`, () => {
    let subject: StoreUnderTest<SeenMessages>;
    beforeEach(async () => {
      subject = await open({ ttlMs: 60_000 });
    });
    afterEach(() => subject.close());

    it('lets the first claimer of an id answer, of any number claiming at once', async () => {
      const claims = await Promise.all(Array.from({ length: 5 }, () => subject.store.claim('slack:Ev1')));
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal(await subject.store.claim('slack:Ev2'), true);
      assert.equal(await subject.store.claim('slack:Ev1'), false);
    });

    it('refuses a repeated id until its claim expires, then lets it be claimed once more', async () => {
      assert.equal(await subject.store.claim('teams:a1'), true);
      subject.advance(59_000);
      assert.equal(await subject.store.claim('teams:a1'), false);
      subject.advance(2_000);
      assert.equal(await subject.store.claim('teams:a1'), true);
      assert.equal(await subject.store.claim('teams:a1'), false);
    });
  });
}

export function describeConversationMemory(
  name: string,
  open: (options: Required<ConversationMemoryOptions>) => Promise<StoreUnderTest<ConversationMemory>>,
): void {
  describe(`${name} (ConversationMemory contract)`, () => {
    let subject: StoreUnderTest<ConversationMemory>;
    beforeEach(async () => {
      subject = await open({ maxConversations: 3, maxExchanges: 2, ttlMs: 30 * 60_000 });
    });
    afterEach(() => subject.close());

    it('remembers exchanges in order, per conversation', async () => {
      await subject.store.remember('slack:C1', 'How many days of leave?', 'Twenty-eight.');
      await subject.store.remember('slack:C2', 'VPN?', 'WireGuard.');
      await subject.store.remember('slack:C1', 'And for contractors?', 'Twenty.');
      assert.deepEqual(await subject.store.history('slack:C1'), [
        { role: 'user', text: 'How many days of leave?' },
        { role: 'assistant', text: 'Twenty-eight.' },
        { role: 'user', text: 'And for contractors?' },
        { role: 'assistant', text: 'Twenty.' },
      ]);
      assert.deepEqual(await subject.store.history('slack:C2'), [
        { role: 'user', text: 'VPN?' },
        { role: 'assistant', text: 'WireGuard.' },
      ]);
      assert.deepEqual(await subject.store.history('slack:unknown'), []);
    });

    it('keeps only the last exchanges of a conversation', async () => {
      for (const n of [1, 2, 3]) await subject.store.remember('c', `q${n}`, `a${n}`);
      assert.deepEqual((await subject.store.history('c')).map((turn) => turn.text), ['q2', 'a2', 'q3', 'a3']);
    });

    it('starts afresh after a quiet while, counted from the last exchange', async () => {
      await subject.store.remember('c', 'q1', 'a1');
      subject.advance(20 * 60_000);
      await subject.store.remember('c', 'q2', 'a2');
      subject.advance(20 * 60_000);
      assert.deepEqual((await subject.store.history('c')).map((turn) => turn.text), ['q1', 'a1', 'q2', 'a2']);
      subject.advance(11 * 60_000);
      assert.deepEqual(await subject.store.history('c'), []);
      await subject.store.remember('c', 'q3', 'a3');
      assert.deepEqual((await subject.store.history('c')).map((turn) => turn.text), ['q3', 'a3']);
    });

    it('forgets the least recently remembered conversations beyond its limit', async () => {
      for (const id of ['a', 'b', 'c']) await subject.store.remember(id, `q-${id}`, 'ok');
      await subject.store.remember('a', 'again', 'ok');
      await subject.store.remember('d', 'q-d', 'ok');
      assert.deepEqual(await subject.store.history('b'), [], 'least recently remembered');
      for (const id of ['a', 'c', 'd']) assert.notDeepEqual(await subject.store.history(id), [], id);
    });

    it('hands out a copy: changing what history returned changes nothing stored', async () => {
      await subject.store.remember('c', 'q1', 'a1');
      (await subject.store.history('c')).push({ role: 'user', text: 'injected' });
      assert.equal((await subject.store.history('c')).length, 2);
    });
  });
}
