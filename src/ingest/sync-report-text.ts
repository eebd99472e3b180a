import path from 'node:path';
import type { SyncReport, SyncRun } from '../domain.js';

/** Why a file was skipped, for the reasons that are routine (and so only counted in a report's text). */
export const noTextReason = 'it holds no text';
export function formatNotReadReason(file: string): string {
  return `its format (${path.posix.extname(file) || 'no extension'}) is not read`;
}
export const emptiedReason = 'it now holds no text (emptied, or still being written?); its indexed version is kept until the file is gone';

const routine = (reason: string) => reason === noTextReason || /^its format \(.*\) is not read$/.test(reason);

/**
 * A sync report as people read it: counts, vectors, each file that failed with its reason, each
 * warning, and each file left out for a reason worth knowing (a link or a pipe, not a format).
 */
export function syncReportText(report: SyncReport): string {
  if (report.error) return `${report.source}: sync failed, nothing changed: ${report.error}`;
  const warnings = report.warnings ?? [];
  const warned = warnings.length > 0 ? `, ${warnings.length} ${warnings.length === 1 ? 'warning' : 'warnings'}` : '';
  const head = `${report.source}: ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.deleted} deleted, ${report.skipped.length} skipped, ${report.failed.length} failed${warned} (${(report.durationMs / 1000).toFixed(1)} s)`;
  const vectors = report.vectors && [
    `  vectors: ${report.vectors.embedded} passages embedded, ${report.vectors.reused} reused`,
    ...(report.vectors.error ? [`  embedding failed, the documents changed are found by keywords until the next sync: ${report.vectors.error}`] : []),
  ];
  return [
    head,
    ...(vectors ?? []),
    ...report.failed.map((f) => `  ${f.path}: ${f.reason}`),
    ...warnings.map((w) => `  warning: ${w.path}: ${w.reason}`),
    ...report.skipped.filter((s) => !routine(s.reason)).map((s) => `  skipped: ${s.path}: ${s.reason}`),
  ].join('\n');
}

/** One line for a run: when, outcome, who asked, and each source's counts. */
export function syncRunLine(run: SyncRun): string {
  const reports = run.reports.map(syncReportText).join('; ').replace(/\n\s*/g, ' ') || run.sources.join(', ');
  return `${run.startedAt.toISOString()} ${run.status} (${run.requestedBy}): ${reports}`;
}
