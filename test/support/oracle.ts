/**
 * Independent reference computations for the tests. Nothing here imports from src/: every formula
 * is re-implemented from SPEC with plain loops, compensated sums and, where a quantity is a tiny
 * difference of O(1) numbers, a series or a non-cancelling form (not the code's formulation).
 */

/** Neumaier-compensated sum: error O(ε·Σ|x|) independent of the length. */
export function fsum(xs: ArrayLike<number>): number {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) {
      let plain = 0;
      for (let j = 0; j < xs.length; j++) plain += xs[j];
      return plain; // ±∞ or NaN, as the plain sum
    }
  }
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

/** Streaming Neumaier accumulator (same algorithm as fsum, without building an array). */
export class Acc {
  private s = 0;
  private c = 0;
  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }
  reset(): void {
    this.s = 0;
    this.c = 0;
  }
  get value(): number {
    return this.s + this.c;
  }
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
 * Bernoulli KL kl(a‖b); pass d = a − b when it is known more precisely than the difference of
 * the rounded a and b. Close arguments (|d| ≤ 0.1·min(b, 1−b)): the power series in d,
 *   kl = Σ_{n≥2} d^n/(n(n−1)) · [(−1)^n/b^{n−1} + 1/(1−b)^{n−1}],
 * which has no first-order cancellation. Otherwise the two terms with log1p of the complements.
 */
export function bernoulliKlOracle(a: number, b: number, d = a - b): number {
  if (d === 0) return 0;
  const bm = 1 - b;
  if (Math.abs(d) <= 0.1 * Math.min(b, bm)) return bernoulliKlSeries(b, bm, d);
  let s = 0;
  if (a > 0) s += a * (Math.log(a) - Math.log(b));
  if (a < 1) s += (1 - a) * (Math.log1p(-a) - Math.log1p(-b));
  return s;
}

/** The series of `bernoulliKlOracle` given b, 1 − b and d = a − b separately. */
export function bernoulliKlSeries(b: number, bm: number, d: number): number {
  let s = 0;
  let pb = -d; // (−1)^n·d^n/b^{n−1}, built up from n = 1
  let pc = d; // d^n/(1−b)^{n−1}
  for (let n = 2; n < 60; n++) {
    pb *= -d / b;
    pc *= d / bm;
    s += (pb + pc) / (n * (n - 1));
    // Stop on the size of the terms, not of their sum (the two can cancel, e.g. at b = 1/2).
    if ((Math.abs(pb) + Math.abs(pc)) / (n * (n - 1)) < 1e-18 * Math.abs(s)) break;
  }
  return s;
}

/**
 * kl(a‖b) from the logs of a, 1−a, b, 1−b (each precise, e.g. 1 − a = 1e-40) and d = a − b: the
 * series when close, the definition term by term otherwise.
 */
