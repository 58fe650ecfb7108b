import type { ReportSection, ResultTable, Verdict } from '../experiments/types.js';
import { collapseVariable } from '../experiments/crossingAnalysis.js';
import { lineChart, type PlotSpec, type Row } from '../report/specs.js';
import { alongAxis, showAxisValue, TAU_AXIS, type GroupCrossing } from './analysis.js';
import { gridPoint, type Axis } from './grid.js';
import { isPlainObject } from './paths.js';
import type { SweepRow } from './results.js';
import type { SweepSummary } from './summary.js';

/**
 * The report sections of a sweep, built from its summary alone (so `gibbslab report` can
 * re-render them): an overview with a plot per observable along the main axis, the configs where
 * verdicts fail, and the crossing and finite-size analysis of τ sweeps.
 */

/** Most rows listed in a report table; summary.json has all of them. */
const MAX_TABLE_ROWS = 200;
/** Most curves in one plot before it stops being readable. */
const MAX_SERIES = 12;
/** Curves are named by axis values ("task.K=16, task.q=0.9"): give the legend room for them. */
const LEGEND_LABEL_LIMIT = 320;

function describeAxis(a: Axis): string {
  const n = a.values.length;
  return n <= 6 ? `${a.path} ∈ {${a.values.map(showAxisValue).join(', ')}}` : `${a.path}: ${n} values, ${showAxisValue(a.values[0])} … ${showAxisValue(a.values[n - 1])}`;
}

/** The axis plotted along x: τ when swept, else the numeric axis with the most values. */
function mainAxis(axes: Axis[]): Axis | undefined {
  const numeric = axes.filter((a) => a.values.length > 1 && a.values.every((v) => typeof v === 'number'));
  return numeric.find((a) => a.path === TAU_AXIS) ?? [...numeric].sort((a, b) => b.values.length - a.values.length)[0];
}

function isLogAxis(a: Axis): boolean {
  const v = a.values as number[];
  return v.every((x) => x > 0) && Math.max(...v) / Math.min(...v) >= 20;
}

/** Fraction of an experiment row's verdicts that hold (null for a failed config). */
function score(row: SweepRow): { held: number; total: number } | null {
  const verdicts = (row.result as { verdicts?: Verdict[] } | undefined)?.verdicts;
  return verdicts ? { held: verdicts.filter((v) => v.holds).length, total: verdicts.length } : null;
}

