import type { ReportSection, ResultTable } from '../report/results.js';
import { formatNumber } from '../report/format.js';
import { lineChart, type LineChartOptions, type PlotSpec, type Row } from '../report/specs.js';
import type { RunAnalysis } from './analyze.js';
import { METRICS } from './metricMap.js';

/**
 * The report sections of `gibbslab analyze`: one per log (every diagnostic as a plot and a
 * table), and one comparing the logs side by side when there are several.
 */

function cell(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

export function runLabel(r: RunAnalysis): string {
  return r.file.split(/[\\/]/).pop() ?? r.file;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Rows `{step, value, series}` for the named series, NaN points left out. */
function seriesRows(steps: readonly number[], named: [string, readonly number[] | null | undefined][]): Row[] {
  const rows: Row[] = [];
  for (const [series, values] of named) {
    if (!values) continue;
    values.forEach((v, i) => {
      if (Number.isFinite(v)) rows.push({ step: steps[i], value: v, series });
    });
  }
  return rows;
}

function timePlot(id: string, title: string, rows: Row[], yTitle: string, extra: Partial<LineChartOptions> = {}): PlotSpec | null {
  if (rows.length === 0) return null;
  return lineChart({ id, title, rows, x: 'step', y: 'value', series: 'series', xTitle: 'step', yTitle, ...extra });
}

/**
 * Cui et al.'s picture: logged (H, R) points and the fitted curve b − a·e^H drawn from H = 0, so
 * the extrapolation to the ceiling b − a is visible. Points, not a line: the pairs have no order in H.
 */
function lawScatter(id: string, title: string, points: [number, number][], fit: { a: number; b: number }): PlotSpec {
  const hMax = Math.max(...points.map((p) => p[0]));
  const curve = Array.from({ length: 61 }, (_, i) => {
    const h = (hMax * i) / 60;
    return { entropy: h, accuracy: fit.b - fit.a * Math.exp(h) };
  });
  const enc = {
    x: { field: 'entropy', type: 'quantitative', title: 'entropy H (nats/token)' },
    y: { field: 'accuracy', type: 'quantitative', title: 'accuracy R', scale: { zero: false } },
  };
  return {
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      width: 420,
      height: 240,
      layer: [
        {
          data: { values: points.map(([entropy, accuracy]) => ({ entropy, accuracy })) },
          mark: { type: 'point', filled: true, opacity: 0.7 },
          encoding: { ...enc, tooltip: [{ field: 'entropy', type: 'quantitative' }, { field: 'accuracy', type: 'quantitative' }] },
        },
        { data: { values: curve }, mark: { type: 'line', color: '#d62728' }, encoding: enc },
      ],
    },
  };
}

function describeSkipped(r: RunAnalysis): string {
  if (r.skippedLines.length === 0) return 'nothing was skipped';
  const counts = new Map<string, number>();
  for (const s of r.skippedLines) {
    const reason = s.reason.replace(/^step \d+ logged again at .*$/, 'a step logged again (the run resumed)');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return `${r.skipped} record${r.skipped === 1 ? '' : 's'} skipped (${[...counts].map(([k, n]) => `${n} × ${k}`).join('; ')})`;
}

function runSection(r: RunAnalysis, index: number): ReportSection {
  const label = runLabel(r);
  const id = `analyze-${index + 1}-${slug(label)}`;
  const m = r.metrics;
  const steps = r.steps;
  const paragraphs: string[] = [
    `${label}: ${r.rows} rows (steps ${steps[0]}–${steps[steps.length - 1]}) read as ${r.format} (${r.library}); ${describeSkipped(r)}.`,
    ...r.notes,
    ...r.klReading.map((k) => `KL: ${k.key} is the KL to the ${k.against} (${k.estimator}; placement: ${k.placement}); targets π*_β: ${k.targetsGibbs}. ${k.note}`),
  ];
  const plots: (PlotSpec | null)[] = [];
  const tables: ResultTable[] = [];

  const lab = r.labPrediction;
  const rlvr = r.rlvr;
  const accRows = seriesRows(steps, [['logged accuracy', m.accuracy]]);
  if (lab) {
    lab.steps.forEach((s, i) => accRows.push({ step: s, value: lab.accuracy[i], series: 'lab: matched run' }));
    paragraphs.push(
      `What the lab predicts: the binary task with the log's p₀ = ${formatNumber(lab.task.p)} and β = ${formatNumber(lab.beta)} under exact mirror descent, one flow step per logged step, η fitted to the logged accuracy (η = ${formatNumber(lab.eta)}, RMSE ${formatNumber(lab.rmse)}).`,
    );
  }
  plots.push(
    timePlot(`${id}-accuracy`, `${label}: accuracy${lab ? ' and the lab’s matched run' : ''}`, accRows, 'accuracy', {
      yRules: rlvr?.pStar !== null && rlvr?.pStar !== undefined ? [{ value: rlvr.pStar, label: 'p*' }] : undefined,
    }),
  );
  plots.push(
    timePlot(
      `${id}-reward`,
      `${label}: reward`,
      seriesRows(
        steps,
        Object.keys(m)
          .filter((k) => k === 'reward/mean' || /^rewards\/.+\/mean$/.test(k))
          .map((k) => [k, m[k]] as [string, number[]]),
      ),
      'reward',
    ),
  );
  plots.push(timePlot(`${id}-entropy`, `${label}: entropy`, seriesRows(steps, [['entropy', m.entropy]]), 'entropy (nats/token)'));
  plots.push(timePlot(`${id}-kl`, `${label}: KL`, seriesRows(steps, [['kl_ref', m.kl_ref], ['kl_old', m.kl_old]]), 'KL (as logged)'));

  const fit = r.entropyAccuracyFit;
  if (fit) {
    const fitted = fit.steps.map((s, i) => {
      const j = steps.indexOf(s);
      return { s, observed: m.accuracy[j], predicted: m.accuracy[j] - fit.residuals[i] };
    });
    plots.push(
      timePlot(
        `${id}-law`,
        `${label}: accuracy vs the fitted law −a·e^H + b`,
        fitted.flatMap((p) => [
          { step: p.s, value: p.observed, series: 'logged' },
          { step: p.s, value: p.predicted, series: 'fit −a·e^H + b' },
        ]),
        'accuracy',
        { points: true },
      ),
    );
    plots.push(lawScatter(`${id}-law-scatter`, `${label}: accuracy against entropy, with the fitted law`, fit.steps.map((st) => steps.indexOf(st)).map((j) => [m.entropy[j], m.accuracy[j]]), fit));
    plots.push(
      timePlot(`${id}-residuals`, `${label}: residuals of the law`, fit.steps.map((s, i) => ({ step: s, value: fit.residuals[i], series: 'residual' })), 'residual', {
        yRules: [{ value: 0, label: '0' }],
        points: true,
      }),
    );
    const iv = fit.intervals;
    const ci = (k: 'a' | 'b' | 'ceiling') => (iv ? `[${formatNumber(iv[k].lo)}, ${formatNumber(iv[k].hi)}]` : '—');
    tables.push({
      title: `Entropy–accuracy law R = −a·e^H + b (${fit.n} points${iv ? `; ${Math.round(iv.level * 100)}% moving-block bootstrap, block ${iv.block}, ${iv.fitted}/${iv.samples} resamples` : ''})`,
      columns: ['quantity', 'estimate', 'interval'],
      rows: [
        ['a', cell(fit.a), ci('a')],
        ['b', cell(fit.b), ci('b')],
        ['ceiling b − a (H = 0)', cell(fit.ceiling), ci('ceiling')],
        ['R²', cell(fit.r2), '—'],
      ],
    });
    paragraphs.push(
      `Entropy–accuracy law: a = ${formatNumber(fit.a)}, b = ${formatNumber(fit.b)}, R² = ${formatNumber(fit.r2)}, predicted ceiling b − a = ${formatNumber(fit.ceiling)}${iv ? ` (95% interval ${ci('ceiling')})` : ''}. A fit, not an identity: read R² before the ceiling.`,
    );
  }
  if (r.shares) {
    paragraphs.push(
      `By step ${r.shares.atStep}: ${formatNumber(100 * r.shares.entropyConsumed)}% of the run's entropy drop and ${formatNumber(100 * r.shares.gainAchieved)}% of its ${r.shares.gainOf} gain (Cui et al. report 73% and 76% by step ~200).`,
    );
  }

  const dead = r.deadSignal;
  if (dead) {
    if (dead.allTieFraction) {
      plots.push(
        timePlot(`${id}-alltie`, `${label}: all-tie fraction (${dead.source})`, seriesRows(steps, [[dead.source === 'logged' ? 'logged' : 'estimated (lower bound)', dead.allTieFraction]]), 'fraction of groups with all rewards equal', {
          yRules: [{ value: 1, label: 'no signal' }],
        }),
      );
    }
    paragraphs.push(
      `Dead signal: ${dead.note}${dead.allTieFraction ? `; mean ${formatNumber(dead.meanAllTie)}` : ''}; ${dead.deadSteps.length} of ${r.rows} steps carry no learning signal${dead.deadSteps.length ? ` (${dead.deadSteps.slice(0, 12).join(', ')}${dead.deadSteps.length > 12 ? ', …' : ''})` : ''}.`,
    );
  }

  if (rlvr) {
    paragraphs.push(`RLVR view: ${rlvr.note}`);
    if (rlvr.gap && rlvr.pStar !== null) {
      plots.push(timePlot(`${id}-gap`, `${label}: Bernoulli-KL gap β·kl(p_t‖p*)`, seriesRows(steps, [['β·kl(p_t‖p*)', rlvr.gap]]), 'gap (nats × β)'));
      const lastGap = [...rlvr.gap].reverse().find((g) => !Number.isNaN(g));
      tables.push({
        title: 'RLVR view (F23–F25)',
        columns: ['β', 'p₀', 'p*', 'last gap β·kl(p_t‖p*)'],
        rows: [[rlvr.beta, cell(rlvr.p0), cell(rlvr.pStar), cell(lastGap)]],
      });
    } else {
      plots.push(
        lineChart({
          id: `${id}-pstar`,
          title: `${label}: p* = σ(logit p₀ + 1/β) over β`,
          rows: rlvr.pStarByBeta.map((p) => ({ beta: p.beta, pStar: p.pStar })),
          x: 'beta',
          y: 'pStar',
          xTitle: 'β',
          yTitle: 'p*',
          logX: true,
          points: true,
        }),
      );
      tables.push({ title: 'p* for a range of β', columns: ['β', 'p*'], rows: rlvr.pStarByBeta.map((p) => [p.beta, cell(p.pStar)]) });
    }
  }

  if (r.klReading.length) {
    tables.push({
      title: 'KL reading',
      columns: ['key', 'against', 'estimator', 'placement', 'targets π*_β'],
      rows: r.klReading.map((k) => [k.key, k.against, k.estimator, k.placement, k.targetsGibbs]),
    });
  }
  tables.push({
    title: 'Metric map (the lab’s name ← the log’s keys)',
    columns: ['metric', 'from', 'meaning'],
    rows: Object.keys(r.sources).map((name) => [
      name,
      r.sources[name].join(', '),
      name === 'accuracy' ? (r.accuracy?.note ?? '') : (METRICS.find((d) => d.name === name)?.description ?? 'per-reward-function value'),
    ]),
  });
  return { id, title: `Real run: ${label}`, paragraphs, plots: plots.filter((p): p is PlotSpec => p !== null), tables };
}

function comparisonSection(runs: RunAnalysis[]): ReportSection {
  const overlay = (metric: string, yTitle: string): PlotSpec | null => {
    const rows: Row[] = [];
    for (const r of runs) {
      const v = r.metrics[metric];
      v?.forEach((x, i) => {
        if (Number.isFinite(x)) rows.push({ step: r.steps[i], value: x, series: runLabel(r) });
      });
    }
    return timePlot(`analyze-compare-${slug(metric)}`, `${metric} across runs`, rows, yTitle);
  };
  const first = (v: number[] | undefined) => cell(v?.find(Number.isFinite));
  const last = (v: number[] | undefined) => cell(v && [...v].reverse().find(Number.isFinite));
  const columns = ['', ...runs.map(runLabel)];
  const row = (name: string, f: (r: RunAnalysis) => number | string | null): (number | string | null)[] => [name, ...runs.map(f)];
  return {
    id: 'analyze-compare',
    title: 'Real runs side by side',
    paragraphs: [`${runs.length} logs on one axis each; steps are each log's own (a row number where the log names none).`],
    plots: [
      overlay('entropy', 'entropy (nats/token)'),
      overlay('accuracy', 'accuracy'),
      overlay('reward/mean', 'reward'),
      overlay('kl_ref', 'KL to the reference'),
      overlay('frac_reward_zero_std', 'all-tie fraction'),
    ].filter((p): p is PlotSpec => p !== null),
    tables: [
      {
        title: 'Summary',
        columns,
        rows: [
          row('format', (r) => r.format),
          row('rows', (r) => r.rows),
          row('skipped', (r) => r.skipped),
          row('entropy first', (r) => first(r.metrics.entropy)),
          row('entropy last', (r) => last(r.metrics.entropy)),
          row('accuracy first', (r) => first(r.metrics.accuracy)),
          row('accuracy last', (r) => last(r.metrics.accuracy)),
          row('law a', (r) => cell(r.entropyAccuracyFit?.a)),
          row('law b', (r) => cell(r.entropyAccuracyFit?.b)),
          row('law R²', (r) => cell(r.entropyAccuracyFit?.r2)),
          row('ceiling b − a', (r) => cell(r.entropyAccuracyFit?.ceiling)),
          row('mean all-tie', (r) => cell(r.deadSignal?.meanAllTie)),
          row('dead steps', (r) => (r.deadSignal ? r.deadSignal.deadSteps.length : null)),
          row('p*', (r) => cell(r.rlvr?.pStar)),
        ],
      },
    ],
  };
}

export function analysisSections(runs: RunAnalysis[]): ReportSection[] {
  const sections = runs.map(runSection);
  if (runs.length > 1) sections.push(comparisonSection(runs));
  return sections;
}
