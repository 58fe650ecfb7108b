import { LOSS_KNOBS, lossOptimizer, type OptimizerSpec } from './pipeline.js';
import { BASE_SETTINGS } from './settings.js';

/**
 * REINFORCE with a baseline: the group mean of the returns, then whitening over the batch's tokens,
 * and the plain policy-gradient loss −A·log π (OpenRLHF `reinforce_baseline`, ANCHORS §2.6).
 */
export const reinforce: OptimizerSpec = {
  name: 'reinforce',
  summary: 'REINFORCE, group-mean baseline, whitened advantages, plain PG loss',
  peer: 'OpenRLHF --algo.advantage.estimator reinforce_baseline; k1 in the reward with coefficient 0.01 (--algo.kl.init_coef)',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'reinforce',
    advantage: 'reinforce',
    whitenAdvantages: true,
    lossMode: 'gpg',
    beta: 0.01,
    klEstimator: 'k1',
    klIn: 'reward',
  },
  knobs: LOSS_KNOBS,
  create: lossOptimizer,
};
