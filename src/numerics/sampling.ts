import { CompensatedSum } from './compensated.js';
/**
 * Categorical sampling. Two structures, both built once per distribution:
 * - a cumulative table (O(V) build, O(log V) per draw by binary search);
 * - Vose's alias table (O(V) build, O(1) per draw).
 */

/** Cumulative probabilities of exp(logp[from..to)), normalized so the last entry is exactly 1. */
export function buildCdf(logp: ArrayLike<number>, out = new Float64Array(logp.length), from = 0, to = logp.length): Float64Array {
  let acc = 0;
  for (let i = from; i < to; i++) {
    acc += Math.exp(logp[i]);
    out[i - from] = acc;
  }
  return normalizeCdf(out, to - from, acc);
}

/** Cumulative table of nonnegative weights[from..to) (e.g. probabilities already at hand: no exponential), normalized as `buildCdf`. */
export function buildCdfFromWeights(weights: ArrayLike<number>, out = new Float64Array(weights.length), from = 0, to = weights.length): Float64Array {
  let acc = 0;
  for (let i = from; i < to; i++) {
    acc += weights[i];
    out[i - from] = acc;
  }
  return normalizeCdf(out, to - from, acc);
}

function normalizeCdf(out: Float64Array, n: number, total: number): Float64Array {
  const inv = 1 / total;
  for (let i = 0; i < n; i++) out[i] *= inv;
  out[n - 1] = 1;
  return out;
}

/** Smallest index i in [0, n) with cdf[i] > u, for u ∈ [0, 1); skips zero-probability entries. */
export function sampleCdf(cdf: Float64Array, u: number, n = cdf.length): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * `from + sampleCdf(buildCdfFromWeights(weights, from, to), u[g])` for every g < count, the same
 * indices, without building the table: when several draws share one distribution used once (a
 * prompt's group of completions), one pass for the total and one scan that meets the draws in
 * increasing order cost less than writing and normalizing a table and searching it per draw.
 * `order` is scratch of length ≥ count.
 */
export function sampleMany(weights: ArrayLike<number>, from: number, to: number, u: Float64Array, count: number, out: Int32Array, order: Int32Array): void {
  let total = 0;
  for (let i = from; i < to; i++) total += weights[i];
  const inv = 1 / total;
  sortDraws(u, 0, count, order);
  // The table's entries are (running sum)·(1/total) and its last entry is 1: the first entry whose
  // value exceeds u, as the binary search finds it.
  let k = 0;
  let acc = 0;
  for (let i = from; i < to - 1 && k < count; i++) {
    acc += weights[i];
    const c = acc * inv;
    while (k < count && c > u[order[k]]) out[order[k++]] = i;
  }
  while (k < count) out[order[k++]] = to - 1;
}

/**
 * `sampleMany` on four rows of n entries starting at a0..a3, `count` draws each (row r's uniforms
 * at u[r·count ..], its indices into out[r·count ..]). A running sum is one dependent addition per
 * entry, so one row at a time is bound by the addition's latency; four rows' sums advance side by
 * side in the same loop (written out in locals: accumulators in an array would go through memory).
 */
export function sampleMany4(
  weights: ArrayLike<number>,
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  n: number,
  u: Float64Array,
  count: number,
  out: Int32Array,
  order: Int32Array,
): void {
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  for (let i = 0; i < n; i++) {
    t0 += weights[a0 + i];
    t1 += weights[a1 + i];
    t2 += weights[a2 + i];
    t3 += weights[a3 + i];
  }
  const i0 = 1 / t0;
  const i1 = 1 / t1;
  const i2 = 1 / t2;
  const i3 = 1 / t3;
  for (let r = 0; r < 4; r++) sortDraws(u, r * count, count, order);
  // Per row: its running sum, how many draws are placed, and the next (smallest unplaced) uniform.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k0 = 0;
  let k1 = count;
  let k2 = 2 * count;
  let k3 = 3 * count;
  let n0 = nextDraw(u, order, k0, count);
  let n1 = nextDraw(u, order, k1, 2 * count);
  let n2 = nextDraw(u, order, k2, 3 * count);
  let n3 = nextDraw(u, order, k3, 4 * count);
  for (let i = 0; i < n - 1; i++) {
    s0 += weights[a0 + i];
    s1 += weights[a1 + i];
    s2 += weights[a2 + i];
    s3 += weights[a3 + i];
    if (s0 * i0 > n0) {
      const c = s0 * i0;
      while (k0 < count && c > u[order[k0]]) out[order[k0++]] = a0 + i;
      n0 = nextDraw(u, order, k0, count);
    }
    if (s1 * i1 > n1) {
      const c = s1 * i1;
      while (k1 < 2 * count && c > u[order[k1]]) out[order[k1++]] = a1 + i;
      n1 = nextDraw(u, order, k1, 2 * count);
    }
    if (s2 * i2 > n2) {
      const c = s2 * i2;
      while (k2 < 3 * count && c > u[order[k2]]) out[order[k2++]] = a2 + i;
      n2 = nextDraw(u, order, k2, 3 * count);
    }
    if (s3 * i3 > n3) {
      const c = s3 * i3;
      while (k3 < 4 * count && c > u[order[k3]]) out[order[k3++]] = a3 + i;
      n3 = nextDraw(u, order, k3, 4 * count);
    }
  }
  while (k0 < count) out[order[k0++]] = a0 + n - 1;
  while (k1 < 2 * count) out[order[k1++]] = a1 + n - 1;
  while (k2 < 3 * count) out[order[k2++]] = a2 + n - 1;
  while (k3 < 4 * count) out[order[k3++]] = a3 + n - 1;
}

/** The smallest unplaced uniform of a row (draws placed up to k of its range ending at `end`), ∞ when all are placed. */
function nextDraw(u: Float64Array, order: Int32Array, k: number, end: number): number {
  return k < end ? u[order[k]] : Infinity;
}

/** order[from ..from + count) = from + g for g < count, sorted by u (insertion sort: groups are small). */
function sortDraws(u: Float64Array, from: number, count: number, order: Int32Array): void {
  for (let g = from; g < from + count; g++) {
    let j = g;
    while (j > from && u[order[j - 1]] > u[g]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = g;
  }
}

/** Vose's alias method: O(1) draws from a fixed categorical distribution. */
export class AliasTable {
  readonly prob: Float64Array;
  readonly alias: Int32Array;

  constructor(logp: ArrayLike<number>) {
    const n = logp.length;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    // Compensated (Neumaier) sum: the table hands all of the total's rounding error, n·δ in scaled
    // units, to the last large column, whose probability it then misstates by n·δ/(n·p). With a
    // plain sum over 10^6 entries that was ~2e-8 relative; compensated it is ~1e-16·n·p.
    const sum = new CompensatedSum();
    for (let i = 0; i < n; i++) sum.add(Math.exp(logp[i]));
    const total = sum.value;
    const scaled = new Float64Array(n);
    for (let i = 0; i < n; i++) scaled[i] = (Math.exp(logp[i]) / total) * n;
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[--nl];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) this.prob[large[--nl]] = 1;
    while (ns > 0) this.prob[small[--ns]] = 1; // only reached through rounding
  }

  /** One draw from two uniforms in [0, 1). */
  sample(u1: number, u2: number): number {
    const i = Math.floor(u1 * this.prob.length);
    return u2 < this.prob[i] ? i : this.alias[i];
  }
}
