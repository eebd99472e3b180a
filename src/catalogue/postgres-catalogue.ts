// The catalogue in PostgreSQL, shared by every replica: the same rows as the SQLite catalogue
// (documents, sources, sync runs and the lock, given answers and feedback).
//
// The sync lock is a lease row (sync_lock) with the holder's pid, host and heartbeat, as in
// SQLite: beginRun locks the table for the length of its transaction, so that replicas asking at
// once are served one after the other, and asks the caller whether the holder is alive (same
// host: its pid; another host: a heartbeat younger than the lease). A session advisory lock would
// free itself when its connection drops, but it would need a connection held for the whole sync,
// would be lost silently on a network blip while the sync goes on, and does not survive a
// transaction-pooling proxy; the lease keeps the contract the sync job already relies on.
import type { SourceStatus, SyncReport, SyncRun } from '../domain.js';
import type { Catalogue, CataloguedDocument, Feedback, GivenAnswer, LockHolder } from '../index/catalogue.js';
import type { PostgresDatabase } from './postgres-database.js';

// As in the SQLite catalogue: answers kept for feedback, and finished runs kept for status.
const keptAnswers = 20_000;
const keptRuns = 50;

export class PostgresCatalogue implements Catalogue {
  constructor(
    private readonly db: PostgresDatabase,
    /** The time written in rows (tests pass their own). */
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async documentsOf(source: string): Promise<Map<string, CataloguedDocument>> {
    const { rows } = await this.db.query<{ id: string; content_hash: string; version: number; needs_embedding: boolean }>(
      'SELECT id, content_hash, version, needs_embedding FROM documents WHERE source = $1',
      [source],
    );
    return new Map(rows.map((row) => [row.id, { contentHash: row.content_hash, version: row.version, needsEmbedding: row.needs_embedding }]));
  }

  async currentVersions(documentIds: string[]): Promise<Map<string, number>> {
    if (documentIds.length === 0) return new Map();
    const { rows } = await this.db.query<{ id: string; version: number }>('SELECT id, version FROM documents WHERE id = ANY($1::text[])', [documentIds]);
    return new Map(rows.map((row) => [row.id, row.version]));
  }

  async commitVersion(document: { id: string; source: string; path: string; contentHash: string }, version: number, needsEmbedding: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO documents (id, source, path, content_hash, version, needs_embedding) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET source = excluded.source, path = excluded.path, content_hash = excluded.content_hash,
         version = excluded.version, needs_embedding = excluded.needs_embedding`,
      [document.id, document.source, document.path, document.contentHash, version, needsEmbedding],
    );
  }

  async forgetDocuments(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('DELETE FROM documents WHERE id = ANY($1::text[])', [ids]);
  }

  async markAllNeedEmbedding(): Promise<void> {
    await this.db.query('UPDATE documents SET needs_embedding = true WHERE NOT needs_embedding');
  }

  async recordSync(source: { name: string; kind: string; location: string }, report: SyncReport, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO sources (name, kind, location, last_sync_at, last_report) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
         last_sync_at = excluded.last_sync_at, last_report = excluded.last_report`,
      [source.name, source.kind, source.location, at, JSON.stringify(report)],
    );
  }

  async sourceStatuses(): Promise<SourceStatus[]> {
    const { rows } = await this.db.query<{ name: string; kind: string; location: string; last_sync_at: Date | null; documents: number }>(
      `SELECT s.name, s.kind, s.location, s.last_sync_at,
         (SELECT count(*) FROM documents d WHERE d.source = s.name)::integer AS documents
       FROM sources s ORDER BY s.name`,
    );
    return rows.map((row) => ({ name: row.name, kind: row.kind, location: row.location, documents: row.documents, lastSyncAt: row.last_sync_at }));
  }

  async beginRun(
    run: Pick<SyncRun, 'id' | 'requestedBy' | 'sources'>,
    holder: LockHolder,
    isAlive: (holder: LockHolder & { heartbeatAt: Date }) => boolean,
  ): Promise<SyncRun | null> {
    return this.db.transaction(async (client) => {
      // Blocks other beginRuns (and heartbeats, briefly) until this transaction ends; reads stay free.
      await client.query('LOCK TABLE sync_lock IN SHARE ROW EXCLUSIVE MODE');
      const lock = (await client.query<{ run_id: string; pid: number; host: string; heartbeat_at: Date }>('SELECT run_id, pid, host, heartbeat_at FROM sync_lock WHERE id = 1'))
        .rows[0];
      const now = this.clock();
      if (lock) {
        const current = (await client.query<RunRow>('SELECT * FROM sync_runs WHERE id = $1', [lock.run_id])).rows[0];
        if (current && isAlive({ pid: lock.pid, host: lock.host, heartbeatAt: lock.heartbeat_at })) return toRun(current);
        // The holder died: its run is over, and the lock is free.
        await client.query("UPDATE sync_runs SET status = 'failed', finished_at = $1 WHERE id = $2 AND status = 'running'", [now, lock.run_id]);
      }
      await client.query(
        `INSERT INTO sync_lock (id, run_id, pid, host, heartbeat_at) VALUES (1, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host, heartbeat_at = excluded.heartbeat_at`,
        [run.id, holder.pid, holder.host, now],
      );
      await client.query("INSERT INTO sync_runs (id, requested_by, sources, started_at, status) VALUES ($1, $2, $3::jsonb, $4, 'running')", [
        run.id,
        run.requestedBy,
        JSON.stringify(run.sources),
        now,
      ]);
      return null;
    });
  }

