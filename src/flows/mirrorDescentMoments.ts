import { klTerm } from '../numerics/divergences.js';
import { fastExp } from '../numerics/fastExp.js';

/**
 * KL(π_k‖π*_τ) along entropic mirror descent by binned Taylor moments: O(V) once, then
 * O(bins · ORDER) per step instead of O(V).
 *
 * By F6 every iterate is log π_k = log π* + s_k·d − g(s_k) with d = log π_0 − log π*, s_k = c^k,
 * c = 1 − ητ, and g(s) = log Σ π*·e^{s·d}. So the whole trace depends on the row only through the
 * distribution of d under π*. Cut d into bins of width WIDTH, centre each bin at its π*-weighted mean
 * c_b, and keep the moments μ_{b,m} = Σ_{i∈b} π*_i·δ_i^m/m! (δ = d − c_b, |δ| ≤ WIDTH). Then
 *   e^{g(s)} = Σ_b e^{s·c_b} Σ_m s^m·μ_{b,m},
 *   KL(s)   = Σ_b [ψ(x_b)·μ_{b,0} + e^{x_b} Σ_{m≥1} (x_b + m − 1)·s^m·μ_{b,m}] + (π* mass where π_0 = 0),
 * with x_b = s·c_b − g(s): the Taylor series of the Bregman form Σ π*·ψ(log π_k − log π*) around
 * each bin's centre (ψ^{(m)}(x) = (x + m − 1)·e^x). Truncated after ORDER, the remainder is below
 * (|s|·WIDTH)^{ORDER+1}/(ORDER+1)! ≈ 2e-17 of a bin's own terms for |s| ≤ 1, and centring at the
 * bin mean (μ_{b,1} = 0) keeps the series free of cancellation when π_k is near π* — the Bregman
 * form's relative precision, as the exact two-stage form of `mirrorDescentKl.ts`.
 *
 * Applies when |c| ≤ 1 (ητ ≤ 2: otherwise the flow diverges) and d spans few enough bins (at most
 * a quarter of the row); otherwise callers use the blocked form. Moments are summed over fixed
 * chunks and combined in chunk order, so threads give the same bits.
 */

/** Bin width of d. */
const WIDTH = 0.5;
/** Highest Taylor order kept. */
export const ORDER = 14;
const TERMS = ORDER + 1;
/** 1/m for m = 1..ORDER (δ^m/m! = δ^{m−1}/(m−1)! · δ/m). */
const INV = Float64Array.from({ length: TERMS }, (_, m) => (m === 0 ? 0 : 1 / m));

export interface MomentProblem {
  /** Start log π_0 (not necessarily normalized; −∞ = probability 0). */
  logPi0: Float64Array;
  /** log π*_τ, normalized; −∞ outside the support of π_ref (π_0 is taken on that support). */
  logStar: Float64Array;
}

/** The bins of d: bin b covers [lo + b·WIDTH, lo + (b + 1)·WIDTH). */
export interface MomentBins {
  lo: number;
  bins: number;
}

/** d's range over [from, to) as [min, max] (±∞ when no entry has both π_0 and π* positive). */
export function driftRange(p: MomentProblem, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const d = p.logPi0[i] - p.logStar[i];
    // −∞ (π_0 = 0) and NaN (π* = 0) are not binned.
    if (d > -Infinity && d < Infinity) {
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
  }
  return [lo, hi];
}

/** The bins for d ∈ [lo, hi] over a row of n entries, or null when there would be too many. */
export function momentBins(lo: number, hi: number, n: number): MomentBins | null {
  if (!(lo <= hi)) return null;
  const bins = Math.floor((hi - lo) / WIDTH) + 1;
  return bins <= Math.max(64, n / 4) ? { lo, bins } : null;
}

function binOf(layout: MomentBins, d: number): number {
  return Math.min(layout.bins - 1, Math.floor((d - layout.lo) / WIDTH));
}

/**
 * First pass on [from, to): per bin, the π* mass and Σ π*·(d − bin start) into `out` (2 per bin,
 * overwritten), and the π* mass where π_0 = 0 in out[2·bins].
 */
export function binMassSums(p: MomentProblem, layout: MomentBins, from: number, to: number, out: Float64Array): void {
  out.fill(0, 0, 2 * layout.bins + 1);
  for (let i = from; i < to; i++) {
    const ls = p.logStar[i];
    if (ls === -Infinity) continue;
    const q = fastExp(ls);
    const d = p.logPi0[i] - ls;
    if (d === -Infinity) {
      out[2 * layout.bins] += q;
      continue;
    }
    const b = binOf(layout, d);
    out[2 * b] += q;
    out[2 * b + 1] += q * (d - (layout.lo + b * WIDTH));
  }
}

