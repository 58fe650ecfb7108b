import { z } from 'zod';
import type { FlowTrace } from '../../flows/trace.js';
import { lineChart, type Row } from '../../report/specs.js';
import { taskSchema } from '../../tasks/schema.js';
import { Cancelled, LabWorker } from '../client.js';
import { defaultTask } from '../examples.js';
import type { FlowsResult } from '../jobs.js';
import type { Page } from '../page.js';
import { PlotView } from '../plots.js';
import { readState, writeState, type Fields } from '../state.js';
import { taskEditor } from '../taskEditor.js';
import { download, h, message, numberTable, progressView, shellQuote, show, slider } from '../ui.js';

const FIELDS: Fields = { task: 'json', tau: 'number', eta: 'number', steps: 'number', from: 'string' };

/** Longest trajectory the page computes (the CLI takes more; a plot shows at most PLOT_POINTS of it). */
const MAX_STEPS = 100_000;
const PLOT_POINTS = 600;

const stateSchema = z
  .object({
    task: taskSchema.default(defaultTask),
    tau: z.number().positive().finite().default(0.5),
    eta: z.number().positive().finite().default(1),
    steps: z.number().int().min(1).max(MAX_STEPS).default(40),
    from: z.enum(['ref', 'uniform']).default('ref'),
  })
  .strict();
type State = z.infer<typeof stateSchema>;

/** The per-step observables plotted, in order. */
const METRICS = [
  { key: 'klToGibbs', title: 'KL(π_k ‖ π*_τ): distance to the Gibbs target', yTitle: 'KL to Gibbs (nats)', log: true },
  { key: 'success', title: 'Success', yTitle: 'success', log: false },
  { key: 'entropy', title: 'Entropy', yTitle: 'entropy (nats)', log: false },
  { key: 'refKl', title: 'KL(π_k ‖ π_ref)', yTitle: 'ref-KL (nats)', log: false },
] as const;

/** Every trajectory as rows at time t = k·η (the replicator flow with dt = η shares that clock). */
function traceRows(named: [string, FlowTrace][], eta: number, key: (typeof METRICS)[number]['key']): Row[] {
  const rows: Row[] = [];
  for (const [method, trace] of named) {
    const n = trace.step.length;
    const stride = Math.max(1, Math.ceil(n / PLOT_POINTS));
    const push = (k: number) => rows.push({ t: trace.step[k] * eta, value: trace[key][k], method });
    for (let k = 0; k < n; k += stride) push(k);
    if ((n - 1) % stride !== 0) push(n - 1);
  }
  return rows;
}

function commands(s: State): string {
  const task = shellQuote(JSON.stringify(s.task));
  const common = `--tau ${s.tau} --steps ${s.steps} --from ${s.from} --json`;
  return [`gibbslab flow --task ${task} --eta ${s.eta} ${common}`, `gibbslab flow --task ${task} --continuous --dt ${s.eta} ${common}`].join('\n');
}

