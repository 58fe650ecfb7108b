import { klTerm } from '../numerics/divergences.js';
import { fastExp } from '../numerics/fastExp.js';
import { ORDER, binCentres, binMassSums, binMoments, driftRange, klFromMoments, momentBins, sumMoments, writeMomentIterate, type MomentBins } from './mirrorDescentMoments.js';

/**
 * KL(π_k‖π*_τ) along entropic mirror descent (F5 with the Â of F4) on one large bandit row, for
 * k = 0..steps, without a pass over the whole row per step.
 *
 * Mirror descent is invariant to normalization: the unnormalized iterates
 *   ũ_{k+1} = ũ_k + η·(r − τ·(ũ_k − log π_ref))
 * are log π_k + C_k with the scalar C_k = log Σ e^{ũ_k}, and each entry's ũ_k depends on that entry
 * alone. So the row is cut into cache-sized blocks that go through all steps at once. C_k is only
 * known once every block is done, but the KL does not need it in advance: for any guess Ĉ_k, with
 * s = ũ_k − Ĉ_k − log π* and δ = C_k − Ĉ_k,
 *   A1 = Σ π*·e^s = e^δ,  A2 = Σ π*·e^s·s,  KL_k = Σ π_k·(log π_k − log π*) = A2/A1 − δ.
 * One pass, one exponential per entry and step. That sum form rounds to ~2^−53·E_π|s| absolute,
 * which the Bregman form of `kl` avoids; so the trace also sums A3 = Σ π*·e^s·|s|, and a step
 * where (E_π|s| + |δ|)/KL exceeds 1e3 (KL near its rounding floor: a converged flow, τ → ∞) sends
 * the whole trace to the exact two-stage form — C_k first, then `kl`'s Bregman terms — which is
 * also the reference the tests hold the fast form to (1e-11 relative: the sums round to ~√BLOCK·2^−53
 * times the cancellation ratio). Ĉ_k comes from a pilot run on every
 * 64th entry, so δ is small and no sum overflows.
 *
 * Partial sums are taken over fixed chunks of `MD_CHUNK` entries and combined in chunk order, so
 * a run split over threads (src/parallel/node) gives the same bits as `mirrorDescentKlTrace`.
 */

export interface MirrorDescentKlProblem {
  /** Start log π_0 (not necessarily normalized; −∞ entries stay at probability 0). */
  logPi0: Float64Array;
  logRef: Float64Array;
  reward: Float64Array;
  /** log π*_τ, normalized (e.g. `gibbsLogPolicyRow`). */
  logStar: Float64Array;
  tau: number;
  eta: number;
  steps: number;
}

/** Entries per chunk: the unit of every partial sum and of parallel work. */
export const MD_CHUNK = 1 << 16;
/** Entries per block: a block's iterate, π*, log π*, reference and reward (40 KB) stay in L1–L2 through all steps. */
const BLOCK = 1024;
/** The pilot that guesses C_k runs on every PILOT_STRIDE-th entry. */
const PILOT_STRIDE = 64;
/** Largest tolerated (E_π|s| + |δ|)/KL: the sum form then rounds to ≲ 1e-11 relative (SPEC §9 allows 1e-10). */
const MAX_CANCELLATION = 1e3;

/** Scratch (each worker thread has its own module instance). */
const iterate = new Float64Array(BLOCK);
const starBlock = new Float64Array(BLOCK);
const driftBlock = new Float64Array(BLOCK);

/** The chunks [from, to) of a row of n entries, in order. */
export function mirrorDescentChunks(n: number): [number, number][] {
  const chunks: [number, number][] = [];
  for (let a = 0; a < n; a += MD_CHUNK) chunks.push([a, Math.min(a + MD_CHUNK, n)]);
  return chunks;
}

/** Loads ũ_0 of entries from + j·stride < to, j = 0..n−1, into `iterate`. */
function startBlock(p: MirrorDescentKlProblem, first: number, stride: number, n: number): void {
  for (let j = 0; j < n; j++) {
    const i = first + j * stride;
    iterate[j] = p.logRef[i] === -Infinity ? -Infinity : p.logPi0[i];
  }
}

/** (max[k], sum[k]) ← the log-sum of itself and (m, s): log Σ = max + log sum. */
function addLogSum(max: Float64Array, sum: Float64Array, k: number, m: number, s: number): void {
  const M = max[k];
  if (m > M) {
    sum[k] = sum[k] * fastExp(M - m) + s;
    max[k] = m;
  } else sum[k] += s * fastExp(m - M);
}

