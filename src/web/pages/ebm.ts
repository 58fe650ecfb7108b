import { z } from 'zod';
import { cliPanel, computeViews, taskDownload } from '../computeViews.js';
import { lineChart, type Row } from '../../report/specs.js';
import { taskSchema, type RefineTask } from '../../tasks/schema.js';
import { LabWorker } from '../client.js';
import { EXAMPLES } from '../examples.js';
import { FULL_SPECTRUM_STATES, type ChainAtResult, type ChainScanResult } from '../jobs.js';
import type { Page } from '../page.js';
import { PlotView } from '../plots.js';
import { readState, writeState, type Fields } from '../state.js';
import { taskEditor } from '../taskEditor.js';
import { h, message, numberTable, progressView, shellQuote, slider } from '../ui.js';

const FIELDS: Fields = { task: 'json', beta: 'number', steps: 'number', betaMin: 'number', betaMax: 'number', points: 'number' };

/** The lab's refine example (examples/refine.yaml), else a small generated chain. */
const DEFAULT_TASK: RefineTask =
  (EXAMPLES.find((e) => e.task.kind === 'refine')?.task as RefineTask | undefined) ?? taskSchema.parse({ kind: 'refine', generate: { states: 40, seed: 0 } }) as RefineTask;

const KIND_RULE = { kinds: ['refine'] as const, message: 'the EBM lens needs a task of kind refine (as `gibbslab chain`)' };

const stateSchema = z
  .object({
    task: taskSchema.default(DEFAULT_TASK),
    beta: z.number().positive().finite().default(0.5),
    steps: z.number().int().min(0).max(100_000).default(30),
    betaMin: z.number().positive().finite().default(0.05),
    betaMax: z.number().positive().finite().default(50),
    points: z.number().int().min(3).max(401).default(41),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.task.kind !== 'refine') ctx.addIssue({ code: 'custom', path: ['task', 'kind'], message: KIND_RULE.message });
    if (!(s.betaMin < s.betaMax)) ctx.addIssue({ code: 'custom', path: ['betaMax'], message: `must be greater than betaMin (${s.betaMin})` });
  });
type State = z.infer<typeof stateSchema> & { task: RefineTask };

