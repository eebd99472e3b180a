import type { SyncReport, SyncRun } from '../domain.js';

/** A sync report as people read it: counts, vectors, and each file that failed with its reason. */
export function syncReportText(report: SyncReport): string {
  if (report.error) return `${report.source}: sync failed, nothing changed: ${report.error}`;
  const head = `${report.source}: ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.deleted} deleted, ${report.skipped.length} skipped, ${report.failed.length} failed (${(report.durationMs / 1000).toFixed(1)} s)`;
  const vectors = report.vectors && [
    `  vectors: ${report.vectors.embedded} passages embedded, ${report.vectors.reused} reused`,
    ...(report.vectors.error ? [`  embedding failed, the documents changed are found by keywords until the next sync: ${report.vectors.error}`] : []),
  ];
  return [head, ...(vectors ?? []), ...report.failed.map((f) => `  ${f.path}: ${f.reason}`)].join('\n');
}

/** One line for a run: when, outcome, who asked, and each source's counts. */
export function syncRunLine(run: SyncRun): string {
  const reports = run.reports.map(syncReportText).join('; ').replace(/\n\s*/g, ' ') || run.sources.join(', ');
  return `${run.startedAt.toISOString()} ${run.status} (${run.requestedBy}): ${reports}`;
}