/**
 * Log Σ e^{ũ_k} over the entries from + j·stride < to, for k = 0..steps, as (max[k], sum[k])
 * (overwritten; steps + 1 entries each).
 */
export function mirrorDescentLogSums(p: MirrorDescentKlProblem, from: number, to: number, stride: number, max: Float64Array, sum: Float64Array): void {
  const { logRef, reward, tau, eta, steps } = p;
  const u = iterate;
  max.fill(-Infinity, 0, steps + 1);
  sum.fill(0, 0, steps + 1);
  const count = Math.ceil((to - from) / stride);
  for (let j0 = 0; j0 < count; j0 += BLOCK) {
    const n = Math.min(BLOCK, count - j0);
    const first = from + j0 * stride;
    startBlock(p, first, stride, n);
    let m = -Infinity;
    for (let j = 0; j < n; j++) if (u[j] > m) m = u[j];
    if (m === -Infinity) continue;
    for (let k = 0; k <= steps; k++) {
      // One pass per step: advance, and sum e^{ũ − m} against the previous step's max m (an entry
      // moves by η·|r − τ(ũ − log π_ref)| per step, so e^{ũ − m} stays far from overflow); the sum
      // is rescaled to the new max, or taken again if the max moved by more than 600.
      let mk = -Infinity;
      let s = 0;
      for (let j = 0; j < n; j++) {
        let v = u[j];
        const i = first + j * stride;
        // −∞ (outside the support of π_0 or π_ref) stays −∞: Â = −∞ there.
        if (k > 0 && v !== -Infinity) u[j] = v = v + eta * (reward[i] - tau * (v - logRef[i]));
        if (v > mk) mk = v;
        s += fastExp(v - m);
      }
      if (mk - m > 600) {
        s = 0;
        for (let j = 0; j < n; j++) s += fastExp(u[j] - mk);
      } else s *= fastExp(m - mk);
      m = mk;
      addLogSum(max, sum, k, m, s);
    }
  }
}

/** log Σ e^{ũ_k} from (max, sum) partials combined in order. */
function combineLogSums(partials: { max: Float64Array; sum: Float64Array }[], steps: number): Float64Array {
  const max = new Float64Array(steps + 1).fill(-Infinity);
  const sum = new Float64Array(steps + 1);
  for (const q of partials) for (let k = 0; k <= steps; k++) if (q.max[k] !== -Infinity) addLogSum(max, sum, k, q.max[k], q.sum[k]);
  return Float64Array.from(max, (m, k) => m + Math.log(sum[k]));
}

/** The pilot's guess Ĉ_k: log Σ e^{ũ_k} over every PILOT_STRIDE-th entry, scaled to the row. */
export function mirrorDescentGuess(p: MirrorDescentKlProblem): Float64Array {
  const n = p.logRef.length;
  const max = new Float64Array(p.steps + 1);
  const sum = new Float64Array(p.steps + 1);
  mirrorDescentLogSums(p, 0, n, PILOT_STRIDE, max, sum);
  const scale = Math.log(n / Math.ceil(n / PILOT_STRIDE));
  return combineLogSums([{ max, sum }], p.steps).map((c) => c + scale);
}

/** Sums per step in `mirrorDescentKlSums`: A1, A2, A3 (A3 = ∞ marks KL = ∞). */
export const MD_SUMS = 3;

/**
 * The sums on chunk [from, to) for the guesses Ĉ_k: sums[3k..3k+2] = (A1, A2, A3) of step k
 * (overwritten). With `out`, ũ_steps − Ĉ_steps of the chunk is written into it (log π_steps once
 * δ_steps is subtracted, see `finishMirrorDescentKl`).
 */
