import { isTerminal } from '../policies/layout.js';
import type { TabularPolicy } from '../policies/tabular.js';

/**
 * Exact expectations an `--exact` step uses in place of sampled estimates.
 */

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