export const flowsPage: Page = {
  id: 'flows',
  title: 'Flows & optimizers',
  mount(root, params, ctx) {
    const state: State = readState(stateSchema, params, FIELDS);
    const worker = new LabWorker();
    const numbers = h('div', { testid: 'numbers' });
    const status = h('div', { class: 'status', testid: 'status' });
    const computeError = h('div', { testid: 'compute-error' });
    const plots = METRICS.map((m) => new PlotView(`plot-${m.key}`));
    const command = h('code', { class: 'command', testid: 'command' });
    const progress = progressView(() => {
      worker.cancel();
      status.textContent = 'Cancelled: change an input to compute again.';
    });
    const save = () => {
      ctx.save(writeState(state, FIELDS));
      command.textContent = commands(state);
    };

    const render = (r: FlowsResult, params: string) => {
      numbers.dataset.for = params;
      const last = r.mirror.step.length - 1;
      const c = 1 - state.eta * state.tau;
      numbers.replaceChildren(
        h('div', { class: 'hint' }, `Mirror descent after ${r.mirror.step[last]} steps (ητ = ${show(state.eta * state.tau)}, contraction |1 − ητ| = ${show(Math.abs(c))}${Math.abs(c) >= 1 ? ': no convergence' : ''})`),
        numberTable([
          { label: 'KL to π*_τ', value: r.mirror.klToGibbs[last], testid: 'value-klToGibbs' },
          { label: 'free-energy gap', value: r.mirror.freeEnergyGap[last], testid: 'value-freeEnergyGap', hint: 'F_τ(π_k) − F_τ(π*_τ) = τ·KL(π_k‖π*_τ)' },
          { label: 'success', value: r.mirror.success[last], testid: 'value-success' },
          { label: 'entropy', value: r.mirror.entropy[last], testid: 'value-entropy' },
          { label: 'ref-KL', value: r.mirror.refKl[last], testid: 'value-refKl' },
          { label: 'expected reward', value: r.mirror.expectedReward[last], testid: 'value-expectedReward' },
          { label: `replicator KL to π*_τ at t = ${show(state.steps * state.eta)}`, value: r.replicator.klToGibbs[last], testid: 'value-replicatorKl' },
        ]),
      );
      const named: [string, FlowTrace][] = [
        [`mirror descent (η = ${state.eta})`, r.mirror],
        [`replicator flow (dt = η)`, r.replicator],
      ];
      METRICS.forEach((m, i) => {
        const rows = traceRows(named, state.eta, m.key);
        plots[i]
          .show(
            lineChart({
              id: `flows-${m.key}`, title: m.title, rows, x: 't', y: 'value', series: 'method', xTitle: 't = k·η', yTitle: m.yTitle,
              // Convergence is geometric: KL on a log axis (zeros, reached in one step at ητ = 1, are dropped).
              logY: m.log && rows.some((row) => (row.value as number) > 0),
            }),
          )
          .catch(showError);
      });
    };

    const showError = (e: unknown) => {
      if (!(e instanceof Cancelled)) computeError.replaceChildren(message('error', (e as Error).message));
    };

    const compute = () => {
      const t0 = performance.now();
      const params = writeState(state, FIELDS).toString();
      progress.start(`${state.steps} steps`);
      worker.run({ kind: 'flows', task: state.task, tau: state.tau, eta: state.eta, steps: state.steps, from: state.from }).then(
        (r) => {
          progress.stop();
          computeError.replaceChildren();
          status.textContent = `computed in ${(performance.now() - t0).toFixed(0)} ms`;
          render(r, params);
        },
        (e) => {
          if (!(e instanceof Cancelled)) progress.stop();
          showError(e);
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
    const tau = slider({ label: 'τ (temperature)', testid: 'tau', min: 0.01, max: 100, value: state.tau, log: true, onInput: (v) => ((state.tau = v), changed()) });
    const eta = slider({
      label: 'η (step size)', testid: 'eta', min: 0.001, max: 100, value: state.eta, log: true,
      hint: 'mirror descent converges iff 0 < ητ < 2, in one step at ητ = 1; the replicator flow is its η → 0 limit',
      onInput: (v) => ((state.eta = v), changed()),
    });
    const steps = slider({ label: 'steps', testid: 'steps', min: 1, max: 1000, value: state.steps, integer: true, onInput: (v) => {
      if (!(v >= 1 && v <= MAX_STEPS)) return;
      state.steps = v;
      changed();
    } });
    const from = h('select', { testid: 'from', 'aria-label': 'initial policy' }, h('option', { value: 'ref' }, 'the reference π_ref'), h('option', { value: 'uniform' }, 'the uniform policy'));
    from.value = state.from;
    from.addEventListener('change', () => {
      state.from = from.value as State['from'];
      changed();
    });

    root.replaceChildren(
      h('h2', {}, 'The ideal flow toward π*_τ, and the optimizers that approximate it'),
      h('p', { class: 'lead' }, 'Entropic mirror descent on the free energy (π_{k+1} ∝ π_k·exp(η(r − τ·log(π_k/π_ref)))) and its continuous limit, the replicator flow, from the same start. Computed by the code of ', h('code', {}, 'gibbslab flow'), '.'),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h('div', { class: 'panel' }, editor.el, tau.el, eta.el, steps.el, h('label', {}, 'start from'), from),
          h(
            'div',
            { class: 'panel' },
            h('label', {}, 'The same with the CLI'),
            command,
            h('div', { class: 'buttons' }, h('button', { testid: 'download-task', onclick: () => download(`${state.task.kind}-task.json`, `${JSON.stringify(state.task, null, 2)}\n`) }, 'Download task file')),
          ),
          h('div', { class: 'note', testid: 'optimizers-note' }, 'The practical optimizers (NPG, TRPO, PPO, GRPO, REINFORCE/RLOO) join these plots once src/optimizers lands; until then the page shows the ideal dynamics they are measured against.'),
        ),
        h('div', {}, h('div', { class: 'panel' }, numbers, status, progress.el, computeError), h('div', { class: 'plots' }, ...plots.map((p) => p.el))),
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
