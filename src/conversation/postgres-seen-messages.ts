// Deliveries already taken, shared by replicas: Slack or Teams may retry an event at another
// replica, and only the first claim of its id, whichever replica makes it, may answer it.
import type { PostgresDatabase } from '../catalogue/postgres-database.js';
import type { SeenMessages } from './seen-messages.js';

export interface PostgresSeenMessagesOptions {
  /** How long a claim is remembered (as InProcessSeenMessages: 15 minutes). */
  ttlMs?: number;
  /** Expired claims are deleted once every this many claims of this process. */
  sweepEvery?: number;
  clock?: () => Date;
}

export class PostgresSeenMessages implements SeenMessages {
  private readonly ttlMs: number;
  private readonly sweepEvery: number;
  private readonly clock: () => Date;
  private claims = 0;

  constructor(
    private readonly db: PostgresDatabase,
    { ttlMs = 15 * 60_000, sweepEvery = 100, clock = () => new Date() }: PostgresSeenMessagesOptions = {},
  ) {
    this.ttlMs = ttlMs;
    this.sweepEvery = sweepEvery;
    this.clock = clock;
  }

  async claim(id: string): Promise<boolean> {
    const now = this.clock();
    if (++this.claims % this.sweepEvery === 0) await this.sweep(now);
    // One statement: the primary key decides between claimers at once; an expired claim is taken anew.
    const { rowCount } = await this.db.query(
      `INSERT INTO seen_messages (id, expires_at) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_messages.expires_at <= $3`,
      [id, new Date(now.getTime() + this.ttlMs), now],
    );
    return rowCount === 1;
  }

  /** Deletes expired claims (an index range: each row is deleted once, so the cost is spread over the claims). */
  async sweep(now = this.clock()): Promise<void> {
    await this.db.query('DELETE FROM seen_messages WHERE expires_at <= $1', [now]);
  }
}
