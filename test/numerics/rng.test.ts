import { describe, it, expect } from 'vitest';
import { Rng } from '../../src/numerics/index.js';

function draws(r: Rng, n: number): number[] {
  return Array.from({ length: n }, () => r.uniform());
}

/** Sample mean and variance, by two passes. */
function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('Rng', () => {
  it('is deterministic: the same seed gives the same stream; other seeds differ', () => {
    expect(draws(Rng.fromSeed(42), 1000)).toEqual(draws(Rng.fromSeed(42), 1000));
    const a = draws(Rng.fromSeed(42), 100);
    for (const s of [0, 1, 43, 2 ** 32 + 42, -42, Number.MAX_SAFE_INTEGER]) expect(draws(Rng.fromSeed(s), 100)).not.toEqual(a);
    // Seeds 2^32 apart differ (the high word is used).
    expect(draws(Rng.fromSeed(5), 10)).not.toEqual(draws(Rng.fromSeed(5 + 2 ** 32), 10));
  });

  it('split is by name: independent of how much the parent has drawn, and of the order of siblings', () => {
    const p1 = Rng.fromSeed(7);
    const c1 = p1.split('prompt', 3);
    const p2 = Rng.fromSeed(7);
    draws(p2, 12345);
    p2.normal();
    p2.split('prompt', 2);
    const c2 = p2.split('prompt', 3);
    expect(draws(c1, 500)).toEqual(draws(c2, 500));
    // Drawing from the child does not move the parent.
    const q1 = Rng.fromSeed(8);
    const q2 = Rng.fromSeed(8);
    draws(q1.split('x'), 100);
    expect(draws(q1, 50)).toEqual(draws(q2, 50));
  });

  it('a number label n names the same stream as the string "#n" (integers hash their digits, no string built)', () => {
    const root = Rng.fromSeed(3);
    for (const n of [0, -0, 7, 10, 99, 1234567, 2 ** 32, Number.MAX_SAFE_INTEGER, 1.5, -3, 1e21]) {
      expect(draws(root.split('prompt', n), 5), String(n)).toEqual(draws(root.split('prompt', `#${n}`), 5));
    }
    expect(draws(root.split(12), 5)).not.toEqual(draws(root.split(21), 5));
  });

  it('different labels and different seeds give different, uncorrelated children', () => {
    const root = Rng.fromSeed(1);
    const streams = [root.split('prompt', 0), root.split('prompt', 1), root.split('step', 0), root.split('0'), root, Rng.fromSeed(2).split('prompt', 0)].map(
      (r) => draws(r, 20000),
    );
    for (let i = 0; i < streams.length; i++) {
      for (let j = i + 1; j < streams.length; j++) {
        expect(streams[i].slice(0, 10)).not.toEqual(streams[j].slice(0, 10));
        // Pearson correlation of 20000 pairs: sd 1/√20000 ≈ 0.007; bound at ~5 sd.
        const a = moments(streams[i]);
        const b = moments(streams[j]);
        let c = 0;
        for (let k = 0; k < 20000; k++) c += (streams[i][k] - a.mean) * (streams[j][k] - b.mean);
        const corr = c / 19999 / Math.sqrt(a.variance * b.variance);
        expect(Math.abs(corr)).toBeLessThan(0.035);
      }
    }
  });

  it('uniform is in [0, 1) on a 2^-53 grid, with mean 1/2 and variance 1/12', () => {
    const xs = draws(Rng.fromSeed(123), 200_000);
    expect(xs.filter((x) => !(x >= 0 && x < 1) || !Number.isInteger(x * 2 ** 53))).toEqual([]);
    const { mean, variance } = moments(xs);
    const n = xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // Var of the sample variance of U(0,1): (1/80 − 1/144)/n.
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
    // Ten equal bins: chi-square with 9 degrees of freedom, generous bound.
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    const chi2 = bins.reduce((s, o) => s + (o - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(40);
  });

  it('int(n) covers [0, n) evenly; fillUniform fills with the same stream as uniform()', () => {
    const r = Rng.fromSeed(9);
    const counts = new Array(7).fill(0);
    const N = 70_000;
    for (let i = 0; i < N; i++) {
      counts[r.int(7)]++;
    }
    expect(counts.length).toBe(7); // nothing outside [0, 7)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
    const chi2 = counts.reduce((s, o) => s + (o - N / 7) ** 2 / (N / 7), 0);
    expect(chi2).toBeLessThan(35); // 6 degrees of freedom
    const f = Rng.fromSeed(10).fillUniform(new Float64Array(100));
    expect(Array.from(f)).toEqual(draws(Rng.fromSeed(10), 100));
  });

  it('normal() has mean 0, variance 1, kurtosis 3 and the 68–95 rule', () => {
    const r = Rng.fromSeed(2024);
    const n = 200_000;
    const xs = Array.from({ length: n }, () => r.normal());
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    const m4 = xs.reduce((a, x) => a + (x - mean) ** 4, 0) / n;
    expect(Math.abs(m4 / variance ** 2 - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    const within1 = xs.filter((x) => Math.abs(x) < 1).length / n;
    const within2 = xs.filter((x) => Math.abs(x) < 2).length / n;
    expect(Math.abs(within1 - 0.6826894921)).toBeLessThan(5 * Math.sqrt(0.25 / n));
    expect(Math.abs(within2 - 0.9544997361)).toBeLessThan(5 * Math.sqrt(0.05 / n));
    // Consecutive draws (which share a polar pair) are uncorrelated.
    let c = 0;
    for (let i = 0; i + 1 < n; i += 2) c += xs[i] * xs[i + 1];
    expect(Math.abs(c / (n / 2))).toBeLessThan(5 / Math.sqrt(n / 2));
  });
});
