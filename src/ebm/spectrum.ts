import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { Rng } from '../numerics/rng.js';

/**
 * Spectra of reversible chains. A kernel P reversible w.r.t. ν is self-adjoint in L²(ν), so
 * S = D^{1/2} P D^{−1/2} (D = diag ν) is a symmetric matrix with the same (real) eigenvalues, in
 * [−1, 1], the top one 1 with eigenvector √ν (F18). Eigen-solves are ml-matrix's symmetric
 * tred2/tql2.
 */

/** S = D^{1/2} P D^{−1/2}, symmetrized entrywise ((S + Sᵀ)/2 differs from S by the detailed-balance residual). */
export function symmetrize(n: number, P: Float64Array, pi: Float64Array): Float64Array {
  const S = new Float64Array(n * n);
  const r = pi.map(Math.sqrt);
  for (let f = 0; f < n; f++) {
    for (let g = f; g < n; g++) {
      const v = 0.5 * ((r[f] / r[g]) * P[f * n + g] + (r[g] / r[f]) * P[g * n + f]);
      S[f * n + g] = v;
      S[g * n + f] = v;
    }
  }
  return S;
}

function toMatrix(n: number, S: Float64Array): Matrix {
  const M = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, S[i * n + j]);
  return M;
}

/** Every eigenvalue of the symmetric n×n matrix S, ascending (dense; O(n³), ~1 s at n = 500). */
export function denseSpectrum(n: number, S: Float64Array): Float64Array {
  const e = new EigenvalueDecomposition(toMatrix(n, S), { assumeSymmetric: true });
  return Float64Array.from(e.realEigenvalues).sort();
}

export interface ExtremeEigenvalues {
  /** Largest eigenvalue of S on the orthogonal complement of `top` (λ₂ when top = √ν). */
  lambda2: number;
  /** Smallest eigenvalue of S (on the complement of `top`, which holds all but the top one). */
  lambdaMin: number;
}

/** Residual norm below which a Ritz value is accepted: it is then within this distance of an eigenvalue of S. */
const RITZ_TOLERANCE = 1e-11;

/**
 * λ₂ and λ_min of a symmetric S whose top eigenvector `top` (unit norm) is known, by Lanczos with
 * full reorthogonalization on the complement of `top`, the small tridiagonal matrix being solved
 * by ml-matrix. Why not the dense solve: ml-matrix's dense symmetric eigen-solve takes ~75 s at
 * n = 2000 here, while the chain's extreme eigenvalues converge in tens to a few hundred
 * matrix-vector products. Convergence is declared when both extreme Ritz pairs have residual
 * ‖Sy − θy‖ ≤ 1e-11 (each is then that close to an eigenvalue; by interlacing the extreme Ritz
 * values approach the extreme eigenvalues from inside). Without convergence the iteration runs
 * to the full dimension, where it is exact.
 */
export function extremeEigenvalues(n: number, S: Float64Array, top: Float64Array): ExtremeEigenvalues {
  const m = n - 1; // dimension of the complement of `top`
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const orthogonalize = (w: Float64Array) => {
    // Twice is enough (Kahan–Parlett): one pass against `top` and the basis, then again.
    for (let pass = 0; pass < 2; pass++) {
      for (const q of [top, ...basis]) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i] * w[i];
        for (let i = 0; i < n; i++) w[i] -= d * q[i];
      }
    }
  };
  const norm = (w: Float64Array) => Math.sqrt(w.reduce((s, x) => s + x * x, 0));
  // A fixed pseudo-random start: the answer does not depend on it, only the path does.
  const rng = Rng.fromSeed(0).split('lanczos', n);
  let v = Float64Array.from({ length: n }, () => rng.normal());
  orthogonalize(v);
  const nv = norm(v);
  for (let i = 0; i < n; i++) v[i] /= nv;
  let nextCheck = Math.min(m, 16);
  let result: ExtremeEigenvalues = { lambda2: NaN, lambdaMin: NaN };
  const w = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    basis.push(v);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += S[row + j] * v[j];
      w[i] = s;
    }
    let a = 0;
    for (let i = 0; i < n; i++) a += v[i] * w[i];
    alpha.push(a);
    orthogonalize(w);
    const b = norm(w);
    const exhausted = k + 1 === m || b <= 1e-14;
    if (k + 1 === nextCheck || exhausted) {
      const ritz = ritzExtremes(alpha, beta);
      // Residual of a Ritz pair: |β_k · (last component of its eigenvector)|.
      const done = exhausted || (b * ritz.lastTop <= RITZ_TOLERANCE && b * ritz.lastBottom <= RITZ_TOLERANCE);
      result = { lambda2: ritz.top, lambdaMin: ritz.bottom };
      if (done) return result;
      nextCheck = Math.min(m, Math.ceil(nextCheck * 1.3));
    }
    beta.push(b);
    v = Float64Array.from(w, (x) => x / b);
  }
  return result;
}

/** Extreme eigenvalues of the Lanczos tridiagonal matrix (ml-matrix) and |last component| of their eigenvectors. */
function ritzExtremes(alpha: number[], beta: number[]): { top: number; bottom: number; lastTop: number; lastBottom: number } {
  const k = alpha.length;
  const Tk = new Matrix(k, k);
  for (let i = 0; i < k; i++) {
    Tk.set(i, i, alpha[i]);
    if (i + 1 < k) {
      Tk.set(i, i + 1, beta[i]);
      Tk.set(i + 1, i, beta[i]);
    }
  }
  const e = new EigenvalueDecomposition(Tk, { assumeSymmetric: true });
  const d = e.realEigenvalues;
  let hi = 0;
  let lo = 0;
  for (let i = 1; i < k; i++) {
    if (d[i] > d[hi]) hi = i;
    if (d[i] < d[lo]) lo = i;
  }
  const Y = e.eigenvectorMatrix;
  return { top: d[hi], bottom: d[lo], lastTop: Math.abs(Y.get(k - 1, hi)), lastBottom: Math.abs(Y.get(k - 1, lo)) };
}
