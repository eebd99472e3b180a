// The PostgreSQL schema of what replicas share: one list of migrations, each applied once and
// recorded in schema_migrations. Replicas that start together migrate one after the other.
import { IndexUnavailableError } from '../errors.js';
import type { Queryable } from './postgres-database.js';

// Each entry moves the schema one version up (version = position + 1). Never edit a released one.
export const postgresMigrations: string[] = [
  // The catalogue: as in groundwork.db (see sqlite-schema.ts), with native types. `seq` orders rows
  // written in the same millisecond, as SQLite's rowid does.
  `CREATE TABLE sources (
     name text PRIMARY KEY,
     kind text NOT NULL,
     location text NOT NULL,
     last_sync_at timestamptz,
     last_report jsonb
   );
   CREATE TABLE documents (
     id text PRIMARY KEY,
     source text NOT NULL,
     path text NOT NULL,
     content_hash text NOT NULL,
     version integer NOT NULL,
     needs_embedding boolean NOT NULL DEFAULT false
   );
   CREATE INDEX documents_by_source ON documents (source);
   CREATE TABLE sync_runs (
     id text PRIMARY KEY,
     seq bigint GENERATED ALWAYS AS IDENTITY,
     requested_by text NOT NULL,
     sources jsonb NOT NULL,
     started_at timestamptz NOT NULL,
     finished_at timestamptz,
     status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
     reports jsonb NOT NULL DEFAULT '[]'
   );
   CREATE INDEX sync_runs_by_start ON sync_runs (started_at DESC, seq DESC);
   -- At most one row: the lease on syncing, the run holding it, and when its holder last proved alive.
   CREATE TABLE sync_lock (
     id integer PRIMARY KEY CHECK (id = 1),
     run_id text NOT NULL,
     pid integer NOT NULL,
     host text NOT NULL,
     heartbeat_at timestamptz NOT NULL
   );
   CREATE TABLE answers (
     message_id text PRIMARY KEY,
     seq bigint GENERATED ALWAYS AS IDENTITY,
     platform text NOT NULL,
     conversation_id text NOT NULL,
     question text NOT NULL,
     answer text NOT NULL,
     cited_document_ids jsonb NOT NULL,
     given_at timestamptz NOT NULL
   );
   CREATE INDEX answers_by_time ON answers (given_at DESC);
   CREATE INDEX answers_by_conversation ON answers (conversation_id, given_at DESC, seq DESC);
   CREATE TABLE feedback (
     message_id text NOT NULL REFERENCES answers (message_id) ON DELETE CASCADE,
     user_id text NOT NULL,
     reaction text NOT NULL CHECK (reaction IN ('like', 'dislike')),
     comment text,
     given_at timestamptz NOT NULL,
     PRIMARY KEY (message_id, user_id)
   );
   CREATE INDEX feedback_by_time ON feedback (given_at DESC);`,
  // What the chat channels share: deliveries already claimed, and each conversation's last turns.
  `CREATE TABLE seen_messages (
     id text PRIMARY KEY,
     expires_at timestamptz NOT NULL
   );
   CREATE INDEX seen_messages_by_expiry ON seen_messages (expires_at);
   CREATE SEQUENCE conversation_touches;
   CREATE TABLE conversation_memory (
     conversation text PRIMARY KEY,
     turns jsonb NOT NULL,
     updated_at timestamptz NOT NULL,
     -- Order of the last remember, for dropping the least recently used beyond the limit.
     touched bigint NOT NULL DEFAULT nextval('conversation_touches')
   );
   CREATE INDEX conversation_memory_by_update ON conversation_memory (updated_at);
   CREATE INDEX conversation_memory_by_touch ON conversation_memory (touched);`,
  // Term statistics for a passage index that cannot count terms itself (Qdrant), as in
  // groundwork.db: per document version, summed per term, and each version's size.
  `CREATE TABLE term_versions (
     document_id text NOT NULL,
     version integer NOT NULL,
     term text NOT NULL,
     chunks integer NOT NULL,
     PRIMARY KEY (document_id, version, term)
   );
   CREATE TABLE term_frequencies (term text COLLATE "C" PRIMARY KEY, chunks integer NOT NULL);
   CREATE TABLE version_sizes (
     document_id text NOT NULL,
     version integer NOT NULL,
     chunks integer NOT NULL,
     tokens bigint NOT NULL,
     PRIMARY KEY (document_id, version)
   );`,
];

/** The schema version this code writes. */
export const postgresSchemaVersion = postgresMigrations.length;

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings the schema (the connection's search_path) to the latest version in one transaction;
 * a no-op when it is there already; refuses a schema newer than this code.
 */
export async function migratePostgres(client: Queryable, target: string): Promise<MigrationResult> {
  await client.query('BEGIN');
  try {
    // Serialises replicas migrating the same schema; released with the transaction.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('groundwork schema_migrations ' || current_schema()))");
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
       version integer PRIMARY KEY,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`);
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const from = rows[0]?.version ?? 0;
    if (from > postgresSchemaVersion) {
      throw new IndexUnavailableError(
        `The PostgreSQL database at ${target} has schema version ${from}, newer than this version of Groundwork understands (${postgresSchemaVersion}): upgrade Groundwork.`,
      );
    }
    for (let version = from + 1; version <= postgresSchemaVersion; version++) {
      await client.query(postgresMigrations[version - 1]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
    }
    await client.query('COMMIT');
    return { from, to: postgresSchemaVersion };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
