import { describe, expect, it } from 'vitest';
import { gae, grpoAdvantages, rlooAdvantages, whiten } from '../../src/optimizers/advantages.js';
import { KL_ESTIMATORS, klGradient, klValue } from '../../src/optimizers/kl.js';
import { expectClose } from '../support/assert.js';
import { fsum, klOracle } from '../support/oracle.js';
import { mulberry32, randomRewards, randomSimplex } from '../support/random.js';

const logs = (p: number[]) => p.map(Math.log);
const softmaxOf = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = fsum(e);
  return e.map((v) => v / s);
};

/** Exact E_{y∼π}[c(y)·∇_z log π(y)] = π ⊙ (c − E_π c). */
function scoreExpectation(p: number[], c: number[]): number[] {
  const mean = fsum(p.map((v, i) => v * c[i]));
  return p.map((v, i) => v * (c[i] - mean));
}

/** Central differences of f(softmax(z)) in z. */
function fdGrad(z: number[], f: (p: number[]) => number, h = 1e-5): number[] {
  return z.map((_, j) => {
    const zp = z.slice();
    const zm = z.slice();
    zp[j] += h;
    zm[j] -= h;
    return (f(softmaxOf(zp)) - f(softmaxOf(zm))) / (2 * h);
  });
}

describe('Schulman KL estimators (ANCHORS §2.3)', () => {
  it('values and ∂/∂log π at hand-derived points', () => {
    for (const d of [-1.3, -0.2, 0, 0.3, 2]) {
      expectClose(klValue('k1', d), d, 0, 1e-16);
      expectClose(klValue('k2', d), (d * d) / 2, 1e-15, 1e-300);
      expectClose(klValue('k3', d), Math.exp(-d) + d - 1, 1e-12, 1e-16);
      expect(klValue('k1+', d)).toBe(klValue('k1', d));
      expect(klValue('k3+', d)).toBe(klValue('k3', d));
      expect(klGradient('k1', d)).toBe(1);
      expectClose(klGradient('k2', d), d, 0, 1e-16);
      expectClose(klGradient('k3', d), 1 - Math.exp(-d), 1e-12, 1e-16);
      expectClose(klGradient('k1+', d), d, 0, 1e-16);
      expectClose(klGradient('k3+', d), d, 0, 1e-16);
    }
    expect(klValue('k3', 1e-9)).toBeGreaterThan(0); // no cancellation to 0 near δ = 0
  });

  it('on-policy expectations by exact enumeration: k1 and k3 unbiased values; gradients 0, ∇KL(π‖π_ref), ∇KL(π_ref‖π)', () => {
    const u = mulberry32(31);
    for (let t = 0; t < 20; t++) {
      const n = 2 + (t % 6);
      const ref = randomSimplex(u, n);
      const z = randomSimplex(u, n).map(Math.log);
      const p = softmaxOf(z);
      const delta = p.map((v, i) => Math.log(v) - Math.log(ref[i]));
      const kl = klOracle(logs(p), logs(ref));
      const expect_ = (f: (d: number) => number) => fsum(p.map((v, i) => v * f(delta[i])));
      expectClose(expect_((d) => klValue('k1', d)), kl, 1e-10, 1e-14, 'E k1 = KL');
      expectClose(expect_((d) => klValue('k3', d)), kl, 1e-10, 1e-14, 'E k3 = KL');
      const gradRev = fdGrad(z, (q) => klOracle(logs(q), logs(ref)));
      const gradFwd = fdGrad(z, (q) => klOracle(logs(ref), logs(q)));
      const g = (est: (typeof KL_ESTIMATORS)[number]) => scoreExpectation(p, delta.map((d) => klGradient(est, d)));
      g('k1').forEach((v) => expectClose(v, 0, 0, 1e-15, 'k1 gradient'));
      for (const est of ['k2', 'k1+', 'k3+'] as const) g(est).forEach((v, j) => expectClose(v, gradRev[j], 1e-6, 1e-9, `${est} gradient = ∇KL(π‖π_ref)`));
      g('k3').forEach((v, j) => expectClose(v, gradFwd[j], 1e-6, 1e-9, 'k3 gradient = ∇KL(π_ref‖π)'));
    }
  });
});

