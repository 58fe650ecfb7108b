import { LOSS_KNOBS, lossOptimizer, type OptimizerSpec } from './pipeline.js';
import { BASE_SETTINGS } from './settings.js';

/**
 * PPO: GAE(γ, λ) advantages on a tabular critic V(step, state) (V(prompt) for bandits), whitened
 * over the batch, the clipped ratio with dual clip, several updates per sampled batch.
 */
export const ppo: OptimizerSpec = {
  name: 'ppo',
  summary: 'GAE on a tabular critic, clipped ratio with dual clip, minibatch updates',
  peer: 'verl PPO: adv_estimator gae (γ 1, λ 1, whitened), clip 0.2, clip_ratio_c 3, ppo_epochs 1, 1024/256 = 4 mini-batches; KL in the reward as k1 when on',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'ppo',
    advantage: 'gae',
    groupSize: 16,
    whitenAdvantages: true,
    clipRatioC: 3,
    minibatches: 4,
    klEstimator: 'k1',
    klIn: 'reward',
  },
  knobs: [...LOSS_KNOBS, 'gamma', 'lam', 'valueLr'],
  create: lossOptimizer,
};
