import { LOSS_KNOBS, lossOptimizer, type OptimizerSpec } from './pipeline.js';
import { BASE_SETTINGS } from './settings.js';

/**
 * GRPO (F39): A_i = (R_i − mean_g)/(σ + ε) broadcast to the completion's tokens, the PPO clipped
 * ratio, and the reference KL as k3 in the loss when β > 0 (TRL GRPOTrainer, `loss_type="grpo"`).
 */
export const grpo: OptimizerSpec = {
  name: 'grpo',
  summary: 'group mean/std advantages, clipped ratio, k3 in the loss',
  peer: 'TRL GRPOTrainer: num_generations 8, scale_rewards group, ε 1e-4, epsilon 0.2, beta 0.0 (k3 in the loss), loss_type grpo',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'grpo',
    advantage: 'grpo',
    lossAggMode: 'seq-mean-token-mean',
  },
  knobs: [...LOSS_KNOBS, 'scaleRewards', 'stdEps'],
  create: lossOptimizer,
};
