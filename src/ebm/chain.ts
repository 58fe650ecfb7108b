import { solve, Matrix } from 'ml-matrix';
import { gibbsRow } from '../equilibrium/bandit.js';
import { CompensatedSum } from '../numerics/compensated.js';
import { logSumExp } from '../numerics/logsumexp.js';
import type { RefineWorld } from '../tasks/worlds.js';

/**
 * The tuned refinement chain of SPEC §5.1 and what detailed balance says about it.
 *
 * Everything in §5.1 is a reconstruction (SPEC tags [R]/[D]): only the abstract of arXiv
 * 2512.18730 could be read, so "Assumption 4.1/4.2" and "Theorem 4.3" are our self-consistent
 * reading (F15–F18), not the paper's verified statements.
 *
 * Matrices are dense, row-major n×n Float64Arrays: row f is the distribution of the next response
 * given the current one f.
 */
export interface TunedChain {
  readonly states: number;
  readonly beta: number;
  /** log T(g|f) (F16). */
  readonly logT: Float64Array;
  readonly T: Float64Array;
  /** log Z_u(f) = log Σ_g π_ref(g|f)·e^{u(g)/β}. */
  readonly logZ: Float64Array;
}

/**
 * T(g|f) = π_ref(g|f)·e^{u(g)/β}/Z_u(f) (F15–F16): row f is the Gibbs equilibrium at τ = β of the
 * bandit "context f, completions g, reward u(g)", computed by the anchored row of
 * src/equilibrium (precise at both ends of β).
 */
export function tunedChain(world: RefineWorld, beta: number): TunedChain {
  const n = world.states;
  const logT = new Float64Array(n * n);
  const T = new Float64Array(n * n);
  const logZ = new Float64Array(n);
  let maxQuality = -Infinity;
  for (const u of world.quality) maxQuality = Math.max(maxQuality, u);
  for (let f = 0; f < n; f++) {
    const row = world.logRef.subarray(f * n, (f + 1) * n);
    const out = logT.subarray(f * n, (f + 1) * n);
    logZ[f] = gibbsRow(row, world.quality, beta, maxQuality, 0, n, out).logZ;
    for (let g = 0; g < n; g++) T[f * n + g] = Math.exp(out[g]);
  }
  return { states: n, beta, logT, T, logZ };
}

/** The proposal itself as a chain (β = ∞): its stationary distribution is μ of F17. */
export function proposalChain(world: RefineWorld): { states: number; logT: Float64Array; T: Float64Array } {
  return { states: world.states, logT: world.logRef, T: world.logRef.map(Math.exp) };
}

/** Relative flux imbalance below which a chain counts as reversible (the tree construction is then exact to rounding). */
export const REVERSIBLE_TOLERANCE = 1e-10;

export interface Stationary {
  readonly pi: Float64Array;
  readonly logPi: Float64Array;
  /** Detailed balance holds: ν(f)P(g|f) = ν(g)P(f|g) on all pairs, up to REVERSIBLE_TOLERANCE relative. */
  readonly reversible: boolean;
  /** max_{f,g} |ν(f)P(g|f) − ν(g)P(f|g)| (F18's test quantity). */
  readonly detailedBalanceResidual: number;
  /** The same, divided by the largest flux ν(f)P(g|f): scale-free. */
  readonly relativeResidual: number;
  /** ‖νP − ν‖_∞. */
  readonly stationarityResidual: number;
}

/**
 * log ν along a spanning tree of the two-way support, from log ν(g) = log ν(f) + log P(g|f) − log P(f|g).
 * This is detailed balance on the tree edges; it is THE stationary distribution iff balance also
 * holds on every other pair (Kolmogorov). null when the support is not symmetric (then P is not
 * reversible).
 */
function treePotential(n: number, logP: Float64Array): Float64Array | null {
  const logPi = new Float64Array(n).fill(NaN);
  logPi[0] = 0;
  const queue = [0];
  for (let head = 0; head < queue.length; head++) {
    const f = queue[head];
    for (let g = 0; g < n; g++) {
      if (!Number.isNaN(logPi[g])) continue;
      const fwd = logP[f * n + g];
      const bwd = logP[g * n + f];
      if (fwd === -Infinity && bwd === -Infinity) continue;
      if (fwd === -Infinity || bwd === -Infinity) return null;
      logPi[g] = logPi[f] + fwd - bwd;
      queue.push(g);
    }
  }
  if (queue.length < n) return null;
  const lz = logSumExp(logPi);
  for (let f = 0; f < n; f++) logPi[f] -= lz;
  return logPi;
}

