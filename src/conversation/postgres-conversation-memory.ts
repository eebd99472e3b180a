// The last turns of each conversation, shared by replicas (a follow-up may reach another one):
// the same limits as InProcessConversationMemory, in conversations, turns and quiet time.
import type { PostgresDatabase } from '../catalogue/postgres-database.js';
import type { ConversationMemory, ConversationMemoryOptions, Turn } from './conversation-memory.js';

export class PostgresConversationMemory implements ConversationMemory {
  private readonly maxConversations: number;
  private readonly maxTurns: number;
  private readonly ttlMs: number;

  constructor(
    private readonly db: PostgresDatabase,
    { maxConversations = 5000, maxExchanges = 3, ttlMs = 30 * 60_000 }: ConversationMemoryOptions = {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.maxConversations = maxConversations;
    this.maxTurns = maxExchanges * 2;
    this.ttlMs = ttlMs;
  }

  async history(conversation: string): Promise<Turn[]> {
    const { rows } = await this.db.query<{ turns: Turn[] }>('SELECT turns FROM conversation_memory WHERE conversation = $1 AND updated_at > $2', [
      conversation,
      this.quietSince(),
    ]);
    return rows[0]?.turns ?? [];
  }

  async remember(conversation: string, question: string, answer: string): Promise<void> {
    const exchange: Turn[] = [
      { role: 'user', text: question },
      { role: 'assistant', text: answer },
    ];
    const quietSince = this.quietSince();
    // Appends in one statement, so that two replicas remembering at once both keep their exchange;
    // a conversation quiet for the TTL starts afresh; only the last maxTurns are kept.
    await this.db.query(
      `INSERT INTO conversation_memory (conversation, turns, updated_at) VALUES ($1, (
         SELECT coalesce(jsonb_agg(turn ORDER BY n), '[]'::jsonb) FROM (
           SELECT turn, n FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(turn, n) ORDER BY n DESC LIMIT $5) kept), $3)
       ON CONFLICT (conversation) DO UPDATE SET
         turns = (SELECT coalesce(jsonb_agg(turn ORDER BY n), '[]'::jsonb) FROM (
           SELECT turn, n FROM jsonb_array_elements(
             CASE WHEN conversation_memory.updated_at > $4 THEN conversation_memory.turns ELSE '[]'::jsonb END || excluded.turns
           ) WITH ORDINALITY AS t(turn, n) ORDER BY n DESC LIMIT $5) kept),
         updated_at = excluded.updated_at,
         touched = nextval('conversation_touches')`,
      [conversation, JSON.stringify(exchange), this.clock(), quietSince, this.maxTurns],
    );
    // Quiet conversations and the least recently remembered beyond the limit; both by index.
    await this.db.query(
      `DELETE FROM conversation_memory WHERE updated_at <= $1
         OR touched <= (SELECT touched FROM conversation_memory ORDER BY touched DESC OFFSET $2 LIMIT 1)`,
      [quietSince, this.maxConversations],
    );
  }

  private quietSince(): Date {
    return new Date(this.clock().getTime() - this.ttlMs);
  }
}
