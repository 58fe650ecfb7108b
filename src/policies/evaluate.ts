import { isTerminal, type PolicyLayout } from './layout.js';
import type { TabularPolicy } from './tabular.js';

/**
 * Exact evaluation of tabular policies by one forward pass over rows.
 *
 * Every observable is a sum over rows weighted by the row's occupancy w_r: the probability that a
 * completion visits row r, divided by the number of prompts. For bandits w_r = 1/P, so observables
 * are means over prompts; for sequence worlds w_{k,s} = P(s_k = s), and by the chain rule the
 * occupancy-weighted sums of per-row entropies and KLs are the sequence-level entropy and KLs.
 */

/** Occupancy w_r of every row under π (written into `out`, length rows). */
export function occupancy(policy: TabularPolicy, out: Float64Array = new Float64Array(policy.layout.rows)): Float64Array {
  const { rows, rowOffset, next, startRows } = policy.layout;
  out.fill(0);
  const w0 = 1 / startRows.length;
  for (let i = 0; i < startRows.length; i++) out[startRows[i]] += w0;
  if (next === null) return out;
  const p = policy.prob;
  for (let r = 0; r < rows; r++) {
    const w = out[r];
    if (w === 0) continue;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
      const n = next[e];
      if (n >= 0 && p[e] > 0) out[n] += w * p[e];
    }
  }
  return out;
}

export interface PolicyObservables {
  expectedReward: number;
  /** Probability of ending with the world's maximal reward. */
  success: number;
  /** Token-level entropy (sequence-level for sequence worlds), nats. */
  entropy: number;
  /** KL(π‖π_ref), exact. */
  refKl: number;
}

/** Expected reward, success, entropy and reference KL of π, given its occupancy. */
export function observables(policy: TabularPolicy, weights: Float64Array): PolicyObservables {
  const layout = policy.layout;
  const { rows, rowOffset, logRef, reward, maxReward } = layout;
  const { logp, prob } = policy;
  let er = 0;
  let success = 0;
  let entropy = 0;
  let refKl = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    if (w === 0) continue;
    let rowEr = 0;
    let rowSucc = 0;
    let rowH = 0;
    let rowKl = 0;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
      const p = prob[e];
      if (p === 0) continue;
      const lp = logp[e];
      rowEr += p * reward[e];
      if (reward[e] === maxReward && isTerminal(layout, e)) rowSucc += p;
      rowH -= p * lp;
      rowKl += logRef[e] === -Infinity ? Infinity : p * (lp - logRef[e]);
    }
    er += w * rowEr;
    success += w * rowSucc;
    entropy += w * rowH;
    refKl += w * rowKl;
  }
  return { expectedReward: er, success, entropy, refKl: refKl > 0 ? refKl : 0 };
}

/**
 * KL(p‖q) = Σ_r w_r Σ_e p_e (log p_e − log q_e), with `weights` the occupancy of p: the
 * sequence-level KL by the chain rule. `logq` holds per-token log-probabilities of q (−∞ allowed).
 */
export function policyKl(p: TabularPolicy, logq: Float64Array, weights: Float64Array): number {
  const { rows, rowOffset } = p.layout;
  let d = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    if (w === 0) continue;
    let row = 0;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
      const pe = p.prob[e];
      if (pe === 0) continue;
      const lq = logq[e];
      if (lq === -Infinity || Number.isNaN(lq)) return Infinity;
      row += pe * (p.logp[e] - lq);
    }
    d += w * row;
  }
  return d > 0 ? d : 0;
}

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
