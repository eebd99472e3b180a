// The last few turns of each chat conversation, so that a follow-up ("and for contractors?") can be
// understood. Bounded in conversations and turns, and forgotten after a quiet while.
import { LRUCache } from 'lru-cache';
import type { Question } from '../domain.js';

export type Turn = Question['history'][number];

/** Where conversations are remembered: this process by default, a store shared by replicas later. */
export interface ConversationMemory {
  history(conversation: string): Promise<Turn[]>;
  remember(conversation: string, question: string, answer: string): Promise<void>;
}

export interface ConversationMemoryOptions {
  maxConversations?: number;
  /** Question-and-answer pairs kept per conversation. */
  maxExchanges?: number;
  /** A conversation quiet for this long starts afresh. */
  ttlMs?: number;
}

export class InProcessConversationMemory implements ConversationMemory {
  private readonly conversations: LRUCache<string, Turn[]>;
  private readonly maxTurns: number;

  constructor({ maxConversations = 5000, maxExchanges = 3, ttlMs = 30 * 60_000 }: ConversationMemoryOptions = {}) {
    this.conversations = new LRUCache({ max: maxConversations, ttl: ttlMs });
    this.maxTurns = maxExchanges * 2;
  }

  async history(conversation: string): Promise<Turn[]> {
    return [...(this.conversations.get(conversation) ?? [])];
  }

  async remember(conversation: string, question: string, answer: string): Promise<void> {
    const turns = [...(this.conversations.get(conversation) ?? []), { role: 'user' as const, text: question }, { role: 'assistant' as const, text: answer }];
    this.conversations.set(conversation, turns.slice(-this.maxTurns));
  }
}
