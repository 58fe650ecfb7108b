import { z } from 'zod';
import type { OptimizeResult } from '../../optimizers/optimize.js';
import { OPTIMIZER_NAMES } from '../../optimizers/settings.js';
import { lineChart, type Row } from '../../report/specs.js';
import { taskSchema } from '../../tasks/schema.js';
import { Cancelled, LabWorker } from '../client.js';
import { defaultTask, example } from '../examples.js';
import { OPTIMIZER_FIELDS, optimizeCommand, optimizerControls, optimizerRuns, optimizerStateShape } from '../optimizerControls.js';
import type { Page } from '../page.js';
import { PlotView } from '../plots.js';
import { readState, writeState, type Fields } from '../state.js';
import { taskEditor } from '../taskEditor.js';
import { h, message, metricTable, progressView, slider } from '../ui.js';

const FIELDS: Fields = { task: 'json', beta: 'number', steps: 'number', from: 'string', clipHigh: 'number', ...OPTIMIZER_FIELDS };
const MAX_STEPS = 100_000;
const PLOT_POINTS = 400;

const stateSchema = z
  .object({
    // A bandit with a rare best completion: without a reference KL the optimizers collapse onto it.
    task: taskSchema.default(example('bandit') ?? defaultTask),
    beta: z.number().min(0).finite().default(0),
    steps: z.number().int().min(1).max(MAX_STEPS).default(300),
    from: z.enum(['ref', 'uniform']).default('ref'),
    /** DAPO's clip-higher ε_high for every optimizer with a clipped ratio; absent: each one's default. */
    clipHigh: z.number().positive().max(10).optional(),
    ...optimizerStateShape,
    // GRPO (ε_high = 0.2) next to DAPO (clip-higher, ε_high = 0.28): the first entropy control.
    optimizers: z.array(z.enum(OPTIMIZER_NAMES)).default(['grpo', 'dapo']),
  })
  .strict();
type State = z.infer<typeof stateSchema>;

const COLUMNS = [
  { key: 'entropy', label: 'entropy H(π_k)' },
  { key: 'success', label: 'success' },
  { key: 'entropyChange', label: 'last ΔH', hint: 'exact H(π_k) − H(π_{k−1})' },
  { key: 'entropyChangePredicted', label: 'predicted', hint: '−Cov_π(log π, Δz), first order in the step (F28)' },
  { key: 'maxResidual', label: 'max |ΔH − predicted|', hint: 'over all steps: second order in the step size' },
];

function downsample(n: number, push: (k: number) => void): void {
  const stride = Math.max(1, Math.ceil(n / PLOT_POINTS));
  for (let k = 0; k < n; k += stride) push(k);
  if ((n - 1) % stride !== 0) push(n - 1);
}

