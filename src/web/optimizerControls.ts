import { z } from 'zod';
import { KL_ESTIMATORS } from '../optimizers/kl.js';
import { OPTIMIZERS } from '../optimizers/registry.js';
import { KL_PLACEMENTS, OPTIMIZER_NAMES, settingFlag, type OptimizerName, type OptimizerSettings, type SettingKey } from '../optimizers/settings.js';
import type { Task } from '../tasks/schema.js';
import type { OptimizerRun } from './jobs.js';
import type { Fields } from './state.js';
import { h, shellQuote, slider } from './ui.js';

/**
 * The practical optimizers as the Flows and Entropy pages offer them: which ones run, and the
 * settings every optimizer reads (COMMON_KNOBS) that the pages expose. β comes from the page (the
 * Flows page's τ, so that an optimizer's "KL to Gibbs" is against the same π*_τ as the ideal flow).
 */
export const OPTIMIZER_FIELDS: Fields = { optimizers: 'list', lr: 'number', groupSize: 'number', klEstimator: 'string', klIn: 'string', seed: 'number' };

export const optimizerStateShape = {
  optimizers: z.array(z.enum(OPTIMIZER_NAMES)).default(['npg', 'grpo']),
  lr: z.number().positive().finite().default(0.05),
  groupSize: z.number().int().min(2).max(1024).default(8),
  /** Absent: each optimizer's own default (as its peer sets it). */
  klEstimator: z.enum(KL_ESTIMATORS).optional(),
  klIn: z.enum(KL_PLACEMENTS).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
};

/** What the controls below set (the fields of optimizerStateShape). */
export interface OptimizerChoices {
  optimizers: OptimizerName[];
  lr: number;
  groupSize: number;
  klEstimator?: OptimizerSettings['klEstimator'];
  klIn?: OptimizerSettings['klIn'];
  seed: number;
}

/**
 * Each chosen optimizer with the page's settings (`page`: those the page sets elsewhere, such as β
 * and the start), restricted to the ones it reads, as the CLI refuses the others.
 */
export function optimizerRuns(s: OptimizerChoices, page: Partial<OptimizerSettings>): OptimizerRun[] {
  const shared: Partial<OptimizerSettings> = { lr: s.lr, groupSize: s.groupSize, klEstimator: s.klEstimator, klIn: s.klIn, ...page };
  return s.optimizers.map((optimizer) => {
    const overrides: Partial<OptimizerSettings> = {};
    for (const [key, value] of Object.entries(shared) as [SettingKey, unknown][]) {
      if (value !== undefined && OPTIMIZERS[optimizer].knobs.includes(key)) (overrides as Record<string, unknown>)[key] = value;
    }
    return { optimizer, overrides };
  });
}

/** `gibbslab optimize` for one run, flag for flag. */
export function optimizeCommand(task: Task, run: OptimizerRun, steps: number, seed: number): string {
  // On/off settings are spelled as the CLI parses them.
  const flags = Object.entries(run.overrides).map(([key, value]) => `${settingFlag(key as SettingKey)} ${typeof value === 'boolean' ? (value ? 'on' : 'off') : value}`);
  return `gibbslab optimize --task ${shellQuote(JSON.stringify(task))} --optimizer ${run.optimizer} ${flags.join(' ')} --steps ${steps} --seed ${seed} --json`;
}

/** The optimizer picker and shared settings; `onChange` after every edit (state is updated in place). */
export function optimizerControls(state: OptimizerChoices, onChange: () => void, title = 'Practical optimizers (β = τ, sampled batches)'): HTMLElement {
  const boxes = OPTIMIZER_NAMES.map((name) => {
    const box = h('input', { type: 'checkbox', value: name, testid: `optimizer-${name}`, checked: state.optimizers.includes(name) });
    box.addEventListener('change', () => {
      state.optimizers = OPTIMIZER_NAMES.filter((n) => n === name ? box.checked : state.optimizers.includes(n));
      onChange();
    });
    return h('span', { title: `${OPTIMIZERS[name].summary} — ${OPTIMIZERS[name].peer}` }, h('label', { style: 'display:inline; font-weight:normal; margin-right:0.6rem' }, box, ` ${name}`));
  });
  const choice = (key: 'klEstimator' | 'klIn', label: string, values: readonly string[]) => {
    const select = h('select', { testid: key, 'aria-label': label }, h('option', { value: '' }, 'each optimizer’s default'), ...values.map((v) => h('option', { value: v }, v)));
    select.value = state[key] ?? '';
    select.addEventListener('change', () => {
      (state as unknown as Record<string, unknown>)[key] = select.value === '' ? undefined : select.value;
      onChange();
    });
    return h('div', { class: 'control' }, h('label', {}, label), select);
  };
  const seed = h('input', { type: 'number', min: '0', step: '1', value: String(state.seed), testid: 'seed', 'aria-label': 'seed' });
  seed.addEventListener('change', () => {
    const v = Number(seed.value);
    if (!Number.isInteger(v) || v < 0) return seed.setCustomValidity('seed: an integer ≥ 0'), void seed.reportValidity();
    seed.setCustomValidity('');
    state.seed = v;
    onChange();
  });
  return h(
    'div',
    {},
    h('label', {}, title),
    h('div', {}, ...boxes),
    slider({ label: 'learning rate (η for npg)', testid: 'lr', min: 1e-3, max: 10, value: state.lr, log: true, onInput: (v) => ((state.lr = v), onChange()) }).el,
    slider({ label: 'G (completions per prompt)', testid: 'groupSize', min: 2, max: 64, value: state.groupSize, integer: true, onInput: (v) => {
      if (!(Number.isInteger(v) && v >= 2 && v <= 1024)) return;
      state.groupSize = v;
      onChange();
    } }).el,
    choice('klEstimator', 'reference-KL estimator', KL_ESTIMATORS),
    choice('klIn', 'KL placed in the', KL_PLACEMENTS),
    h('div', { class: 'control' }, h('label', {}, 'seed'), seed),
  );
}
