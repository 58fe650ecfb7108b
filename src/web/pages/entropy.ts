import { z } from 'zod';
import { cliPanel, computeViews, taskDownload } from '../computeViews.js';
import { SCHEDULES } from '../../entropy/schedule.js';
import { zodErrorLine } from '../../io/errors.js';
import type { OptimizeResult } from '../../optimizers/optimize.js';
import { resolveSettings } from '../../optimizers/optimize.js';
import { COV_ANNEALS, COV_SCOPES, BASE_SETTINGS, OPTIMIZER_NAMES, settingFlag, settingsIssue, type OptimizerSettings } from '../../optimizers/settings.js';
import { lineChart, type Row } from '../../report/specs.js';
import { taskSchema, type Task } from '../../tasks/schema.js';
import { LabWorker } from '../client.js';
import { defaultTask, example } from '../examples.js';
import type { OptimizerRun } from '../jobs.js';
import { OPTIMIZER_FIELDS, optimizeCommand, optimizerControls, optimizerRuns, optimizerStateShape } from '../optimizerControls.js';
import type { Page } from '../page.js';
import { PlotView } from '../plots.js';
import { formatHash, readState, writeState, type Fields } from '../state.js';
import { taskEditor } from '../taskEditor.js';
import { h, message, metricTable, progressView, slider } from '../ui.js';

const FIELDS: Fields = {
  task: 'json',
  beta: 'number',
  steps: 'number',
  from: 'string',
  clipHigh: 'number',
  minibatches: 'number',
  microBatches: 'number',
  entropyCoef: 'number',
  entropySchedule: 'string',
  clipCov: 'number',
  klCov: 'number',
  ppoKlCoef: 'number',
  covScope: 'string',
  adaptive: 'string',
  entropyTarget: 'number',
  entropyCoefDelta: 'number',
  clipCovLb: 'number',
  clipCovUb: 'number',
  covAnneal: 'string',
  covSchedule: 'string',
  ...OPTIMIZER_FIELDS,
};
const MAX_STEPS = 100_000;
const PLOT_POINTS = 400;

/** A ratio of tokens, as `--clip-cov` / `--kl-cov` take it. */
const ratio = z.number().gt(0).max(1);

const stateSchema = z
  .object({
    // A bandit with a rare best completion: without a reference KL the optimizers collapse onto it.
    task: taskSchema.default(example('bandit') ?? defaultTask),
    beta: z.number().min(0).finite().default(0),
    steps: z.number().int().min(1).max(MAX_STEPS).default(300),
    from: z.enum(['ref', 'uniform']).default('ref'),
    /** DAPO's clip-higher ε_high for every optimizer with a clipped ratio; absent: each one's default. */
    clipHigh: z.number().positive().max(10).optional(),
    /** Updates per step (`--minibatches`) and selection scopes per update (`--micro-batches`); absent: the optimizer's default. */
    minibatches: z.number().int().min(1).max(1024).optional(),
    microBatches: z.number().int().min(1).max(1024).optional(),
    /**
     * The entropy controls. Each one present adds a run per optimizer next to its baseline (the
     * same settings without the control): `--entropy-coef α --entropy-schedule S`,
     * `--clip-cov ratio`, `--kl-cov ratio --ppo-kl-coef c`, both with `--cov-scope`.
     */
    entropyCoef: z.number().positive().finite().optional(),
    entropySchedule: z.enum(SCHEDULES).default('constant'),
    clipCov: ratio.optional(),
    klCov: ratio.optional(),
    ppoKlCoef: z.number().min(0).finite().default(1),
    covScope: z.enum(COV_SCOPES).default('micro'),
    /** TRL's adaptive coefficient for the bonus run: α starts at entropyCoef and moves by ±delta toward the target entropy. */
    adaptive: z.enum(['off', 'on']).default('off'),
    entropyTarget: z.number().min(0).finite().default(BASE_SETTINGS.entropyTarget),
    entropyCoefDelta: z.number().min(0).finite().default(BASE_SETTINGS.entropyCoefDelta),
    /** Clip-Cov's covariance band (verl clip_cov_lb/ub). */
    clipCovLb: z.number().finite().default(BASE_SETTINGS.clipCovLb),
    clipCovUb: z.number().finite().default(BASE_SETTINGS.clipCovUb),
    /** Anneal Clip-Cov/KL-Cov to 0 (their ratio or their coefficient) on covSchedule. */
    covAnneal: z.enum(COV_ANNEALS).default('off'),
    covSchedule: z.enum(SCHEDULES).default('linear'),
    ...optimizerStateShape,
    // GRPO (ε_high = 0.2) next to DAPO (clip-higher, ε_high = 0.28): the first entropy control.
    optimizers: z.array(z.enum(OPTIMIZER_NAMES)).default(['grpo', 'dapo']),
  })
  .strict();
