import { klTerm } from '../numerics/divergences.js';
import { fastExp, fastExpm1 } from '../numerics/fastExp.js';
import { logSoftmax } from '../numerics/softmax.js';
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

/**
 * The arcs of each state merged by next state: log Σ w·mult over the arcs of s into s' (a
 * log-sum-exp per pair, so a pair 1000 nats below another keeps its weight), in CSR form. The soft
 * value of s is a sum over next states, not tokens: a verifier over 4096 tokens and 64 states
 * takes at most 64 terms per state and step instead of 4096, and e^{log w} once per arc instead of
 * once per arc and step.
 */
function mergeArcs(world: SequenceWorld, logw: Float64Array): { offset: Int32Array; next: Int32Array; logWeight: Float64Array } {
  const S = world.states;
  const { arcOffset, arcNext, arcLogMult } = world;
  const offset = new Int32Array(S + 1);
  let next = new Int32Array(Math.min(arcNext.length, 16 * S));
  let logWeight = new Float64Array(next.length);
  const max = new Float64Array(S).fill(-Infinity);
  const sum = new Float64Array(S);
  const targets = new Int32Array(S);
  let n = 0;
  for (let s = 0; s < S; s++) {
    let nt = 0;
    for (let a = arcOffset[s]; a < arcOffset[s + 1]; a++) {
      const v = logw[a] + arcLogMult[a];
      if (v === -Infinity) continue;
      const t = arcNext[a];
      if (max[t] === -Infinity) targets[nt++] = t;
      if (v > max[t]) max[t] = v;
    }
    for (let a = arcOffset[s]; a < arcOffset[s + 1]; a++) {
      const v = logw[a] + arcLogMult[a];
      if (v !== -Infinity) sum[arcNext[a]] += fastExp(v - max[arcNext[a]]);
    }
    if (n + nt > next.length) {
      const grown = Math.max(n + nt, 2 * next.length);
      const g = new Int32Array(grown);
      g.set(next.subarray(0, n));
      next = g;
      const gw = new Float64Array(grown);
      gw.set(logWeight.subarray(0, n));
      logWeight = gw;
    }
    for (let k = 0; k < nt; k++) {
      const t = targets[k];
      next[n] = t;
      logWeight[n++] = max[t] + Math.log(sum[t]);
      max[t] = -Infinity;
      sum[t] = 0;
    }
    offset[s + 1] = n;
  }
  return { offset, next, logWeight };
}

export function sequenceMeasure(world: SequenceWorld, logw: Float64Array, bonus: Float64Array): SequenceMeasure {
  const S = world.states;
  const L = world.horizon;
  const { offset, next: pairNext, logWeight } = mergeArcs(world, logw);
  let shift = -Infinity;
  for (let s = 0; s < S; s++) if (bonus[s] > shift) shift = bonus[s];
  const values = new Float64Array((L + 1) * S);
  for (let s = 0; s < S; s++) values[L * S + s] = bonus[s] - shift;
  // Local log-normalizers N_s = log Σ_a w_a·mult_a, for the small-value form below.
  const localN = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let max = -Infinity;
    for (let e = offset[s]; e < offset[s + 1]; e++) if (logWeight[e] > max) max = logWeight[e];
    let sum = 0;
    for (let e = offset[s]; e < offset[s + 1]; e++) sum += fastExp(logWeight[e] - max);
    localN[s] = max === -Infinity ? -Infinity : max + Math.log(sum);
  }
  for (let k = L - 1; k >= 0; k--) {
    const next = (k + 1) * S;
    for (let s = 0; s < S; s++) {
      let max = -Infinity;
      let small = localN[s] !== -Infinity;
      for (let e = offset[s]; e < offset[s + 1]; e++) {
        const wn = values[next + pairNext[e]];
        if (!(wn > -0.5 && wn < 0.5)) small = false;
        const v = logWeight[e] + wn;
        if (v > max) max = v;
      }
      if (small) {
        // W = N_s + log Σ ρ_a·e^{W'_a} = N_s + log1p(Σ ρ_a·expm1(W'_a)), ρ the normalized local
        // weights. When every W' is small (τ ≫ reward, or a flow near π_ref) W is ~1e-7 and the
        // max-shifted sum would round it at ~1e-17 absolute: the differences W' − W that make
        // the token probabilities, and KLs ~1e-17 built on them, would lose 1e-8 relative.
        const N = localN[s];
        let acc = 0;
        for (let e = offset[s]; e < offset[s + 1]; e++) acc += fastExp(logWeight[e] - N) * fastExpm1(values[next + pairNext[e]]);
        values[k * S + s] = N + Math.log1p(acc);
        continue;
      }
      let sum = 0;
      if (max !== -Infinity) for (let e = offset[s]; e < offset[s + 1]; e++) sum += fastExp(logWeight[e] + values[next + pairNext[e]] - max);
      values[k * S + s] = max === -Infinity ? -Infinity : max + Math.log(sum);
    }
  }
  return { logw, values, logZ: values[world.start] + shift };
}

