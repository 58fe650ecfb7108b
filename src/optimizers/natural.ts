import type { TabularPolicy } from '../policies/tabular.js';

/**
 * The Fisher metric of a tabular softmax policy in logit coordinates (F8): row r contributes
 * w_r·(diag π_r − π_r π_rᵀ), with w_r the row's occupancy. Singular along per-row constants (which
 * do not change the policy); gradients of anything that depends on π only have zero row sums and lie
 * in its range.
 */

/** out = (F + damping·I)·v. */
export function fisherVector(policy: TabularPolicy, weights: Float64Array, v: Float64Array, out: Float64Array, damping = 0): Float64Array {
  const { rows, rowOffset } = policy.layout;
  const p = policy.prob;
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    const a = rowOffset[r];
    const b = rowOffset[r + 1];
    let pv = 0;
    for (let e = a; e < b; e++) pv += p[e] * v[e];
    for (let e = a; e < b; e++) out[e] = w * p[e] * (v[e] - pv) + damping * v[e];
  }
  return out;
}

/**
 * F⁺g for a gradient g with zero row sums: x_e = g_e/(w_r·π_e), the exact natural gradient
 * (F·x = g row by row, since Σ_e π_e·x_e = Σ_e g_e/w_r = 0). Entries never visited get 0.
 */
export function naturalGradient(policy: TabularPolicy, weights: Float64Array, g: Float64Array, out: Float64Array): Float64Array {
  const { entryRow } = policy.layout;
  const p = policy.prob;
  for (let e = 0; e < g.length; e++) {
    const wp = weights[entryRow[e]] * p[e];
    out[e] = wp > 0 ? g[e] / wp : 0;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Conjugate gradient for A·x = b with A symmetric positive semi-definite given as a product
 * (TRPO's solver: a fixed number of iterations from x = 0). `scratch` holds three vectors.
 */
export function conjugateGradient(
  apply: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  x: Float64Array,
  iters: number,
  scratch: [Float64Array, Float64Array, Float64Array],
): Float64Array {
  const [r, d, Ad] = scratch;
  x.fill(0);
  r.set(b);
  d.set(b);
  let rr = dot(r, r);
  for (let k = 0; k < iters && rr > 1e-300; k++) {
    apply(d, Ad);
    const dAd = dot(d, Ad);
    if (!(dAd > 0)) break;
    const alpha = rr / dAd;
    for (let i = 0; i < x.length; i++) {
      x[i] += alpha * d[i];
      r[i] -= alpha * Ad[i];
    }
    const rr2 = dot(r, r);
    const beta = rr2 / rr;
    for (let i = 0; i < d.length; i++) d[i] = r[i] + beta * d[i];
    rr = rr2;
  }
  return x;
}
