import { z } from 'zod';
import { cliPanel, computeViews, taskDownload } from '../computeViews.js';
import { lineChart, type Row } from '../../report/specs.js';
import { taskSchema } from '../../tasks/schema.js';
import { LabWorker } from '../client.js';
import { defaultTask } from '../examples.js';
import type { FlowTrace } from '../../flows/trace.js';
import type { OptimizeResult } from '../../optimizers/optimize.js';
import type { FlowsResult } from '../jobs.js';
import { OPTIMIZER_FIELDS, optimizeCommand, optimizerControls, optimizerRuns, optimizerStateShape } from '../optimizerControls.js';
import type { Page } from '../page.js';
import { PlotView } from '../plots.js';
import { readState, writeState, type Fields } from '../state.js';
import { taskEditor } from '../taskEditor.js';
import { h, metricTable, progressView, shellQuote, show, slider } from '../ui.js';

const FIELDS: Fields = { task: 'json', tau: 'number', eta: 'number', steps: 'number', from: 'string', ...OPTIMIZER_FIELDS };

/** Longest trajectory the page computes (the CLI takes more; a plot shows at most PLOT_POINTS of it). */
const MAX_STEPS = 100_000;
const PLOT_POINTS = 600;

const stateSchema = z
  .object({
    task: taskSchema.default(defaultTask),
    tau: z.number().positive().finite().default(0.5),
    eta: z.number().positive().finite().default(1),
    steps: z.number().int().min(1).max(MAX_STEPS).default(200),
    from: z.enum(['ref', 'uniform']).default('ref'),
    ...optimizerStateShape,
  })
  .strict();
type State = z.infer<typeof stateSchema>;

/** One trajectory as the page shows it. */
interface Trajectory {
  key: string;
  label: string;
  trace: FlowTrace | OptimizeResult;
}

/** A per-step series of a trajectory by its name in FlowTrace / LadderTrace; undefined when it has none. */
function column(t: Trajectory, key: string): number[] | undefined {
  const v = (t.trace as unknown as Record<string, unknown>)[key];
  return Array.isArray(v) ? (v as number[]) : undefined;
}

/** The plots, in order; proximal KL and alignment exist for the practical optimizers only (per-update diagnostics). */
const PLOTS = [
  { key: 'klToGibbs', title: 'KL(π_k ‖ π*_τ): distance to the Gibbs target', yTitle: 'KL to Gibbs (nats)', log: true },
  { key: 'success', title: 'Success', yTitle: 'success', log: false },
  { key: 'entropy', title: 'Entropy', yTitle: 'entropy (nats)', log: false },
  { key: 'refKl', title: 'KL(π_k ‖ π_ref)', yTitle: 'ref-KL (nats)', log: false },
  { key: 'proximalKl', title: 'Proximal KL(π_k ‖ π_{k−1}) spent per step', yTitle: 'proximal KL (nats)', log: true },
  { key: 'alignment', title: 'Alignment with the exact mirror-descent step (η = lr)', yTitle: 'cosine (Fisher metric)', log: false },
] as const;

const COLUMNS = [
  { key: 'klToGibbs', label: 'KL to π*_τ' },
  { key: 'freeEnergyGap', label: 'free-energy gap', hint: 'F_τ(π_k) − F_τ(π*_τ) = τ·KL(π_k‖π*_τ)' },
  { key: 'success', label: 'success' },
  { key: 'entropy', label: 'entropy' },
  { key: 'refKl', label: 'ref-KL' },
  { key: 'expectedReward', label: 'E[r]' },
  { key: 'proximalKl', label: 'proximal KL', hint: 'of the last step' },
  { key: 'alignment', label: 'alignment', hint: 'of the last step' },
];

function trajectories(r: FlowsResult, s: State): Trajectory[] {
  return [
    { key: 'md', label: `mirror descent (η = ${s.eta})`, trace: r.mirror },
    { key: 'replicator', label: 'replicator flow (dt = η)', trace: r.replicator },
    ...r.optimizers.map((o) => ({ key: o.settings.optimizer, label: `${o.settings.optimizer} (lr = ${o.settings.lr})`, trace: o })),
  ];
}

/** Rows for one plot: every trajectory, at most PLOT_POINTS points each (the last one always). */
function plotRows(ts: Trajectory[], key: string): Row[] {
  const rows: Row[] = [];
  for (const t of ts) {
    const values = column(t, key);
    if (!values) continue;
    const n = t.trace.step.length;
    const stride = Math.max(1, Math.ceil(n / PLOT_POINTS));
    const push = (k: number) => rows.push({ step: t.trace.step[k], value: values[k], method: t.label });
    for (let k = 0; k < n; k += stride) push(k);
    if ((n - 1) % stride !== 0) push(n - 1);
  }
  return rows;
}

function commands(s: State): string {
  const task = shellQuote(JSON.stringify(s.task));
  const common = `--tau ${s.tau} --steps ${s.steps} --from ${s.from} --json`;
  return [
    `gibbslab flow --task ${task} --eta ${s.eta} ${common}`,
    `gibbslab flow --task ${task} --continuous --dt ${s.eta} ${common}`,
    ...optimizerRuns(s, { beta: s.tau, from: s.from }).map((run) => optimizeCommand(s.task, run, s.steps, s.seed)),
  ].join('\n');
}

