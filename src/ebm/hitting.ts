import { CholeskyDecomposition, LuDecomposition, Matrix } from 'ml-matrix';

/**
 * Expected hitting times of a target set A and the bounds of SPEC F22 ([S]; the paper's
 * "bounded hitting times to superior states" is reconstructed, its constant unknown).
 */

/** P(A|f) = Σ_{g∈A} P(g|f) for every f. */
export function escapeProbabilities(n: number, P: Float64Array, target: Uint8Array): Float64Array {
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let g = 0; g < n; g++) if (target[g]) s += P[f * n + g];
    out[f] = s;
  }
  return out;
}

/**
 * h(f) = E_f[τ_A], τ_A = min{t ≥ 0 : X_t ∈ A}: 0 on A, and on the complement B the solution of
 * (I − P_BB) h_B = 1 (first-step analysis). The system is nonsingular iff A is reached almost
 * surely from every state, which irreducibility guarantees.
 *
 * Given `pi` (the chain is reversible w.r.t. it), the system is solved in its symmetric form:
 * D^{1/2}(I − P_BB)D^{−1/2} = I − S_BB with S(f,g) = √(P(g|f)·P(f|g)) by detailed balance, which
 * is positive definite, so ml-matrix's Cholesky applies (about 2/3 of the LU's time: ~5 s against
 * ~7.5 s at n = 2000 here); then h_B = D^{−1/2}·y for (I − S_BB)·y = D^{1/2}·1. Otherwise LU.
 */
export function hittingTimes(n: number, P: Float64Array, target: Uint8Array, pi?: Float64Array): Float64Array {
  const rest: number[] = [];
  for (let f = 0; f < n; f++) if (!target[f]) rest.push(f);
  const h = new Float64Array(n);
  const m = rest.length;
  if (m === 0) return h;
  const M = new Matrix(m, m);
  for (let i = 0; i < m; i++) {
    const fi = rest[i];
    M.set(i, i, 1 - P[fi * n + fi]);
    for (let j = pi ? i + 1 : 0; j < m; j++) {
      if (j === i) continue;
      const fj = rest[j];
      if (pi) {
        const v = -Math.sqrt(P[fi * n + fj] * P[fj * n + fi]);
        M.set(i, j, v);
        M.set(j, i, v);
      } else {
        M.set(i, j, -P[fi * n + fj]);
      }
    }
  }
  const singular = () => new RangeError('the target set is not reached from every response (I − P_BB is singular)');
  let x: Matrix;
  if (pi) {
    const chol = new CholeskyDecomposition(M);
    if (!chol.isPositiveDefinite()) throw singular();
    x = chol.solve(Matrix.columnVector(rest.map((f) => Math.sqrt(pi[f]))));
    for (let i = 0; i < m; i++) x.set(i, 0, x.get(i, 0) / Math.sqrt(pi[rest[i]]));
  } else {
    const lu = new LuDecomposition(M);
    if (lu.isSingular()) throw singular();
    x = lu.solve(Matrix.columnVector(new Array<number>(m).fill(1)));
  }
  for (let i = 0; i < m; i++) {
    h[rest[i]] = x.get(i, 0);
    // Off the target a hitting time is ≥ 1; anything else is a numerically singular system.
    if (!(h[rest[i]] >= 1 - 1e-9 && h[rest[i]] < Infinity)) throw singular();
  }
  return h;
}

export interface HittingBounds {
  /** ε = min_{f∉A} P(A|f). */
  escape: number;
  /** max_f E_f[τ_A]. */
  maxHittingTime: number;
  /** 1/ε ≥ max_f E_f[τ_A] (F22, geometric: each step enters A with probability ≥ ε). */
  geometricBound: number;
  /** E_ν[τ_A]. */
  stationaryHittingTime: number;
  /** (1 − ν(A))/(ν(A)(1 − λ₂)) ≥ E_ν[τ_A] (F22, Aldous–Fill; reversible chains only). */
  spectralBound: number | null;
  /** E[τ_A⁺ | X_0 ∼ ν restricted to A], τ_A⁺ = min{t ≥ 1 : X_t ∈ A}. */
  returnTime: number;
  /** 1/ν(A): Kac's formula says returnTime equals it exactly. */
  kacReturnTime: number;
}

export function hittingBounds(
  n: number,
  P: Float64Array,
  pi: Float64Array,
  target: Uint8Array,
  h: Float64Array,
  lambda2: number | null,
): HittingBounds {
  const escapeP = escapeProbabilities(n, P, target);
  let escape = Infinity;
  let maxH = 0;
  let nuA = 0;
  let eNu = 0;
  let ret = 0;
  for (let f = 0; f < n; f++) {
    eNu += pi[f] * h[f];
    maxH = Math.max(maxH, h[f]);
    if (!target[f]) {
      escape = Math.min(escape, escapeP[f]);
      continue;
    }
    nuA += pi[f];
    // First step, then the hitting time from where it lands: E_a[τ_A⁺] = 1 + Σ_g P(g|a)·h(g).
    let s = 1;
    for (let g = 0; g < n; g++) s += P[f * n + g] * h[g];
    ret += pi[f] * s;
  }
  if (escape === Infinity) escape = 1; // A is everything: τ_A = 0
  return {
    escape,
    maxHittingTime: maxH,
    geometricBound: 1 / escape,
    stationaryHittingTime: eNu,
    spectralBound: lambda2 === null ? null : (1 - nuA) / (nuA * (1 - lambda2)),
    returnTime: ret / nuA,
    kacReturnTime: 1 / nuA,
  };
}

/** Membership mask of the responses whose quality is maximal (exact ties included). */
export function bestResponses(quality: Float64Array): Uint8Array {
  let max = -Infinity;
  for (const u of quality) max = Math.max(max, u);
  return Uint8Array.from(quality, (u) => (u === max ? 1 : 0));
}
