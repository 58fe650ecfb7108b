import { z } from 'zod';
import { cliPanel, computeViews, taskDownload } from '../computeViews.js';
import type { EquilibriumTable } from '../../equilibrium/equilibrium.js';
import { lineChart, type Row } from '../../report/specs.js';
import { taskSchema } from '../../tasks/schema.js';
import { LabWorker } from '../client.js';
import { defaultTask } from '../examples.js';
import type { ScanResult } from '../jobs.js';
import type { Page } from '../page.js';
import { PlotView } from '../plots.js';
import { readState, writeState, type Fields } from '../state.js';
import { taskEditor } from '../taskEditor.js';
import { h, message, numberTable, progressView, shellQuote, slider, type NumberRow } from '../ui.js';

const FIELDS: Fields = { task: 'json', tau: 'number', tauMin: 'number', tauMax: 'number', points: 'number' };

const stateSchema = z
  .object({
    task: taskSchema.default(defaultTask),
    tau: z.number().positive().finite().default(0.5),
    tauMin: z.number().positive().finite().default(0.01),
    tauMax: z.number().positive().finite().default(100),
    points: z.number().int().min(5).max(2001).default(121),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!(s.tauMin < s.tauMax)) ctx.addIssue({ code: 'custom', path: ['tauMax'], message: `must be greater than tauMin (${s.tauMin})` });
  });
type State = z.infer<typeof stateSchema>;

/** Chains: the K slider's upper end (any K is accepted in the task box and the number field). */
const K_SLIDER_MAX = 256;

/** The `gibbslab` commands that compute what the page shows, for the current state. */
function commands(s: State): string {
  const task = shellQuote(JSON.stringify(s.task));
  return [`gibbslab equilibrium --task ${task} --tau ${s.tau} --json`, `gibbslab critical --task ${task} --json`].join('\n');
}

/** A sweep file (`gibbslab sweep`) over the τ grid of the plots: the same curves, computed by the CLI on all cores. */
function sweepFile(s: State): string {
  const sweep = {
    title: `Equilibrium of a ${s.task.kind} task over τ (from the web lab)`,
    measure: 'equilibrium',
    task: s.task,
    grid: { tau: { from: s.tauMin, to: s.tauMax, count: s.points, log: true } },
  };
  return `${JSON.stringify(sweep, null, 2)}\n`;
}

/** The curves against τ, in the order shown. */
const TAU_PLOTS = [
  { y: 'success', title: 'Equilibrium success vs τ', yTitle: 'success (P of the maximal reward)' },
  { y: 'entropy', title: 'Entropy of π*_τ vs τ', yTitle: 'entropy (nats)' },
  { y: 'refKl', title: 'KL(π*_τ ‖ π_ref) vs τ', yTitle: 'ref-KL (nats)' },
] as const;