export const entropyPage: Page = {
  id: 'entropy',
  title: 'Entropy control',
  mount(root, params, ctx) {
    const state: State = readState(stateSchema, params, FIELDS);
    const worker = new LabWorker();
    const numbers = h('div', { testid: 'numbers' });
    const status = h('div', { class: 'status', testid: 'status' });
    const computeError = h('div', { testid: 'compute-error' });
    const plots = { entropy: new PlotView('plot-entropy'), success: new PlotView('plot-success'), identity: new PlotView('plot-identity'), residual: new PlotView('plot-residual') };
    const command = h('code', { class: 'command', testid: 'command' });
    const progress = progressView(() => {
      worker.cancel();
      status.textContent = 'Cancelled: change an input to compute again.';
    });
    const runs = () => optimizerRuns(state, { beta: state.beta, from: state.from, clipRatioHigh: state.clipHigh });
    const save = () => {
      ctx.save(writeState(state, FIELDS));
      command.textContent = runs().map((run) => optimizeCommand(state.task, run, state.steps, state.seed)).join('\n') || '(no optimizer chosen)';
    };
    const showError = (e: unknown) => {
      if (!(e instanceof Cancelled)) computeError.replaceChildren(message('error', (e as Error).message));
    };

    const render = (results: OptimizeResult[], params: string) => {
      numbers.dataset.for = params;
      const residual = (r: OptimizeResult, k: number) => Math.abs(r.entropyChange[k] - r.entropyChangePredicted[k]);
      numbers.replaceChildren(
        metricTable(
          COLUMNS,
          results.map((r) => {
            let worst = 0;
            for (let k = 1; k < r.step.length; k++) if (Number.isFinite(residual(r, k))) worst = Math.max(worst, residual(r, k));
            const last = r.step.length - 1;
            return {
              key: r.settings.optimizer,
              label: r.settings.optimizer,
              values: { entropy: r.entropy[last], success: r.success[last], entropyChange: r.entropyChange[last], entropyChangePredicted: r.entropyChangePredicted[last], maxResidual: worst },
            };
          }),
        ),
      );
      const series = (key: 'entropy' | 'success') => {
        const rows: Row[] = [];
        for (const r of results) downsample(r.step.length, (k) => rows.push({ step: r.step[k], value: r[key][k], method: r.settings.optimizer }));
        return rows;
      };
      plots.entropy.show(lineChart({ id: 'entropy-entropy', title: 'Entropy of the policy', rows: series('entropy'), x: 'step', y: 'value', series: 'method', xTitle: 'step', yTitle: 'entropy (nats)' })).catch(showError);
      plots.success.show(lineChart({ id: 'entropy-success', title: 'Success', rows: series('success'), x: 'step', y: 'value', series: 'method', xTitle: 'step', yTitle: 'success' })).catch(showError);
      const identity: Row[] = [];
      const residuals: Row[] = [];
      for (const r of results) {
        const name = r.settings.optimizer;
        downsample(r.step.length, (k) => {
          identity.push({ step: r.step[k], value: r.entropyChange[k], series: `${name}: exact ΔH` }, { step: r.step[k], value: r.entropyChangePredicted[k], series: `${name}: −Cov(log π, Δz)` });
          residuals.push({ step: r.step[k], value: residual(r, k), series: name });
        });
      }
      plots.identity
        .show(lineChart({ id: 'entropy-identity', title: 'Entropy change per step: exact vs first-order prediction (F28)', rows: identity, x: 'step', y: 'value', series: 'series', xTitle: 'step', yTitle: 'ΔH (nats)', yRules: [{ value: 0, label: '0' }] }))
        .catch(showError);
      plots.residual
        .show(lineChart({ id: 'entropy-residual', title: '|ΔH − prediction|: the second-order remainder', rows: residuals, x: 'step', y: 'value', series: 'series', logY: true, xTitle: 'step', yTitle: 'nats' }))
        .catch(showError);
    };

    const compute = () => {
      const params = writeState(state, FIELDS).toString();
      const t0 = performance.now();
      progress.start(`${state.optimizers.length} optimizers × ${state.steps} steps`);
      worker.run({ kind: 'optimize', task: state.task, steps: state.steps, optimizers: runs(), seed: state.seed }, (d, t) => progress.update(d, t)).then(
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
    const beta = slider({
      label: 'β (reference-KL coefficient; 0: none)', testid: 'beta', min: 0, max: 2, value: state.beta,
      hint: 'without a reference KL, the optimizers head for argmax r and the entropy collapses',
      onInput: (v) => {
        if (!(v >= 0)) return;
        state.beta = v;
        changed();
      },
    });
    const steps = slider({ label: 'steps', testid: 'steps', min: 1, max: 3000, value: state.steps, integer: true, onInput: (v) => {
      if (!(v >= 1 && v <= MAX_STEPS)) return;
      state.steps = v;
      changed();
    } });
    /** The slider's value, kept while the override is off. */
    let clipValue = state.clipHigh ?? 0.28;
    const clipSlider = slider({
      label: 'clip-higher ε_high', testid: 'clipHigh', min: 0.05, max: 1, value: clipValue,
      hint: 'the upper clip of the ratio for every optimizer with one (DAPO’s clip-higher keeps rare tokens rising)',
      onInput: (v) => {
        if (!(v > 0 && v <= 10)) return;
        clipValue = v;
        state.clipHigh = v;
        clipOn.checked = true;
        changed();
      },
    });
    const clipOn = h('input', { type: 'checkbox', testid: 'clipHigh-on', checked: state.clipHigh !== undefined });
    clipOn.addEventListener('change', () => {
      state.clipHigh = clipOn.checked ? clipValue : undefined;
      changed();
    });

    root.replaceChildren(
      h('h2', {}, 'Entropy dynamics and entropy control'),
      h(
        'p',
        { class: 'lead' },
        'How fast each optimizer spends the policy’s entropy, and how well the first-order identity ΔH ≈ −Cov_π(log π, Δz) predicts each step. Every number is exact; the code is ',
        h('code', {}, 'gibbslab optimize'),
        '’s (its entropyChange and entropyChangePredicted fields).',
      ),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h('div', { class: 'panel' }, editor.el, beta.el, steps.el, h('label', { style: 'font-weight:normal' }, clipOn, ' set clip-higher for all'), clipSlider.el),
          h('div', { class: 'panel' }, optimizerControls(state, changed, 'Optimizers side by side (sampled batches)')),
          h(
            'div',
            { class: 'note', testid: 'controls-note' },
            'Entropy bonus (α), Clip-Cov, KL-Cov and their annealed forms are being built in the core (issue 5) and are not in it yet; they will appear here as knobs next to clip-higher once the optimizers take them.',
          ),
          h('div', { class: 'panel' }, h('label', {}, 'The same with the CLI'), command),
        ),
        h('div', {}, h('div', { class: 'panel' }, numbers, status, progress.el, computeError), h('div', { class: 'plots' }, plots.entropy.el, plots.success.el, plots.identity.el, plots.residual.el)),
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