/** A sweep file (`gibbslab sweep`) over η around the page's value, the rest as on the page. */
function sweepFile(s: State): string {
  const sweep = {
    title: `Mirror descent on a ${s.task.kind} task at τ = ${s.tau}, across step sizes (from the web lab)`,
    measure: 'flow',
    task: s.task,
    base: { tau: s.tau, steps: s.steps, from: s.from },
    grid: { eta: { from: s.eta / 10, to: s.eta * 10, count: 21, log: true } },
  };
  return `${JSON.stringify(sweep, null, 2)}\n`;
}

export const flowsPage: Page = {
  id: 'flows',
  title: 'Flows & optimizers',
  mount(root, params, ctx) {
    const state: State = readState(stateSchema, params, FIELDS);
    const worker = new LabWorker();
    const views = computeViews();
    const { numbers, status, computeError, command, showError } = views;
    const plots = PLOTS.map((p) => new PlotView(`plot-${p.key}`));
    const progress = progressView(() => {
      worker.cancel();
      status.textContent = 'Cancelled: change an input to compute again.';
    });
    const save = () => {
      ctx.save(writeState(state, FIELDS));
      command.textContent = commands(state);
    };

    const render = (r: FlowsResult, params: string) => {
      const ts = trajectories(r, state);
      const c = 1 - state.eta * state.tau;
      numbers.dataset.for = params;
      numbers.replaceChildren(
        h('div', { class: 'hint' }, `After ${state.steps} steps. Mirror descent: ητ = ${show(state.eta * state.tau)}, contraction |1 − ητ| = ${show(Math.abs(c))}${Math.abs(c) >= 1 ? ' (no convergence)' : ''}.`),
        metricTable(
          COLUMNS,
          ts.map((t) => ({ key: t.key, label: t.label, values: Object.fromEntries(COLUMNS.map((col) => [col.key, column(t, col.key)?.at(-1) ?? null])) })),
        ),
      );
      PLOTS.forEach((p, i) => {
        const rows = plotRows(ts, p.key);
        if (!rows.some((row) => Number.isFinite(row.value))) return plots[i].clear();
        plots[i]
          .show(
            lineChart({
              id: `flows-${p.key}`, title: p.title, rows, x: 'step', y: 'value', series: 'method', xTitle: 'step k (replicator: t = k·η)', yTitle: p.yTitle,
              // Convergence is geometric: KLs on a log axis (exact zeros, e.g. mirror descent at ητ = 1, are dropped).
              logY: p.log && rows.some((row) => (row.value as number) > 0),
            }),
          )
          .catch(showError);
      });
    };


    const compute = () => {
      const params = writeState(state, FIELDS).toString();
      views.track(
        progress,
        `${state.steps} steps`,
        (onProgress) =>
          worker.run(
            { kind: 'flows', task: state.task, tau: state.tau, eta: state.eta, steps: state.steps, from: state.from, optimizers: optimizerRuns(state, { beta: state.tau, from: state.from }), seed: state.seed },
            onProgress,
          ),
        (r, ms) => {
          views.computed(ms);
          render(r, params);
        },
      );
    };
    const changed = () => {
      save();
      compute();
    };

    const editor = taskEditor(state.task, (task) => {
      state.task = task;
      changed();
    });
    const tau = slider({ label: 'τ (temperature; β of the optimizers)', testid: 'tau', min: 0.01, max: 100, value: state.tau, log: true, onInput: (v) => ((state.tau = v), changed()) });
    const eta = slider({
      label: 'η (mirror-descent step size)', testid: 'eta', min: 0.001, max: 100, value: state.eta, log: true,
      hint: 'mirror descent converges iff 0 < ητ < 2, in one step at ητ = 1; the replicator flow is its η → 0 limit',
      onInput: (v) => ((state.eta = v), changed()),
    });
    const steps = slider({
      label: 'steps', testid: 'steps', min: 1, max: 5000, value: state.steps, integer: true,
      onInput: (v) => {
        if (!(v >= 1 && v <= MAX_STEPS)) return;
        state.steps = v;
        changed();
      },
    });
    const from = h('select', { testid: 'from', 'aria-label': 'initial policy' }, h('option', { value: 'ref' }, 'the reference π_ref'), h('option', { value: 'uniform' }, 'the uniform policy'));
    from.value = state.from;
    from.addEventListener('change', () => {
      state.from = from.value as State['from'];
      changed();
    });

    root.replaceChildren(
      h('h2', {}, 'The ideal flow toward π*_τ, and the optimizers that approximate it'),
      h(
        'p',
        { class: 'lead' },
        'Entropic mirror descent on the free energy (π_{k+1} ∝ π_k·exp(η(r − τ·log(π_k/π_ref)))), its continuous limit the replicator flow, and practical optimizers from sampled batches, from the same start. Every number is exact; the code is the CLI’s (',
        h('code', {}, 'gibbslab flow'),
        ', ',
        h('code', {}, 'gibbslab optimize'),
        ').',
      ),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h('div', { class: 'panel' }, editor.el, tau.el, eta.el, steps.el, h('label', {}, 'start from'), from),
          h('div', { class: 'panel' }, optimizerControls(state, changed)),
          cliPanel(command, [taskDownload(() => state.task), { testid: 'download-sweep', label: 'Download sweep over η', file: () => 'flow-sweep.json', text: () => sweepFile(state) }]),
        ),
        h('div', {}, views.resultsPanel(progress.el), h('div', { class: 'plots' }, ...plots.map((p) => p.el))),
      ),
    );
    save();
    compute();
    return () => {
      worker.cancel();
      progress.stop();
    };
  },
};
