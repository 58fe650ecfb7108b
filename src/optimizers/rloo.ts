import { LOSS_KNOBS, lossOptimizer, type OptimizerSpec } from './pipeline.js';
import { BASE_SETTINGS } from './settings.js';

/**
 * RLOO: each completion's baseline is the mean return of the other G−1 of its group, which makes
 * the group estimator unbiased (F40); the reference KL as k1 summed into the return.
 */
export const rloo: OptimizerSpec = {
  name: 'rloo',
  summary: 'leave-one-out baseline (unbiased), k1 in the reward',
  peer: 'TRL RLOOTrainer: num_generations 2, beta 0.05 (k1 per sequence in the reward), normalize_advantages False',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'rloo',
    advantage: 'rloo',
    groupSize: 2,
    beta: 0.05,
    klEstimator: 'k1',
    klIn: 'reward',
  },
  knobs: LOSS_KNOBS,
  create: lossOptimizer,
};
