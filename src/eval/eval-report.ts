// The evaluation report as a table for people (the JSON form is the report object itself).
import type { EvalReport, QuestionResult, Summary } from './run-eval.js';

const percent = (n: number) => `${Math.round(n * 100)}%`;
const decimal = (n: number) => n.toFixed(2);

function row(label: string, s: Summary): string[] {
  const ranked = s.answerable > 0;
  return [
    label,
    String(s.questions),
    String(s.answerable),
    ranked ? decimal(s.recall) : '',
    ranked ? decimal(s.mrr) : '',
    ranked ? decimal(s.ndcg10) : '',
    ranked ? percent(s.hit1) : '',
    ranked ? percent(s.hit3) : '',
    ranked ? percent(s.hit5) : '',
    ranked ? percent(s.citedAt3) : '',
    ranked ? percent(s.answered.answer) : '',
    ranked ? percent(s.answered.closest) : '',
    ranked ? percent(s.answered.none) : '',
    s.unanswerable > 0 ? `${percent(s.correctRefusals)} of ${s.unanswerable}` : '',
    s.factCoverage === null ? '' : percent(s.factCoverage),
    `${s.p50Ms.toFixed(1)}/${s.p95Ms.toFixed(1)}`,
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
  return rows.map((r) => r.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd()).join('\n');
}

function miss(result: QuestionResult): string {
  return `  ${result.id} (${result.kind}): ${result.confidence}; ranked ${result.top.join(', ') || 'nothing'}`;
}

/** The summary table (overall, per kind, per language), then the misses. */
export function evalReportText(report: EvalReport): string {
  const header = ['', 'questions', 'answerable', `recall@${report.k}`, 'MRR', 'nDCG@10', 'hit@1', 'hit@3', 'hit@5', 'cited@3', 'answer', 'closest', 'none', 'unanswerable refused', 'facts', 'ms p50/p95'];
  const rows = [header, row('all', report.overall)];
  for (const [kind, summary] of Object.entries(report.byKind)) rows.push(row(`kind ${kind}`, summary));
  for (const [lang, summary] of Object.entries(report.byLang)) rows.push(row(`lang ${lang}`, summary));
  const lines = [table(rows)];
  const notRanked = report.results.filter((r) => r.ranking !== null && r.ranking.hit5 === 0);
  if (notRanked.length > 0) lines.push('', `Answerable, no expected document in the first 5 (${notRanked.length}):`, ...notRanked.map(miss));
  const refused = report.results.filter((r) => r.answerable && r.confidence === 'none' && !(r.ranking !== null && r.ranking.hit5 === 0));
  if (refused.length > 0) lines.push('', `Answerable, ranked but answered "none" (${refused.length}):`, ...refused.map(miss));
  const answered = report.results.filter((r) => !r.answerable && r.confidence === 'answer');
  if (answered.length > 0) lines.push('', `Unanswerable, answered anyway (${answered.length}):`, ...answered.map(miss));
  const violations = report.results.filter((r) => r.violations.length > 0);
  if (violations.length > 0) lines.push('', `Said what it must not (${violations.length}):`, ...violations.map((r) => `  ${r.id}: ${r.violations.join(', ')}`));
  lines.push(
    '',
    `recall@${report.k}, MRR, nDCG@10 and hit@n over the documents retrieval ranked; cited@3: an expected document among the reply's first three citations;`,
    'answer/closest/none: how answerable questions were answered; unanswerable refused: not answered as "answer"; facts: expected facts in the reply.',
  );
  return lines.join('\n');
}

/**
 * The cosine similarity floor that best separates the questions' expected passages from the best
 * passages of unanswerable questions (the mean of the two accuracies is highest), with the curve.
 */
export function calibrateSimilarity(results: QuestionResult[]): { floor: number; answerable: number; unanswerable: number; curve: Array<{ floor: number; answerableAbove: number; unanswerableBelow: number }> } | null {
  const positives = results.filter((r) => r.answerable && r.similarity.expected !== null).map((r) => r.similarity.expected!);
  const negatives = results.filter((r) => !r.answerable && r.similarity.top !== null).map((r) => r.similarity.top!);
  if (positives.length === 0 || negatives.length === 0) return null;
  const curve: Array<{ floor: number; answerableAbove: number; unanswerableBelow: number }> = [];
  for (let floor = 0; floor <= 1.0001; floor += 0.01) {
    const f = Math.round(floor * 100) / 100;
    curve.push({ floor: f, answerableAbove: positives.filter((s) => s >= f).length / positives.length, unanswerableBelow: negatives.filter((s) => s < f).length / negatives.length });
  }
  const best = curve.reduce((a, b) => (b.answerableAbove + b.unanswerableBelow > a.answerableAbove + a.unanswerableBelow ? b : a));
  return { floor: best.floor, answerable: positives.length, unanswerable: negatives.length, curve: curve.filter((_, i) => i % 5 === 0) };
}