export function mirrorDescentKlSums(p: MirrorDescentKlProblem, guess: Float64Array, from: number, to: number, sums: Float64Array, out?: Float64Array): void {
  const { logStar, logRef, reward, tau, eta, steps } = p;
  const u = iterate;
  const q = starBlock;
  const drift = driftBlock;
  const c = 1 - eta * tau;
  sums.fill(0, 0, MD_SUMS * (steps + 1));
  for (let b = from; b < to; b += BLOCK) {
    const n = Math.min(b + BLOCK, to) - b;
    startBlock(p, b, 1, n);
    let clean = true;
    for (let j = 0; j < n; j++) {
      q[j] = fastExp(logStar[b + j]);
      if (u[j] === -Infinity || logStar[b + j] === -Infinity) clean = false;
    }
    if (clean) {
      // The common case, without the checks for zero probabilities, on t = ũ − log π*, which moves
      // as t ← c·t + η·(r − τ·(log π* − log π_ref)) with c = 1 − ητ: one load per entry and step
      // besides t and π*.
      for (let j = 0; j < n; j++) {
        const ls = logStar[b + j];
        u[j] -= ls;
        drift[j] = eta * (reward[b + j] - tau * (ls - logRef[b + j]));
      }
      for (let k = 0; k <= steps; k++) {
        const C = guess[k];
        const ck = k > 0 ? c : 1;
        const dk = k > 0 ? 1 : 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let j = 0; j < n; j++) {
          const t = ck * u[j] + dk * drift[j];
          u[j] = t;
          const s = t - C;
          const w = q[j] * fastExp(s);
          a1 += w;
          a2 += w * s;
          a3 += w * Math.abs(s);
        }
        sums[MD_SUMS * k] += a1;
        sums[MD_SUMS * k + 1] += a2;
        sums[MD_SUMS * k + 2] += a3;
      }
      if (out) for (let j = 0; j < n; j++) out[b + j] = u[j] + logStar[b + j] - guess[steps];
      continue;
    }
    for (let k = 0; k <= steps; k++) {
      const C = guess[k];
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < n; j++) {
        let v = u[j];
        const ls = logStar[b + j];
        // π_k = 0 adds nothing (−∞ stays −∞: Â = −∞ outside the support); π_k > 0 = π*: KL = ∞.
        if (v === -Infinity) continue;
        if (ls === -Infinity) {
          a3 = Infinity;
          continue;
        }
        if (k > 0) u[j] = v = v + eta * (reward[b + j] - tau * (v - logRef[b + j]));
        const s = v - C - ls;
        const w = q[j] * fastExp(s);
        a1 += w;
        a2 += w * s;
        a3 += w * Math.abs(s);
      }
      sums[MD_SUMS * k] += a1;
      sums[MD_SUMS * k + 1] += a2;
      sums[MD_SUMS * k + 2] += a3;
    }
    if (out) for (let j = 0; j < n; j++) out[b + j] = u[j] - guess[steps];
  }
}

/**
 * KL_k and δ_k = C_k − Ĉ_k from chunk sums combined in order, or null when a step's sum form would
 * lose more than ~1e-11 relative (or a sum overflowed): then the exact two-stage form is needed.
 */
export function finishMirrorDescentKl(partials: Float64Array[], steps: number): { kl: Float64Array; delta: Float64Array } | null {
  const kl = new Float64Array(steps + 1);
  const delta = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (const s of partials) {
      a1 += s[MD_SUMS * k];
      a2 += s[MD_SUMS * k + 1];
      a3 += s[MD_SUMS * k + 2];
    }
    const d = Math.log(a1);
    delta[k] = d;
    if (a3 === Infinity && Number.isFinite(a1) && Number.isFinite(a2)) {
      kl[k] = Infinity;
      continue;
    }
    const v = a2 / a1 - d;
    if (!(a1 > 0 && Number.isFinite(a1) && Number.isFinite(a3)) || a3 / a1 + Math.abs(d) > MAX_CANCELLATION * v) return null;
    kl[k] = v;
  }
  return { kl, delta };
}

/**
 * The exact two-stage form's stage 2 on chunk [from, to): Σ π*·ψ(log π_k − log π*) into kl[k]
 * (overwritten), given C_k = logNorm[k], with `kl`'s terms. With `out`, log π_steps is written.
 */
export function mirrorDescentExactKlSums(p: MirrorDescentKlProblem, logNorm: Float64Array, from: number, to: number, kl: Float64Array, out?: Float64Array): void {
  const { logStar, logRef, reward, tau, eta, steps } = p;
  const u = iterate;
  const q = starBlock;
  kl.fill(0, 0, steps + 1);
  for (let b = from; b < to; b += BLOCK) {
    const n = Math.min(b + BLOCK, to) - b;
    startBlock(p, b, 1, n);
    for (let j = 0; j < n; j++) q[j] = fastExp(logStar[b + j]);
    for (let k = 0; k <= steps; k++) {
      const C = logNorm[k];
      let acc = 0;
      for (let j = 0; j < n; j++) {
        let v = u[j];
        const ls = logStar[b + j];
        if (v === -Infinity || ls === -Infinity) {
          acc += v === -Infinity ? q[j] : Infinity;
          continue;
        }
        if (k > 0) u[j] = v = v + eta * (reward[b + j] - tau * (v - logRef[b + j]));
        const l = v - C;
        acc += klTerm(l - ls, fastExp(l), q[j]);
      }
      kl[k] += acc;
    }
    if (out) for (let j = 0; j < n; j++) out[b + j] = u[j] - logNorm[steps];
  }
}