  async heartbeat(runId: string): Promise<void> {
    await this.db.query('UPDATE sync_lock SET heartbeat_at = $1 WHERE run_id = $2', [this.clock(), runId]);
  }

  async finishRun(runId: string, status: 'succeeded' | 'failed', reports: SyncReport[]): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query('UPDATE sync_runs SET status = $1, finished_at = $2, reports = $3::jsonb WHERE id = $4', [status, this.clock(), JSON.stringify(reports), runId]);
      await client.query('DELETE FROM sync_lock WHERE run_id = $1', [runId]);
      await client.query(
        `DELETE FROM sync_runs WHERE status <> 'running' AND id NOT IN
           (SELECT id FROM sync_runs ORDER BY started_at DESC, seq DESC LIMIT $1)`,
        [keptRuns],
      );
    });
  }

  async getRun(id: string): Promise<SyncRun | null> {
    const row = (await this.db.query<RunRow>('SELECT * FROM sync_runs WHERE id = $1', [id])).rows[0];
    return row ? toRun(row) : null;
  }

  async recentRuns(limit: number): Promise<SyncRun[]> {
    const { rows } = await this.db.query<RunRow>('SELECT * FROM sync_runs ORDER BY started_at DESC, seq DESC LIMIT $1', [limit]);
    return rows.map(toRun);
  }

  async recordAnswer(answer: GivenAnswer): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query(
        `INSERT INTO answers (message_id, platform, conversation_id, question, answer, cited_document_ids, given_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
         ON CONFLICT (message_id) DO UPDATE SET platform = excluded.platform, conversation_id = excluded.conversation_id,
           question = excluded.question, answer = excluded.answer, cited_document_ids = excluded.cited_document_ids, given_at = excluded.given_at`,
        [answer.messageId, answer.platform, answer.conversationId, answer.question, answer.answer, JSON.stringify(answer.citedDocumentIds), this.clock()],
      );
      await client.query(
        `DELETE FROM answers a WHERE NOT EXISTS (SELECT 1 FROM feedback f WHERE f.message_id = a.message_id)
         AND a.given_at < (SELECT given_at FROM answers ORDER BY given_at DESC LIMIT 1 OFFSET $1)`,
        [keptAnswers],
      );
    });
  }

  async recordFeedback(feedback: Omit<Feedback, 'messageId'> & { messageId: string | null }): Promise<boolean> {
    const found = feedback.messageId
      ? await this.db.query<{ message_id: string }>('SELECT message_id FROM answers WHERE message_id = $1', [feedback.messageId])
      : await this.db.query<{ message_id: string }>('SELECT message_id FROM answers WHERE conversation_id = $1 ORDER BY given_at DESC, seq DESC LIMIT 1', [
          feedback.conversationId,
        ]);
    const messageId = found.rows[0]?.message_id;
    if (!messageId) return false;
    // The answer may have been dropped since (kept answers are bounded): then nothing is stored.
    const { rowCount } = await this.db.query(
      `INSERT INTO feedback (message_id, user_id, reaction, comment, given_at)
       SELECT $1::text, $2::text, $3::text, $4::text, $5::timestamptz WHERE EXISTS (SELECT 1 FROM answers WHERE message_id = $1)
       ON CONFLICT (message_id, user_id) DO UPDATE SET reaction = excluded.reaction, comment = excluded.comment, given_at = excluded.given_at`,
      [messageId, feedback.userId, feedback.reaction, feedback.comment, this.clock()],
    );
    return rowCount === 1;
  }

  async feedbackCounts(): Promise<{ like: number; dislike: number }> {
    const { rows } = await this.db.query<{ reaction: string; n: number }>('SELECT reaction, count(*)::integer AS n FROM feedback GROUP BY reaction');
    return { like: rows.find((r) => r.reaction === 'like')?.n ?? 0, dislike: rows.find((r) => r.reaction === 'dislike')?.n ?? 0 };
  }

  async recentFeedback(limit: number): Promise<Array<Feedback & GivenAnswer & { at: Date }>> {
    const { rows } = await this.db.query<AnswerRow & { user_id: string; reaction: 'like' | 'dislike'; comment: string | null; at: Date }>(
      `SELECT f.user_id, f.reaction, f.comment, f.given_at AS at, a.message_id, a.platform, a.conversation_id, a.question, a.answer, a.cited_document_ids
       FROM feedback f JOIN answers a ON a.message_id = f.message_id
       ORDER BY f.given_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      messageId: row.message_id,
      platform: row.platform,
      conversationId: row.conversation_id,
      question: row.question,
      answer: row.answer,
      citedDocumentIds: row.cited_document_ids,
      userId: row.user_id,
      reaction: row.reaction,
      comment: row.comment,
      at: row.at,
    }));
  }
}

interface AnswerRow {
  message_id: string;
  platform: string;
  conversation_id: string;
  question: string;
  answer: string;
  cited_document_ids: string[];
}

interface RunRow {
  id: string;
  requested_by: string;
  sources: string[];
  started_at: Date;
  finished_at: Date | null;
  status: SyncRun['status'];
  reports: SyncReport[];
}

function toRun(row: RunRow): SyncRun {
  return {
    id: row.id,
    requestedBy: row.requested_by,
    sources: row.sources,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    reports: row.reports,
  };
}
