import { klTerm } from '../numerics/divergences.js';
import { fastExp, fastExpm1 } from '../numerics/fastExp.js';

/**
 * Exact Gibbs equilibrium of one bandit row: π*_τ(y) = π_ref(y)·e^{r(y)/τ}/Z_τ (F1).
 *
 * Everything is computed relative to an anchor completion j = argmax (log π_ref + r/τ), with
 * u_y = (r_y − r_j)/τ. Then log Z = r_j/τ + L, L = log Σ π_ref·e^{u}, and log π* − log π_ref = u − L.
 * This keeps every quantity precise at both ends: at τ → 0 (r/τ up to 1e12) nothing is
 * subtracted at the scale of r/τ, and at τ → ∞ (u ~ 1/τ) L is taken as log1p(Σ π_ref·expm1(u))
 * and KL(π*‖π_ref) as Σ π_ref·ψ(u − L) (nonnegative terms), so KL ~ Var(r)/(2τ²) keeps its
 * relative precision.
 *
 * Speed (docs/performance.md). Every term depends on the entry only through π_ref(y), log π_ref(y)
 * and r(y). When a row's rewards take at most `CLASSES` values (binary and graded verifiers), one
 * pass sums π_ref and π_ref·log π_ref per reward value, and every τ then costs O(values): the
 * observables are exact functions of those sums. Other rows take three passes per τ (anchor,
 * partition, observables) over blocks that stay in cache, with π_ref = e^{log π_ref} computed once
 * per block and pass for all the τs of a sweep (`gibbsRows`).
 */

export interface RowObservables {
  logZ: number;
  /** F_τ(π*) = −E[r] + τ·KL(π*‖π_ref) = −τ·log Z (F2 at π = π*). */
  freeEnergy: number;
  expectedReward: number;
  /** Probability of the maximal reward. */
  success: number;
  entropy: number;
  refKl: number;
}

/** Most distinct rewards a row may have for the per-value sums. */
const CLASSES = 8;
/**
 * Entries with log π_ref above this enter the per-value sums and the cached products π_ref·e^u:
 * π_ref is normal there, and e^u ≤ π_ref(j)/π_ref < e^700 since the anchor maximizes
 * log π_ref + u. Entries below it (finite) are few in any row that fits in memory with a normal
 * total mass; they take the direct form e^{log π_ref + u}, each on its own.
 */
const PRODUCT_MIN_LOG_REF = -700;
/** Most such far-tail entries handled one by one before a row takes the general path. */
const MAX_TAIL = 64;
/** Entries per block of the general path: the block's π_ref stays in L1 while every τ uses it. */
const BLOCK = 2048;

/** One τ of a sweep: anchor, partition sums, observables. */
interface TauRow {
  tau: number;
  invTau: number;
  j: number;
  bestS: number;
  rj: number;
  /** Σ_{y≠j} π_ref e^u (all terms ≥ 0, safe when the anchor carries little reference mass). */
  rest: number;
  /** Σ π_ref (e^u − 1) (precise when u is small). */
  shifted: number;
  L: number;
  logAnchor: number;
  refKl: number;
  /** Σ π* (r − r_j). */
  sumPDr: number;
  success: number;
  entropy: number;
  out: Float64Array | undefined;
}

function tauRow(tau: number, out: Float64Array | undefined): TauRow {
  // Doubles from the start (−0.5 for the index-valued fields is overwritten before use), so the
  // object keeps one shape and the kernels stay optimized.
  return { tau, invTau: 1 / tau, j: -1, bestS: -Infinity, rj: NaN, rest: 0.5, shifted: 0.5, L: NaN, logAnchor: NaN, refKl: 0.5, sumPDr: 0.5, success: 0.5, entropy: 0.5, out };
}

function resetSums(st: TauRow): void {
  st.rest = 0;
  st.shifted = 0;
  st.refKl = 0;
  st.sumPDr = 0;
  st.success = 0;
  st.entropy = 0;
}

