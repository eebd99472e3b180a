// groundwork.db: opens the file once and hands out the catalogue and the embedded passage index
// over the one connection, so that a document's replacement can still be one SQLite transaction.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { IndexUnavailableError } from '../errors.js';
import type { Atomically } from './passage-index.js';
import { explainOpenError, SqliteConnection } from './sqlite-connection.js';
import { SqliteCatalogue } from './sqlite-catalogue.js';
import { SqlitePassageIndex } from './sqlite-passage-index.js';
import { migrate } from './sqlite-schema.js';
import { SqliteTermStatistics } from './sqlite-term-statistics.js';

export interface SqliteStore {
  readonly file: string;
  readonly catalogue: SqliteCatalogue;
  readonly index: SqlitePassageIndex;
  /** Term statistics for a passage index that keeps none itself (QdrantIndex). */
  readonly termStatistics: SqliteTermStatistics;
  /**
   * One write transaction around the replacement protocol's steps (see PassageIndex). The steps
   * of both SQLite classes finish synchronously, so the unit holds no lock across real waits.
   */
  readonly atomically: Atomically;
  readonly schemaVersion: number;
  sizeBytes(): number;
  close(): void;
}

/** Opens (creating when absent) and migrates groundwork.db. */
export function openSqliteStore(file: string, options: { busyTimeoutMs?: number } = {}): SqliteStore {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    sqliteVec.load(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    const connection = new SqliteConnection(db, file);
    const index = new SqlitePassageIndex(connection);
    index.reanalyze();
    return storeOver(connection, index);
  } catch (error) {
    db?.close();
    if (error instanceof IndexUnavailableError) throw error;
    throw explainOpenError(file, error);
  }
}

function storeOver(connection: SqliteConnection, index: SqlitePassageIndex): SqliteStore {
  const { db, file } = connection;
  return {
    file,
    catalogue: new SqliteCatalogue(connection),
    index,
    termStatistics: new SqliteTermStatistics(connection),
    atomically: async (work) => {
      if (db.inTransaction) return work();
      connection.run(() => db.exec('BEGIN IMMEDIATE'));
      try {
        const result = await work();
        connection.run(() => db.exec('COMMIT'));
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    get schemaVersion() {
      return db.pragma('user_version', { simple: true }) as number;
    },
    sizeBytes() {
      const pages = db.pragma('page_count', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      return pages * pageSize;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
