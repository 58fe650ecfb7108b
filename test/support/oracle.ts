/**
 * Independent reference computations for the tests. Nothing here imports from src/: every formula
 * is re-implemented from SPEC with plain loops, compensated sums and, where a quantity is a tiny
 * difference of O(1) numbers, a series or a non-cancelling form (not the code's formulation).
 */

/** Neumaier-compensated sum: error O(ε·Σ|x|) independent of the length. */
export function fsum(xs: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** Relative difference |a − b| / max(|b|, floor), exact for infinities that agree. */
export function relErr(a: number, b: number, floor = 0): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

/**
 * ψ(d) = d·e^d − e^d + 1 ≥ 0: the per-entry term of the Bregman form KL(p‖q) = Σ q·ψ(log p − log q).
 * Each term is nonnegative, so the sum has no cancellation; for small d the power series
 * ψ(d) = Σ_{n≥2} (n−1)·d^n/n! is used.
 */
export function psi(d: number): number {
  if (d === -Infinity) return 1;
  if (Math.abs(d) < 0.5) {
    let term = d; // d^n/n! for n = 1
    let s = 0;
    for (let n = 2; n < 40; n++) {
      term *= d / n;
      const add = (n - 1) * term;
      s += add;
      if (Math.abs(add) < 1e-18 * Math.abs(s)) break;
    }
    return s;
  }
  const e = Math.exp(d);
  return d * e - e + 1;
}

/** KL(p‖q) from log-probabilities by the Bregman form (−∞ = zero probability). */
export function klOracle(lp: ArrayLike<number>, lq: ArrayLike<number>): number {
  const terms: number[] = [];
  for (let i = 0; i < lp.length; i++) {
    if (lq[i] === -Infinity) {
      if (lp[i] === -Infinity) continue;
      return Infinity;
    }
    terms.push(Math.exp(lq[i]) * psi(lp[i] - lq[i]));
  }
  return fsum(terms);
}

/** Entropy −Σ p log p from log-probabilities. */
export function entropyOracle(lp: ArrayLike<number>): number {
  const terms: number[] = [];
  for (let i = 0; i < lp.length; i++) if (lp[i] !== -Infinity) terms.push(-Math.exp(lp[i]) * lp[i]);
  return fsum(terms);
}

/**
 * Bernoulli KL kl(a‖b). Close arguments (|a−b| ≤ 0.1·min(b, 1−b)): the power series in d = a − b,
 *   kl = Σ_{n≥2} d^n/(n(n−1)) · [(−1)^n/b^{n−1} + 1/(1−b)^{n−1}],
 * which has no first-order cancellation. Otherwise the two terms with log1p of the complements.
 */
export function bernoulliKlOracle(a: number, b: number): number {
  if (a === b) return 0;
  const d = a - b;
  const bm = 1 - b;
  if (Math.abs(d) <= 0.1 * Math.min(b, bm)) {
    let s = 0;
    let pb = -d; // (−1)^n·d^n/b^{n−1}, built up from n = 1
    let pc = d; // d^n / (1−b)^{n−1}
    for (let n = 2; n < 60; n++) {
      pb *= -d / b;
      pc *= d / bm;
      s += (pb + pc) / (n * (n - 1));
      // Stop on the size of the terms, not of their sum (the two can cancel, e.g. at b = 1/2).
      if ((Math.abs(pb) + Math.abs(pc)) / (n * (n - 1)) < 1e-18 * Math.abs(s)) break;
    }
    return s;
  }
  let s = 0;
  if (a > 0) s += a * (Math.log(a) - Math.log(b));
  if (a < 1) s += (1 - a) * (Math.log1p(-a) - Math.log1p(-b));
  return s;
}

/** Binary entropy in nats. */
export function binaryEntropyOracle(a: number): number {
  let h = 0;
  if (a > 0) h -= a * Math.log(a);
  if (a < 1) h -= (1 - a) * Math.log1p(-a);
  return h;
}

/** Cumulants κ_1..κ_N of X from raw moments about 0 (recursion κ_n = m_n − Σ C(n−1,k−1) κ_k m_{n−k}). */
function cumulantsFromMoments(m: number[]): number[] {
  const N = m.length - 1;
  const k = new Array<number>(N + 1).fill(0);
  const binom = (n: number, r: number) => {
    let c = 1;
    for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
    return c;
  };
  for (let n = 1; n <= N; n++) {
    let s = m[n];
    for (let j = 1; j < n; j++) s -= binom(n - 1, j - 1) * k[j] * m[n - j];
    k[n] = s;
  }
  return k;
}

export interface GibbsOracle {
  logProbs: number[];
  probs: number[];
  logZ: number;
  freeEnergy: number;
  expectedReward: number;
  success: number;
  entropy: number;
  refKl: number;
}

/**
 * π*_τ ∝ π_ref·e^{r/τ} computed from scratch. `ref` are nonnegative weights (renormalized here).
 * Rewards are centred at their reference mean μ (two-pass), so x = (r − μ)/τ is O(1) or small.
 * When the scaled reward spread is ≤ 1e-3, log Z and E*[r] come from the cumulant series of r under
 * π_ref (log Z = Σ κ_n β^n/n!, E*[r] = Σ κ_n β^{n−1}/(n−1)!, β = 1/τ); otherwise from a max-shifted
 * compensated sum. The reference KL is always the Bregman form Σ π_ref·ψ(log π* − log π_ref),
 * which is insensitive (to first order) to any error in log Z.
 */
export function gibbsOracle(ref: ArrayLike<number>, reward: ArrayLike<number>, tau: number, maxReward?: number): GibbsOracle {
  const n = ref.length;
  const total = fsum(ref);
  const w = Array.from(ref, (x) => x / total);
  const supp: number[] = [];
  for (let i = 0; i < n; i++) if (w[i] > 0) supp.push(i);
  let rmax = -Infinity;
  let rmin = Infinity;
  for (const i of supp) {
    rmax = Math.max(rmax, reward[i]);
    rmin = Math.min(rmin, reward[i]);
  }
  const top = maxReward ?? rmax;
  let mu = fsum(supp.map((i) => w[i] * reward[i]));
  mu += fsum(supp.map((i) => w[i] * (reward[i] - mu)));
  const beta = 1 / tau;
  const rc = new Array<number>(n).fill(0);
  for (const i of supp) rc[i] = reward[i] - mu;

  let logZc: number; // log Z − μ/τ
  let erc: number; // E*[r] − μ
  const series = (rmax - rmin) * beta <= 1e-3;
  if (series) {
    const N = 8;
    const m = new Array<number>(N + 1).fill(0);
    m[0] = 1;
    for (let p = 1; p <= N; p++) m[p] = fsum(supp.map((i) => w[i] * rc[i] ** p));
    const kap = cumulantsFromMoments(m);
    let lz = 0;
    let er = 0;
    let fact = 1;
    for (let p = 1; p <= N; p++) {
      fact *= p;
      lz += (kap[p] * beta ** p) / fact;
      er += (kap[p] * beta ** (p - 1) * p) / fact;
    }
    logZc = lz;
    erc = er;
  } else {
    let mx = -Infinity;
    for (const i of supp) mx = Math.max(mx, Math.log(w[i]) + rc[i] * beta);
    logZc = mx + Math.log(fsum(supp.map((i) => Math.exp(Math.log(w[i]) + rc[i] * beta - mx))));
    erc = NaN;
  }
  const logProbs = new Array<number>(n).fill(-Infinity);
  const probs = new Array<number>(n).fill(0);
  const klTerms: number[] = [];
  const hTerms: number[] = [];
  const sTerms: number[] = [];
  const eTerms: number[] = [];
  for (const i of supp) {
    const d = rc[i] * beta - logZc;
    const lp = Math.log(w[i]) + d;
    logProbs[i] = lp;
    const p = Math.exp(lp);
    probs[i] = p;
    klTerms.push(w[i] * psi(d));
    if (p > 0) hTerms.push(-p * lp);
    if (reward[i] === top) sTerms.push(p);
    eTerms.push(p * rc[i]);
  }
  if (!series) erc = fsum(eTerms);
  return {
    logProbs,
    probs,
    logZ: mu * beta + logZc,
    freeEnergy: -mu - tau * logZc,
    expectedReward: mu + erc,
    success: fsum(sTerms),
    entropy: fsum(hTerms),
    refKl: fsum(klTerms),
  };
}

/**
 * Every token sequence of a layered automaton described by the test itself: `next[s][t]` is the
 * state after token t in state s, `logRef[s][t]` its reference log-probability. Returns, per
 * sequence, the visited (state, token) pairs and the final state. V^K sequences for V tokens.
 */
export interface Automaton {
  start: number;
  horizon: number;
  next: number[][];
  logRef: number[][];
  terminalReward: number[];
}

export interface SeqEnum {
  paths: { steps: [number, number][]; final: number }[];
}

export function enumerateSequences(a: Automaton): SeqEnum {
  const paths: SeqEnum['paths'] = [];
  const rec = (s: number, k: number, steps: [number, number][]) => {
    if (k === a.horizon) {
      paths.push({ steps: steps.slice(), final: s });
      return;
    }
    for (let t = 0; t < a.next[s].length; t++) {
      steps.push([s, t]);
      rec(a.next[s][t], k + 1, steps);
      steps.pop();
    }
  };
  rec(a.start, 0, []);
  return { paths };
}

/** Normalized sequence log-probabilities of π(y) ∝ Π_t exp(tokLogW[s_t][y_t]) · e^{bonus(s_L)}. */
export function sequenceLogProbs(e: SeqEnum, tokLogW: number[][], bonus: ArrayLike<number>): number[] {
  const raw = e.paths.map((p) => fsum(p.steps.map(([s, t]) => tokLogW[s][t])) + bonus[p.final]);
  let mx = -Infinity;
  for (const v of raw) mx = Math.max(mx, v);
  const lz = mx + Math.log(fsum(raw.map((v) => Math.exp(v - mx))));
  return raw.map((v) => v - lz);
}

/** The K-step chain as an automaton: token 0 is correct (prob q), tokens 1..V−1 share 1 − q. */
export function chainAutomaton(K: number, q: number, V: number, delta: number): Automaton {
  const row = [Math.log(q), ...Array.from({ length: V - 1 }, () => Math.log1p(-q) - Math.log(V - 1))];
  return {
    start: 0,
    horizon: K,
    next: [[0, ...Array.from({ length: V - 1 }, () => 1)], Array.from({ length: V }, () => 1)],
    logRef: [row, row.slice()],
    terminalReward: [K * delta, 0],
  };
}
