import type { Rng } from '../numerics/rng.js';

/**
 * The empirical entropy–performance law R = −a·e^H + b (F27, Cui et al.): a least-squares fit,
 * linear in (a, b) through x = e^H, with R², residuals and the predicted ceiling b − a (R at
 * H = 0). A fit, never an identity (SPEC: report R², do not assert it).
 */
export interface EntropyLawFit {
  a: number;
  b: number;
  r2: number;
  ceiling: number;
  n: number;
  /** R_i − (b − a·e^{H_i}), in the order of the points given. */
  residuals: number[];
}

/** Least squares on (H_i, R_i); null with fewer than 3 points or when every H is the same. */
export function fitEntropyLaw(H: readonly number[], R: readonly number[]): EntropyLawFit | null {
  const n = H.length;
  if (n < 3) return null;
  const x = H.map(Math.exp);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += R[i];
  }
  mx /= n;
  my /= n;
  // Centred sums: the slope stays accurate when e^H varies little around a large mean.
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = R[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0) || sxx <= 1e-28 * mx * mx * n) return null;
  const a = -sxy / sxx;
  const b = my + a * mx;
  const residuals = x.map((xi, i) => R[i] - (b - a * xi));
  const sse = residuals.reduce((s, r) => s + r * r, 0);
  const r2 = syy > 0 ? 1 - sse / syy : 1;
  return { a, b, r2, ceiling: b - a, n, residuals };
}

export interface Interval {
  lo: number;
  hi: number;
}

export interface BootstrapIntervals {
  a: Interval;
  b: Interval;
  ceiling: Interval;
  /** Resamples drawn, and how many gave a fit (a resample can repeat one H only). */
  samples: number;
  fitted: number;
  block: number;
  level: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/**
 * Percentile intervals from a moving-block bootstrap: consecutive steps are correlated, so
 * resampling blocks of length ≈ n^{1/3} keeps that correlation (a pairs bootstrap would
 * pretend the points are independent and give intervals that are too narrow).
 */
export function bootstrapEntropyLaw(
  H: readonly number[],
  R: readonly number[],
  rng: Rng,
  samples = 1000,
  level = 0.95,
): BootstrapIntervals | null {
  const n = H.length;
  if (fitEntropyLaw(H, R) === null) return null;
  const block = Math.max(1, Math.round(Math.cbrt(n)));
  const starts = n - block + 1;
  const as: number[] = [];
  const bs: number[] = [];
  const cs: number[] = [];
  const h = new Array<number>(n);
  const r = new Array<number>(n);
  for (let s = 0; s < samples; s++) {
    const draw = rng.split('resample', s);
    for (let filled = 0; filled < n; ) {
      const start = draw.int(starts);
      for (let j = 0; j < block && filled < n; j++, filled++) {
        h[filled] = H[start + j];
        r[filled] = R[start + j];
      }
    }
    const fit = fitEntropyLaw(h, r);
    if (!fit) continue;
    as.push(fit.a);
    bs.push(fit.b);
    cs.push(fit.ceiling);
  }
  if (as.length === 0) return null;
  const tail = (1 - level) / 2;
  const interval = (v: number[]): Interval => {
    v.sort((x, y) => x - y);
    return { lo: quantile(v, tail), hi: quantile(v, 1 - tail) };
  };
  return { a: interval(as), b: interval(bs), ceiling: interval(cs), samples, fitted: as.length, block, level };
}

/**
 * How much of the run's entropy drop and accuracy gain had happened by step N (Cui et al.: 73%
 * of the entropy consumed and 76% of the gain by step ~200). Shares are relative to the first and
 * last logged values, so noise can push them outside [0, 1].
 */
export interface Shares {
  byStep: number;
  /** The last logged step ≤ byStep that has both series. */
  atStep: number;
  entropyConsumed: number;
  gainAchieved: number;
}

export function sharesByStep(steps: readonly number[], H: readonly number[], R: readonly number[], byStep: number): Shares | null {
  const idx = steps.map((_, i) => i).filter((i) => Number.isFinite(H[i]) && Number.isFinite(R[i]));
  if (idx.length < 2) return null;
  const first = idx[0];
  const last = idx[idx.length - 1];
  // A log that ends before N has trivially used all of both by then.
  if (steps[last] <= byStep) return null;
  const upto = idx.filter((i) => steps[i] <= byStep);
  if (upto.length === 0) return null;
  const at = upto[upto.length - 1];
  const dH = H[first] - H[last];
  const dR = R[last] - R[first];
  return {
    byStep,
    atStep: steps[at],
    entropyConsumed: dH !== 0 ? (H[first] - H[at]) / dH : NaN,
    gainAchieved: dR !== 0 ? (R[at] - R[first]) / dR : NaN,
  };
}
