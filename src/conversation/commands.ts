import type { AccessPolicy } from '../access/access-policy.js';
import type { SourceStatus } from '../domain.js';
import type { FeedbackLog, PassageIndex, SyncState } from '../index/passage-index.js';
import { syncRunLine } from '../ingest/sync-report-text.js';

export type Command = 'help' | 'status';

const commands: Record<string, Command> = { help: 'help', '?': 'help', 帮助: 'help', status: 'status', 状态: 'status' };

/** A message that is exactly a command word (optionally with a leading slash) is a command. */
export function parseCommand(text: string): Command | null {
  return commands[text.trim().replace(/^\//, '').toLowerCase()] ?? null;
}

export function helpText(): string {
  return [
    "Ask me a question about the company's documents, in English or Chinese, and I'll answer from them with numbered sources.",
    'For example: "How many days of annual leave do I get?" or "如何申请报销？"',
    'If the documents do not cover something, I will say so rather than guess.',
    'Commands: "help" shows this message; "status" shows which document sources are indexed and when they were last synced; "sync" (admins only) re-syncs the documents.',
  ].join('\n');
}

export function statusText(sources: SourceStatus[], chunks: number): string {
  if (sources.length === 0) return 'No documents have been synced yet. An administrator can run "groundwork sync".';
  const lines = sources.map(
    (s) => `- ${s.name} (${s.kind}): ${s.documents} documents, last synced ${s.lastSyncAt ? s.lastSyncAt.toISOString() : 'never'}`,
  );
  return [`Indexed sources (${chunks} passages in all):`, ...lines].join('\n');
}

export interface StatusSources {
  index: PassageIndex;
  syncState: SyncState;
  /** Adds feedback counts when answers are rated in a chat. */
  feedbackLog?: FeedbackLog;
  access: AccessPolicy;
}

/**
 * The reply to `status`: the sources, the passages, the last sync and the feedback counts. Under
 * access rules, a source the readers may read nothing of is only counted, never named, and admins
 * see the rules in force.
 */
export async function statusReply({ index, syncState, feedbackLog, access }: StatusSources, viewer: { readers: string[]; isAdmin: boolean }): Promise<string> {
  let sources = await syncState.sourceStatuses();
  let hidden: SourceStatus[] = [];
  if (access.restricts && !viewer.isAdmin) {
    const readable = new Map<string, number>();
    for (const document of await index.documentAccess()) {
      if (access.mayRead(document.readers, viewer.readers)) readable.set(document.source, (readable.get(document.source) ?? 0) + 1);
    }
    hidden = sources.filter((source) => !readable.has(source.name));
    sources = sources.filter((source) => readable.has(source.name)).map((source) => ({ ...source, documents: readable.get(source.name)! }));
  }
  const lines = [statusText(sources, await index.chunkCount())];
  if (hidden.length > 0) {
    const count = hidden.reduce((sum, source) => sum + source.documents, 0);
    lines.push(`${hidden.length} more source${hidden.length === 1 ? '' : 's'} (${count} document${count === 1 ? '' : 's'}) cannot be read here.`);
  }
  const [lastRun] = await syncState.recentRuns(1);
  // Its report names sources and files: under access rules only admins read it whole.
  if (lastRun) lines.push(`Last sync: ${access.restricts && !viewer.isAdmin ? `${lastRun.startedAt.toISOString()} ${lastRun.status}` : syncRunLine(lastRun)}`);
  if (feedbackLog) {
    const { like, dislike } = await feedbackLog.feedbackCounts();
    lines.push(`Feedback on answers: ${like} helpful, ${dislike} not helpful.`);
  }
  if (viewer.isAdmin && access.restricts) lines.push('Access rules in force:', ...access.describe().map((line) => `- ${line}`));
  return lines.join('\n');
}