/** log π* − log π_ref of an entry with reward r (not the anchor). */
function tilt(st: TauRow, r: number): number {
  return (r - st.rj) * st.invTau - st.L;
}

/** e^u and e^u − 1, each to full relative precision. */
function expPair(u: number): [number, number] {
  if (u > -1 && u < 1) {
    const em = fastExpm1(u);
    return [1 + em, em];
  }
  const eu = fastExp(u);
  return [eu, eu - 1];
}

/** Adds one entry's partition terms, in the direct form (far tails and the general path's fallback). */
function partitionTerm(st: TauRow, i: number, lr: number, r: number): void {
  const u = (r - st.rj) * st.invTau;
  const w = fastExp(lr + u);
  if (i !== st.j) st.rest += w;
  st.shifted += u > -1 && u < 1 ? fastExp(lr) * fastExpm1(u) : w - fastExp(lr);
}

/** Adds one entry's observables (not the anchor), in the direct form. */
function observableTerm(st: TauRow, i: number, lr: number, r: number, maxReward: number): void {
  const t = tilt(st, r);
  const lp = lr + t;
  const p = fastExp(lp);
  // KL as Σ π*·(u − L) = Σ π*·u − L cancels to first order at τ → ∞ (both ~1/τ, KL ~ 1/τ²) and
  // lost ~1e-9 relative at τ = 1e6; the Bregman terms are each ≥ 0 and ~π_ref·(u − L)²/2.
  st.refKl += klTerm(t, p, fastExp(lr));
  if (p === 0) return;
  st.sumPDr += p * (r - st.rj);
  st.entropy -= p * lp;
  if (r === maxReward) st.success += p;
}

/**
 * L and log π*_j. log π*_j is −log1p(R), R = Σ_{y≠j} π_ref(y)·e^{u_y} / π_ref(j): near a point
 * mass (R = 1e-32, say) log π*_j is −R + …, which log π_ref(j) − L could only give to
 * ~1e-16·|log π_ref(j)|: the entropy of a nearly deterministic π* would have no correct digit.
 */
function finishPartition(st: TauRow, logRef: Float64Array): void {
  const lj = logRef[st.j];
  const refJ = fastExp(lj);
  const rest = st.rest;
  const R = rest === 0 ? 0 : refJ > 1e-300 ? rest / refJ : Math.exp(Math.log(rest) - lj);
  st.L = st.shifted > -0.5 ? Math.log1p(st.shifted) : Math.log(rest + refJ);
  st.logAnchor = -Math.log1p(R);
}

/** The anchor's own terms (u = 0, log π* = log π*_j), its log π*, and the observables. */
function finishRow(st: TauRow, logRef: Float64Array, reward: Float64Array, maxReward: number): RowObservables {
  const { j, rj, L, tau } = st;
  const lp = st.logAnchor;
  if (st.out) st.out[j] = lp;
  const p = Math.exp(lp);
  st.refKl += klTerm(-L, p, Math.exp(logRef[j]));
  if (p !== 0) {
    st.entropy -= p * lp;
    if (reward[j] === maxReward) st.success += p;
  }
  const { refKl, entropy } = st;
  return {
    logZ: rj / tau + L,
    freeEnergy: -rj - tau * L,
    expectedReward: rj + st.sumPDr,
    success: st.success,
    // A point mass can come out as −1e-16 (log π* = +ulp); entropy is nonnegative.
    entropy: entropy > 0 ? entropy : 0,
    refKl: refKl > 0 ? refKl : 0,
  };
}

/** log π* of every entry of [from, to) but the anchor: the same expression `gibbsLogPolicyRow` uses. */
function writeLogPolicy(st: TauRow, logRef: Float64Array, reward: Float64Array, from: number, to: number, out: Float64Array, offset: number): void {
  const { invTau, rj, L, j } = st;
  for (let i = from; i < to; i++) out[i - offset] = logRef[i] + ((reward[i] - rj) * invTau - L);
  out[j - offset] = st.logAnchor;
}