export function bernoulliKlFromLogsOracle(logA: number, log1mA: number, logB: number, log1mB: number, d: number): number {
  const b = Math.exp(logB);
  const bm = Math.exp(log1mB);
  if (d === 0) return 0;
  if (Math.abs(d) <= 0.1 * Math.min(b, bm)) return bernoulliKlSeries(b, bm, d);
  let s = 0;
  if (logA > -Infinity) s += Math.exp(logA) * (logA - logB);
  if (log1mA > -Infinity) s += Math.exp(log1mA) * (log1mA - log1mB);
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
 *
 * log Z = cβ + L_c with L_c = log Σ π_ref·e^{(r−c)β} (β = 1/τ) holds for any centre c; the oracle
 * tries c ∈ {0, E_ref[r], r of the dominant entry} and two ways of taking L_c (log1p of Σ π_ref·
 * expm1, or a max-shifted log-sum-exp), estimates the rounding error of each and keeps the best.
 * When the scaled reward spread is ≤ 1e-3 it uses instead the cumulant series of r under π_ref
 * (log Z = Σ κ_n β^n/n!, E*[r] = Σ κ_n β^{n−1}/(n−1)!). The reference KL is always the Bregman
 * form Σ π_ref·ψ(log π* − log π_ref), insensitive (to first order) to any error in log Z.
 */
export function gibbsOracle(ref: ArrayLike<number>, reward: ArrayLike<number>, tau: number, maxReward?: number): GibbsOracle {
  const n = ref.length;
  const total = fsum(ref);
  const w = new Float64Array(n);
  const logw = new Float64Array(n);
  const supp: number[] = [];
  for (let i = 0; i < n; i++) {
    w[i] = ref[i] / total;
    logw[i] = Math.log(w[i]);
    if (w[i] > 0) supp.push(i);
  }
  let rmax = -Infinity;
  let rmin = Infinity;
  for (const i of supp) {
    rmax = Math.max(rmax, reward[i]);
    rmin = Math.min(rmin, reward[i]);
  }
  const top = maxReward ?? rmax;
  const a0 = new Acc();
  for (const i of supp) a0.add(w[i] * reward[i]);
  let mu = a0.value;
  const a1 = new Acc();
  for (const i of supp) a1.add(w[i] * (reward[i] - mu));
  mu += a1.value;
  const beta = 1 / tau;
  const EPS = 2.2e-16;

  let c: number; // centre
  let Lc: number; // log Z − cβ
  let erc = NaN; // E*[r] − c, when known from the series
  const series = (rmax - rmin) * beta <= 1e-3;
  if (series) {
    c = mu;
    const N = 8;
    const m = new Array<number>(N + 1).fill(0);
    m[0] = 1;
    const acc = Array.from({ length: N + 1 }, () => new Acc());
    for (const i of supp) {
      const x = reward[i] - mu;
      let t = w[i];
      for (let p = 1; p <= N; p++) {
        t *= x;
        acc[p].add(t);
      }
    }
    for (let p = 1; p <= N; p++) m[p] = acc[p].value;
    const kap = cumulantsFromMoments(m);
    let lz = 0;
    let er = 0;
    let fact = 1;
    for (let p = 1; p <= N; p++) {
      fact *= p;
      lz += (kap[p] * beta ** p) / fact;
      er += (kap[p] * beta ** (p - 1) * p) / fact;
    }
    Lc = lz;
    erc = er;
  } else {
    let dom = supp[0];
    for (const i of supp) if (logw[i] + reward[i] * beta > logw[dom] + reward[dom] * beta) dom = i;
    let best = { err: Infinity, c: 0, L: 0 };
    for (const cc of [0, mu, reward[dom]]) {
      // log1p of Σ π_ref·expm1(x), x = (r − c)β: precise when the sum is small.
      const S = new Acc();
      const A = new Acc();
      let finite = true;
      let mx = -Infinity;
      for (const i of supp) {
        const x = (reward[i] - cc) * beta;
        const t = w[i] * Math.expm1(x);
        if (!Number.isFinite(t)) finite = false;
        S.add(t);
        A.add(Math.abs(t));
        mx = Math.max(mx, logw[i] + x);
      }
      if (finite && 1 + S.value > 0.1) {
        const err = (EPS * A.value) / (1 + S.value);
        if (err < best.err) best = { err, c: cc, L: Math.log1p(S.value) };
      }
      // Max-shifted log-sum-exp.
      if (Number.isFinite(mx)) {
        const err = EPS * (Math.abs(mx) + 1);
        if (err < best.err) {
          const E = new Acc();
          for (const i of supp) E.add(Math.exp(logw[i] + (reward[i] - cc) * beta - mx));
          best = { err, c: cc, L: mx + Math.log(E.value) };
        }
      }
    }
    c = best.c;
    Lc = best.L;
  }
  const logProbs = new Array<number>(n).fill(-Infinity);
  const probs = new Array<number>(n).fill(0);
  const K = new Acc();
  const H = new Acc();
  const Su = new Acc();
  const E = new Acc();
  for (const i of supp) {
    const d = (reward[i] - c) * beta - Lc;
    const lp = logw[i] + d;
    logProbs[i] = lp;
    const p = Math.exp(lp);
    probs[i] = p;
    K.add(w[i] * psi(d));
    if (p > 0) H.add(-p * lp);
    if (reward[i] === top) Su.add(p);
    E.add(p * (reward[i] - c));
  }
  if (!series) erc = E.value;
  // Near a point mass, log π of the dominant entry is −(mass elsewhere) + …, far below the rounding
  // of log w + d: take it as log1p(−Σ others) for the entropy.
  let jmax = supp[0];
  for (const i of supp) if (probs[i] > probs[jmax]) jmax = i;
  if (probs[jmax] > 0.5) {
    const rest = new Acc();
    for (const i of supp) if (i !== jmax) rest.add(probs[i]);
    const lpj = Math.log1p(-rest.value);
    const Hc = new Acc();
    for (const i of supp) if (i !== jmax && probs[i] > 0) Hc.add(-probs[i] * logProbs[i]);
    Hc.add(-Math.exp(lpj) * lpj);
    H.reset();
    H.add(Hc.value);
  }
  return {
    logProbs,
    probs,
    logZ: c * beta + Lc,
    freeEnergy: -c - tau * Lc,
    expectedReward: c + erc,
    success: Su.value,
    entropy: H.value,
    refKl: K.value,
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