export const equilibriumPage: Page = {
  id: 'equilibrium',
  title: 'Equilibrium',
  mount(root, params, ctx) {
    const state: State = readState(stateSchema, params, FIELDS);
    const atWorker = new LabWorker();
    const scanWorker = new LabWorker();
    /** The observables shown, with the state (URL parameters) they were computed for. */
    let at: { table: EquilibriumTable; params: string } | null = null;
    let scan: ScanResult | null = null;
    const save = () => {
      ctx.save(writeState(state, FIELDS));
      command.textContent = commands(state);
    };

    const views = computeViews();
    const { numbers, status, computeError, command, showError } = views;
    const plots = { success: new PlotView('plot-success'), entropy: new PlotView('plot-entropy'), refKl: new PlotView('plot-refkl'), chain: new PlotView('plot-chain') };
    const progress = progressView(() => {
      scanWorker.cancel();
      status.textContent = 'Scan cancelled: change an input to compute again.';
    });

    const showNumbers = () => {
      const rows: NumberRow[] = [];
      if (at) {
        const t = at.table;
        numbers.dataset.for = at.params;
        rows.push(
          { label: 'τ', value: t.tau[0], testid: 'value-tau' },
          { label: 'success', value: t.success[0], testid: 'value-success', hint: 'probability of the maximal reward under π*_τ' },
          { label: 'entropy', value: t.entropy[0], testid: 'value-entropy', hint: 'nats (sequence-level for chains; mean over prompts for contextual tasks)' },
          { label: 'ref-KL', value: t.refKl[0], testid: 'value-refKl', hint: 'KL(π*_τ ‖ π_ref), nats' },
          { label: 'expected reward', value: t.expectedReward[0], testid: 'value-expectedReward' },
          { label: 'free energy', value: t.freeEnergy[0], testid: 'value-freeEnergy', hint: '−E[r] + τ·KL(π*‖π_ref) = −τ·log Z' },
          { label: 'log Z', value: t.logZ[0], testid: 'value-logZ' },
        );
      }
      if (scan) {
        rows.push({ label: 'τ_c', value: scan.tauC, testid: 'value-tauC', hint: 'where equilibrium success crosses 1/2 (— when it never does)' });
        if (scan.chain) rows.push({ label: 'τ_c limit δ/|log q|', value: scan.chain.limit, testid: 'value-tauCLimit' });
      }
      numbers.replaceChildren(numberTable(rows));
    };

    let frame = 0;
    const showPlots = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (!scan) return;
        const rules = [...(scan.tauC !== null ? [{ value: scan.tauC, label: `τ_c = ${scan.tauC.toPrecision(4)}` }] : []), { value: state.tau, label: 'τ' }];
        for (const p of TAU_PLOTS) {
          const column = scan.table[p.y];
          const rows: Row[] = scan.table.tau.map((tau, i) => ({ tau, [p.y]: column[i] }));
          plots[p.y]
            .show(
              lineChart({
                id: `equilibrium-${p.y}`, title: p.title, rows, x: 'tau', y: p.y, logX: true, xTitle: 'τ', yTitle: p.yTitle, xRules: rules,
                // Reference KL spans decades over the τ grid: a log axis (zeros are dropped by lineChart).
                logY: p.y === 'refKl' && column.some((v) => v > 0),
                yRules: p.y === 'success' ? [{ value: 0.5, label: '1/2' }] : undefined,
              }),
            )
            .catch(showError);
        }
        if (scan.chain && state.task.kind === 'chain') {
          const { K, tauCByK, limit } = scan.chain;
          plots.chain
            .show(
              lineChart({
                id: 'equilibrium-chain-tauc', title: 'Chain: τ_c(K) approaches δ/|log q|', rows: K.map((k, i) => ({ K: k, tauC: tauCByK[i] })), x: 'K', y: 'tauC', logX: true,
                xTitle: 'K (steps)', yTitle: 'τ_c(K)', xRules: [{ value: state.task.K, label: `K = ${state.task.K}` }], yRules: [{ value: limit, label: 'δ/|log q|' }],
              }),
            )
            .catch(showError);
        } else plots.chain.clear();
      });
    };


    const computeAt = () => {
      const t0 = performance.now();
      const params = writeState(state, FIELDS).toString();
      atWorker.run({ kind: 'equilibrium-at', task: state.task, tau: state.tau }).then((table) => {
        at = { table, params };
        computeError.replaceChildren();
        status.textContent = `π*_τ at τ = ${table.tau[0]} in ${(performance.now() - t0).toFixed(0)} ms`;
        showNumbers();
      }, showError);
      showPlots();
    };

    const computeScan = () => {
      scan = null;
      views.track(
        progress,
        `τ grid (${state.points} points) and τ_c`,
        (onProgress) => scanWorker.run({ kind: 'equilibrium-scan', task: state.task, tauMin: state.tauMin, tauMax: state.tauMax, points: state.points }, onProgress),
        (r, ms) => {
          scan = r;
          status.textContent = `τ grid and τ_c in ${ms.toFixed(0)} ms`;
          showNumbers();
          showPlots();
        },
      );
    };

    const editor = taskEditor(state.task, (task) => {
      state.task = task;
      syncK();
      save();
      computeScan();
      computeAt();
    });
    const tauSlider = slider({
      label: 'τ (temperature)', testid: 'tau', min: state.tauMin, max: state.tauMax, value: state.tau, log: true,
      hint: 'the reference-KL coefficient (GRPO’s β)',
      onInput(v) {
        state.tau = v;
        save();
        computeAt();
      },
    });
    const kSlider = slider({
      label: 'K (chain length)', testid: 'K', min: 1, max: K_SLIDER_MAX, value: 8, integer: true,
      hint: 'steps of the reasoning chain; the reward per step δ stays fixed',
      onInput(K) {
        if (state.task.kind !== 'chain' || !(K >= 1 && K <= 100_000)) return;
        state.task = { ...state.task, K };
        editor.set(state.task);
        save();
        computeScan();
        computeAt();
      },
    });
    const syncK = () => {
      kSlider.el.hidden = state.task.kind !== 'chain';
      if (state.task.kind === 'chain') {
        kSlider.setRange(1, Math.max(K_SLIDER_MAX, state.task.K));
        kSlider.set(state.task.K);
      }
    };
    syncK();

    const rangeError = h('div', { testid: 'range-error' });
    const rangeInput = (key: 'tauMin' | 'tauMax' | 'points', label: string) => {
      const input = h('input', { type: 'number', step: 'any', value: String(state[key]), testid: key, 'aria-label': label });
      input.addEventListener('change', () => {
        const next = stateSchema.safeParse({ ...state, [key]: input.value.trim() === '' ? NaN : Number(input.value) });
        if (!next.success) {
          rangeError.replaceChildren(message('error', `${key} = ${input.value}: ${next.error.issues[0].message}`));
          return;
        }
        rangeError.replaceChildren();
        Object.assign(state, next.data);
        tauSlider.setRange(state.tauMin, state.tauMax);
        tauSlider.set(state.tau);
        save();
        computeScan();
      });
      return h('span', {}, `${label} `, input);
    };

    root.replaceChildren(
      h('h2', {}, 'Exact Gibbs equilibrium π*_τ ∝ π_ref·exp(r/τ)'),
      h('p', { class: 'lead' }, 'Drag τ and watch success, entropy and reference KL of the exact optimum of KL-regularized RL move; τ_c is where success crosses 1/2. Computed in your browser by the same code as ', h('code', {}, 'gibbslab equilibrium'), '.'),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h('div', { class: 'panel' }, editor.el, tauSlider.el, kSlider.el),
          h('div', { class: 'panel' }, h('label', {}, 'τ grid of the plots'), h('div', { class: 'row' }, rangeInput('tauMin', 'from'), ' ', rangeInput('tauMax', 'to'), ' ', rangeInput('points', 'points')), rangeError),
          cliPanel(
            command,
            [taskDownload(() => state.task), { testid: 'download-sweep', label: 'Download sweep over τ', file: () => 'equilibrium-sweep.json', text: () => sweepFile(state) }],
            h(
              'div',
              { class: 'hint' },
              'The task file works with ', h('code', {}, 'gibbslab equilibrium FILE --tau T'), ', ', h('code', {}, 'critical'), ' and ', h('code', {}, 'flow'),
              '; the sweep file with ', h('code', {}, 'gibbslab sweep FILE'), ' (the plotted τ grid, with the crossing analysis).',
            ),
          ),
        ),
        h('div', {}, views.resultsPanel(progress.el), h('div', { class: 'plots' }, plots.success.el, plots.entropy.el, plots.refKl.el, plots.chain.el)),
      ),
    );
    save();
    computeScan();
    computeAt();
    return () => {
      cancelAnimationFrame(frame);
      atWorker.cancel();
      scanWorker.cancel();
      progress.stop();
    };
  },
};
