import { klTerm } from '../numerics/divergences.js';

/**
 * Exact Gibbs equilibrium of one bandit row: π*_τ(y) = π_ref(y)·e^{r(y)/τ}/Z_τ (F1).
 *
 * Everything is computed relative to an anchor completion j = argmax (log π_ref + r/τ), with
 * u_y = (r_y − r_j)/τ. Then log Z = r_j/τ + L, L = log Σ π_ref·e^{u}, and log π* − log π_ref = u − L.
 * This keeps every quantity precise at both ends: at τ → 0 (r/τ up to 1e12) nothing is
 * subtracted at the scale of r/τ, and at τ → ∞ (u ~ 1/τ) L is taken as log1p(Σ π_ref·expm1(u))
 * and KL(π*‖π_ref) as Σ π_ref·ψ(u − L) (nonnegative terms), so KL ~ Var(r)/(2τ²) keeps its
 * relative precision.
 */

export interface RowObservables {
  logZ: number;
  /** F_τ(π*) = −E[r] + τ·KL(π*‖π_ref) = −τ·log Z (F2 at π = π*). */
  freeEnergy: number;
  expectedReward: number;
  /** Probability of the maximal reward. */
  success: number;
  entropy: number;
  refKl: number;
}

/** Index of max(log π_ref + r/τ) over [from, to), or −1 when the row has no support. */
function anchorIndex(logRef: Float64Array, reward: Float64Array, tau: number, from: number, to: number): number {
  let best = -1;
  let bestS = -Infinity;
  for (let i = from; i < to; i++) {
    const lr = logRef[i];
    if (lr === -Infinity) continue;
    const s = lr + reward[i] / tau;
    if (s > bestS) {
      bestS = s;
      best = i;
    }
  }
  return best;
}

/**
 * L = log Σ_y π_ref(y)·e^{u_y} for the anchor j (see the module comment), and log π*_j itself as
 * −log1p(R), R = Σ_{y≠j} π_ref(y)·e^{u_y} / π_ref(j). Near a point mass (R = 1e-32, say) log π*_j is
 * −R + …, which log π_ref(j) − L could only give to ~1e-16·|log π_ref(j)|: the entropy of a
 * nearly deterministic π* would have no correct digit.
 */
function logPartitionFromAnchor(
  logRef: Float64Array,
  reward: Float64Array,
  tau: number,
  j: number,
  from: number,
  to: number,
): { L: number; logAnchor: number } {
  const rj = reward[j];
  let direct = 0; // Σ π_ref e^u (all terms ≥ 0, safe when the anchor carries little reference mass)
  let shifted = 0; // Σ π_ref (e^u − 1) (precise when u is small)
  let rest = 0; // Σ_{y≠j} π_ref e^u
  for (let i = from; i < to; i++) {
    const lr = logRef[i];
    if (lr === -Infinity) continue;
    const u = (reward[i] - rj) / tau;
    const w = Math.exp(lr + u);
    direct += w;
    if (i !== j) rest += w;
    shifted += u > -1 && u < 1 ? Math.exp(lr) * Math.expm1(u) : w - Math.exp(lr);
  }
  const refJ = Math.exp(logRef[j]);
  const R = rest === 0 ? 0 : refJ > 1e-300 ? rest / refJ : Math.exp(Math.log(rest) - logRef[j]);
  return { L: shifted > -0.5 ? Math.log1p(shifted) : Math.log(direct), logAnchor: -Math.log1p(R) };
}

/**
 * Observables of π*_τ on row [from, to). When `outLogPolicy` is given, log π*_τ is written into
 * it at the same offsets.
 */
export function gibbsRow(
  logRef: Float64Array,
  reward: Float64Array,
  tau: number,
  maxReward: number,
  from = 0,
  to = logRef.length,
  outLogPolicy?: Float64Array,
): RowObservables {
  const j = anchorIndex(logRef, reward, tau, from, to);
  const rj = reward[j];
  const { L, logAnchor } = logPartitionFromAnchor(logRef, reward, tau, j, from, to);
  let refKl = 0; // Σ π_ref·ψ(u − L), the Bregman form (see `kl`)
  let sumPDr = 0; // Σ π* (r − r_j)
  let success = 0;
  let entropy = 0;
  for (let i = from; i < to; i++) {
    const lr = logRef[i];
    if (lr === -Infinity) {
      if (outLogPolicy) outLogPolicy[i] = -Infinity;
      continue;
    }
    const dr = reward[i] - rj;
    const u = dr / tau;
    const lp = i === j ? logAnchor : lr + u - L;
    if (outLogPolicy) outLogPolicy[i] = lp;
    const p = Math.exp(lp);
    // KL as Σ π*·(u − L) = Σ π*·u − L cancels to first order at τ → ∞ (both ~1/τ, KL ~ 1/τ²) and
    // lost ~1e-9 relative at τ = 1e6; the Bregman terms are each ≥ 0 and ~π_ref·(u − L)²/2.
    refKl += klTerm(u - L, p, Math.exp(lr));
    if (p === 0) continue;
    sumPDr += p * dr;
    entropy -= p * lp;
    if (reward[i] === maxReward) success += p;
  }
  const logZ = rj / tau + L;
  return {
    logZ,
    freeEnergy: -rj - tau * L,
    expectedReward: rj + sumPDr,
    success,
    // A point mass can come out as −1e-16 (log π* = +ulp); entropy is nonnegative.
    entropy: entropy > 0 ? entropy : 0,
    refKl: refKl > 0 ? refKl : 0,
  };
}

/** log π*_τ of one row as a new array. */
export function gibbsLogPolicyRow(logRef: Float64Array, reward: Float64Array, tau: number, from = 0, to = logRef.length): Float64Array {
  const out = new Float64Array(to - from);
  const j = anchorIndex(logRef, reward, tau, from, to);
  const { L, logAnchor } = logPartitionFromAnchor(logRef, reward, tau, j, from, to);
  const rj = reward[j];
  for (let i = from; i < to; i++) {
    const lr = logRef[i];
    out[i - from] = lr === -Infinity ? -Infinity : i === j ? logAnchor : lr + (reward[i] - rj) / tau - L;
  }
  return out;
}

/** Observables of an arbitrary policy row (log-probabilities) against the reference and reward. */
export function policyRow(
  logPolicy: Float64Array,
  logRef: Float64Array,
  reward: Float64Array,
  maxReward: number,
  from = 0,
  to = logPolicy.length,
  policyOffset = from,
): { expectedReward: number; success: number; entropy: number; refKl: number } {
  let er = 0;
  let success = 0;
  let entropy = 0;
  let refKl = 0;
  for (let i = from; i < to; i++) {
    const lp = logPolicy[i - from + policyOffset];
    if (lp === -Infinity) {
      if (logRef[i] !== -Infinity) refKl += Math.exp(logRef[i]); // the Bregman term of a p = 0 entry
      continue;
    }
    const p = Math.exp(lp);
    er += p * reward[i];
    if (reward[i] === maxReward) success += p;
    entropy -= p * lp;
    refKl += logRef[i] === -Infinity ? Infinity : klTerm(lp - logRef[i], p, Math.exp(logRef[i]));
  }
  return { expectedReward: er, success, entropy, refKl: refKl > 0 ? refKl : 0 };
}
