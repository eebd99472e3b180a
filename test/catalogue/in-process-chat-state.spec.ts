import sinon from 'sinon';
import { InProcessConversationMemory } from '../../src/conversation/conversation-memory.js';
import { InProcessSeenMessages } from '../../src/conversation/seen-messages.js';
import { describeConversationMemory, describeSeenMessages } from './chat-state-contract.js';

// The in-process stores expire entries by performance.now() (lru-cache), whose value is cached for
// a moment by a timer: both are driven by one fake clock.
function fakeClock(): { advance(ms: number): void; restore(): void } {
  const clock = sinon.useFakeTimers({ now: new Date('2025-03-01T09:00:00Z'), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  const now = sinon.stub(performance, 'now').callsFake(() => clock.now);
  return { advance: (ms) => void clock.tick(ms), restore: () => (now.restore(), clock.restore()) };
}

describeSeenMessages('InProcessSeenMessages', async ({ ttlMs }) => {
  const clock = fakeClock();
  return { store: new InProcessSeenMessages({ ttlMs }), advance: clock.advance, close: async () => clock.restore() };
});

describeConversationMemory('InProcessConversationMemory', async (options) => {
  const clock = fakeClock();
  return { store: new InProcessConversationMemory(options), advance: clock.advance, close: async () => clock.restore() };
});
