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

let reachable: Promise<boolean> | null = null;

/**
 * A `before` hook: skips the tests when no PostgreSQL answers at the test URL (a machine set up
 * without one), loudly; CI sets GROUNDWORK_REQUIRE_POSTGRES=1, and there it fails instead.
 */
export async function skipWithoutPostgres(this: Mocha.Context): Promise<void> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  if (await reachable) return;
  const where = testDatabaseUrl.replace(/\/\/[^@/]*@/, '//');
  if (process.env.GROUNDWORK_REQUIRE_POSTGRES) throw new Error(`PostgreSQL does not answer at ${where} (GROUNDWORK_REQUIRE_POSTGRES is set)`);
  console.log(`    (skipped: PostgreSQL does not answer at ${where}; set TEST_DATABASE_URL to use another)`);
  this.skip();
}
