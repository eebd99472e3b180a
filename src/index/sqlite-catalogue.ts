// The catalogue in groundwork.db: documents (source, path, content hash, current version,
// whether they need embedding), sources and their last sync, sync runs and the lock, given
// answers and their feedback.
import type { SourceStatus, SyncReport, SyncRun } from '../domain.js';
import type { Catalogue, CataloguedDocument, Feedback, GivenAnswer, LockHolder } from './catalogue.js';
import type { SqliteConnection } from './sqlite-connection.js';

// Answers kept for feedback: the newest ones (older answers without feedback are dropped).
const keptAnswers = 20_000;

// Finished runs kept for `groundwork status` and GET /admin/sync/:id.
const keptRuns = 50;

export class SqliteCatalogue implements Catalogue {
  constructor(private readonly connection: SqliteConnection) {}

  async documentsOf(source: string): Promise<Map<string, CataloguedDocument>> {
    const rows = this.connection.run(
      () =>
        this.connection.statement('SELECT id, content_hash, version, needs_embedding FROM documents WHERE source = ?').all(source) as Array<{
          id: string;
          content_hash: string;
          version: number;
          needs_embedding: number;
        }>,
    );
    return new Map(rows.map((row) => [row.id, { contentHash: row.content_hash, version: row.version, needsEmbedding: row.needs_embedding === 1 }]));
  }

  async currentVersions(documentIds: string[]): Promise<Map<string, number>> {
    const rows = this.connection.run(
      () =>
        this.connection.statement('SELECT id, version FROM documents WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(documentIds)) as Array<{
          id: string;
          version: number;
        }>,
    );
    return new Map(rows.map((row) => [row.id, row.version]));
  }

  async commitVersion(document: { id: string; source: string; path: string; contentHash: string }, version: number, needsEmbedding: boolean): Promise<void> {
    this.connection.run(() =>
      this.connection
        .statement(
          `INSERT INTO documents (id, source, path, content_hash, version, needs_embedding) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET source = excluded.source, path = excluded.path, content_hash = excluded.content_hash,
             version = excluded.version, needs_embedding = excluded.needs_embedding`,
        )
        .run(document.id, document.source, document.path, document.contentHash, version, needsEmbedding ? 1 : 0),
    );
  }

