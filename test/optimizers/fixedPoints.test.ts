import { describe, expect, it } from 'vitest';
import { grpoAdvantages } from '../../src/optimizers/advantages.js';
import { k3LossFixedPoint, scaledGibbsFixedPoint, stdGradientFactor } from '../../src/optimizers/fixedPoints.js';
import { evaluatePolicy, npgStep, optimalValues, randomMdp } from '../../src/optimizers/mdp.js';
import { expectClose } from '../support/assert.js';
import { fsum, gibbsOracle } from '../support/oracle.js';
import { between, mulberry32, randomSimplex } from '../support/random.js';

/** Exact E over all G-tuples of (1/G)·Σ_i A_i·(e_{y_i} − π) with GRPO group-std advantages. */
function enumeratedStdEstimator(p: number[], r: number[], G: number, eps: number): number[] {
  const n = p.length;
  const acc = new Array<number>(n).fill(0);
  const R = new Float64Array(G);
  const A = new Float64Array(G);
  const ys: number[] = [];
  for (let code = 0; code < n ** G; code++) {
    let c = code;
    let prob = 1;
    for (let i = 0; i < G; i++) {
      ys[i] = c % n;
      c = Math.floor(c / n);
      prob *= p[ys[i]];
      R[i] = r[ys[i]];
    }
    grpoAdvantages(R, G, G, 'group', eps, A);
    for (let i = 0; i < G; i++) for (let j = 0; j < n; j++) acc[j] += (prob * A[i] * ((ys[i] === j ? 1 : 0) - p[j])) / G;
  }
  return acc;
}

describe('zeros of the expected updates (src/optimizers/fixedPoints.ts)', () => {
  it('κ(p, G): the std-scaled group estimator on binary rewards is κ·∇J, by enumeration', () => {
    const u = mulberry32(61);
    for (const [n, G] of [[3, 2], [3, 4], [4, 5]]) {
      const p = randomSimplex(u, n);
      const r = p.map((_, i) => (i < 2 ? 1 : 0));
      const success = p[0] + p[1];
      const gradJ = p.map((v, i) => v * (r[i] - success));
      const got = enumeratedStdEstimator(p, r, G, 1e-4);
      const kappa = stdGradientFactor(success, G, 1e-4);
      got.forEach((g, j) => expectClose(g, kappa * gradJ[j], 1e-10, 1e-14, `n=${n} G=${G} j=${j}`));
    }
  });

  it('k3 in the loss: the solution sums to 1 and zeroes κ·π⊙(r − E r) − β·(π − π_ref)', () => {
    const u = mulberry32(62);
    for (let t = 0; t < 10; t++) {
      const n = 3 + (t % 5);
      const ref = randomSimplex(u, n);
      const reward = Float64Array.from({ length: n }, () => between(u, 0, 2));
      const beta = between(u, 0.2, 2);
      const kappa = between(u, 0.5, 1.5);
      const lp = k3LossFixedPoint(Float64Array.from(ref, Math.log), reward, beta, () => kappa, new Float64Array(n));
      const p = Array.from(lp, Math.exp);
      expectClose(fsum(p), 1, 1e-12);
      const er = fsum(p.map((v, i) => v * reward[i]));
      p.forEach((v, i) => expectClose(kappa * v * (reward[i] - er) - beta * (v - ref[i]), 0, 0, 1e-12, `t=${t} i=${i}`));
    }
  });

  it('k2 in the loss with a constant factor κ is the Gibbs policy at β/κ', () => {
    const u = mulberry32(63);
    const ref = randomSimplex(u, 6);
    const reward = Float64Array.from({ length: 6 }, () => between(u, -1, 1));
    const lp = scaledGibbsFixedPoint(Float64Array.from(ref, Math.log), reward, 0.4, () => 0.8, new Float64Array(6));
    const want = gibbsOracle(ref, reward, 0.4 / 0.8);
    want.logProbs.forEach((w, i) => expectClose(lp[i], w, 1e-12, 1e-12));
  });
});

describe('tabular discounted MDPs (src/optimizers/mdp.ts)', () => {
  const m = randomMdp(4, 3, 0.85, 7);
  const S = 4;
  const A = 3;

  /** The Bellman operator applied 2000 times from 0 (an independent fixed-point computation). */
  function iterateBellman(logPi: Float64Array, tau: number): number[] {
    let V = new Array<number>(S).fill(0);
    for (let it = 0; it < 2000; it++) {
      V = V.map((_, s) =>
        fsum(
          Array.from({ length: A }, (_, a) => {
            const pi = Math.exp(logPi[s * A + a]);
            const ev = fsum(V.map((v, s2) => m.P[(s * A + a) * S + s2] * v));
            return pi * (m.r[s * A + a] + m.gamma * ev - tau * logPi[s * A + a]);
          }),
        ),
      );
    }
    return V;
  }

  it('exact evaluation solves the (entropy-regularized) Bellman equation', () => {
    const u = mulberry32(64);
    const logPi = new Float64Array(S * A);
    for (let s = 0; s < S; s++) randomSimplex(u, A).forEach((p, a) => (logPi[s * A + a] = Math.log(p)));
    for (const tau of [0, 0.3]) {
      const V = new Float64Array(S);
      evaluatePolicy(m, logPi, tau, V, new Float64Array(S * A));
      iterateBellman(logPi, tau).forEach((v, s) => expectClose(V[s], v, 1e-10, 1e-12, `τ=${tau} s=${s}`));
    }
  });

  it('optimal values satisfy the (soft) optimality equation; the soft-optimal policy is a fixed point of regularized NPG', () => {
    const V = new Float64Array(S);
    const Q = optimalValues(m, 0, V, new Float64Array(S * A));
    for (let s = 0; s < S; s++) expectClose(V[s], Math.max(Q[s * A], Q[s * A + 1], Q[s * A + 2]), 1e-13);
    const tau = 0.3;
    const Qs = optimalValues(m, tau, V, new Float64Array(S * A));
    const logStar = Float64Array.from(Qs, (q, i) => (q - V[Math.floor(i / A)]) / tau);
    const Vs = new Float64Array(S);
    const Qpi = new Float64Array(S * A);
    evaluatePolicy(m, logStar, tau, Vs, Qpi);
    Vs.forEach((v, s) => expectClose(v, V[s], 1e-10, 1e-12, 'V^{π*} = V*'));
    const next = npgStep(m, logStar, Qpi, 0.1, tau, new Float64Array(S * A));
    next.forEach((l, i) => expectClose(l, logStar[i], 1e-9, 1e-11, 'π* fixed'));
  });

  it('τ = 0: the NPG step is π·e^{η·Q/(1−γ)} normalized per state', () => {
    const logPi = new Float64Array(S * A).fill(-Math.log(A));
    const Q = Float64Array.from({ length: S * A }, (_, i) => Math.sin(i));
    const out = npgStep(m, logPi, Q, 0.7, 0, new Float64Array(S * A));
    for (let s = 0; s < S; s++) {
      const w = [0, 1, 2].map((a) => Math.exp((0.7 * Q[s * A + a]) / 0.15));
      const z = fsum(w);
      w.forEach((v, a) => expectClose(Math.exp(out[s * A + a]), v / z, 1e-12));
    }
    expect(out.every(Number.isFinite)).toBe(true);
  });
});
