import type { Rng } from '../numerics/rng.js';

/**
 * Selection without sorting, for the covariance controls (KL-Cov's top-k, Clip-Cov's random pick).
 * A full sort costs O(N log N) per micro-batch; quickselect (Hoare's FIND, C++ nth_element) finds
 * the k largest in expected O(N), which is what selection needs: the order inside the selected
 * set does not matter, only its membership.
 *
 * All functions permute an index array `idx[0..n)` in place and leave scores untouched, so the
 * caller can map the result back to tokens.
 */

/** Optional instrumentation: the number of score comparisons made (the selection-cost experiment reads it). */
export interface SelectionCounter {
  comparisons: number;
}

/** Below this range length a quickselect range is finished by insertion sort (fewer comparisons than partitioning). */
const SMALL = 16;

/** Median of three scores, as an index into idx (a pivot that defeats sorted and reversed inputs). */
function medianOfThree(s: Float64Array, idx: Int32Array, a: number, b: number, c: number, counter?: SelectionCounter): number {
  const x = s[idx[a]];
  const y = s[idx[b]];
  const z = s[idx[c]];
  if (counter) counter.comparisons += 3;
  if (x < y) return y < z ? b : x < z ? c : a;
  return x < z ? a : y < z ? c : b;
}

/** Sorts idx[lo..hi) by descending score (insertion sort; short ranges only). */
function insertionDescending(s: Float64Array, idx: Int32Array, lo: number, hi: number, counter?: SelectionCounter): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = idx[i];
    const sv = s[v];
    let j = i - 1;
    while (j >= lo) {
      if (counter) counter.comparisons++;
      if (s[idx[j]] >= sv) break;
      idx[j + 1] = idx[j];
      j--;
    }
    idx[j + 1] = v;
  }
}

/**
 * Three-way partition of idx[lo..hi) around score `pivot`, descending: [lo, gt) > pivot,
 * [gt, lt) = pivot, [lt, hi) < pivot (Dijkstra's Dutch flag, so runs of ties cost one pass).
 * Returns [gt, lt].
 */
function partitionDescending(s: Float64Array, idx: Int32Array, lo: number, hi: number, pivot: number, counter?: SelectionCounter): [number, number] {
  let gt = lo;
  let i = lo;
  let lt = hi;
  while (i < lt) {
    const v = s[idx[i]];
    if (counter) counter.comparisons++;
    if (v > pivot) {
      const t = idx[gt];
      idx[gt++] = idx[i];
      idx[i++] = t;
    } else if (v < pivot) {
      const t = idx[--lt];
      idx[lt] = idx[i];
      idx[i] = t;
    } else i++;
  }
  return [gt, lt];
}

/**
 * Rearranges idx[0..n) so that idx[0..k) hold indices of k largest scores (in no particular order;
 * ties at the boundary are broken by position). Expected O(n) comparisons with median-of-three
 * pivots; after 2·log2(n) rounds without convergence the remaining range is sorted (introselect's
 * guard), so the worst case is O(n log n). Scores must not be NaN.
 */
export function selectTop(scores: Float64Array, idx: Int32Array, n: number, k: number, counter?: SelectionCounter): void {
  if (k <= 0 || k >= n) return;
  let lo = 0;
  let hi = n;
  let budget = 2 * Math.ceil(Math.log2(n + 1));
  while (hi - lo > SMALL) {
    if (budget-- === 0) {
      sortDescending(scores, idx, lo, hi, counter);
      return;
    }
    const p = medianOfThree(scores, idx, lo, (lo + hi) >>> 1, hi - 1, counter);
    const [gt, lt] = partitionDescending(scores, idx, lo, hi, scores[idx[p]], counter);
    if (k < gt) hi = gt;
    else if (k <= lt) return;
    else lo = lt;
  }
  insertionDescending(scores, idx, lo, hi, counter);
}

/** A full descending sort of idx[lo..hi): introselect's fallback, and the O(n log n) reference. */
function sortDescending(s: Float64Array, idx: Int32Array, lo: number, hi: number, counter?: SelectionCounter): void {
  const part = Array.from(idx.subarray(lo, hi));
  part.sort((a, b) => {
    if (counter) counter.comparisons++;
    return s[b] - s[a];
  });
  idx.set(part, lo);
}

/** The k largest by a full sort: the O(n log n) reference the selection is compared with (tests, cost experiment). */
export function sortTop(scores: Float64Array, idx: Int32Array, n: number, k: number, counter?: SelectionCounter): void {
  if (k <= 0 || k >= n) return;
  sortDescending(scores, idx, 0, n, counter);
}

/** Where a weighted top selection ends: idx[0..count) are taken whole, idx[count] (if any) by `fraction` ∈ [0, 1). */
export interface WeightedCut {
  count: number;
  fraction: number;
}

/**
 * The exact (expectation) analogue of a top-k: the highest-scoring entries whose weights add up to
 * `mass`, with the boundary entry taken fractionally. Rearranges idx[0..n) like `selectTop` (the
 * taken entries first, the partial one next) by weighted quickselect: partition around a pivot,
 * compare the weight above it with what is still needed, recurse into one side. Expected O(n).
 * Weights are ≥ 0.
 */
export function selectTopMass(scores: Float64Array, weights: Float64Array, idx: Int32Array, n: number, mass: number, counter?: SelectionCounter): WeightedCut {
  if (!(mass > 0)) return { count: 0, fraction: 0 };
  let lo = 0;
  let hi = n;
  let need = mass;
  while (hi - lo > SMALL) {
    const p = medianOfThree(scores, idx, lo, (lo + hi) >>> 1, hi - 1, counter);
    const [gt, lt] = partitionDescending(scores, idx, lo, hi, scores[idx[p]], counter);
    let above = 0;
    for (let i = lo; i < gt; i++) above += weights[idx[i]];
    if (above >= need) {
      hi = gt;
      continue;
    }
    let tied = 0;
    for (let i = gt; i < lt; i++) tied += weights[idx[i]];
    if (above + tied >= need) {
      lo = gt;
      need -= above;
      hi = lt;
      // Every entry of [lo, hi) ties: no order among them, so take them in position order below.
      break;
    }
    need -= above + tied;
    lo = lt;
  }
  insertionDescending(scores, idx, lo, hi, counter);
  for (let i = lo; i < hi; i++) {
    const w = weights[idx[i]];
    if (w >= need) return w === need ? { count: i + 1, fraction: 0 } : { count: i, fraction: need / w };
    need -= w;
  }
  return { count: hi, fraction: 0 };
}

/**
 * A uniform random k-subset of idx[0..m) moved to idx[0..k) (partial Fisher–Yates: k draws, O(k)),
 * as torch.randperm(m)[:k] picks it, but from a named stream of the library's Rng.
 */
export function randomPick(idx: Int32Array, m: number, k: number, rng: Rng): void {
  const take = Math.min(k, m);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(m - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
}
