import assert from 'node:assert/strict';
import { PostgresConversationMemory } from '../../src/conversation/postgres-conversation-memory.js';
import { PostgresSeenMessages } from '../../src/conversation/postgres-seen-messages.js';
import { describeConversationMemory, describeSeenMessages } from '../catalogue/chat-state-contract.js';
import { createTestSchema, manualClock, skipWithoutPostgres, type TestSchema } from '../catalogue/postgres-test-schema.js';

describe('on PostgreSQL', function () {
  before(skipWithoutPostgres);

  describeSeenMessages('PostgresSeenMessages', async ({ ttlMs }) => {
    const schema = await createTestSchema();
    const clock = manualClock();
    return { store: new PostgresSeenMessages(schema.open(), { ttlMs, clock: clock.now }), advance: clock.advance, close: () => schema.drop() };
  });

  describeConversationMemory('PostgresConversationMemory', async (options) => {
    const schema = await createTestSchema();
    const clock = manualClock();
    return { store: new PostgresConversationMemory(schema.open(), options, clock.now), advance: clock.advance, close: () => schema.drop() };
  });
});

describe('shared chat state in PostgreSQL, between replicas', () => {
  before(skipWithoutPostgres);
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(() => schema.drop());

  it('of two replicas claiming the same delivery at once, exactly one wins, 50 times out of 50', async () => {
    const [first, second] = [schema.open(), schema.open()];
    await Promise.all([first.ready(), second.ready()]); // both pools connected and the schema in place: the claims race
    const [a, b] = [new PostgresSeenMessages(first), new PostgresSeenMessages(second)];
    const ids = Array.from({ length: 50 }, (_, n) => `slack:Ev${n}`);
    // Each id claimed by both replicas at once, the order of asking alternating.
    const claims = await Promise.all(ids.map((id, n) => (n % 2 === 0 ? Promise.all([a.claim(id), b.claim(id)]) : Promise.all([b.claim(id), a.claim(id)]))));
    for (const [n, pair] of claims.entries()) assert.equal(pair.filter(Boolean).length, 1, `${ids[n]}: ${pair}`);
  });

  it('deletes expired claims as it goes, so that the table stays as small as the last quarter hour', async () => {
    const clock = manualClock();
    const seen = new PostgresSeenMessages(schema.open(), { ttlMs: 60_000, sweepEvery: 10, clock: clock.now });
    for (let n = 0; n < 9; n++) await seen.claim(`old-${n}`);
    clock.advance(61_000);
    await seen.claim('new-0');
    const { rows } = await schema.admin.query(`SELECT id FROM ${schema.name}.seen_messages ORDER BY id`);
    assert.deepEqual(rows.map((row) => row.id), ['new-0']);
  });

  it('a follow-up answered by another replica sees the exchange the first one remembered, and both replicas\' exchanges are kept', async () => {
    const [a, b] = [new PostgresConversationMemory(schema.open()), new PostgresConversationMemory(schema.open())];
    await a.remember('teams:c1', 'How many days of leave?', 'Twenty-eight.');
    assert.deepEqual((await b.history('teams:c1')).map((turn) => turn.text), ['How many days of leave?', 'Twenty-eight.']);
    await Promise.all([a.remember('teams:c2', 'qa', 'aa'), b.remember('teams:c2', 'qb', 'ab')]);
    assert.deepEqual((await a.history('teams:c2')).map((turn) => turn.text).sort(), ['aa', 'ab', 'qa', 'qb']);
  });
});