// ---------------------------------------------------------------------------------------------
// Rows with few distinct rewards: per-value sums.

/**
 * Per reward value c: the entry with the largest log π_ref (the first such, `top`; an anchor is
 * always a top or a far-tail entry), and Σ π_ref and Σ π_ref·log π_ref over the other entries, so
 * that sums without the anchor never subtract it.
 */
interface RewardValues {
  n: number;
  value: Float64Array;
  top: Int32Array;
  topRef: Float64Array;
  topLog: Float64Array;
  mass: Float64Array;
  massLog: Float64Array;
  /** Entries with finite log π_ref ≤ PRODUCT_MIN_LOG_REF, handled one by one. */
  tail: number[];
}

/** The per-value sums of row [from, to), or null when it has more than CLASSES distinct rewards (or too many far-tail entries). */
function rewardValues(logRef: Float64Array, reward: Float64Array, from: number, to: number): RewardValues | null {
  const value = new Float64Array(CLASSES);
  const top = new Int32Array(CLASSES);
  const topRef = new Float64Array(CLASSES);
  const topLog = new Float64Array(CLASSES);
  const mass = new Float64Array(CLASSES);
  const massLog = new Float64Array(CLASSES);
  const tail: number[] = [];
  let n = 0;
  for (let i = from; i < to; i++) {
    const lr = logRef[i];
    if (!(lr > PRODUCT_MIN_LOG_REF)) {
      if (lr === -Infinity) continue;
      if (tail.length === MAX_TAIL) return null;
      tail.push(i);
      continue;
    }
    const r = reward[i];
    let c = 0;
    while (c < n && value[c] !== r) c++;
    const q = fastExp(lr);
    if (c === n) {
      if (n === CLASSES) return null;
      n++;
      value[c] = r;
      top[c] = i;
      topRef[c] = q;
      topLog[c] = lr;
    } else if (lr > topLog[c]) {
      mass[c] += topRef[c];
      massLog[c] += topRef[c] * topLog[c];
      top[c] = i;
      topRef[c] = q;
      topLog[c] = lr;
    } else {
      mass[c] += q;
      massLog[c] += q * lr;
    }
  }
  return { n, value, top, topRef, topLog, mass, massLog, tail };
}

function valuesAnchor(st: TauRow, v: RewardValues, logRef: Float64Array, reward: Float64Array): void {
  const consider = (i: number, s: number) => {
    if (s > st.bestS || (s === st.bestS && i < st.j)) {
      st.bestS = s;
      st.j = i;
    }
  };
  for (let c = 0; c < v.n; c++) consider(v.top[c], v.topLog[c] + v.value[c] * st.invTau);
  for (const i of v.tail) consider(i, logRef[i] + reward[i] * st.invTau);
  st.rj = reward[st.j];
}

function valuesPartition(st: TauRow, v: RewardValues, logRef: Float64Array, reward: Float64Array): void {
  for (let c = 0; c < v.n; c++) {
    const [eu, em] = expPair((v.value[c] - st.rj) * st.invTau);
    const all = v.mass[c] + v.topRef[c];
    st.rest += eu * (v.top[c] === st.j ? v.mass[c] : all);
    st.shifted += em * all;
  }
  for (const i of v.tail) partitionTerm(st, i, logRef[i], reward[i]);
}

function valuesObservables(st: TauRow, v: RewardValues, logRef: Float64Array, reward: Float64Array, maxReward: number): void {
  for (let c = 0; c < v.n; c++) {
    // Σ over the entries of this value but the anchor of π_ref and π_ref·log π_ref.
    const withTop = v.top[c] !== st.j;
    const m = withTop ? v.mass[c] + v.topRef[c] : v.mass[c];
    const ml = withTop ? v.massLog[c] + v.topRef[c] * v.topLog[c] : v.massLog[c];
    const r = v.value[c];
    const t = tilt(st, r);
    const pt = fastExp(t);
    st.refKl += klTerm(t, pt, 1) * m; // ψ(t) per unit of π_ref
    st.sumPDr += pt * (r - st.rj) * m;
    st.entropy -= pt * (ml + t * m); // Σ π*·log π* = e^t·Σ π_ref·(log π_ref + t)
    if (r === maxReward) st.success += pt * m;
  }
  for (const i of v.tail) if (i !== st.j) observableTerm(st, i, logRef[i], reward[i], maxReward);
}

