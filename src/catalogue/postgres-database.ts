// One pg.Pool to the PostgreSQL database that replicas share (DATABASE_URL): the catalogue, the
// sync lock, de-duplication and conversation memory. Failures are explained with the server's
// host, port and database, never with the URL (it may carry the password). The schema is brought
// up to date before the first statement runs.
import pg from 'pg';
import { IndexUnavailableError } from '../errors.js';
import { migratePostgres, type MigrationResult } from './postgres-migrations.js';

export interface PostgresOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections this process opens at most. */
  poolMax: number;
  /** Tables live in this schema instead of the URL's default (tests: one schema each). */
  schema?: string;
  connectionTimeoutMs?: number;
  /** How the connections show in pg_stat_activity. */
  applicationName?: string;
  /** An idle connection that fails (the server restarted, the connection was killed): it is dropped, and this is told. */
  onIdleError?: (error: Error) => void;
}

/** A query runner: the pool, or one client inside a transaction. */
export interface Queryable {
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
}

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/** host:port/database of a connection URL, without user or password. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
  } catch {
    return 'the DATABASE_URL server';
  }
}

// Errors of the connection or the server's availability, as opposed to a bug in a statement.
const unavailableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? '';
  // SQLSTATE classes 08 (connection), 28 (authorization), 3D (no such database), 57P (shutdown, terminated), 53 (resources).
  return unavailableCodes.has(code) || /^(08|28|3D|57P|53)/.test(code) || /Connection terminated|timeout exceeded when trying to connect/i.test(message);
}

/** A failure to reach or use the database as an IndexUnavailableError naming the server (never the password). */
export function explainPostgresError(target: string, error: unknown): unknown {
  if (error instanceof IndexUnavailableError || !isUnavailable(error)) return error;
  const reason = ((error as Error).message || (error as { code?: string }).code || 'unknown error').split('\n', 1)[0];
  return new IndexUnavailableError(`The PostgreSQL database at ${target} (DATABASE_URL) cannot be used: ${reason}`, error);
}

export class PostgresDatabase implements Queryable {
  readonly target: string;
  private readonly pool: pg.Pool;
  private migrated: Promise<MigrationResult> | null = null;
  private closed: Promise<void> | null = null;

  constructor(options: PostgresOptions) {
    if (options.schema !== undefined && !schemaName.test(options.schema)) throw new TypeError(`not a plain schema name: ${options.schema}`);
    this.target = describeTarget(options.url);
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: options.applicationName ?? 'groundwork',
      // The schema name is checked above: it cannot be a parameter of the startup packet's options.
      ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // Without a listener, an idle connection's error would end the process.
    this.pool.on('error', (error) => options.onIdleError?.(error));
  }

  /**
   * Brings the schema up to date once per process (again after a failure): every query waits for
   * it. Refuses a schema newer than this code.
   */
  ready(): Promise<MigrationResult> {
    if (!this.migrated) {
      this.migrated = this.withClient((client) => migratePostgres(client, this.target));
      this.migrated.catch(() => (this.migrated = null));
    }
    return this.migrated;
  }

  async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<Row>> {
    await this.ready();
    try {
      return await this.pool.query<Row>(sql, values);
    } catch (error) {
      throw explainPostgresError(this.target, error);
    }
  }

  /** Runs work in one transaction on one connection; rolled back when it throws. */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    await this.ready();
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  /** Proves the database answers now (readiness), migrating first if that has not happened yet. */
  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /** Ends the pool once, however often it is asked. */
  close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw explainPostgresError(this.target, error);
    }
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      if (isUnavailable(error)) broken = error as Error;
      throw explainPostgresError(this.target, error);
    } finally {
      // A connection that failed is not given back to the pool.
      client.release(broken);
    }
  }
}
