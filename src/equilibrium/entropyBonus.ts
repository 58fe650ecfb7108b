import { logAddExp, logSumExp } from '../numerics/logsumexp.js';
import { logSoftmax } from '../numerics/softmax.js';
import type { BanditWorld, SequenceWorld, World } from '../tasks/worlds.js';
import { gibbsLogPolicyRow, policyRow } from './bandit.js';
import { equilibrium } from './equilibrium.js';
import { sequenceMeasure, sequenceStats, type SequenceMeasure } from './sequence.js';

/**
 * The fixed point of an entropy bonus (SPEC F33, with a reference KL). The maximizer of
 *   J_{τ,α}(π) = E_π[r] − τ·KL(π‖π_ref) + α·H(π)
 * is π_{τ,α} ∝ π_ref^{τ/(τ+α)}·e^{r/(τ+α)}: stationarity gives r − τ·log(π/π_ref) − α·log π = const.
 * Without a reference KL (τ = 0) it is softmax(r/α) on the reference support. So π_{τ,α} is the
 * Gibbs policy at temperature τ + α of a *tempered* reference, and the bonus biases the optimum for
 * every α > 0: it is not π*_τ (and not argmax r at τ = 0). For sequence worlds the bonus is the
 * sequence-level entropy (the sum of per-token entropies by the chain rule) and the tempering is
 * per token, so π_{τ,α} stays a product-form measure (src/equilibrium/sequence.ts).
 *
 * Bias bound: J_τ(π*_τ) − J_τ(π_{τ,α}) ≤ α·(H(π_{τ,α}) − H(π*_τ)) ≤ α·log|Y|, because π_{τ,α}
 * maximizes J_τ + α·H (at τ = 0: max r − E_{π_α}[r] ≤ α·H(π_α) ≤ α·log|Y|).
 */

/** τ/(τ + α)·log π_ref, renormalized over [from, to) (−∞ stays −∞: the tempering keeps the support; at τ = 0 it is uniform on it). */
function temperedRow(logRef: Float64Array, tau: number, alpha: number, from: number, to: number, out: Float64Array): void {
  const c = tau / (tau + alpha);
  for (let i = from; i < to; i++) out[i] = logRef[i] === -Infinity ? -Infinity : c * logRef[i];
  logSoftmax(out, out, from, to);
}

function checkCoefficients(tau: number, alpha: number): void {
  if (!(tau >= 0 && alpha >= 0 && tau + alpha > 0)) throw new RangeError(`τ = ${tau}, α = ${alpha}: need τ ≥ 0, α ≥ 0 and τ + α > 0`);
}

/** log π_{τ,α} for every prompt of a bandit world (P×V, row-major). */
export function entropyBonusLogPolicy(world: BanditWorld, tau: number, alpha: number): Float64Array {
  checkCoefficients(tau, alpha);
  const V = world.actions;
  const tempered = new Float64Array(world.logRef.length);
  const out = new Float64Array(world.logRef.length);
  for (let x = 0; x < world.prompts; x++) {
    temperedRow(world.logRef, tau, alpha, x * V, (x + 1) * V, tempered);
    out.set(gibbsLogPolicyRow(tempered, world.reward, tau + alpha, x * V, (x + 1) * V), x * V);
  }
  return out;
}

/** π_{τ,α} of a sequence world: per-token weights π_ref^{τ/(τ+α)}, terminal bonus r/(τ+α) (centred at the maximal reward). */
export function entropyBonusSequenceMeasure(world: SequenceWorld, tau: number, alpha: number): SequenceMeasure {
  checkCoefficients(tau, alpha);
  const c = tau / (tau + alpha);
  const logw = Float64Array.from(world.arcLogRef, (l) => (l === -Infinity ? -Infinity : c * l));
  const bonus = Float64Array.from(world.terminalReward, (r) => (r - world.maxReward) / (tau + alpha));
  return sequenceMeasure(world, logw, bonus);
}

/** Observables of π_{τ,α} against the world's own reference, with the unregularized optimum's value for the bias. */
export interface EntropyBonusObservables {
  expectedReward: number;
  success: number;
  entropy: number;
  /** KL(π_{τ,α}‖π_ref). */
  refKl: number;
  /** J_τ(π_{τ,α}) = E[r] − τ·KL(π_{τ,α}‖π_ref). */
  objective: number;
  /** J_τ(π*_τ) = τ·log Z_τ (max r on the support at τ = 0). */
  optimum: number;
  /** H(π*_τ): the unregularized optimum's entropy, for the tighter bound α·(H(π_{τ,α}) − H(π*_τ)). */
  optimumEntropy: number;
  /** log|Y|: completions per prompt (bandits), Σ_k log(tokens per step) along the horizon (sequence worlds). */
  logCompletions: number;
}