type State = z.infer<typeof stateSchema>;

/** The decoy chain of docs/entropy.md with every control on: a link to it from the page. */
const DEMO: Record<string, unknown> = {
  task: { kind: 'chain', K: 3, q: 0.15, vocab: 8, decoy: 0.6 },
  steps: 200,
  lr: 0.1,
  minibatches: 4,
  entropyCoef: 0.01,
  clipCov: 0.02,
  klCov: 0.05,
  optimizers: ['grpo'],
};

const COLUMNS = [
  { key: 'entropy', label: 'entropy H(π_k)' },
  { key: 'success', label: 'success' },
  { key: 'entropyChange', label: 'last ΔH', hint: 'exact H(π_k) − H(π_{k−1})' },
  { key: 'entropyChangePredicted', label: 'predicted', hint: '−Cov_π(log π, Δz), first order in the step (F28)' },
  { key: 'maxResidual', label: 'max |ΔH − predicted|', hint: 'over all steps: second order in the step size' },
];

/** One optimizer with or without one control: a line on the plots and a row of the table. */
interface MethodRun extends OptimizerRun {
  /** `grpo` (baseline), `grpo-bonus`, `grpo-clipcov`, `grpo-klcov`: the row's testid part. */
  key: string;
  label: string;
}

/** The controls a page state turns on, each as the settings it adds to the baseline (the CLI's field names). */
function controls(s: State): { key: string; label: string; settings: Partial<OptimizerSettings> }[] {
  // Only what differs from the defaults, so the commands stay as short as a user would type them.
  const differing = <K extends keyof typeof BASE_SETTINGS>(...keys: K[]) =>
    Object.fromEntries(keys.filter((k) => (s as Record<string, unknown>)[k] !== BASE_SETTINGS[k]).map((k) => [k, (s as Record<string, unknown>)[k]])) as Partial<OptimizerSettings>;
  const cov: Partial<OptimizerSettings> = { ...differing('covScope', 'covAnneal'), ...(s.covAnneal === 'off' ? {} : differing('covSchedule')) };
  const annealed = s.covAnneal === 'off' ? '' : ` (${s.covAnneal} → 0, ${s.covSchedule})`;
  const out: { key: string; label: string; settings: Partial<OptimizerSettings> }[] = [];
  if (s.entropyCoef !== undefined) {
    const adaptive = s.adaptive === 'on';
    out.push({
      key: 'bonus',
      label: adaptive
        ? `adaptive α from ${s.entropyCoef} (target H ${s.entropyTarget})`
        : `bonus α = ${s.entropyCoef}${s.entropySchedule === 'constant' ? '' : ` (${s.entropySchedule})`}`,
      settings: {
        entropyCoef: s.entropyCoef,
        ...(s.entropySchedule === 'constant' ? {} : { entropySchedule: s.entropySchedule }),
        ...(adaptive ? { useAdaptiveEntropy: true, ...differing('entropyTarget', 'entropyCoefDelta') } : {}),
      },
    });
  }
  if (s.clipCov !== undefined) out.push({ key: 'clipcov', label: `Clip-Cov ${s.clipCov}${annealed}`, settings: { clipCov: s.clipCov, ...differing('clipCovLb', 'clipCovUb'), ...cov } });
  if (s.klCov !== undefined) out.push({ key: 'klcov', label: `KL-Cov ${s.klCov}${annealed}`, settings: { klCov: s.klCov, ppoKlCoef: s.ppoKlCoef, ...cov } });
  return out;
}

