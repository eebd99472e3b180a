// A schema of its own for each PostgreSQL test, on the local server (TEST_DATABASE_URL to use
// another), dropped at the end; databases opened on it are closed with it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresDatabase, type PostgresOptions } from '../../src/catalogue/postgres-database.js';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  name: string;
  /** A new pool on the schema: one per simulated replica. */
  open(options?: Partial<PostgresOptions>): PostgresDatabase;
  /** Statements as the administrator, outside the schema's pools (to inspect or to break things). */
  admin: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestSchema(): Promise<TestSchema> {
  const name = `groundwork_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: testDatabaseUrl, max: 2 });
  await admin.query(`CREATE SCHEMA ${name}`);
  const opened: PostgresDatabase[] = [];
  return {
    name,
    admin,
    open(options = {}) {
      const db = new PostgresDatabase({ url: testDatabaseUrl, poolMax: 4, schema: name, ...options });
      opened.push(db);
      return db;
    },
    async drop() {
      await Promise.all(opened.map((db) => db.close().catch(() => {})));
      await admin.query(`DROP SCHEMA ${name} CASCADE`);
      await admin.end();
    },
  };
}

/** A clock tests move by hand. */
export function manualClock(start = new Date('2025-03-01T09:00:00Z')): { now: () => Date; advance(ms: number): void } {
  let time = start.getTime();
  return { now: () => new Date(time), advance: (ms) => void (time += ms) };
}
