import { Matrix, solve } from 'ml-matrix';
import { Rng } from '../numerics/rng.js';

/**
 * Small tabular discounted MDPs with exact policy evaluation, for the NPG rate theorems of
 * Agarwal et al. (F8) and Cen et al. (F10). Policies are row-major S×A log-probabilities.
 * The entropy-regularized value includes −τ·log π at every step:
 *   V_τ^π(s) = Σ_a π(a|s)·(Q_τ^π(s,a) − τ·log π(a|s)),   Q_τ^π(s,a) = r(s,a) + γ·Σ_s' P(s'|s,a)·V_τ^π(s');
 * τ = 0 is the ordinary value.
 */
export interface DiscountedMdp {
  readonly states: number;
  readonly actions: number;
  readonly gamma: number;
  /** P(s'|s,a) at (s·A + a)·S + s'. */
  readonly P: Float64Array;
  /** r(s,a) ∈ [0, 1] at s·A + a. */
  readonly r: Float64Array;
  /** Initial-state distribution ρ. */
  readonly rho: Float64Array;
}

/** Transitions with weights e^{N(0,1)} per next state, rewards uniform in [0, 1), ρ uniform. */
export function randomMdp(states: number, actions: number, gamma: number, seed: number): DiscountedMdp {
  const rng = Rng.fromSeed(seed).split('mdp', states, actions);
  const P = new Float64Array(states * actions * states);
  const r = new Float64Array(states * actions);
  for (let sa = 0; sa < states * actions; sa++) {
    let total = 0;
    for (let s2 = 0; s2 < states; s2++) total += P[sa * states + s2] = Math.exp(rng.normal());
    for (let s2 = 0; s2 < states; s2++) P[sa * states + s2] /= total;
    r[sa] = rng.uniform();
  }
  return { states, actions, gamma, P, r, rho: new Float64Array(states).fill(1 / states) };
}

/** Exact V_τ^π by one linear solve (I − γ·P_π)·V = r_π − τ·H-term, then Q_τ^π; written into V (S) and Q (S·A). */
export function evaluatePolicy(m: DiscountedMdp, logPi: Float64Array, tau: number, V: Float64Array, Q: Float64Array): void {
  const { states: S, actions: A, gamma, P, r } = m;
  const M = Matrix.eye(S, S);
  const b = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      const lp = logPi[s * A + a];
      if (lp === -Infinity) continue;
      const pi = Math.exp(lp);
      b[s] += pi * (r[s * A + a] - tau * lp);
      for (let s2 = 0; s2 < S; s2++) M.set(s, s2, M.get(s, s2) - gamma * pi * P[(s * A + a) * S + s2]);
    }
  }
  const v = solve(M, Matrix.columnVector(Array.from(b)));
  for (let s = 0; s < S; s++) V[s] = v.get(s, 0);
  qFromV(m, V, Q);
}

function qFromV(m: DiscountedMdp, V: Float64Array, Q: Float64Array): void {
  const { states: S, actions: A, gamma, P, r } = m;
  for (let sa = 0; sa < S * A; sa++) {
    let ev = 0;
    for (let s2 = 0; s2 < S; s2++) ev += P[sa * S + s2] * V[s2];
    Q[sa] = r[sa] + gamma * ev;
  }
}

/**
 * Optimal values by (soft) value iteration to a fixed point: V(s) = max_a Q(s,a) at τ = 0,
 * τ·log Σ_a e^{Q(s,a)/τ} otherwise (the soft Bellman equation, F10). Returns Q*; V* in `V`.
 */
export function optimalValues(m: DiscountedMdp, tau: number, V: Float64Array, Q: Float64Array): Float64Array {
  const { states: S, actions: A, gamma } = m;
  V.fill(0);
  // A γ-contraction: iterate until the change is at rounding level (or the iteration budget, ~ log(ε)/log γ).
  const maxIter = Math.ceil(Math.log(1e-17) / Math.log(gamma)) + 100;
  for (let it = 0; it < maxIter; it++) {
    qFromV(m, V, Q);
    let change = 0;
    for (let s = 0; s < S; s++) {
      let max = -Infinity;
      for (let a = 0; a < A; a++) max = Math.max(max, Q[s * A + a]);
      let v = max;
      if (tau > 0) {
        let sum = 0;
        for (let a = 0; a < A; a++) sum += Math.exp((Q[s * A + a] - max) / tau);
        v = max + tau * Math.log(sum);
      }
      change = Math.max(change, Math.abs(v - V[s]));
      V[s] = v;
    }
    if (change === 0) break;
  }
  qFromV(m, V, Q);
  return Q;
}

/**
 * One NPG step with exact Q (F8, F10): log π' = (1 − ητ/(1−γ))·log π + η·Q/(1−γ), normalized per
 * state. τ = 0 is Agarwal et al.'s π' ∝ π·e^{η·A/(1−γ)} (A and Q differ by a per-state constant).
 */
export function npgStep(m: DiscountedMdp, logPi: Float64Array, Q: Float64Array, eta: number, tau: number, out: Float64Array): Float64Array {
  const { states: S, actions: A, gamma } = m;
  const keep = 1 - (eta * tau) / (1 - gamma);
  for (let s = 0; s < S; s++) {
    let max = -Infinity;
    for (let a = 0; a < A; a++) {
      const i = s * A + a;
      out[i] = keep * logPi[i] + (eta * Q[i]) / (1 - gamma);
      max = Math.max(max, out[i]);
    }
    let sum = 0;
    for (let a = 0; a < A; a++) sum += Math.exp(out[s * A + a] - max);
    const lz = max + Math.log(sum);
    for (let a = 0; a < A; a++) out[s * A + a] -= lz;
  }
  return out;
}