/** The exact form's C_k from per-chunk log-sums (see `mirrorDescentLogSums`), combined in chunk order. */
export function mirrorDescentLogNormalizers(partials: { max: Float64Array; sum: Float64Array }[], steps: number): Float64Array {
  return combineLogSums(partials, steps);
}

/** Per-chunk KLs of the exact form summed in chunk order (negative rounding clipped to 0). */
export function sumChunkKl(partials: Float64Array[], steps: number): Float64Array {
  const kl = new Float64Array(steps + 1);
  for (const q of partials) for (let k = 0; k <= steps; k++) kl[k] += q[k];
  for (let k = 0; k <= steps; k++) if (kl[k] < 0) kl[k] = 0;
  return kl;
}

/**
 * KL(π_k‖π*_τ) for k = 0..steps on one thread; with `out`, log π_steps. The binned-moments form
 * where it applies (ητ ≤ 2 and d = log π_0 − log π* spanning few bins: O(V) once, then O(bins) per
 * step), else the blocked form.
 */
export function mirrorDescentKlTrace(p: MirrorDescentKlProblem, out?: Float64Array): Float64Array {
  return mirrorDescentKlMoments(p, out) ?? mirrorDescentKlTraceBlocks(p, out);
}

/** The binned-moments form (mirrorDescentMoments.ts) over the row's chunks, or null where it does not apply. */
export function mirrorDescentKlMoments(p: MirrorDescentKlProblem, out?: Float64Array): Float64Array | null {
  const c = 1 - p.eta * p.tau;
  if (!(Math.abs(c) <= 1)) return null;
  const n = p.logRef.length;
  const chunks = mirrorDescentChunks(n);
  const layout = momentBinsOf(chunks.map(([a, b]) => driftRange(p, a, b)), n);
  if (!layout) return null;
  const { centre, zeroMass } = binCentres(
    layout,
    chunks.map(([a, b]) => {
      const s = new Float64Array(2 * layout.bins + 1);
      binMassSums(p, layout, a, b, s);
      return s;
    }),
  );
  const mom = sumMoments(
    layout,
    chunks.map(([a, b]) => {
      const s = new Float64Array((ORDER + 1) * layout.bins);
      binMoments(p, layout, centre, a, b, s);
      return s;
    }),
  );
  const r = klFromMoments(centre, mom, zeroMass, c, p.steps);
  if (!r) return null;
  if (out) writeMomentIterate(p, c ** p.steps, r.logNorm[p.steps], 0, n, out);
  return r.kl;
}

/** The bins for chunk ranges of d combined (null when there would be too many). */
export function momentBinsOf(ranges: [number, number][], n: number): MomentBins | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const [a, b] of ranges) {
    if (a < lo) lo = a;
    if (b > hi) hi = b;
  }
  return momentBins(lo, hi, n);
}

/** The blocked form: a pass over the row per block of steps (any ητ, any spread of d). */
export function mirrorDescentKlTraceBlocks(p: MirrorDescentKlProblem, out?: Float64Array): Float64Array {
  const chunks = mirrorDescentChunks(p.logRef.length);
  const guess = mirrorDescentGuess(p);
  const sums = chunks.map(([a, b]) => {
    const s = new Float64Array(MD_SUMS * (p.steps + 1));
    mirrorDescentKlSums(p, guess, a, b, s, out);
    return s;
  });
  const fast = finishMirrorDescentKl(sums, p.steps);
  if (fast) {
    if (out) {
      const d = fast.delta[p.steps];
      for (let i = 0; i < out.length; i++) out[i] -= d;
    }
    return fast.kl;
  }
  const logNorm = mirrorDescentLogNormalizers(
    chunks.map(([a, b]) => {
      const q = { max: new Float64Array(p.steps + 1), sum: new Float64Array(p.steps + 1) };
      mirrorDescentLogSums(p, a, b, 1, q.max, q.sum);
      return q;
    }),
    p.steps,
  );
  return sumChunkKl(
    chunks.map(([a, b]) => {
      const kl = new Float64Array(p.steps + 1);
      mirrorDescentExactKlSums(p, logNorm, a, b, kl, out);
      return kl;
    }),
    p.steps,
  );
}
