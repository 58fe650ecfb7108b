import { Rng } from '../numerics/rng.js';
import { logSoftmax } from '../numerics/softmax.js';
import type { BanditWorld } from '../tasks/worlds.js';

/** A random single-prompt bandit: reference logits ~ refScale·N(0,1), rewards ~ rewardScale·N(0,1). */
export function randomBandit(actions: number, seed: number, refScale = 1, rewardScale = 1): BanditWorld {
  const rng = Rng.fromSeed(seed).split('random-bandit', actions);
  const logRef = new Float64Array(actions);
  const reward = new Float64Array(actions);
  for (let i = 0; i < actions; i++) {
    logRef[i] = refScale * rng.normal();
    reward[i] = rewardScale * rng.normal();
  }
  logSoftmax(logRef, logRef);
  let maxReward = -Infinity;
  for (const r of reward) maxReward = Math.max(maxReward, r);
  return { type: 'bandit', prompts: 1, actions, logRef, reward, maxReward };
}
