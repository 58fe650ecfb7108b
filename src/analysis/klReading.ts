import type { Library, MappedMetrics } from './metricMap.js';

/**
 * What a log's KL numbers are: against the reference or the previous policy, which estimator,
 * where the penalty enters, and whether that estimator × placement converges to the Gibbs policy
 * π*_β ∝ π_ref·e^{r/β}. Estimator facts are those of ANCHORS.md §2.3 and the optimizers issue's
 * `kl-estimators` finding: k1 in the reward and k2 in the loss head to π*_β; k3 in the loss
 * follows ∇KL(π_ref‖π) and settles elsewhere.
 */
export interface KlReading {
  /** The raw key in the log. */
  key: string;
  /** The canonical name it maps to. */
  metric: 'kl_ref' | 'kl_old';
  against: 'reference' | 'old policy';
  estimator: string;
  placement: 'loss' | 'reward' | 'loss or reward' | 'none (diagnostic)';
  /** Does the penalty's fixed point equal π*_β? 'depends' when a config flag the log lacks decides. */
  targetsGibbs: 'yes' | 'no' | 'depends' | 'n/a';
  note: string;
}

interface Known extends Omit<KlReading, 'key'> {
  library: Library;
}

const KNOWN: Record<string, Known[]> = {
  kl: [
    {
      library: 'trl',
      metric: 'kl_ref',
      against: 'reference',
      estimator: 'k3 per token, mean over tokens',
      placement: 'loss',
      targetsGibbs: 'no',
      note: 'TRL GRPO adds β·k3 to the loss; its gradient is that of KL(π_ref‖π), so the fixed point is not π*_β. Logged only when β ≠ 0.',
    },
    {
      library: 'openrlhf',
      metric: 'kl_ref',
      against: 'reference',
      estimator: '--kl_estimator (k1 by default; k2, k3)',
      placement: 'loss or reward',
      targetsGibbs: 'depends',
      note: 'In the reward (PPO default) with k1, or in the loss (--use_kl_loss) with k2: π*_β. k3 in the loss: not π*_β.',
    },
  ],
  'actor/kl_loss': [
    {
      library: 'verl',
      metric: 'kl_ref',
      against: 'reference',
      estimator: 'kl_loss_type (default low_var_kl = k3, clamped to [−10, 10])',
      placement: 'loss',
      targetsGibbs: 'depends',
      note: 'use_kl_loss path. The default low_var_kl (k3) does not target π*_β; k2, k1+ and k3+ (k2 gradients) do.',
    },
  ],
  'actor/reward_kl_penalty': [
    {
      library: 'verl',
      metric: 'kl_ref',
      against: 'reference',
      estimator: 'kl_penalty (default kl = k1), token mean per sequence',
      placement: 'reward',
      targetsGibbs: 'yes',
      note: 'use_kl_in_reward path: k1 in the reward is the KL-regularized objective, whose optimum is π*_β.',
    },
  ],
  'objective/kl': [
    {
      library: 'trl',
      metric: 'kl_ref',
      against: 'reference',
      estimator: 'k1 (PPO/RLOO default; kl_estimator k3 optional)',
      placement: 'reward',
      targetsGibbs: 'depends',
      note: 'TRL PPO/RLOO put the KL in the reward: k1 targets π*_β, k3 does not.',
    },
  ],
  'actor/ppo_kl': [
    {
      library: 'verl',
      metric: 'kl_old',
      against: 'old policy',
      estimator: 'k1 mean of log π_old − log π over tokens (can be negative)',
      placement: 'none (diagnostic)',
      targetsGibbs: 'n/a',
      note: 'A trust-region diagnostic within one step, not a distance to the reference.',
    },
  ],
  ppo_kl: [
    {
      library: 'openrlhf',
      metric: 'kl_old',
      against: 'old policy',
      estimator: 'k1 mean over tokens',
      placement: 'none (diagnostic)',
      targetsGibbs: 'n/a',
      note: 'A trust-region diagnostic within one step, not a distance to the reference.',
    },
  ],
};

export function klReading(m: MappedMetrics): KlReading[] {
  const out: KlReading[] = [];
  for (const [key, entries] of Object.entries(KNOWN)) {
    const col = m.raw.get(key);
    if (!col || col.every(Number.isNaN)) continue;
    const known = entries.find((e) => e.library === m.library);
    if (!known) continue;
    const { library: _library, ...rest } = known;
    out.push({ key, ...rest });
  }
  return out;
}

/** One sentence for a log with no reference KL at all. */
export function missingReferenceKlNote(library: Library): string {
  return library === 'trl'
    ? 'no reference KL logged: TRL logs kl only when β ≠ 0, so this run most likely used β = 0 (no reference model).'
    : 'no reference-KL metric in this log: the penalty was off or not logged; the RLVR view needs --beta.';
}
