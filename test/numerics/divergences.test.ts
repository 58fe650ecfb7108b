import { describe, it, expect } from 'vitest';
import {
  bernoulliKl,
  bernoulliKlFromLogits,
  binaryEntropy,
  entropy,
  kl,
  logit,
  sigmoid,
  softplus,
} from '../../src/numerics/index.js';
import { bernoulliKlOracle, binaryEntropyOracle, entropyOracle, fsum, klOracle, relErr } from '../support/oracle.js';
import { gaussian, mulberry32, randomSimplex } from '../support/random.js';

/** Normalized log-probabilities of weights, computed by the test. */
function logProbs(w: number[]): Float64Array {
  const s = fsum(w);
  return Float64Array.from(w, (x) => Math.log(x / s));
}

const EXTREME_P = [1e-12, 1e-6, 0.1, 0.5, 0.9, 1 - 1e-6, 1 - 1e-9];

describe('entropy', () => {
  it('matches −Σ p log p on random distributions with zeros; log n for uniform (n up to 1e6)', () => {
    const u = mulberry32(11);
    for (let t = 0; t < 100; t++) {
      const lp = logProbs(randomSimplex(u, 1 + Math.floor(u() * 200), 2, 0.2));
      expect(relErr(entropy(lp), entropyOracle(lp), 1e-300)).toBeLessThan(1e-13);
    }
    for (const n of [1, 2, 3, 1000, 1_000_000]) {
      const lp = new Float64Array(n).fill(-Math.log(n));
      expect(Math.abs(entropy(lp) - Math.log(n))).toBeLessThan(1e-9 * Math.max(1, Math.log(n)));
    }
  });
  it('is 0 for a point mass and respects a range', () => {
    expect(entropy([0, -Infinity, -Infinity])).toBe(0);
    const lp = [Math.log(0.5), Math.log(0.5), 0];
    expect(Math.abs(entropy(lp, 0, 2) - Math.LN2)).toBeLessThan(1e-16);
  });
});

describe('kl', () => {
  it('matches the Bregman-form oracle on random pairs (with zeros in p)', () => {
    const u = mulberry32(12);
    for (let t = 0; t < 200; t++) {
      const n = 2 + Math.floor(u() * 100);
      const q = logProbs(randomSimplex(u, n, 1.5));
      const p = logProbs(randomSimplex(u, n, 1.5, 0.3));
      expect(relErr(kl(p, q), klOracle(p, q), 1e-300)).toBeLessThan(1e-12);
    }
  });

  it('is +∞ when p has mass where q has none, 0 for p = q, and ignores p = 0 entries', () => {
    expect(kl([Math.log(0.5), Math.log(0.5)], [0, -Infinity])).toBe(Infinity);
    const p = logProbs([0.2, 0.3, 0.5]);
    expect(kl(p, p)).toBe(0);
    // p = (1, 0), q = (0.25, 0.75): KL = log 4.
    expect(Math.abs(kl([0, -Infinity], [Math.log(0.25), Math.log(0.75)]) - Math.log(4))).toBeLessThan(1e-15);
  });

  it('keeps relative precision for nearby distributions (KL down to ~1e-14)', () => {
    const u = mulberry32(13);
    for (const eps of [1e-2, 1e-4, 1e-6, 1e-7]) {
      for (let t = 0; t < 20; t++) {
        const n = 2 + Math.floor(u() * 50);
        const base = randomSimplex(u, n, 1.5);
        const q = logProbs(base);
        const p = logProbs(base.map((x) => x * Math.exp(eps * gaussian(u))));
        const want = klOracle(p, q);
        // The inputs themselves are log-probabilities rounded to ~1e-16·|log p|; a difference
        // t = log p − log q of size eps is known to ~1e-15/eps relative, and KL inherits it.
        expect(relErr(kl(p, q), want)).toBeLessThan(Math.max(1e-12, 2e-15 / eps));
      }
    }
  });
});

