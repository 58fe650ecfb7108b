import { LOSS_KNOBS, lossOptimizer, type OptimizerSpec } from './pipeline.js';
import { BASE_SETTINGS } from './settings.js';

/**
 * DAPO: GRPO advantages with clip-higher (ε_high > ε_low, so rare tokens may grow), dynamic
 * sampling that drops groups whose rewards all tie and draws again, token-level aggregation, no
 * reference KL. The recipe's 16 mini-batches per 512 prompts scale with its batch; here one batch
 * is one update unless --minibatches says otherwise.
 */
export const dapo: OptimizerSpec = {
  name: 'dapo',
  summary: 'clip-higher, dynamic sampling, token-mean aggregation',
  peer: 'verl DAPO recipe: n 16, clip_ratio_low 0.2, clip_ratio_high 0.28, clip_ratio_c 10, filter_groups (max_num_gen_batches 10), token-mean, KL off; verl GRPO ε 1e-6',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'dapo',
    advantage: 'grpo',
    groupSize: 16,
    stdEps: 1e-6,
    clipRatioHigh: 0.28,
    clipRatioC: 10,
    lossAggMode: 'token-mean',
    filterGroups: true,
  },
  knobs: [...LOSS_KNOBS, 'scaleRewards', 'stdEps', 'filterGroups', 'maxNumGenBatches'],
  create: lossOptimizer,
};