/**
 * Every run of the page: per optimizer its baseline, then one run per control, as `gibbslab
 * optimize` would resolve the same flags; combinations the CLI refuses are left out with its message.
 */
function methodRuns(s: State): { runs: MethodRun[]; refused: string[] } {
  const shared: Partial<OptimizerSettings> = { beta: s.beta, from: s.from, clipRatioHigh: s.clipHigh, minibatches: s.minibatches, microBatches: s.microBatches };
  const runs: MethodRun[] = [];
  const refused: string[] = [];
  for (const optimizer of s.optimizers) {
    for (const c of [{ key: '', label: '', settings: {} }, ...controls(s)]) {
      const [run] = optimizerRuns({ ...s, optimizers: [optimizer] }, { ...shared, ...c.settings });
      const label = c.key ? `${optimizer} + ${c.label}` : optimizer;
      const issue = settingsIssue(resolveSettings(optimizer, run.overrides));
      if (issue) refused.push(`${label}: ${settingFlag(issue.key)} = ${JSON.stringify(issue.value)}: ${issue.message}`);
      else runs.push({ ...run, key: c.key ? `${optimizer}-${c.key}` : optimizer, label });
    }
  }
  return { runs, refused };
}

/** Chain tasks and generated contextual tasks take a decoy (src/tasks/schema.ts). */
function decoyRange(t: Task): { max: number; hint: string } | null {
  if (t.kind === 'chain') return { max: 0.95, hint: 'chain: reference probability of one wrong token per step (q + decoy < 1, vocab ≥ 3); 0: none' };
  if (t.kind === 'contextual' && !Array.isArray(t.prompts)) return { max: 10, hint: 'contextual: logit added to each prompt’s first wrong completion; 0: none' };
  return null;
}

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
    const views = computeViews();
    const { numbers, status, computeError, command, showError } = views;
    const refusedView = h('div', { testid: 'refused' });
    const inertNote = h('div', { class: 'note', testid: 'klcov-inert', hidden: true }, 'KL-Cov acts only from the second update of a step (on the first, π = π_old and the penalty is exactly 0): with one mini-batch and one epoch its run is the baseline, bit for bit. Set mini-batches ≥ 2.');
    const plots = { entropy: new PlotView('plot-entropy'), success: new PlotView('plot-success'), identity: new PlotView('plot-identity'), residual: new PlotView('plot-residual') };
    const progress = progressView(() => {
      worker.cancel();
      status.textContent = 'Cancelled: change an input to compute again.';
    });
    const save = () => {
      ctx.save(writeState(state, FIELDS));
      const { runs, refused } = methodRuns(state);
      command.textContent = runs.map((run) => optimizeCommand(state.task, run, state.steps, state.seed)).join('\n') || '(no optimizer chosen)';
      refusedView.replaceChildren(...refused.map((r) => message('note', `Not run (the CLI refuses it): ${r}`)));
      inertNote.hidden = !(state.klCov !== undefined && (state.minibatches ?? 1) <= 1);
    };

    const render = (runs: MethodRun[], results: OptimizeResult[], params: string) => {
      numbers.dataset.for = params;
      const residual = (r: OptimizeResult, k: number) => Math.abs(r.entropyChange[k] - r.entropyChangePredicted[k]);
      const table = metricTable(
        COLUMNS,
        results.map((r, i) => {
          let worst = 0;
          for (let k = 1; k < r.step.length; k++) if (Number.isFinite(residual(r, k))) worst = Math.max(worst, residual(r, k));
          const last = r.step.length - 1;
          return {
            key: runs[i].key,
            label: runs[i].label,
            values: { entropy: r.entropy[last], success: r.success[last], entropyChange: r.entropyChange[last], entropyChangePredicted: r.entropyChangePredicted[last], maxResidual: worst },
          };
        }),
      );
      // The plotted entropy trajectories, exactly (shortest round-trip form), for anyone checking them against the CLI.
      const trajectories = results.map((r, i) => {
        const steps: number[] = [];
        downsample(r.step.length, (k) => steps.push(k));
        return h('span', { testid: `trajectory-${runs[i].key}`, hidden: true, 'data-steps': JSON.stringify(steps), 'data-entropy': JSON.stringify(steps.map((k) => r.entropy[k])) });
      });
      numbers.replaceChildren(table, ...trajectories);
      const series = (key: 'entropy' | 'success') => {
        const rows: Row[] = [];
        results.forEach((r, i) => downsample(r.step.length, (k) => rows.push({ step: r.step[k], value: r[key][k], method: runs[i].label })));
        return rows;
      };
      plots.entropy.show(lineChart({ id: 'entropy-entropy', title: 'Entropy of the policy: baseline vs each control', rows: series('entropy'), x: 'step', y: 'value', series: 'method', xTitle: 'step', yTitle: 'entropy (nats)' })).catch(showError);
      plots.success.show(lineChart({ id: 'entropy-success', title: 'Success: baseline vs each control', rows: series('success'), x: 'step', y: 'value', series: 'method', xTitle: 'step', yTitle: 'success' })).catch(showError);
      const identity: Row[] = [];
      const residuals: Row[] = [];
      results.forEach((r, i) => {
        const name = runs[i].label;
        downsample(r.step.length, (k) => {
          identity.push({ step: r.step[k], value: r.entropyChange[k], series: `${name}: exact ΔH` }, { step: r.step[k], value: r.entropyChangePredicted[k], series: `${name}: −Cov(log π, Δz)` });
          residuals.push({ step: r.step[k], value: residual(r, k), series: name });
        });
      });
      plots.identity
        .show(lineChart({ id: 'entropy-identity', title: 'Entropy change per step: exact vs first-order prediction (F28)', rows: identity, x: 'step', y: 'value', series: 'series', xTitle: 'step', yTitle: 'ΔH (nats)', yRules: [{ value: 0, label: '0' }] }))
        .catch(showError);
      plots.residual
        .show(lineChart({ id: 'entropy-residual', title: '|ΔH − prediction|: the second-order remainder', rows: residuals, x: 'step', y: 'value', series: 'series', logY: true, xTitle: 'step', yTitle: 'nats' }))
        .catch(showError);
    };

    const compute = () => {
      const params = writeState(state, FIELDS).toString();
      const { runs } = methodRuns(state);
      views.track(
        progress,
        `${runs.length} runs × ${state.steps} steps`,
        (onProgress) => worker.run({ kind: 'optimize', task: state.task, steps: state.steps, optimizers: runs.map(({ optimizer, overrides }) => ({ optimizer, overrides })), seed: state.seed }, onProgress),
        (r, ms) => {
          views.computed(ms);
          render(runs, r, params);
        },
      );
    };
    const changed = () => {
      save();
      compute();
    };

    // The decoy: a task option, so it lives in the task (and in the downloaded task file).
    const decoyHint = h('div', { class: 'hint', testid: 'decoy-hint' });
    const decoySlider = slider({
      label: 'decoy (a high-probability wrong mode)', testid: 'decoy', min: 0, max: 0.95, value: 0,
      onInput: (v) => {
        if (!(v >= 0)) return;
        const next: Record<string, unknown> = { ...state.task };
        if (v === 0) delete next.decoy;
        else next.decoy = v;
        const r = taskSchema.safeParse(next);
        if (!r.success) return computeError.replaceChildren(message('error', zodErrorLine(r.error, next, 'task')));
        state.task = r.data;
        editor.set(r.data);
        changed();
      },
    });
    const showDecoy = () => {
      const range = decoyRange(state.task);
      decoySlider.el.querySelectorAll('input').forEach((input) => (input.disabled = range === null));
      if (range) decoySlider.setRange(0, range.max);
      decoySlider.set(range && 'decoy' in state.task ? (state.task.decoy ?? 0) : 0);
      decoyHint.textContent = range?.hint ?? `a ${state.task.kind} task takes no decoy: pick a chain or a generated contextual task`;
    };

    const editor = taskEditor(state.task, (task) => {
      state.task = task;
      showDecoy();
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
    const intSlider = (key: 'minibatches' | 'microBatches', label: string, max: number, hint: string) =>
      slider({ label, testid: key, min: 1, max, value: state[key] ?? 1, integer: true, hint, onInput: (v) => {
        if (!(Number.isInteger(v) && v >= 1 && v <= 1024)) return;
        state[key] = v;
        changed();
      } }).el;

    /** A control that is either off (absent from the state and the command) or on with the slider's value. */
    const optional = (key: 'clipHigh' | 'entropyCoef' | 'clipCov' | 'klCov', o: { toggle: string; label: string; min: number; max: number; fallback: number; log?: boolean; hint: string; valid: (v: number) => boolean }) => {
      /** The slider's value, kept while the control is off. */
      let value = state[key] ?? o.fallback;
      const on = h('input', { type: 'checkbox', testid: `${key}-on`, checked: state[key] !== undefined });
      const s = slider({ label: o.label, testid: key, min: o.min, max: o.max, value, log: o.log, hint: o.hint, onInput: (v) => {
        if (!o.valid(v)) return;
        value = v;
        state[key] = v;
        on.checked = true;
        changed();
      } });
      on.addEventListener('change', () => {
        state[key] = on.checked ? value : undefined;
        changed();
      });
      return h('div', {}, h('label', { style: 'font-weight:normal' }, on, ` ${o.toggle}`), s.el);
    };
    const numberSlider = (key: 'entropyTarget' | 'entropyCoefDelta' | 'clipCovLb' | 'clipCovUb', label: string, min: number, max: number, hint: string) =>
      slider({ label, testid: key, min, max, value: state[key], hint, onInput: (v) => {
        if (!Number.isFinite(v)) return;
        state[key] = v;
        changed();
      } }).el;
    const choice = <K extends 'entropySchedule' | 'covScope' | 'adaptive' | 'covAnneal' | 'covSchedule'>(key: K, label: string, values: readonly State[K][]) => {
      const select = h('select', { testid: key, 'aria-label': label }, ...values.map((v) => h('option', { value: v }, v)));
      select.value = state[key];
      select.addEventListener('change', () => {
        state[key] = select.value as State[K];
        changed();
      });
      return h('div', { class: 'control' }, h('label', {}, label), select);
    };

    const demo = formatHash('entropy', writeState(stateSchema.parse(DEMO), FIELDS));
    root.replaceChildren(
      h('h2', {}, 'Entropy dynamics and entropy control'),
      h(
        'p',
        { class: 'lead' },
        'How fast each optimizer spends the policy’s entropy, what the entropy controls (a bonus α, Clip-Cov, KL-Cov, clip-higher) change, and how well the first-order identity ΔH ≈ −Cov_π(log π, Δz) predicts each step. Every number is exact; the code is ',
        h('code', {}, 'gibbslab optimize'),
        '’s (its entropyChange and entropyChangePredicted fields). ',
        h('a', { href: demo, testid: 'demo' }, 'Example: the decoy chain with every control'),
        '.',
      ),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h(
            'div',
            { class: 'panel' },
            editor.el,
            decoySlider.el,
            decoyHint,
          ),
          h('div', { class: 'panel' }, beta.el, steps.el, optional('clipHigh', { toggle: 'set clip-higher for all', label: 'clip-higher ε_high', min: 0.05, max: 1, fallback: 0.28, hint: 'the upper clip of the ratio for every optimizer with one (DAPO’s clip-higher keeps rare tokens rising)', valid: (v) => v > 0 && v <= 10 })),
          h('div', { class: 'panel' }, optimizerControls(state, changed, 'Optimizers side by side (sampled batches)'),
            intSlider('minibatches', 'mini-batches per step (--minibatches)', 16, 'updates per step; KL-Cov acts from the second one on'),
            intSlider('microBatches', 'micro-batches per mini-batch (--micro-batches)', 8, 'the selection scope of Clip-Cov/KL-Cov with scope micro')),
          h(
            'div',
            { class: 'panel', testid: 'controls' },
            h('label', {}, 'Entropy controls: each one on adds a run per optimizer next to its baseline'),
            optional('entropyCoef', { toggle: 'entropy bonus', label: 'α (--entropy-coef)', min: 1e-4, max: 1, fallback: 0.01, log: true, hint: 'loss −= α·agg(H(π(·|s_t))); its fixed point is biased (F33)', valid: (v) => v > 0 && Number.isFinite(v) }),
            choice('entropySchedule', 'α schedule (--entropy-schedule; linear/cosine reach 0 at the last step)', SCHEDULES),
            choice('adaptive', 'TRL adaptive α (--use-adaptive-entropy; needs the constant schedule)', ['off', 'on']),
            numberSlider('entropyTarget', 'target entropy (--entropy-target, nats per token)', 0, 3, 'adaptive α moves toward this entropy and applies only while H ≤ target'),
            numberSlider('entropyCoefDelta', 'α step (--entropy-coef-delta)', 0, 0.1, 'how much adaptive α moves per step'),
            optional('clipCov', { toggle: 'Clip-Cov', label: 'ratio (--clip-cov)', min: 1e-4, max: 1, fallback: 0.02, log: true, hint: 'detach a random ratio of the tokens with covariance score in (1, 5)', valid: (v) => v > 0 && v <= 1 }),
            numberSlider('clipCovLb', 'Clip-Cov band, lower end (--clip-cov-lb)', -5, 5, 'only tokens with covariance score in (lb, ub) can be detached'),
            numberSlider('clipCovUb', 'Clip-Cov band, upper end (--clip-cov-ub)', -5, 20, 'must be above the lower end'),
            optional('klCov', { toggle: 'KL-Cov', label: 'ratio (--kl-cov)', min: 1e-4, max: 1, fallback: 0.05, log: true, hint: 'penalize |log π − log π_old| on the top ratio of tokens by covariance score', valid: (v) => v > 0 && v <= 1 }),
            slider({ label: 'KL-Cov coefficient (--ppo-kl-coef)', testid: 'ppoKlCoef', min: 0, max: 5, value: state.ppoKlCoef, hint: 'the published recipes use 1', onInput: (v) => {
              if (!(v >= 0 && Number.isFinite(v))) return;
              state.ppoKlCoef = v;
              changed();
            } }).el,
            choice('covScope', 'Clip-Cov/KL-Cov selection scope (--cov-scope)', COV_SCOPES),
            choice('covAnneal', 'anneal Clip-Cov/KL-Cov to 0 (--cov-anneal: their ratio or their coefficient)', COV_ANNEALS),
            choice('covSchedule', 'how (--cov-schedule)', SCHEDULES),
            inertNote,
            refusedView,
          ),
          cliPanel(command, [taskDownload(() => state.task)]),
        ),
        h('div', {}, views.resultsPanel(progress.el), h('div', { class: 'plots' }, plots.entropy.el, plots.success.el, plots.identity.el, plots.residual.el)),
      ),
    );
    showDecoy();
    save();
    compute();
    return () => {
      worker.cancel();
      progress.stop();
    };
  },
};