/** Exact observables of π_{τ,α}: the mean over prompts for bandit worlds, sequence-level for sequence worlds. */
export function entropyBonusEquilibrium(world: World, tau: number, alpha: number): EntropyBonusObservables {
  checkCoefficients(tau, alpha);
  if (world.type === 'bandit') {
    const V = world.actions;
    const lp = entropyBonusLogPolicy(world, tau, alpha);
    const acc = { expectedReward: 0, success: 0, entropy: 0, refKl: 0 };
    for (let x = 0; x < world.prompts; x++) {
      const row = policyRow(lp, world.logRef, world.reward, world.maxReward, x * V, (x + 1) * V);
      acc.expectedReward += row.expectedReward;
      acc.success += row.success;
      acc.entropy += row.entropy;
      acc.refKl += row.refKl;
    }
    const P = world.prompts;
    const o = {
      expectedReward: acc.expectedReward / P,
      success: acc.success / P,
      entropy: acc.entropy / P,
      refKl: acc.refKl / P,
    };
    const opt = unregularized(world, tau);
    return { ...o, objective: o.expectedReward - tau * o.refKl, optimum: opt.value, optimumEntropy: opt.entropy, logCompletions: Math.log(V) };
  }
  const st = sequenceStats(world, entropyBonusSequenceMeasure(world, tau, alpha));
  const opt = unregularized(world, tau);
  return {
    expectedReward: st.expectedReward,
    success: st.success,
    entropy: st.entropy,
    refKl: st.refKl,
    objective: st.expectedReward - tau * st.refKl,
    optimum: opt.value,
    optimumEntropy: opt.entropy,
    logCompletions: sequenceLogCompletions(world),
  };
}

/** J_τ(π*_τ) and H(π*_τ) (F2: J_τ(π*_τ) = −F_τ(π*_τ)); at τ = 0 the limit π*_0, the reference conditioned on the best reward. */
function unregularized(world: World, tau: number): { value: number; entropy: number } {
  if (tau > 0) {
    const o = equilibrium(world, tau);
    return { value: -o.freeEnergy, entropy: o.entropy };
  }
  if (world.type === 'sequence') {
    const bonus = Float64Array.from(world.terminalReward, (r) => (r === world.maxReward ? 0 : -Infinity));
    return { value: world.maxReward, entropy: sequenceStats(world, sequenceMeasure(world, world.arcLogRef, bonus)).entropy };
  }
  const V = world.actions;
  let value = 0;
  let entropy = 0;
  const conditional = new Float64Array(V);
  for (let x = 0; x < world.prompts; x++) {
    let best = -Infinity;
    for (let i = x * V; i < (x + 1) * V; i++) if (world.logRef[i] !== -Infinity && world.reward[i] > best) best = world.reward[i];
    for (let i = 0; i < V; i++) conditional[i] = world.reward[x * V + i] === best ? world.logRef[x * V + i] : -Infinity;
    logSoftmax(conditional, conditional);
    value += best;
    entropy += policyRow(conditional, world.logRef, world.reward, world.maxReward, x * V, (x + 1) * V, 0).entropy;
  }
  return { value: value / world.prompts, entropy: entropy / world.prompts };
}

/**
 * log|Y| of a sequence world: log of the number of token sequences of the horizon from the start,
 * by a forward pass in log space over the tokens (multiplicities) of each state.
 */
function sequenceLogCompletions(world: SequenceWorld): number {
  const S = world.states;
  let lo = new Float64Array(S).fill(-Infinity);
  lo[world.start] = 0;
  for (let k = 0; k < world.horizon; k++) {
    const next = new Float64Array(S).fill(-Infinity);
    for (let s = 0; s < S; s++) {
      if (lo[s] === -Infinity) continue;
      for (let a = world.arcOffset[s]; a < world.arcOffset[s + 1]; a++) {
        if (world.arcLogRef[a] === -Infinity) continue;
        next[world.arcNext[a]] = logAddExp(next[world.arcNext[a]], lo[s] + world.arcLogMult[a]);
      }
    }
    lo = next;
  }
  return logSumExp(lo);
}