// ---------------------------------------------------------------------------------------------
// Other rows: blocked passes.

/** Scratch for a block's π_ref (the module is synchronous; each worker thread has its own). */
const refBlock = new Float64Array(BLOCK);

function fillRefBlock(logRef: Float64Array, b: number, e: number): void {
  for (let i = b; i < e; i++) refBlock[i - b] = fastExp(logRef[i]);
}

function scanAnchor(st: TauRow, logRef: Float64Array, reward: Float64Array, b: number, e: number): void {
  const it = st.invTau;
  let best = st.j;
  let bestS = st.bestS;
  // log π_ref = −∞ gives s = −∞, which never wins: zero-support entries are never the anchor.
  for (let i = b; i < e; i++) {
    const s = logRef[i] + reward[i] * it;
    if (s > bestS) {
      bestS = s;
      best = i;
    }
  }
  st.j = best;
  st.bestS = bestS;
}

function partitionBlock(st: TauRow, logRef: Float64Array, reward: Float64Array, b: number, e: number): void {
  const { invTau, rj, j } = st;
  let rest = 0;
  let shifted = 0;
  for (let i = b; i < e; i++) {
    const lr = logRef[i];
    if (!(lr > PRODUCT_MIN_LOG_REF)) {
      if (lr !== -Infinity) partitionTerm(st, i, lr, reward[i]);
      continue;
    }
    const u = (reward[i] - rj) * invTau;
    const q = refBlock[i - b];
    let w: number;
    if (u > -1 && u < 1) {
      const qm = q * fastExpm1(u);
      shifted += qm;
      w = q + qm;
    } else {
      w = q * fastExp(u);
      shifted += w - q;
    }
    if (i !== j) rest += w;
  }
  st.rest += rest;
  st.shifted += shifted;
}

function observablesBlock(st: TauRow, logRef: Float64Array, reward: Float64Array, maxReward: number, b: number, e: number): void {
  const { invTau, rj, j, L } = st;
  let refKl = 0;
  let sumPDr = 0;
  let success = 0;
  let entropy = 0;
  for (let i = b; i < e; i++) {
    const lr = logRef[i];
    if (i === j || !(lr > PRODUCT_MIN_LOG_REF)) {
      if (i !== j && lr !== -Infinity) observableTerm(st, i, lr, reward[i], maxReward);
      continue;
    }
    const r = reward[i];
    const dr = r - rj;
    const t = dr * invTau - L;
    const pt = fastExp(t);
    const q = refBlock[i - b];
    const p = q * pt;
    refKl += q * klTerm(t, pt, 1);
    sumPDr += p * dr;
    entropy -= p * (lr + t);
    if (r === maxReward) success += p;
  }
  st.refKl += refKl;
  st.sumPDr += sumPDr;
  st.success += success;
  st.entropy += entropy;
}

/** Anchors and partition sums of every τ on the general path. */
function blockedPartitions(rows: TauRow[], logRef: Float64Array, reward: Float64Array, from: number, to: number): void {
  for (let b = from; b < to; b += BLOCK) {
    const e = Math.min(b + BLOCK, to);
    for (const st of rows) scanAnchor(st, logRef, reward, b, e);
  }
  for (const st of rows) st.rj = reward[st.j];
  for (let b = from; b < to; b += BLOCK) {
    const e = Math.min(b + BLOCK, to);
    fillRefBlock(logRef, b, e);
    for (const st of rows) partitionBlock(st, logRef, reward, b, e);
  }
}

