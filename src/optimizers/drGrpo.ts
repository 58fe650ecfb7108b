import { LOSS_KNOBS, lossOptimizer, type OptimizerSpec } from './pipeline.js';
import { BASE_SETTINGS } from './settings.js';

/**
 * Dr. GRPO: GRPO without the std division and without per-completion length normalization
 * (the sum over tokens divided by a constant L), which removes GRPO's difficulty and length biases.
 */
export const drGrpo: OptimizerSpec = {
  name: 'dr-grpo',
  summary: 'group mean baseline, no std, seq-mean-token-sum-norm aggregation',
  peer: 'verl norm_adv_by_std_in_grpo=False, loss_agg_mode seq-mean-token-sum-norm, clip_ratio_c 3 (vanilla loss)',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'dr-grpo',
    advantage: 'grpo',
    scaleRewards: 'none',
    lossAggMode: 'seq-mean-token-sum-norm',
    clipRatioC: 3,
  },
  knobs: LOSS_KNOBS,
  create: lossOptimizer,
};