/** Bin centres (π*-weighted means of d) from first-pass sums combined in order; NaN for empty bins. */
export function binCentres(layout: MomentBins, partials: Float64Array[]): { centre: Float64Array; zeroMass: number } {
  const mass = new Float64Array(layout.bins);
  const first = new Float64Array(layout.bins);
  let zeroMass = 0;
  for (const s of partials) {
    for (let b = 0; b < layout.bins; b++) {
      mass[b] += s[2 * b];
      first[b] += s[2 * b + 1];
    }
    zeroMass += s[2 * layout.bins];
  }
  const centre = Float64Array.from(mass, (m, b) => (m > 0 ? layout.lo + b * WIDTH + first[b] / m : NaN));
  return { centre, zeroMass };
}

/** Second pass on [from, to): μ_{b,m} = Σ π*·δ^m/m! into `out` (TERMS per bin, overwritten). */
export function binMoments(p: MomentProblem, layout: MomentBins, centre: Float64Array, from: number, to: number, out: Float64Array): void {
  out.fill(0, 0, TERMS * layout.bins);
  for (let i = from; i < to; i++) {
    const ls = p.logStar[i];
    if (ls === -Infinity) continue;
    const d = p.logPi0[i] - ls;
    if (d === -Infinity) continue;
    const b = binOf(layout, d);
    const delta = d - centre[b];
    const o = TERMS * b;
    let t = fastExp(ls);
    out[o] += t;
    for (let m = 1; m < TERMS; m++) {
      t *= delta * INV[m];
      out[o + m] += t;
    }
  }
}

/** Moments of all bins from second-pass partials combined in order. */
export function sumMoments(layout: MomentBins, partials: Float64Array[]): Float64Array {
  const mom = new Float64Array(TERMS * layout.bins);
  for (const s of partials) for (let j = 0; j < mom.length; j++) mom[j] += s[j];
  return mom;
}

/**
 * KL(π_k‖π*) and g(s_k) = log Z_k (the normalizer of π* e^{s·d}) for s_k = c^k, k = 0..steps, from
 * the bins; null when a sum is not finite (then the blocked form is needed).
 */
export function klFromMoments(
  centre: Float64Array,
  mom: Float64Array,
  zeroMass: number,
  c: number,
  steps: number,
): { kl: Float64Array; logNorm: Float64Array } | null {
  const bins = centre.length;
  const kl = new Float64Array(steps + 1);
  const logNorm = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    const s = c ** k;
    let mx = -Infinity;
    for (let b = 0; b < bins; b++) if (mom[TERMS * b] > 0 && s * centre[b] > mx) mx = s * centre[b];
    let a = 0;
    for (let b = 0; b < bins; b++) {
      const o = TERMS * b;
      if (!(mom[o] > 0)) continue;
      // Σ_m s^m μ_{b,m} by Horner.
      let poly = mom[o + ORDER];
      for (let m = ORDER - 1; m >= 0; m--) poly = poly * s + mom[o + m];
      a += Math.exp(s * centre[b] - mx) * poly;
    }
    const g = mx + Math.log(a);
    let total = zeroMass;
    for (let b = 0; b < bins; b++) {
      const o = TERMS * b;
      if (!(mom[o] > 0)) continue;
      const x = s * centre[b] - g;
      const ex = Math.exp(x);
      let higher = 0;
      let sm = 1;
      for (let m = 1; m <= ORDER; m++) {
        sm *= s;
        higher += (x + m - 1) * sm * mom[o + m];
      }
      total += klTerm(x, ex, 1) * mom[o] + ex * higher;
    }
    if (!Number.isFinite(total) || !Number.isFinite(g)) return null;
    kl[k] = total < 0 ? 0 : total;
    logNorm[k] = g;
  }
  return { kl, logNorm };
}

/** log π_steps = log π* + s·d − g(s) on [from, to) into `out` (−∞ where π_0 or π* is 0). */
export function writeMomentIterate(p: MomentProblem, s: number, g: number, from: number, to: number, out: Float64Array): void {
  for (let i = from; i < to; i++) {
    const ls = p.logStar[i];
    const d = p.logPi0[i] - ls;
    out[i] = ls === -Infinity || d === -Infinity ? -Infinity : ls + s * d - g;
  }
}