describe('advantage estimators', () => {
  it('GRPO: group mean and Bessel std, ε; batch std; none', () => {
    const R = Float64Array.of(1, 0, 0, 1, 2, 2, 2, 2);
    const out = new Float64Array(8);
    grpoAdvantages(R, 8, 4, 'group', 1e-4, out);
    const s = Math.sqrt(1 / 3); // Bessel std of (1, 0, 0, 1)
    [0.5, -0.5, -0.5, 0.5].forEach((v, i) => expectClose(out[i], v / (s + 1e-4), 1e-14));
    for (let i = 4; i < 8; i++) expect(out[i]).toBe(0); // an all-tie group gives zero signal
    grpoAdvantages(R, 8, 4, 'batch', 1e-6, out);
    const batchStd = Math.sqrt(fsum(Array.from(R, (r) => (r - 1.25) ** 2)) / 7); // batch mean 10/8
    expectClose(out[0], 0.5 / (batchStd + 1e-6), 1e-14);
    grpoAdvantages(R, 8, 4, 'none', 1e-4, out);
    expectClose(out[1], -0.5, 1e-15);
  });

  it('RLOO: R_i minus the mean of the other G−1', () => {
    const out = rlooAdvantages(Float64Array.of(1, 2, 6, 0, 0), 3, 3, new Float64Array(3));
    expect(Array.from(out)).toEqual([1 - 4, 2 - 3.5, 6 - 1.5]);
  });

  it('whitening: sample variance unweighted, population variance with weights', () => {
    const x = Float64Array.of(1, 2, 3, 4);
    whiten(x, 0, 4, null);
    const sd = Math.sqrt(5 / 3);
    [-1.5, -0.5, 0.5, 1.5].forEach((v, i) => expectClose(x[i], v / Math.sqrt(sd * sd + 1e-8), 1e-14));
    const y = Float64Array.of(0, 10);
    whiten(y, 0, 2, Float64Array.of(0.75, 0.25));
    // mean 2.5, variance 0.75·6.25 + 0.25·56.25 = 18.75
    expectClose(y[0], -2.5 / Math.sqrt(18.75 + 1e-8), 1e-14);
  });

  it('GAE equals Σ_l (γλ)^l δ_{t+l} written out', () => {
    const r = Float64Array.of(0.1, -0.2, 1.5);
    const v = Float64Array.of(0.3, 0.7, 0.2);
    const gamma = 0.9;
    const lam = 0.8;
    const adv = new Float64Array(3);
    const ret = new Float64Array(3);
    gae(r, v, 0, 3, gamma, lam, adv, ret);
    const d = [r[0] + gamma * v[1] - v[0], r[1] + gamma * v[2] - v[1], r[2] - v[2]];
    const want = [d[0] + gamma * lam * d[1] + (gamma * lam) ** 2 * d[2], d[1] + gamma * lam * d[2], d[2]];
    want.forEach((w, i) => expectClose(adv[i], w, 1e-14));
    want.forEach((w, i) => expectClose(ret[i], w + v[i], 1e-14));
    // λ = 1, γ = 1: Monte Carlo return minus the value.
    gae(r, v, 0, 3, 1, 1, adv, ret);
    expectClose(adv[0], 0.1 - 0.2 + 1.5 - 0.3, 1e-14);
  });
});

describe('group-baseline shrinkage (F40) by exact enumeration of all G-tuples', () => {
  /** E over all n^G tuples of (1/G)Σ_i A_i ∇log π(y_i), with A from `adv`. */
  function expectedEstimator(p: number[], r: number[], G: number, adv: (R: Float64Array, out: Float64Array) => void): number[] {
    const n = p.length;
    const acc = new Array<number>(n).fill(0);
    const ys = new Array<number>(G).fill(0);
    const R = new Float64Array(G);
    const A = new Float64Array(G);
    for (let code = 0; code < n ** G; code++) {
      let c = code;
      let prob = 1;
      for (let i = 0; i < G; i++) {
        ys[i] = c % n;
        c = Math.floor(c / n);
        prob *= p[ys[i]];
        R[i] = r[ys[i]];
      }
      adv(R, A);
      for (let i = 0; i < G; i++) for (let j = 0; j < n; j++) acc[j] += (prob * A[i] * ((ys[i] === j ? 1 : 0) - p[j])) / G;
    }
    return acc;
  }

  it('mean-centred: (1 − 1/G)·∇J; leave-one-out: ∇J', () => {
    const u = mulberry32(41);
    for (const [n, G] of [[2, 2], [3, 3], [4, 4], [3, 5]]) {
      const p = randomSimplex(u, n);
      const r = randomRewards(u, n);
      const gradJ = scoreExpectation(p, r);
      const centred = expectedEstimator(p, r, G, (R, out) => grpoAdvantages(R, G, G, 'none', 1, out));
      const loo = expectedEstimator(p, r, G, (R, out) => rlooAdvantages(R, G, G, out));
      gradJ.forEach((g, j) => {
        expectClose(centred[j], (1 - 1 / G) * g, 1e-11, 1e-14, `n=${n} G=${G} centred`);
        expectClose(loo[j], g, 1e-11, 1e-14, `n=${n} G=${G} rloo`);
      });
    }
  });
});