/** ν from νP = ν, Σν = 1 by a dense LU solve (ml-matrix): (I − P)ᵀ with its last equation replaced by the normalization. */
function solvedStationary(n: number, P: Float64Array): Float64Array {
  const A = new Matrix(n, n);
  for (let f = 0; f < n; f++) for (let g = 0; g < n; g++) A.set(g, f, (f === g ? 1 : 0) - P[f * n + g]);
  for (let f = 0; f < n; f++) A.set(n - 1, f, 1);
  const b = Matrix.columnVector(Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : 0)));
  const x = solve(A, b).getColumn(0);
  // An irreducible chain has ν > 0; rounding can leave −1e-18 where ν is tiny.
  return Float64Array.from(x, (v) => Math.max(v, 0));
}

/**
 * The stationary distribution of an irreducible kernel. A reversible chain gets it in O(n²) from
 * detailed balance along a spanning tree (exact to rounding, and independent of any claimed
 * potential); otherwise by a dense linear solve. Both report the flux and stationarity residuals.
 */
export function stationaryDistribution(chain: { states: number; logT: Float64Array; T: Float64Array }): Stationary {
  const n = chain.states;
  const P = chain.T;
  const fromTree = (): { pi: Float64Array; logPi: Float64Array } | null => {
    const logPi = treePotential(n, chain.logT);
    return logPi && { pi: logPi.map(Math.exp), logPi };
  };
  const fromSolve = (): { pi: Float64Array; logPi: Float64Array } => {
    const pi = solvedStationary(n, P);
    const total = pi.reduce((a, b) => a + b, 0);
    for (let f = 0; f < n; f++) pi[f] /= total;
    return { pi, logPi: pi.map(Math.log) };
  };
  let candidate = fromTree();
  let flux = candidate && fluxImbalance(n, P, candidate.pi);
  const reversible = flux !== null && flux.relative <= REVERSIBLE_TOLERANCE;
  if (!reversible) {
    candidate = fromSolve();
    flux = fluxImbalance(n, P, candidate.pi);
  }
  const { pi, logPi } = candidate!;
  // (νP)(g) − ν(g) by a compensated (Neumaier) sum: a plain sum of n terms would add ~√n·ε·ν(g)
  // of its own rounding and hide how stationary ν really is.
  let stat = 0;
  for (let g = 0; g < n; g++) {
    const s = new CompensatedSum(-pi[g]);
    for (let f = 0; f < n; f++) s.add(pi[f] * P[f * n + g]);
    stat = Math.max(stat, Math.abs(s.value));
  }
  return { pi, logPi, reversible, detailedBalanceResidual: flux!.absolute, relativeResidual: flux!.relative, stationarityResidual: stat };
}

/** max_{f,g} |ν(f)P(g|f) − ν(g)P(f|g)|, absolute and relative to the largest flux. */
export function fluxImbalance(n: number, P: Float64Array, pi: Float64Array): { absolute: number; relative: number } {
  let worst = 0;
  let maxFlux = 0;
  for (let f = 0; f < n; f++) {
    for (let g = f; g < n; g++) {
      const a = pi[f] * P[f * n + g];
      const b = pi[g] * P[g * n + f];
      worst = Math.max(worst, Math.abs(a - b));
      maxFlux = Math.max(maxFlux, a, b);
    }
  }
  return { absolute: worst, relative: maxFlux > 0 ? worst / maxFlux : 0 };
}

/**
 * The potential of F18: V(f) = log μ(f) + u(f)/β + log Z_u(f), with μ the stationary distribution
 * of π_ref. Its additive constant is fixed so that Σ e^V = 1: under F16–F17, e^V IS the
 * stationary distribution of T, and T(g|f)/T(f|g) = e^{V(g) − V(f)}.
 */
export function potential(world: RefineWorld, chain: TunedChain, logMu: Float64Array): Float64Array {
  const V = new Float64Array(world.states);
  for (let f = 0; f < world.states; f++) V[f] = logMu[f] + world.quality[f] / chain.beta + chain.logZ[f];
  const lz = logSumExp(V);
  for (let f = 0; f < world.states; f++) V[f] -= lz;
  return V;
}

/**
 * max over pairs in the support of |log(T(g|f)/T(f|g)) − (V(g) − V(f))|: how far the ratio form of
 * detailed balance with potential V is from holding (F18; 0 up to rounding under F16–F17).
 */
export function potentialMismatch(chain: { states: number; logT: Float64Array }, V: Float64Array): number {
  const n = chain.states;
  let worst = 0;
  for (let f = 0; f < n; f++) {
    for (let g = f + 1; g < n; g++) {
      const fwd = chain.logT[f * n + g];
      const bwd = chain.logT[g * n + f];
      if (fwd === -Infinity && bwd === -Infinity) continue;
      worst = Math.max(worst, Math.abs(fwd - bwd - (V[g] - V[f])));
    }
  }
  return worst;
}
