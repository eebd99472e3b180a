// Teams re-sends an activity it thinks was not answered, and Slack retries an event (at once, after
// 1 and after 5 minutes): the first to claim a delivery's id answers it, every later claim is refused.
import { LRUCache } from 'lru-cache';

/** Deliveries already taken: this process by default, a store shared by replicas later. */
export interface SeenMessages {
  /** True for the first claim of an id (within the store's memory), false for every later one. */
  claim(id: string): Promise<boolean>;
}

export class InProcessSeenMessages implements SeenMessages {
  private readonly seen: LRUCache<string, true>;

  constructor({ max = 20_000, ttlMs = 15 * 60_000 }: { max?: number; ttlMs?: number } = {}) {
    this.seen = new LRUCache({ max, ttl: ttlMs });
  }

  async claim(id: string): Promise<boolean> {
    if (this.seen.has(id)) return false;
    this.seen.set(id, true);
    return true;
  }
}