  async forgetDocuments(ids: string[]): Promise<void> {
    this.connection.run(() => this.connection.statement('DELETE FROM documents WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids)));
  }

  async markAllNeedEmbedding(): Promise<void> {
    this.connection.run(() => this.connection.statement('UPDATE documents SET needs_embedding = 1 WHERE needs_embedding = 0').run());
  }

  async recordSync(source: { name: string; kind: string; location: string }, report: SyncReport, at: Date): Promise<void> {
    this.connection.run(() =>
      this.connection.db
        .prepare(
          `INSERT INTO sources (name, kind, location, last_sync_at, last_report) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
             last_sync_at = excluded.last_sync_at, last_report = excluded.last_report`,
        )
        .run(source.name, source.kind, source.location, at.toISOString(), JSON.stringify(report)),
    );
  }

  async sourceStatuses(): Promise<SourceStatus[]> {
    const rows = this.connection.run(
      () =>
        this.connection.db
          .prepare(
            `SELECT s.name, s.kind, s.location, s.last_sync_at,
               (SELECT count(*) FROM documents d WHERE d.source = s.name) AS documents
             FROM sources s ORDER BY s.name`,
          )
          .all() as Array<{ name: string; kind: string; location: string; last_sync_at: string | null; documents: number }>,
    );
    return rows.map((row) => ({
      name: row.name,
      kind: row.kind,
      location: row.location,
      documents: row.documents,
      lastSyncAt: row.last_sync_at ? new Date(row.last_sync_at) : null,
    }));
  }

  async beginRun(
    run: Pick<SyncRun, 'id' | 'requestedBy' | 'sources'>,
    holder: LockHolder,
    isAlive: (holder: LockHolder & { heartbeatAt: Date }) => boolean,
  ): Promise<SyncRun | null> {
    return this.connection.run(() =>
      this.connection.db.transaction((): SyncRun | null => {
        const lock = this.connection.statement('SELECT run_id, pid, host, heartbeat_at FROM sync_lock WHERE id = 1').get() as
          | { run_id: string; pid: number; host: string; heartbeat_at: string }
          | undefined;
        if (lock) {
          const current = this.connection.statement('SELECT * FROM sync_runs WHERE id = ?').get(lock.run_id) as RunRow | undefined;
          if (current && isAlive({ pid: lock.pid, host: lock.host, heartbeatAt: new Date(lock.heartbeat_at) })) return toRun(current);
          // The holder died: its run is over, and the lock is free.
          this.connection.db
            .prepare("UPDATE sync_runs SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'running'")
            .run(new Date().toISOString(), lock.run_id);
        }
        const now = new Date().toISOString();
        this.connection.db
          .prepare('INSERT OR REPLACE INTO sync_lock (id, run_id, pid, host, heartbeat_at) VALUES (1, ?, ?, ?, ?)')
          .run(run.id, holder.pid, holder.host, now);
        this.connection.db
          .prepare("INSERT INTO sync_runs (id, requested_by, sources, started_at, status) VALUES (?, ?, ?, ?, 'running')")
          .run(run.id, run.requestedBy, JSON.stringify(run.sources), now);
        return null;
      }).immediate(),
    );
  }

  async heartbeat(runId: string): Promise<void> {
    this.connection.run(() => this.connection.statement('UPDATE sync_lock SET heartbeat_at = ? WHERE run_id = ?').run(new Date().toISOString(), runId));
  }

  async finishRun(runId: string, status: 'succeeded' | 'failed', reports: SyncReport[]): Promise<void> {
    this.connection.run(() =>
      this.connection.db.transaction(() => {
        this.connection.db
          .prepare('UPDATE sync_runs SET status = ?, finished_at = ?, reports = ? WHERE id = ?')
          .run(status, new Date().toISOString(), JSON.stringify(reports), runId);
        this.connection.statement('DELETE FROM sync_lock WHERE run_id = ?').run(runId);
        this.connection.db
          .prepare(
            `DELETE FROM sync_runs WHERE status != 'running' AND id NOT IN
               (SELECT id FROM sync_runs ORDER BY started_at DESC LIMIT ${keptRuns})`,
          )
          .run();
      }).immediate(),
    );
  }

  async recordAnswer(answer: GivenAnswer): Promise<void> {
    this.connection.run(() =>
      this.connection.db.transaction(() => {
        this.connection.statement(
          `INSERT OR REPLACE INTO answers (message_id, platform, conversation_id, question, answer, cited_document_ids, given_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(answer.messageId, answer.platform, answer.conversationId, answer.question, answer.answer, JSON.stringify(answer.citedDocumentIds), new Date().toISOString());
        this.connection.statement(
          `DELETE FROM answers WHERE message_id NOT IN (SELECT message_id FROM feedback)
           AND given_at < (SELECT given_at FROM answers ORDER BY given_at DESC LIMIT 1 OFFSET ${keptAnswers})`,
        ).run();
      }).immediate(),
    );
  }

  async recordFeedback(feedback: Omit<Feedback, 'messageId'> & { messageId: string | null }): Promise<boolean> {
    return this.connection.run(() => {
      const messageId = (
        feedback.messageId
          ? this.connection.statement('SELECT message_id FROM answers WHERE message_id = ?').pluck().get(feedback.messageId)
          : this.connection.statement('SELECT message_id FROM answers WHERE conversation_id = ? ORDER BY given_at DESC, rowid DESC LIMIT 1').pluck().get(feedback.conversationId)
      ) as string | undefined;
      if (!messageId) return false;
      this.connection.statement('INSERT OR REPLACE INTO feedback (message_id, user_id, reaction, comment, given_at) VALUES (?, ?, ?, ?, ?)').run(
        messageId,
        feedback.userId,
        feedback.reaction,
        feedback.comment,
        new Date().toISOString(),
      );
      return true;
    });
  }

  async feedbackCounts(): Promise<{ like: number; dislike: number }> {
    const rows = this.connection.run(() => this.connection.statement('SELECT reaction, count(*) AS n FROM feedback GROUP BY reaction').all() as Array<{ reaction: string; n: number }>);
    return { like: rows.find((r) => r.reaction === 'like')?.n ?? 0, dislike: rows.find((r) => r.reaction === 'dislike')?.n ?? 0 };
  }

  async recentFeedback(limit: number): Promise<Array<Feedback & GivenAnswer & { at: Date }>> {
    const rows = this.connection.run(
      () =>
        this.connection.statement(
          `SELECT f.user_id, f.reaction, f.comment, f.given_at AS at, a.* FROM feedback f JOIN answers a ON a.message_id = f.message_id
           ORDER BY f.given_at DESC LIMIT ?`,
        ).all(limit) as Array<AnswerRow & { user_id: string; reaction: 'like' | 'dislike'; comment: string | null; at: string }>,
    );
    return rows.map((row) => ({
      messageId: row.message_id,
      platform: row.platform,
      conversationId: row.conversation_id,
      question: row.question,
      answer: row.answer,
      citedDocumentIds: JSON.parse(row.cited_document_ids) as string[],
      userId: row.user_id,
      reaction: row.reaction,
      comment: row.comment,
      at: new Date(row.at),
    }));
  }

  async getRun(id: string): Promise<SyncRun | null> {
    const row = this.connection.run(() => this.connection.statement('SELECT * FROM sync_runs WHERE id = ?').get(id) as RunRow | undefined);
    return row ? toRun(row) : null;
  }

  async recentRuns(limit: number): Promise<SyncRun[]> {
    const rows = this.connection.run(() => this.connection.statement('SELECT * FROM sync_runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as RunRow[]);
    return rows.map(toRun);
  }
}

interface AnswerRow {
  message_id: string;
  platform: string;
  conversation_id: string;
  question: string;
  answer: string;
  cited_document_ids: string;
}

interface RunRow {
  id: string;
  requested_by: string;
  sources: string;
  started_at: string;
  finished_at: string | null;
  status: SyncRun['status'];
  reports: string;
}

function toRun(row: RunRow): SyncRun {
  return {
    id: row.id,
    requestedBy: row.requested_by,
    sources: JSON.parse(row.sources) as string[],
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
    status: row.status,
    reports: JSON.parse(row.reports) as SyncReport[],
  };
}
