// `sync [source]` typed in a chat: for admins only, one run at a time, answered at once, with
// progress (at most every 10 seconds) and the final report posted to the conversation.
import type { SourceSpec } from '../config.js';
import { SyncAlreadyRunningError, toGroundworkError } from '../errors.js';
import type { SyncJob } from '../ingest/sync-job.js';
import { syncReportText } from '../ingest/sync-report-text.js';
import type { Logger } from '../logger.js';

/** `sync` or `sync <source>` (with or without a leading slash); null for anything else. */
export function parseSyncCommand(text: string): { source: string | null } | null {
  const match = /^\/?(?:sync|同步)(?:\s+(\S+))?\s*$/i.exec(text.trim());
  return match ? { source: match[1] ?? null } : null;
}

export interface ChatSyncDependencies {
  syncJob: SyncJob;
  sources: SourceSpec[];
  logger: Logger;
  progressEveryMs?: number;
}

export interface ChatSyncRequest {
  source: string | null;
  requestedBy: string;
  isAdmin: boolean;
  /** Posts a message to the conversation the command came from. */
  post: (text: string) => Promise<void>;
}

export const adminsOnlyReply = 'Sorry, only administrators can start a sync. Type "status" to see when the documents were last synced.';

/** Starts the sync and returns the immediate reply; progress and the report are posted later. */
export async function startChatSync(deps: ChatSyncDependencies, request: ChatSyncRequest): Promise<string> {
  if (!request.isAdmin) return adminsOnlyReply;
  let sources = deps.sources;
  if (request.source !== null) {
    sources = deps.sources.filter((s) => s.name === request.source);
    if (sources.length === 0) return `There is no source named "${request.source}". The sources are: ${deps.sources.map((s) => s.name).join(', ')}.`;
  }
  const everyMs = deps.progressEveryMs ?? 10_000;
  let lastPost = Date.now();
  const post = (text: string) => request.post(text).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not post sync progress'));
  try {
    const { runId, done } = await deps.syncJob.start({
      sources,
      requestedBy: request.requestedBy,
      onProgress: ({ source, done: handled, total }) => {
        if (Date.now() - lastPost < everyMs || handled === 0 || handled === total) return;
        lastPost = Date.now();
        void post(`Syncing ${source}: ${handled} of ${total} documents…`);
      },
    });
    void done.then(
      (run) => post(`Sync ${run.status === 'succeeded' ? 'finished' : 'failed'}:\n${run.reports.map(syncReportText).join('\n')}`),
      (error: unknown) => post(`The sync failed: ${toGroundworkError(error).message}`),
    );
    return `Sync started for ${sources.map((s) => s.name).join(', ')} (run ${runId}). I will post its progress and report here.`;
  } catch (error) {
    if (error instanceof SyncAlreadyRunningError) return `Not started: ${error.message}.`;
    throw error;
  }
}