export const ebmPage: Page = {
  id: 'ebm',
  title: 'EBM lens',
  mount(root, params, ctx) {
    const state = readState(stateSchema, params, FIELDS) as State;
    const atWorker = new LabWorker();
    const scanWorker = new LabWorker();
    let scan: ChainScanResult | null = null;
    const views = computeViews();
    const { numbers, status, computeError, command, showError } = views;
    const plots = { stationary: new PlotView('plot-stationary'), kl: new PlotView('plot-kl'), spectrum: new PlotView('plot-spectrum'), gap: new PlotView('plot-gap') };
    const progress = progressView(() => {
      scanWorker.cancel();
      status.textContent = 'β scan cancelled: change an input to compute again.';
    });
    const save = () => {
      ctx.save(writeState(state, FIELDS));
      command.textContent = `gibbslab chain --task ${shellQuote(JSON.stringify(state.task))} --beta ${state.beta} --steps ${state.steps} --json`;
    };

    const render = ({ analysis: a, quality, spectrum }: ChainAtResult, params: string) => {
      numbers.dataset.for = params;
      numbers.replaceChildren(
        numberTable([
          { label: 'β', value: a.beta, testid: 'value-beta' },
          { label: 'responses', value: a.states, testid: 'value-states' },
          { label: 'detailed-balance residual', value: a.detailedBalanceResidual, testid: 'value-detailedBalanceResidual', hint: 'max |ν(f)T(g|f) − ν(g)T(f|g)|: 0 up to rounding iff T is reversible' },
          { label: 'potential residual', value: a.potentialResidual, testid: 'value-potentialResidual', hint: 'max |log T(g|f)/T(f|g) − (V(g) − V(f))|, V = log μ + u/β + log Z_u (F18)' },
          { label: 'λ₂', value: a.lambda2, testid: 'value-lambda2' },
          { label: 'spectral gap 1 − λ₂', value: a.spectralGap, testid: 'value-spectralGap' },
          { label: 'gap lower bound (F21)', value: a.gapLowerBound, testid: 'value-gapLowerBound', hint: 'e^{−2·osc(u)/β}·(1 − λ₂(π_ref))' },
          { label: `hitting time from the worst response (${a.worst})`, value: a.hittingTimes[a.worst], testid: 'value-hittingTime', hint: `expected steps to reach a best response (${a.best.join(', ')})` },
          { label: `KL(p_t ‖ ν) at t = ${a.klToStationary.length - 1}`, value: a.klToStationary.at(-1) ?? null, testid: 'value-klLast' },
        ]),
        ...(a.reversible ? [] : [message('note', 'T is not reversible: its spectrum is complex and the spectral statements (λ₂, gap, F20–F21) do not apply.')]),
      );
      const stationaryRows: Row[] = quality.flatMap((u, f) => [
        { quality: u, probability: a.stationary[f], series: 'stationary ν of T' },
        { quality: u, probability: Math.exp(a.potential[f]), series: 'e^V (F18 potential)' },
      ]);
      plots.stationary
        .show(lineChart({ id: 'ebm-stationary', title: 'Stationary distribution vs quality', rows: stationaryRows, x: 'quality', y: 'probability', series: 'series', points: true, logY: true, xTitle: 'quality u(f)', yTitle: 'probability' }))
        .catch(showError);
      const klRows: Row[] = a.klToStationary.flatMap((kl, t) => [
        { t, kl, series: 'KL(p_t ‖ ν) from the worst response' },
        ...(a.klBound ? [{ t, kl: a.klBound[t], series: 'F20 bound log(1 + λ*^{2t}(1/ν(x) − 1))' }] : []),
      ]);
      plots.kl.show(lineChart({ id: 'ebm-kl', title: 'Mixing: KL to stationarity', rows: klRows, x: 't', y: 'kl', series: 'series', logY: true, xTitle: 'revision steps t', yTitle: 'KL (nats)' })).catch(showError);
      if (spectrum) {
        plots.spectrum
          .show(
            lineChart({
              id: 'ebm-spectrum', title: 'Spectrum of T (eigenvalues, descending)', rows: spectrum.map((lambda, i) => ({ i: i + 1, lambda })), x: 'i', y: 'lambda', points: true,
              xTitle: 'index', yTitle: 'eigenvalue', yRules: a.lambda2 === null ? [] : [{ value: a.lambda2, label: 'λ₂' }],
            }),
          )
          .catch(showError);
      } else plots.spectrum.el.replaceChildren(message('note', a.reversible ? `The full spectrum is shown up to ${FULL_SPECTRUM_STATES} responses; λ₂ and λ_min are in the table.` : 'No real spectrum: T is not reversible.'));
      showGap();
    };

    const showGap = () => {
      if (!scan) return;
      const s = scan;
      const rows: Row[] = s.beta.flatMap((beta, i) => [
        { beta, value: s.spectralGap[i], series: 'spectral gap 1 − λ₂' },
        { beta, value: s.gapLowerBound[i], series: 'F21 lower bound' },
      ]);
      plots.gap
        .show(lineChart({ id: 'ebm-gap', title: 'Spectral gap vs β', rows, x: 'beta', y: 'value', series: 'series', logX: true, logY: true, xTitle: 'β', yTitle: 'gap', xRules: [{ value: state.beta, label: 'β' }] }))
        .catch(showError);
    };

    const computeAt = () => {
      const params = writeState(state, FIELDS).toString();
      const t0 = performance.now();
      atWorker.run({ kind: 'chain-at', task: state.task, beta: state.beta, steps: state.steps }).then((r) => {
        computeError.replaceChildren();
        status.textContent = `chain at β = ${state.beta} in ${(performance.now() - t0).toFixed(0)} ms`;
        render(r, params);
      }, showError);
    };
    const computeScan = () => {
      scan = null;
      views.track(
        progress,
        `β grid (${state.points} points)`,
        (onProgress) => scanWorker.run({ kind: 'chain-scan', task: state.task, betaMin: state.betaMin, betaMax: state.betaMax, points: state.points }, onProgress),
        (r) => {
          scan = r;
          showGap();
        },
      );
    };

    const editor = taskEditor<RefineTask>(
      state.task,
      (task) => {
        state.task = task;
        save();
        computeAt();
        computeScan();
      },
      KIND_RULE,
    );
    const beta = slider({
      label: 'β (reference-KL coefficient of the tuned model)', testid: 'beta', min: state.betaMin, max: state.betaMax, value: state.beta, log: true,
      hint: 'T(g|f) ∝ π_ref(g|f)·exp(u(g)/β): small β sharpens toward quality and slows mixing',
      onInput(v) {
        state.beta = v;
        save();
        computeAt();
        showGap();
      },
    });
    const steps = slider({
      label: 'revision steps of the KL trace', testid: 'steps', min: 1, max: 200, value: state.steps, integer: true,
      onInput(v) {
        if (!(v >= 0 && v <= 100_000)) return;
        state.steps = v;
        save();
        computeAt();
      },
    });

    root.replaceChildren(
      h('h2', {}, 'The EBM lens: a response-refinement chain tuned by KL-regularized RL'),
      h(
        'p',
        { class: 'lead' },
        'Revising a response f into g with the tuned model T(g|f) ∝ π_ref(g|f)·exp(u(g)/β) is a Markov chain; when the proposal is reversible, so is T, with stationary distribution e^V, V = log μ + u/β + log Z_u. Watch detailed balance, the spectral gap and mixing as β moves. The code is that of ',
        h('code', {}, 'gibbslab chain'),
        ' (a reconstruction, see SPEC §5.1).',
      ),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h('div', { class: 'panel' }, editor.el, beta.el, steps.el),
          cliPanel(command, [taskDownload(() => state.task)]),
        ),
        h('div', {}, views.resultsPanel(progress.el), h('div', { class: 'plots' }, plots.stationary.el, plots.kl.el, plots.spectrum.el, plots.gap.el)),
      ),
    );
    save();
    computeAt();
    computeScan();
    return () => {
      atWorker.cancel();
      scanWorker.cancel();
      progress.stop();
    };
  },
};
