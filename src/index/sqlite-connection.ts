// One better-sqlite3 connection to groundwork.db, shared by the catalogue and the embedded passage
// index: prepared statements cached, SQLite failures explained with the file's name.
import type Database from 'better-sqlite3';
import { IndexUnavailableError, toGroundworkError } from '../errors.js';

export function explainOpenError(file: string, error: unknown): IndexUnavailableError {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new IndexUnavailableError(
      `The index file ${file} is not a valid SQLite database (corrupt or not an index). ` +
        'Nothing was changed: move it aside and run "groundwork sync" to rebuild it.',
      error,
    );
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new IndexUnavailableError(`The index file ${file} is locked by another process; try again when it has finished.`, error);
  }
  return new IndexUnavailableError(`The index file ${file} cannot be opened: ${toGroundworkError(error).message}`, error);
}

export class SqliteConnection {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Prepared once per connection: preparing on every call costs time and native memory. */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Forgets the prepared statements (after a table they use was dropped). */
  clearStatements(): void {
    this.statements.clear();
  }

  /** Runs work on the file; a SQLite failure becomes an IndexUnavailableError naming the file. */
  run<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_')) throw explainOpenError(this.file, error);
      throw error;
    }
  }

  /** Runs work in one immediate write transaction (a savepoint when one is already open). */
  write<T>(work: () => T): T {
    return this.run(() => this.db.transaction(work).immediate());
  }
}
