import type { SequenceWorld } from '../tasks/worlds.js';

/**
 * Sequence-level measures on a layered automaton, by backward soft-value recursion (no
 * enumeration of the V^L sequences).
 *
 * A measure is π(y) ∝ Π_t w(arc_t) · e^{b(s_L)}: per-token arc log-weights `logw` (not
 * necessarily normalized) and a terminal log-bonus `bonus` per state. The Gibbs policy at τ is
 * logw = log π_ref, b = r/τ; mirror-descent iterates from a product-form start stay in this
 * family (F6), which is why flows on chains are exact at sequence level.
 *
 * Values are centred: b is shifted so its maximum is 0 and `logZ` carries the shift, so token
 * log-probabilities are differences of O(1) numbers even when r/τ is 1e12.
 */
export interface SequenceMeasure {
  readonly logw: Float64Array;
  /** W_k(s) for k = 0..L, row-major (L+1)×S, with the centred bonus at k = L. */
  readonly values: Float64Array;
  /** log of the normalizer Σ_y Π w · e^{b} (uncentred). */
  readonly logZ: number;
}

export function sequenceMeasure(world: SequenceWorld, logw: Float64Array, bonus: Float64Array): SequenceMeasure {
  const S = world.states;
  const L = world.horizon;
  const { arcOffset, arcNext, arcLogMult } = world;
  let shift = -Infinity;
  for (let s = 0; s < S; s++) if (bonus[s] > shift) shift = bonus[s];
  const values = new Float64Array((L + 1) * S);
  for (let s = 0; s < S; s++) values[L * S + s] = bonus[s] - shift;
  for (let k = L - 1; k >= 0; k--) {
    const next = (k + 1) * S;
    for (let s = 0; s < S; s++) {
      let max = -Infinity;
      for (let a = arcOffset[s]; a < arcOffset[s + 1]; a++) {
        const v = logw[a] + arcLogMult[a] + values[next + arcNext[a]];
        if (v > max) max = v;
      }
      let sum = 0;
      if (max !== -Infinity) {
        for (let a = arcOffset[s]; a < arcOffset[s + 1]; a++) {
          sum += Math.exp(logw[a] + arcLogMult[a] + values[next + arcNext[a]] - max);
        }
      }
      values[k * S + s] = max === -Infinity ? -Infinity : max + Math.log(sum);
    }
  }
  return { logw, values, logZ: values[world.start] + shift };
}

/** The Gibbs measure π*_τ ∝ π_ref·e^{r/τ}, with the bonus given relative to the max reward for precision. */
export function gibbsSequenceMeasure(world: SequenceWorld, tau: number): SequenceMeasure {
  const bonus = new Float64Array(world.states);
  for (let s = 0; s < world.states; s++) bonus[s] = (world.terminalReward[s] - world.maxReward) / tau;
  const m = sequenceMeasure(world, world.arcLogRef, bonus);
  return { ...m, logZ: m.logZ + world.maxReward / tau };
}

export interface SequenceStats {
  expectedReward: number;
  /** Probability of ending in a state with the maximal reward, and its complement (each summed directly). */
  success: number;
  failure: number;
  entropy: number;
  refKl: number;
  /** KL(p‖q_i) for each measure q_i in `others`. */
  kl: number[];
}

/**
 * Forward pass: state occupancies under p, accumulating the sequence-level entropy and KLs by
 * the chain rule (Σ_t E[H(π_t(·|s_t))], Σ_t E[KL(π_t(·|s_t)‖q_t(·|s_t))]).
 */
export function sequenceStats(world: SequenceWorld, p: SequenceMeasure, others: SequenceMeasure[] = []): SequenceStats {
  const S = world.states;
  const L = world.horizon;
  const { arcOffset, arcNext, arcLogMult, arcLogRef } = world;
  let occ = new Float64Array(S);
  let nextOcc = new Float64Array(S);
  occ[world.start] = 1;
  let entropy = 0;
  let refKl = 0;
  const kls = new Float64Array(others.length);
  for (let k = 0; k < L; k++) {
    nextOcc.fill(0);
    const cur = k * S;
    const nxt = (k + 1) * S;
    for (let s = 0; s < S; s++) {
      const d = occ[s];
      if (d === 0) continue;
      const ws = p.values[cur + s];
      for (let a = arcOffset[s]; a < arcOffset[s + 1]; a++) {
        const lw = p.logw[a];
        if (lw === -Infinity) continue;
        const lpTok = lw + p.values[nxt + arcNext[a]] - ws;
        const mass = Math.exp(lpTok + arcLogMult[a]);
        if (mass === 0) continue;
        const dm = d * mass;
        entropy -= dm * lpTok;
        refKl += dm * (lpTok - arcLogRef[a]);
        for (let o = 0; o < others.length; o++) {
          const q = others[o];
          const lqTok = q.logw[a] + q.values[nxt + arcNext[a]] - q.values[cur + s];
          kls[o] += dm * (lpTok - lqTok);
        }
        nextOcc[arcNext[a]] += dm;
      }
    }
    const t = occ;
    occ = nextOcc;
    nextOcc = t;
  }
  let er = 0;
  let success = 0;
  let failure = 0;
  for (let s = 0; s < S; s++) {
    er += occ[s] * world.terminalReward[s];
    if (world.terminalReward[s] === world.maxReward) success += occ[s];
    else failure += occ[s];
  }
  return {
    expectedReward: er,
    success,
    failure,
    entropy,
    refKl: refKl > 0 ? refKl : 0,
    kl: Array.from(kls, (v) => (v > 0 ? v : 0)),
  };
}

/** Per-token log-weights of the uniform policy (each state's tokens equally likely). */
export function uniformArcLogWeights(world: SequenceWorld): Float64Array {
  const out = new Float64Array(world.arcNext.length);
  for (let s = 0; s < world.states; s++) {
    let tokens = 0;
    for (let a = world.arcOffset[s]; a < world.arcOffset[s + 1]; a++) tokens += Math.exp(world.arcLogMult[a]);
    for (let a = world.arcOffset[s]; a < world.arcOffset[s + 1]; a++) out[a] = -Math.log(tokens);
  }
  return out;
}
