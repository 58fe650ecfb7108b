import type { ExperimentResult, RunResults } from './results.js';
import { formatNumber, verdictScore } from './format.js';

/**
 * The plain-text verdict table `gibbslab run` prints: fixed-width columns, no colours (a caller
 * may add them), so it reads the same in a terminal, a CI log or a pasted issue.
 */

const CLAIM_WIDTH = 70;
const NUMBER_WIDTH = 11;
const SCORE_WIDTH = 7;

/** Widths count code points, so "τ" and "✓" take one column like ASCII does in a terminal. */
function width(s: string): number {
  return Array.from(s).length;
}

function padEnd(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

function padStart(s: string, n: number): string {
  return ' '.repeat(Math.max(0, n - width(s))) + s;
}

/** One line: whitespace collapsed (claims may be wrapped in source), cut with "…" past `n` columns. */
function truncate(s: string, n: number): string {
  const chars = Array.from(s.replace(/\s+/g, ' ').trim());
  return chars.length <= n ? chars.join('') : `${chars.slice(0, n - 1).join('')}…`;
}

export function formatVerdictTable(results: RunResults | { experiments: ExperimentResult[] }): string {
  const indent = ' '.repeat(SCORE_WIDTH + 2);
  const lines = [
    `${padStart('score', SCORE_WIDTH)}  ${padEnd('experiment / claim', CLAIM_WIDTH + 2)}${padStart('predicted', NUMBER_WIDTH)} ${padStart('measured', NUMBER_WIDTH)}`,
  ];
  for (const e of results.experiments) {
    lines.push(`${padStart(verdictScore(e.verdicts).text, SCORE_WIDTH)}  ${e.id}  ${e.title}`);
    for (const v of e.verdicts) {
      lines.push(
        `${indent}${v.holds ? '✓' : '✗'} ${padEnd(truncate(v.claim, CLAIM_WIDTH), CLAIM_WIDTH)}` +
          `${padStart(formatNumber(v.predicted), NUMBER_WIDTH)} ${padStart(formatNumber(v.measured), NUMBER_WIDTH)}`,
      );
    }
  }
  const total = verdictScore(results.experiments.flatMap((e) => e.verdicts));
  lines.push(`${padStart(total.text, SCORE_WIDTH)}  verdicts held in ${results.experiments.length} experiment${results.experiments.length === 1 ? '' : 's'}`);
  return lines.join('\n');
}
