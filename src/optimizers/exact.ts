import { isTerminal } from '../policies/layout.js';
import type { TabularPolicy } from '../policies/tabular.js';

/**
 * Exact expectations an `--exact` step uses in place of sampled estimates.
 */

/**
 * Values and advantages of every entry under π for per-token rewards `reward` (the task reward
 * plus any reward-placed KL shaping), by one backward pass over rows:
 *   Q_e = reward_e + γ·V(next_e),  V(r) = Σ_e π(e|r)·Q_e,  A_e = Q_e − V(r).
 * With γ = 1 the expected score-function gradient Σ_r w_r Σ_e π_e A_e ∇log π_e is ∇ of the expected return.
 */
export function exactAdvantages(policy: TabularPolicy, reward: Float64Array, gamma: number, V: Float64Array, adv: Float64Array): void {
  const { rows, rowOffset, next } = policy.layout;
  const p = policy.prob;
  for (let r = rows - 1; r >= 0; r--) {
    let v = 0;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
      const q = reward[e] + (next && next[e] >= 0 ? gamma * V[next[e]] : 0);
      adv[e] = q;
      v += p[e] * q;
    }
    V[r] = v;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) adv[e] -= v;
  }
}

/**
 * Probability that a group of G completions of one prompt all get the same task reward, averaged
 * over prompts: Σ_v P(score = v)^G. `weights` is π's occupancy; the score distribution is the mass
 * of terminal entries by reward value.
 */
export function tieProbability(policy: TabularPolicy, weights: Float64Array, G: number): number {
  const layout = policy.layout;
  const { rows, rowOffset, reward, startRows } = layout;
  const p = policy.prob;
  // Per prompt for bandits (a row is a prompt); one score distribution for a sequence world.
  const perRow = layout.kind === 'bandit';
  let total = 0;
  let masses = new Map<number, number>();
  const flush = () => {
    for (const m of masses.values()) total += m ** G;
    masses = new Map();
  };
  for (let r = 0; r < rows; r++) {
    const w = perRow ? 1 : weights[r];
    if (w === 0) continue;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
      if (p[e] === 0 || !isTerminal(layout, e)) continue;
      masses.set(reward[e], (masses.get(reward[e]) ?? 0) + w * p[e]);
    }
    if (perRow) flush();
  }
  if (!perRow) flush();
  return total / (perRow ? startRows.length : 1);
}
