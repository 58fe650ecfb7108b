import type { PolicyStart } from '../policies/tabular.js';
import { KL_ESTIMATORS, type KlEstimator } from './kl.js';

/**
 * Every hyperparameter of every optimizer, one flat record with the peers' names in camelCase
 * (the CLI flag is the kebab-case form: `clipRatioLow` ↔ `--clip-ratio-low`). Each optimizer module
 * states its defaults and which of these it reads; `optimize --json` prints the resolved record.
 */
export const OPTIMIZER_NAMES = ['npg', 'trpo', 'ppo', 'reinforce', 'rloo', 'grpo', 'dr-grpo', 'dapo'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export const ADVANTAGE_ESTIMATORS = ['grpo', 'rloo', 'reinforce', 'gae'] as const;
export type AdvantageEstimator = (typeof ADVANTAGE_ESTIMATORS)[number];
export const SCALE_REWARDS = ['group', 'batch', 'none'] as const;
export type ScaleRewards = (typeof SCALE_REWARDS)[number];
export const LOSS_AGG_MODES = ['token-mean', 'token-sum', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const;
export type LossAggMode = (typeof LOSS_AGG_MODES)[number];
export const LOSS_MODES = ['vanilla', 'gpg'] as const;
export type LossMode = (typeof LOSS_MODES)[number];
export const KL_PLACEMENTS = ['reward', 'loss'] as const;
export type KlPlacement = (typeof KL_PLACEMENTS)[number];
export const OPTIMIZER_KINDS = ['adam', 'sgd'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

export interface OptimizerSettings {
  optimizer: OptimizerName;
  /** Step size (η for npg; the Adam/SGD learning rate otherwise; the reference η of `alignment` for every optimizer). */
  lr: number;
  /** Completions per prompt per step (G). */
  groupSize: number;
  /** Passes over each sampled batch (verl `ppo_epochs`, TRL `num_iterations`). */
  epochs: number;
  /** Updates per pass (verl train batch / `ppo_mini_batch_size`). */
  minibatches: number;
  /** Reference-KL coefficient β (the temperature τ of π*_τ). */
  beta: number;
  klEstimator: KlEstimator;
  /** `reward`: −β·k in the token rewards (verl `use_kl_in_reward`); `loss`: +β·k in the loss (verl `use_kl_loss`, TRL). */
  klIn: KlPlacement;
  /** Exact expectations over the policy instead of sampled batches (where defined). */
  exact: boolean;
  from: PolicyStart;
  /** Not a flag: the estimator the optimizer is built on. */
  advantage: AdvantageEstimator;
  /** GRPO advantage scale (TRL `scale_rewards`). */
  scaleRewards: ScaleRewards;
  /** ε added to the group std (TRL 1e-4, verl 1e-6). */
  stdEps: number;
  /** Whiten advantages over the batch's tokens (verl GAE, OpenRLHF REINFORCE++-baseline). */
  whitenAdvantages: boolean;
  /** verl `policy_loss.loss_mode`: `vanilla` PPO clip, or `gpg` (−A·log π). */
  lossMode: LossMode;
  clipRatioLow: number;
  clipRatioHigh: number;
  /** Dual-clip constant c > 1 for A < 0 (verl `clip_ratio_c`); null: off (TRL). */
  clipRatioC: number | null;
  lossAggMode: LossAggMode;
  /** L of `seq-mean-token-sum-norm` (verl `loss_scale_factor`); null: the horizon. */
  lossScaleFactor: number | null;
  /** DAPO dynamic sampling: drop groups whose rewards all tie, draw again (verl `filter_groups.enable`). */
  filterGroups: boolean;
  maxNumGenBatches: number;
  gamma: number;
  lam: number;
  /** Step of the tabular critic toward the mean return of a row (PPO's value baseline). */
  valueLr: number;
  /** TRPO trust region δ on KL(π_old‖π). */
  maxKl: number;
  cgIters: number;
  cgDamping: number;
  backtrackCoef: number;
  backtrackIters: number;
  optimizerKind: OptimizerKind;
  adamBeta1: number;
  adamBeta2: number;
  adamEps: number;
}

export type SettingKey = keyof OptimizerSettings;

/**
 * Shared defaults; each optimizer overrides what its peer sets differently. The learning rate is
 * the lab's: the peers' 1e-6 is for LLM weights and would not move tabular logits in a few
 * thousand steps.
 */
export const BASE_SETTINGS: Omit<OptimizerSettings, 'optimizer'> = {
  lr: 0.05,
  groupSize: 8, // TRL num_generations
  epochs: 1, // verl ppo_epochs, TRL num_iterations
  minibatches: 1,
  beta: 0, // TRL GRPO beta = 0.0; verl use_kl_loss = use_kl_in_reward = False
  klEstimator: 'k3', // verl kl_loss_type = low_var_kl; TRL k3
  klIn: 'loss',
  exact: false,
  from: 'ref',
  advantage: 'grpo',
  scaleRewards: 'group', // TRL
  stdEps: 1e-4, // TRL
  whitenAdvantages: false,
  lossMode: 'vanilla',
  clipRatioLow: 0.2, // verl clip_ratio_low, TRL epsilon
  clipRatioHigh: 0.2,
  clipRatioC: null,
  lossAggMode: 'token-mean', // verl default
  lossScaleFactor: null,
  filterGroups: false,
  maxNumGenBatches: 10, // verl DAPO recipe
  gamma: 1, // verl algorithm.gamma
  lam: 1, // verl algorithm.lam
  valueLr: 0.1,
  maxKl: 0.01, // TRPO δ (Schulman et al. 2015; Spinning Up)
  cgIters: 10,
  cgDamping: 0.1,
  backtrackCoef: 0.8,
  backtrackIters: 10,
  optimizerKind: 'adam', // AdamW in verl/TRL, without weight decay (it would pull logits toward uniform)
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-8,
};

/** The kebab-case flag of a setting: `clipRatioLow` → `--clip-ratio-low`. */
export function settingFlag(key: SettingKey): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** One invalid setting: which, its value, and what is allowed. */
export interface SettingIssue {
  key: SettingKey;
  value: unknown;
  message: string;
}

const GROUP_ESTIMATORS: AdvantageEstimator[] = ['grpo', 'rloo', 'reinforce'];

/** The first invalid hyperparameter of a resolved record, or null. */
export function settingsIssue(s: OptimizerSettings): SettingIssue | null {
  const bad = (key: SettingKey, message: string): SettingIssue => ({ key, value: s[key], message });
  const positive = (key: SettingKey) => !((s[key] as number) > 0) && bad(key, 'must be > 0');
  const int = (key: SettingKey, min: number) => !(Number.isInteger(s[key]) && (s[key] as number) >= min) && bad(key, `must be an integer ≥ ${min}`);
  const unit = (key: SettingKey, lo: number, hi: number, what: string) =>
    !((s[key] as number) >= lo && (s[key] as number) <= hi) && bad(key, `must be ${what}`);
  const checks: (SettingIssue | false)[] = [
    positive('lr'),
    int('groupSize', 1),
    GROUP_ESTIMATORS.includes(s.advantage) && !s.exact && s.groupSize < 2 && bad('groupSize', `${s.optimizer} compares completions within a group: must be ≥ 2`),
    int('epochs', 1),
    int('minibatches', 1),
    !(s.beta >= 0 && Number.isFinite(s.beta)) && bad('beta', 'must be ≥ 0'),
    !KL_ESTIMATORS.includes(s.klEstimator) && bad('klEstimator', `must be one of ${KL_ESTIMATORS.join(', ')}`),
    positive('stdEps'),
    !(s.clipRatioLow > 0 && s.clipRatioLow <= 1) && bad('clipRatioLow', 'must be in (0, 1]'),
    positive('clipRatioHigh'),
    s.clipRatioC !== null && !(s.clipRatioC > 1) && bad('clipRatioC', 'must be > 1 (or none)'),
    s.lossScaleFactor !== null && !(s.lossScaleFactor > 0) && bad('lossScaleFactor', 'must be > 0'),
    int('maxNumGenBatches', 1),
    unit('gamma', Number.MIN_VALUE, 1, 'in (0, 1]'),
    unit('lam', 0, 1, 'in [0, 1]'),
    unit('valueLr', Number.MIN_VALUE, 1, 'in (0, 1]'),
    positive('maxKl'),
    int('cgIters', 1),
    !(s.cgDamping >= 0) && bad('cgDamping', 'must be ≥ 0'),
    unit('backtrackCoef', Number.MIN_VALUE, 1 - Number.EPSILON, 'in (0, 1)'),
    int('backtrackIters', 1),
    unit('adamBeta1', 0, 1 - Number.EPSILON, 'in [0, 1)'),
    unit('adamBeta2', 0, 1 - Number.EPSILON, 'in [0, 1)'),
    positive('adamEps'),
    s.exact && s.advantage === 'grpo' && s.scaleRewards !== 'none' &&
      bad('exact', `has no closed form for ${s.optimizer} with scale_rewards = ${s.scaleRewards} (a ratio of sampled statistics); use --scale-rewards none`),
    s.exact && s.filterGroups && bad('exact', 'has no closed form with dynamic sampling (groups are conditioned on not tying)'),
  ];
  return checks.find((c): c is SettingIssue => c !== false) ?? null;
}
