/**
 * Random refinement chains for the ebm tests, drawn with the test-side generator (never the
 * library's), and plain-loop reference computations that share no code with src/ebm.
 */
import { taskSchema } from '../../src/tasks/schema.js';
import { refineWorld, type RefineWorld } from '../../src/tasks/worlds.js';
import { gaussian, type Uniform } from '../support/random.js';

export interface Proposal {
  ref: number[][];
  quality: number[];
}

/**
 * π_ref(g|f) ∝ W_fg·e^{a·A_fg} with W symmetric (log-normal weights; a fraction `sparsity` of the
 * off-ring pairs set to 0, the ring f ~ f±1 and the diagonal always kept, so the chain is
 * irreducible and aperiodic) and A antisymmetric. a = 0: reversible w.r.t. μ ∝ Σ_g W_fg.
 */
export function randomProposal(u: Uniform, n: number, opts: { sparsity?: number; asymmetry?: number; qualityScale?: number } = {}): Proposal {
  const W = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let f = 0; f < n; f++) {
    for (let g = f; g < n; g++) {
      const ring = g === f || g - f === 1 || (f === 0 && g === n - 1);
      if (!ring && u() < (opts.sparsity ?? 0)) continue;
      const w = Math.exp(gaussian(u));
      const a = (opts.asymmetry ?? 0) * gaussian(u);
      W[f][g] = w * Math.exp(a);
      W[g][f] = w * Math.exp(-a);
    }
  }
  const ref = W.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((x) => x / s);
  });
  const quality = Array.from({ length: n }, () => (opts.qualityScale ?? 1) * gaussian(u));
  return { ref, quality };
}

export function worldOf(p: Proposal): RefineWorld {
  const task = taskSchema.parse({ kind: 'refine', ref: p.ref, quality: p.quality });
  if (task.kind !== 'refine') throw new Error('unreachable');
  return refineWorld(task);
}

/** T(g|f) = π_ref(g|f)·e^{u(g)/β} / Σ_g (…), straight from the definition (F16), as rows. */
export function tunedOracle(p: Proposal, beta: number): number[][] {
  const umax = Math.max(...p.quality);
  return p.ref.map((row) => {
    const w = row.map((r, g) => r * Math.exp((p.quality[g] - umax) / beta));
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  });
}

/**
 * The stationary distribution by Grassmann–Taksar–Heyman state reduction: Gaussian elimination
 * without subtractions, so every entry (even 1e-200) has a small relative error. Independent of
 * both ways the library computes ν (spanning tree, LU solve).
 */
export function gthStationary(P: number[][]): number[] {
  const n = P.length;
  const A = P.map((row) => row.slice());
  for (let k = n - 1; k > 0; k--) {
    let s = 0;
    for (let j = 0; j < k; j++) s += A[k][j];
    for (let i = 0; i < k; i++) A[i][k] /= s;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) A[i][j] += A[i][k] * A[k][j];
  }
  const pi = new Array<number>(n).fill(0);
  pi[0] = 1;
  for (let k = 1; k < n; k++) for (let i = 0; i < k; i++) pi[k] += pi[i] * A[i][k];
  const total = pi.reduce((a, b) => a + b, 0);
  return pi.map((x) => x / total);
}

/** Dense row-major copy of a matrix given as rows. */
export function flat(M: number[][]): Float64Array {
  return Float64Array.from(M.flat());
}

/**
 * An extreme eigenvalue of a ν-reversible kernel by power iteration on functions, without any
 * symmetrization: φ ← Mφ with M = (I + sign·P)/2 (eigenvalues (1 ± λ)/2 ≥ 0), φ kept ν-orthogonal
 * to the constants, and the Rayleigh quotient ⟨φ, Pφ⟩_ν/⟨φ, φ⟩_ν at the end. sign = +1 gives λ₂,
 * sign = −1 gives λ_min.
 */
export function powerEigenvalue(P: number[][], nu: number[], sign: 1 | -1, iterations = 20_000): number {
  const n = P.length;
  const apply = (phi: number[]) => P.map((row) => row.reduce((s, p, g) => s + p * phi[g], 0));
  const centre = (phi: number[]) => {
    const m = phi.reduce((s, x, f) => s + nu[f] * x, 0);
    return phi.map((x) => x - m);
  };
  const norm = (phi: number[]) => Math.sqrt(phi.reduce((s, x, f) => s + nu[f] * x * x, 0));
  let phi = centre(Array.from({ length: n }, (_, f) => Math.sin(1 + 7.3 * f)));
  for (let it = 0; it < iterations; it++) {
    const Pphi = apply(phi);
    phi = centre(phi.map((x, f) => 0.5 * (x + sign * Pphi[f])));
    const s = norm(phi);
    phi = phi.map((x) => x / s);
  }
  const Pphi = apply(phi);
  return phi.reduce((s, x, f) => s + nu[f] * x * Pphi[f], 0);
}