/** The terminal log-bonus (r − r_max)/τ of π*_τ: relative to the max reward, for precision at small τ. */
export function centredGibbsBonus(world: SequenceWorld, tau: number): Float64Array {
  const bonus = new Float64Array(world.states);
  for (let s = 0; s < world.states; s++) bonus[s] = (world.terminalReward[s] - world.maxReward) / tau;
  return bonus;
}

/** The Gibbs measure π*_τ ∝ π_ref·e^{r/τ}. */
export function gibbsSequenceMeasure(world: SequenceWorld, tau: number): SequenceMeasure {
  const bonus = centredGibbsBonus(world, tau);
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
 *
 * The per-state KLs are summed in the Bregman form Σ_a q_a·ψ(log p_a − log q_a) (see `kl`), with
 * the log-ratio taken as (log w_p − log w_q) + (ΔW_p − ΔW_q) so that its exact zero parts stay
 * zero. With Σ p·log(p/q) the first-order terms cancel: at τ = 1e6 (KL ~ 1e-12) that lost ~1e-8
 * relative.
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
        const mult = Math.exp(arcLogMult[a]);
        const lr = arcLogRef[a];
        if (lw === -Infinity) {
          // p never takes this arc: the Bregman term is the other measure's mass on it.
          if (lr !== -Infinity) refKl += d * mult * Math.exp(lr);
          for (let o = 0; o < others.length; o++) {
            const q = others[o];
            kls[o] += d * mult * Math.exp(q.logw[a] + q.values[nxt + arcNext[a]] - q.values[cur + s]);
          }
          continue;
        }
        const dW = p.values[nxt + arcNext[a]] - ws;
        const lpTok = lw + dW;
        const pTok = Math.exp(lpTok);
        refKl += d * mult * klTerm(lw - lr + dW, pTok, Math.exp(lr));
        for (let o = 0; o < others.length; o++) {
          const q = others[o];
          const dWq = q.values[nxt + arcNext[a]] - q.values[cur + s];
          kls[o] += d * mult * klTerm(lw - q.logw[a] + (dW - dWq), pTok, Math.exp(q.logw[a] + dWq));
        }
        const dm = d * pTok * mult;
        if (dm === 0) continue;
        entropy -= dm * lpTok;
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

/**
 * log P_ref(s_L = s), the reference law of the final state, by a forward pass in log space (each
 * target state's incoming mass by its own log-sum-exp, so a state 1000 nats below another keeps its
 * mass; renormalized every step, so rounding does not drift over long horizons).
 */
export function referenceTerminalLogMarginal(world: SequenceWorld): Float64Array {
  const S = world.states;
  const { arcOffset, arcNext, arcLogMult, arcLogRef } = world;
  let lo = new Float64Array(S).fill(-Infinity);
  lo[world.start] = 0;
  const max = new Float64Array(S);
  const sum = new Float64Array(S);
  for (let k = 0; k < world.horizon; k++) {
    max.fill(-Infinity);
    sum.fill(0);
    for (let s = 0; s < S; s++) {
      if (lo[s] === -Infinity) continue;
      for (let a = arcOffset[s]; a < arcOffset[s + 1]; a++) {
        const v = lo[s] + arcLogRef[a] + arcLogMult[a];
        if (v > max[arcNext[a]]) max[arcNext[a]] = v;
      }
    }
    for (let s = 0; s < S; s++) {
      if (lo[s] === -Infinity) continue;
      for (let a = arcOffset[s]; a < arcOffset[s + 1]; a++) {
        const m = max[arcNext[a]];
        if (m !== -Infinity) sum[arcNext[a]] += Math.exp(lo[s] + arcLogRef[a] + arcLogMult[a] - m);
      }
    }
    const next = new Float64Array(S);
    for (let s = 0; s < S; s++) next[s] = max[s] === -Infinity ? -Infinity : max[s] + Math.log(sum[s]);
    logSoftmax(next, next);
    lo = next;
  }
  return lo;
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
