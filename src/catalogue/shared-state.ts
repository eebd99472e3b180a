// What replicas share when DATABASE_URL is set: the catalogue (with the sync lock), the deliveries
// already claimed, the conversations' last turns and the term statistics, all over one pool.
import type { Config } from '../config.js';
import type { ConversationMemory } from '../conversation/conversation-memory.js';
import { PostgresConversationMemory } from '../conversation/postgres-conversation-memory.js';
import { PostgresSeenMessages } from '../conversation/postgres-seen-messages.js';
import type { SeenMessages } from '../conversation/seen-messages.js';
import type { Catalogue } from '../index/catalogue.js';
import type { TermStatisticsStore } from '../index/term-statistics.js';
import type { Logger } from '../logger.js';
import { PostgresCatalogue } from './postgres-catalogue.js';
import { PostgresDatabase } from './postgres-database.js';
import type { MigrationResult } from './postgres-migrations.js';
import { PostgresTermStatistics } from './postgres-term-statistics.js';

export interface SharedState {
  catalogue: Catalogue;
  seen: SeenMessages;
  memory: ConversationMemory;
  /** Term counts for a passage index that cannot count them (Qdrant), shared by every replica. */
  termStatistics: TermStatisticsStore;
  /** host:port/database, for messages (never the URL: it may hold the password). */
  target: string;
  /** Migrates the schema (once per process). */
  migrate(): Promise<MigrationResult>;
  /** Migrated and answering now: for start-up and /readyz. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** Connects nothing yet: the pool opens connections, and migrates, on first use. */
export function createSharedState(database: NonNullable<Config['database']>, logger: Logger): SharedState {
  const db = new PostgresDatabase({
    url: database.url,
    poolMax: database.poolMax,
    onIdleError: (error) => logger.warn({ database: db.target, reason: error.message }, 'a database connection was dropped; the next request opens another'),
  });
  return {
    catalogue: new PostgresCatalogue(db),
    seen: new PostgresSeenMessages(db),
    memory: new PostgresConversationMemory(db),
    termStatistics: new PostgresTermStatistics(db),
    target: db.target,
    migrate: () => db.ready(),
    check: () => db.ping(),
    close: () => db.close(),
  };
}
