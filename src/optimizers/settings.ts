import { SCHEDULES, type Schedule } from '../entropy/schedule.js';
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
/** Where Clip-Cov/KL-Cov select tokens: each micro-batch (verl, PRIME) or the optimizer mini-batch (verl PR #7830). */
export const COV_SCOPES = ['micro', 'mini'] as const;
export type CovScope = (typeof COV_SCOPES)[number];
/** What an annealed covariance control sends to 0: its token ratio, or its coefficient (KL-Cov's ppo_kl_coef, Clip-Cov's detach strength). */
export const COV_ANNEALS = ['off', 'ratio', 'coef'] as const;
export type CovAnneal = (typeof COV_ANNEALS)[number];

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
  // Entropy controls (src/optimizers/controls.ts, docs/entropy.md); every optimizer reads them.
  /** Entropy bonus α: the loss gets −α·agg(H(π(·|s_t))) (verl `entropy_coeff`, TRL `entropy_coef`). */
  entropyCoef: number;
  entropySchedule: Schedule;
  /** Steps over which `linear`/`cosine` schedules reach 0; null: the run's steps. */
  annealSteps: number | null;
  /** TRL `use_adaptive_entropy` (Skywork-OR1) with `entropy_coef_min/max/delta` and `entropy_target`. */
  useAdaptiveEntropy: boolean;
  entropyCoefMin: number;
  entropyCoefMax: number;
  entropyCoefDelta: number;
  entropyTarget: number;
  /** Clip-Cov (verl `loss_mode=clip_cov`): `clip_cov_ratio`, or null when off; band (`clip_cov_lb`, `clip_cov_ub`). */
  clipCov: number | null;
  clipCovLb: number;
  clipCovUb: number;
  /** KL-Cov (verl `loss_mode=kl_cov`): `kl_cov_ratio` (a fraction), or null when off; penalty `ppo_kl_coef`. */
  klCov: number | null;
  ppoKlCoef: number;
  covScope: CovScope;
  /** Micro-batches per mini-batch: the selection scope of `covScope` micro (the gradient is their sum either way). */
  microBatches: number;
  covAnneal: CovAnneal;
  covSchedule: Schedule;
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
  entropyCoef: 0, // verl entropy_coeff, TRL entropy_coef
  entropySchedule: 'constant',
  annealSteps: null,
  useAdaptiveEntropy: false, // TRL
  entropyCoefMin: 0, // TRL
  entropyCoefMax: 1, // TRL
  entropyCoefDelta: 0.005, // TRL
  entropyTarget: 0.2, // TRL (nats per token)
  clipCov: null,
  clipCovLb: 1, // verl clip_cov_lb
  clipCovUb: 5, // verl clip_cov_ub
  klCov: null,
  ppoKlCoef: 1, // the PRIME/verl-recipe value (verl's own default 0.1 matches no recipe, ANCHORS §3.4, §6)
  covScope: 'micro', // verl and PRIME select per micro-batch
  microBatches: 1,
  covAnneal: 'off',
  covSchedule: 'linear',
};

/** Defaults of `--clip-cov` and `--kl-cov` given without a ratio (verl `clip_cov_ratio`, `kl_cov_ratio`). */
export const DEFAULT_CLIP_COV_RATIO = 2e-4;
export const DEFAULT_KL_COV_RATIO = 2e-4;

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
    ...controlIssues(s, bad),
  ];
  return checks.find((c): c is SettingIssue => c !== false) ?? null;
}

/** The entropy controls' checks (every optimizer reads them). */
function controlIssues(s: OptimizerSettings, bad: (key: SettingKey, message: string) => SettingIssue): (SettingIssue | false)[] {
  const ratio = (key: 'clipCov' | 'klCov') => s[key] !== null && !((s[key] as number) > 0 && (s[key] as number) <= 1) && bad(key, 'must be a ratio in (0, 1] (or none)');
  const nonNegative = (key: SettingKey) => !((s[key] as number) >= 0 && Number.isFinite(s[key])) && bad(key, 'must be ≥ 0');
  return [
    nonNegative('entropyCoef'),
    !SCHEDULES.includes(s.entropySchedule) && bad('entropySchedule', `must be one of ${SCHEDULES.join(', ')}`),
    s.annealSteps !== null && !(Number.isInteger(s.annealSteps) && s.annealSteps >= 1) && bad('annealSteps', 'must be an integer ≥ 1 (or none)'),
    nonNegative('entropyCoefMin'),
    !(s.entropyCoefMax >= s.entropyCoefMin && Number.isFinite(s.entropyCoefMax)) && bad('entropyCoefMax', `must be ≥ entropy_coef_min (${s.entropyCoefMin})`),
    nonNegative('entropyCoefDelta'),
    nonNegative('entropyTarget'),
    s.useAdaptiveEntropy && s.entropySchedule !== 'constant' && bad('entropySchedule', 'must be constant with the adaptive coefficient (it sets α itself)'),
    ratio('clipCov'),
    ratio('klCov'),
    !Number.isFinite(s.clipCovLb) && bad('clipCovLb', 'must be a number'),
    !(s.clipCovUb > s.clipCovLb) && bad('clipCovUb', `must be > clip_cov_lb (${s.clipCovLb})`),
    nonNegative('ppoKlCoef'),
    !COV_SCOPES.includes(s.covScope) && bad('covScope', `must be one of ${COV_SCOPES.join(', ')}`),
    !(Number.isInteger(s.microBatches) && s.microBatches >= 1) && bad('microBatches', 'must be an integer ≥ 1'),
    !COV_ANNEALS.includes(s.covAnneal) && bad('covAnneal', `must be one of ${COV_ANNEALS.join(', ')}`),
    !SCHEDULES.includes(s.covSchedule) && bad('covSchedule', `must be one of ${SCHEDULES.join(', ')}`),
    s.clipCov !== null && s.klCov !== null && bad('klCov', 'cannot be combined with clip_cov (verl’s loss_mode is one of them)'),
    s.covAnneal !== 'off' && s.clipCov === null && s.klCov === null && bad('covAnneal', 'needs --clip-cov or --kl-cov'),
    s.optimizer === 'npg' && s.exact && (s.clipCov !== null || s.klCov !== null) &&
      bad(s.clipCov !== null ? 'clipCov' : 'klCov', 'acts on a loss’s tokens; npg --exact takes the exact mirror-descent step (use sampled npg or another optimizer)'),
  ];
}