/** Anchors, L and log π*_j of every τ (by per-value sums when `values` is given). */
function partitions(rows: TauRow[], values: RewardValues | null, logRef: Float64Array, reward: Float64Array, from: number, to: number): void {
  for (const st of rows) resetSums(st);
  if (values) {
    for (const st of rows) {
      valuesAnchor(st, values, logRef, reward);
      valuesPartition(st, values, logRef, reward);
    }
  } else blockedPartitions(rows, logRef, reward, from, to);
  for (const st of rows) finishPartition(st, logRef);
}

/**
 * Observables of π*_τ on row [from, to) for each τ of `taus`, in one sweep. When
 * `outLogPolicy[k]` is given, log π*_{τ_k} is written into it at the same offsets. Each τ's
 * numbers are the same as from `gibbsRow` alone.
 */
export function gibbsRows(
  logRef: Float64Array,
  reward: Float64Array,
  taus: ArrayLike<number>,
  maxReward: number,
  from = 0,
  to = logRef.length,
  outLogPolicy?: ArrayLike<Float64Array | undefined>,
): RowObservables[] {
  const rows = Array.from({ length: taus.length }, (_, k) => tauRow(taus[k], outLogPolicy?.[k]));
  const values = rewardValues(logRef, reward, from, to);
  partitions(rows, values, logRef, reward, from, to);
  if (values) {
    for (const st of rows) valuesObservables(st, values, logRef, reward, maxReward);
  } else {
    for (let b = from; b < to; b += BLOCK) {
      const e = Math.min(b + BLOCK, to);
      fillRefBlock(logRef, b, e);
      for (const st of rows) observablesBlock(st, logRef, reward, maxReward, b, e);
    }
  }
  for (const st of rows) if (st.out) writeLogPolicy(st, logRef, reward, from, to, st.out, 0);
  return rows.map((st) => finishRow(st, logRef, reward, maxReward));
}

/**
 * Observables of π*_τ on row [from, to). When `outLogPolicy` is given, log π*_τ is written into
 * it at the same offsets.
 */
export function gibbsRow(
  logRef: Float64Array,
  reward: Float64Array,
  tau: number,
  maxReward: number,
  from = 0,
  to = logRef.length,
  outLogPolicy?: Float64Array,
): RowObservables {
  return gibbsRows(logRef, reward, [tau], maxReward, from, to, [outLogPolicy])[0];
}

/** log π*_τ of one row as a new array (the same numbers `gibbsRow` writes). */
export function gibbsLogPolicyRow(logRef: Float64Array, reward: Float64Array, tau: number, from = 0, to = logRef.length): Float64Array {
  const out = new Float64Array(to - from);
  const st = tauRow(tau, undefined);
  partitions([st], rewardValues(logRef, reward, from, to), logRef, reward, from, to);
  writeLogPolicy(st, logRef, reward, from, to, out, from);
  return out;
}

/** Observables of an arbitrary policy row (log-probabilities) against the reference and reward. */
export function policyRow(
  logPolicy: Float64Array,
  logRef: Float64Array,
  reward: Float64Array,
  maxReward: number,
  from = 0,
  to = logPolicy.length,
  policyOffset = from,
): { expectedReward: number; success: number; entropy: number; refKl: number } {
  let er = 0;
  let success = 0;
  let entropy = 0;
  let refKl = 0;
  for (let i = from; i < to; i++) {
    const lp = logPolicy[i - from + policyOffset];
    if (lp === -Infinity) {
      if (logRef[i] !== -Infinity) refKl += Math.exp(logRef[i]); // the Bregman term of a p = 0 entry
      continue;
    }
    const p = Math.exp(lp);
    er += p * reward[i];
    if (reward[i] === maxReward) success += p;
    entropy -= p * lp;
    refKl += logRef[i] === -Infinity ? Infinity : klTerm(lp - logRef[i], p, Math.exp(logRef[i]));
  }
  return { expectedReward: er, success, entropy, refKl: refKl > 0 ? refKl : 0 };
}