/** The numbers a row contributes to plots and tables: a measurement's fields, or an experiment's score. */
function observables(row: SweepRow, experiment: boolean): Record<string, number> {
  if (experiment) {
    const s = score(row);
    return s ? { score: s.total ? s.held / s.total : 1 } : {};
  }
  if (!isPlainObject(row.result)) return {};
  return Object.fromEntries(Object.entries(row.result).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

export function sweepSections(summary: SweepSummary): ReportSection[] {
  const experiment = 'experiment' in summary.target;
  const replicates = summary.seeds ?? 1;
  const axes = summary.dimensions.flatMap((d) => d.axes);
  const point = (row: SweepRow) => gridPoint(summary.dimensions, replicates, row.index);
  const x = mainAxis(axes);
  const alongX = x ? alongAxis(summary.dimensions, x.path) : [];
  const seriesOf = (row: SweepRow) => {
    const parts = point(row).assignment.filter((a) => !alongX.includes(a.path)).map((a) => `${a.path}=${showAxisValue(a.value)}`);
    return parts.join(', ') || summary.title;
  };

  const paragraphs = [
    `${summary.configs} configs of ${experiment ? `the experiment ${(summary.target as { experiment: string }).experiment}` : `the ${(summary.target as { measure: string }).measure} measurement`}` +
      `${summary.failed ? `; ${summary.failed} failed (their error is their result)` : ''}.`,
    `Axes: ${axes.map(describeAxis).join('; ') || 'none'}.` +
      (summary.seeds !== null ? ` ${summary.seeds} replicate seed(s) per grid point, derived from the sweep seed ${summary.seed}.` : ''),
  ];
  if (experiment) {
    const scores = summary.results.map(score).filter((s): s is NonNullable<typeof s> => s !== null);
    const held = scores.reduce((n, s) => n + s.held, 0);
    const total = scores.reduce((n, s) => n + s.total, 0);
    paragraphs.push(`Verdicts held: ${held} of ${total}${total ? ` (${((100 * held) / total).toFixed(1)}%)` : ''}.`);
  }

  const plots: PlotSpec[] = [];
  if (x) {
    const series = new Set(summary.results.map(seriesOf));
    if (series.size > MAX_SERIES) paragraphs.push(`${series.size} curves along ${x.path}: too many to plot; the table and summary.json hold every value.`);
    else {
      // One point per curve and x: the mean over the replicate seeds there.
      const sums = new Map<string, Map<string, { x: number; series: string; sum: number; n: number }>>();
      for (const row of summary.results) {
        const xv = point(row).assignment.find((a) => a.path === x.path)!.value as number;
        const series = seriesOf(row);
        for (const [field, y] of Object.entries(observables(row, experiment))) {
          const byPoint = sums.get(field) ?? new Map();
          const cell = byPoint.get(`${series}\u0000${xv}`) ?? { x: xv, series, sum: 0, n: 0 };
          cell.sum += y;
          cell.n++;
          byPoint.set(`${series}\u0000${xv}`, cell);
          sums.set(field, byPoint);
        }
      }
      const mean = summary.seeds !== null ? ` (mean over ${summary.seeds} seeds)` : '';
      for (const [field, byPoint] of sums) {
        const rows: Row[] = [...byPoint.values()].map((c) => ({ x: c.x, y: c.sum / c.n, series: c.series }));
        plots.push(
          lineChart({
            legendLabelLimit: LEGEND_LABEL_LIMIT,
            id: `sweep-${field}`, title: `${experiment ? 'Fraction of verdicts held' : field} vs ${x.path}${mean}`, rows, x: 'x', y: 'y', series: series.size > 1 ? 'series' : undefined,
            logX: isLogAxis(x), points: rows.length <= 60, xTitle: x.path, yTitle: experiment ? 'verdicts held' : field,
            yRules: field === 'success' ? [{ value: 0.5, label: '1/2' }] : undefined,
          }),
        );
      }
    }
  }

  const tables: ResultTable[] = [resultsTable(summary, experiment, point)];
  if (experiment) tables.push(failingClaims(summary, point));
  const sections: ReportSection[] = [{ id: 'sweep', title: summary.title, paragraphs, plots, tables }];
  const crossing = crossingSection(summary, point);
  if (crossing) sections.push(crossing);
  return sections;
}

function resultsTable(summary: SweepSummary, experiment: boolean, point: (r: SweepRow) => ReturnType<typeof gridPoint>): ResultTable {
  const shown = summary.results.slice(0, MAX_TABLE_ROWS);
  const fields = experiment ? ['verdicts held'] : [...new Set(shown.flatMap((r) => Object.keys(observables(r, false))))];
  const withSeed = summary.results.some((r) => r.seed !== null);
  return {
    title: summary.results.length > MAX_TABLE_ROWS ? `Results (first ${MAX_TABLE_ROWS} of ${summary.results.length}; all in summary.json)` : 'Results',
    columns: ['#', ...summary.dimensions.flatMap((d) => d.axes.map((a) => a.path)), ...(withSeed ? ['seed'] : []), ...fields, ...(summary.failed ? ['error'] : [])],
    rows: shown.map((row) => {
      const values = point(row).assignment.map((a) => (typeof a.value === 'number' ? a.value : showAxisValue(a.value)));
      const s = score(row);
      const obs = observables(row, false);
      const out = experiment ? [s ? `${s.held}/${s.total}` : null] : fields.map((f) => obs[f] ?? null);
      return [row.index, ...values, ...(withSeed ? [row.seed] : []), ...out, ...(summary.failed ? [row.error ?? ''] : [])];
    }),
  };
}

/** Where the theory breaks: each claim that fails somewhere, how often, and its first failing config. */
function failingClaims(summary: SweepSummary, point: (r: SweepRow) => ReturnType<typeof gridPoint>): ResultTable {
  const byClaim = new Map<string, { fails: number; total: number; first: SweepRow | null }>();
  for (const row of summary.results) {
    for (const v of (row.result as { verdicts?: Verdict[] } | undefined)?.verdicts ?? []) {
      const c = byClaim.get(v.claim) ?? { fails: 0, total: 0, first: null };
      c.total++;
      if (!v.holds) {
        c.fails++;
        c.first ??= row;
      }
      byClaim.set(v.claim, c);
    }
  }
  const failing = [...byClaim].filter(([, c]) => c.fails > 0);
  return {
    title: failing.length ? 'Claims that fail somewhere on the grid' : 'Every claim holds at every config',
    columns: ['claim', 'fails at', 'first failing config'],
    rows: failing.map(([claim, c]) => [claim, `${c.fails} of ${c.total}`, `#${c.first!.index}: ${point(c.first!).assignment.map((a) => `${a.path}=${showAxisValue(a.value)}`).join(', ')}`]),
  };
}

function crossingSection(summary: SweepSummary, point: (r: SweepRow) => ReturnType<typeof gridPoint>): ReportSection | null {
  const { crossings, finiteSize } = summary.analysis;
  if (!crossings?.length) return null;
  const tables: ResultTable[] = [
    {
      title: 'Where success crosses 1/2 along τ (logit interpolated in 1/τ between the bracketing grid points)',
      columns: ['curve', 'points', 'τ at 1/2 (grid)', 'τ_c of the equilibrium', 'relative gap', '1/τ_{3/4} − 1/τ_{1/4}'],
      rows: crossings.map((c) => [
        c.group, c.points, c.tauC, c.equilibriumTauC,
        c.tauC !== null && c.equilibriumTauC !== null ? (c.tauC - c.equilibriumTauC) / c.equilibriumTauC : null, c.invTauWidth,
      ]),
    },
  ];
  const paragraphs = [
    'For the equilibrium measurement the crossing read off the grid should equal τ_c (exactly for binary and chain tasks, where logit P* is affine in 1/τ); for a flow stopped after finitely many steps the gap is where training ends up instead of where theory says.',
  ];
  const plots: PlotSpec[] = [];
  if (crossings.length <= MAX_SERIES / 2) {
    const name = (c: GroupCrossing, what: string) => (crossings.length === 1 ? what : `${c.group}: ${what}`);
    plots.push(
      lineChart({
        legendLabelLimit: LEGEND_LABEL_LIMIT,
        id: 'sweep-crossing', title: 'Success along τ: the sweep (mean over seeds) and the exact equilibrium', x: 'tau', y: 'success', series: 'curve', logX: true, xTitle: 'τ', yTitle: 'success',
        rows: crossings.flatMap((c) => [
          ...c.curve.tau.map((tau, i) => ({ tau, success: c.curve.success[i], curve: name(c, 'sweep') })),
          ...(c.curve.equilibrium ?? []).map((success, i) => ({ tau: c.curve.tau[i], success, curve: name(c, 'equilibrium') })),
        ]),
        yRules: [{ value: 0.5, label: '1/2' }],
        xRules: crossings.length === 1 && crossings[0].equilibriumTauC !== null ? [{ value: crossings[0].equilibriumTauC, label: 'τ_c' }] : undefined,
      }),
    );
  }
  if (finiteSize?.length) {
    paragraphs.push('Finite-size scaling over the chain length K (F37): τ_c(K) → δ/|log q|, the width in 1/τ is 2·ln 3/(Kδ) at equilibrium, and success collapses onto σ(x) in x = K(δ/τ − |log q|).');
    tables.push({
      title: 'Finite-size scaling of the crossing',
      columns: ['series', 'K', 'τ at 1/2 (grid)', 'τ_c(K) closed form', 'δ/|log q|', 'K·δ·width (2 ln 3 = 2.1972 at equilibrium)'],
      rows: finiteSize.map((f) => [f.series, f.K, f.tauC, f.tauCClosedForm, f.limit, f.widthTimesKDelta]),
    });
    plots.push(
      lineChart({
        legendLabelLimit: LEGEND_LABEL_LIMIT,
        id: 'sweep-finite-size', title: 'Crossing temperature vs chain length', logX: true, points: true, x: 'K', y: 'tau', series: 'curve', xTitle: 'K', yTitle: 'τ at success 1/2',
        rows: finiteSize.flatMap((f) => {
          const prefix = f.series === 'all' ? '' : `${f.series}: `;
          return [
            { K: f.K, tau: f.tauC, curve: `${prefix}read off the sweep` },
            { K: f.K, tau: f.tauCClosedForm, curve: `${prefix}τ_c(K), equilibrium` },
          ];
        }),
        yRules: [...new Set(finiteSize.map((f) => f.limit))].map((v) => ({ value: v, label: 'δ/|log q|' })),
      }),
    );
    const alongTau = alongAxis(summary.dimensions, TAU_AXIS);
    const collapse: Row[] = summary.results.flatMap((row) => {
      const c = row.config as { tau?: number; task?: { kind?: string; K?: number; q?: number; delta?: number } };
      const success = (row.result as { success?: unknown } | undefined)?.success;
      if (c.task?.kind !== 'chain' || typeof success !== 'number' || typeof c.tau !== 'number') return [];
      const xv = collapseVariable(c.task.K!, c.task.q!, c.task.delta!, c.tau);
      const rest = point(row).assignment.filter((a) => !alongTau.includes(a.path)).map((a) => `${a.path}=${showAxisValue(a.value)}`).join(', ');
      return Math.abs(xv) < 20 ? [{ x: xv, success, curve: rest || `K=${c.task.K}` }] : [];
    });
    if (new Set(collapse.map((r) => r.curve)).size <= MAX_SERIES) {
      plots.push(lineChart({ legendLabelLimit: LEGEND_LABEL_LIMIT, id: 'sweep-collapse', title: 'Data collapse: success vs K·(δ/τ − |log q|)', rows: collapse, x: 'x', y: 'success', series: 'curve', xTitle: 'K·(δ/τ − |log q|)', yTitle: 'success', yRules: [{ value: 0.5, label: '1/2' }] }));
    }
  }
  return { id: 'sweep-crossing', title: 'Crossing analysis', paragraphs, plots, tables };
}