describe('Bernoulli KL and friends', () => {
  it('bernoulliKl matches the series/log1p oracle on a grid of extreme arguments', () => {
    for (const a of EXTREME_P) {
      for (const b of EXTREME_P) {
        const want = bernoulliKlOracle(a, b);
        expect(relErr(bernoulliKl(a, b), want, 1e-300)).toBeLessThan(1e-12);
      }
    }
  });

  it('bernoulliKl keeps relative precision for close arguments (F38 at τ ≫ 1)', () => {
    const u = mulberry32(14);
    for (const b of [1e-12, 1e-6, 0.3, 0.5, 1 - 1e-6, 1 - 1e-9]) {
      for (const rel of [1e-1, 1e-3, 1e-6, 1e-9]) {
        const a = b + (u() < 0.5 ? -1 : 1) * rel * Math.min(b, 1 - b) * (0.5 + u());
        if (a === b) continue; // below the ulp of b (b = 1 − 1e-9, offset 1e-18)
        const want = bernoulliKlOracle(a, b);
        expect(want).toBeGreaterThan(0);
        expect(relErr(bernoulliKl(a, b), want)).toBeLessThan(1e-11);
      }
    }
  });

  it('bernoulliKl edge cases: 0·log 0 = 0, support mismatch = ∞, closed forms', () => {
    expect(bernoulliKl(0, 0.25)).toBeCloseTo(-Math.log(0.75), 15);
    expect(bernoulliKl(1, 0.25)).toBeCloseTo(Math.log(4), 15);
    expect(bernoulliKl(0.5, 0)).toBe(Infinity);
    expect(bernoulliKl(0.5, 1)).toBe(Infinity);
    expect(bernoulliKl(0.3, 0.3)).toBe(0);
    // SPEC F11 worked value: kl(0.5‖0.2) = log 1.25.
    expect(Math.abs(bernoulliKl(0.5, 0.2) - Math.log(1.25))).toBeLessThan(1e-16);
    expect(Math.abs(bernoulliKl(0.5, 0.2) - 0.2231435513)).toBeLessThan(1e-10);
  });

  it('bernoulliKlFromLogits agrees with the oracle, including probabilities within 1e-12 of 0 or 1', () => {
    const logits = [-40, -27.6, -10, -1, -1e-3, 0, 1e-3, 2, 13.8, 20.7, 35];
    for (const la of logits) {
      for (const lb of logits) {
        // Oracle in the orientation where a ≤ 1/2 (kl(a‖b) = kl(1−a‖1−b)), with probabilities from
        // e^l/(1+e^l) written out here, and log(1−b) as −log(1+e^{lb}) so it stays exact near 1.
        const s = la > 0 ? -1 : 1;
        const x = s * la;
        const y = s * lb;
        const a = Math.exp(x) / (1 + Math.exp(x));
        const b = y > 0 ? 1 / (1 + Math.exp(-y)) : Math.exp(y) / (1 + Math.exp(y));
        const logB = y > 0 ? -Math.log1p(Math.exp(-y)) : y - Math.log1p(Math.exp(y));
        const log1mB = y > 0 ? -y - Math.log1p(Math.exp(-y)) : -Math.log1p(Math.exp(y));
        const want =
          Math.abs(x - y) < 1e-2 ? bernoulliKlOracle(a, b) : a * (Math.log(a) - logB) + (1 - a) * (Math.log1p(-a) - log1mB);
        expect(relErr(bernoulliKlFromLogits(la, lb), want, 1e-300)).toBeLessThan(1e-11);
      }
    }
  });

  it('bernoulliKlFromLogits is precise for nearby logits', () => {
    for (const la of [-27.6, -3, 0, 4, 20.7]) {
      for (const dl of [1e-2, 1e-4, 1e-6]) {
        const lb = la + dl;
        // Second-order expansion in the logit: kl ≈ σ'(l)·dl²/2·(1 + O(dl)), σ' = a(1−a).
        const a = 1 / (1 + Math.exp(-la));
        const approx = (a * (1 - a) * dl * dl) / 2;
        expect(relErr(bernoulliKlFromLogits(la, lb), approx)).toBeLessThan(2 * dl);
      }
    }
  });

  it('binaryEntropy, logit, sigmoid, softplus at extremes', () => {
    for (const a of [0, ...EXTREME_P, 1]) expect(relErr(binaryEntropy(a), binaryEntropyOracle(a), 1e-300)).toBeLessThan(1e-14);
    expect(binaryEntropy(0.5)).toBeCloseTo(Math.LN2, 15);
    for (const a of EXTREME_P) {
      // logit(a) = log a − log(1 − a), with 1 − a exact for a ≥ 1/2.
      expect(relErr(logit(a), Math.log(a) - Math.log(1 - a), 1)).toBeLessThan(1e-14);
      expect(relErr(sigmoid(logit(a)), a)).toBeLessThan(1e-14 / Math.min(1, 1 - a + 1e-16) * 1e-2 + 1e-14);
    }
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-800)).toBe(0);
    expect(relErr(sigmoid(-700), Math.exp(-700))).toBeLessThan(1e-14);
    expect(sigmoid(0)).toBe(0.5);
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(relErr(softplus(-30), Math.exp(-30))).toBeLessThan(1e-13);
    expect(relErr(softplus(0), Math.LN2)).toBeLessThan(1e-16);
    expect(relErr(softplus(30), 30 + Math.exp(-30))).toBeLessThan(1e-16);
  });
});
