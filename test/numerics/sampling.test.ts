import { describe, it, expect } from 'vitest';
import { AliasTable, buildCdf, buildCdfFromWeights, sampleCdf, sampleMany, sampleMany4 } from '../../src/numerics/index.js';
import { fsum } from '../support/oracle.js';
import { mulberry32, randomSimplex } from '../support/random.js';

/**
 * Exact outcome probabilities of an alias table under uniform (u1, u2): column j is chosen with
 * probability 1/n and keeps j with probability prob[j], else gives alias[j].
 */
function aliasDistribution(t: AliasTable): number[] {
  const n = t.prob.length;
  const out = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    out[j] += t.prob[j] / n;
    out[t.alias[j]] += (1 - t.prob[j]) / n;
  }
  return out;
}

function chiSquare(counts: number[], probs: number[], N: number): { chi2: number; df: number } {
  let chi2 = 0;
  let df = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    chi2 += (counts[i] - N * probs[i]) ** 2 / (N * probs[i]);
    df++;
  }
  return { chi2, df };
}

const cases = (() => {
  const u = mulberry32(5);
  return [
    [0.5, 0.5],
    [1, 0, 0],
    [0, 0, 1],
    [0, 0.2, 0, 0.8, 0],
    [1e-12, 1 - 1e-12],
    randomSimplex(u, 17, 1.5),
    randomSimplex(u, 50, 2.5, 0.3),
    randomSimplex(u, 1000, 1, 0.1),
  ];
})();

describe('AliasTable', () => {
  it('reproduces the distribution exactly (table algebra), zero entries have probability 0', () => {
    for (const p of cases) {
      const t = new AliasTable(p.map(Math.log));
      const q = aliasDistribution(t);
      for (let i = 0; i < p.length; i++) {
        expect(Math.abs(q[i] - p[i])).toBeLessThan(1e-14);
        if (p[i] === 0) expect(q[i]).toBe(0);
      }
      for (let j = 0; j < p.length; j++) {
        expect(t.prob[j] >= 0 && t.prob[j] <= 1).toBe(true);
        expect(t.alias[j] >= 0 && t.alias[j] < p.length).toBe(true);
      }
    }
  });

  it('renormalizes unnormalized log-weights and scales to 1e6 entries', () => {
    const u = mulberry32(6);
    const n = 1_000_000;
    const w = randomSimplex(u, n, 1, 0.05);
    const s = fsum(w);
    const t = new AliasTable(w.map((x) => Math.log(x) + 3.7)); // scaled by e^{3.7}
    const q = aliasDistribution(t);
    let maxRel = 0;
    for (let i = 0; i < n; i++) {
      if (w[i] === 0) expect(q[i]).toBe(0);
      else maxRel = Math.max(maxRel, Math.abs(q[i] - w[i] / s) / (w[i] / s));
    }
    expect(maxRel).toBeLessThan(1e-9);
  });

  it('sampled frequencies pass a chi-square test (fixed seed)', () => {
    const u = mulberry32(7);
    const N = 200_000;
    for (const p of cases.slice(3)) {
      const t = new AliasTable(p.map(Math.log));
      const counts = new Array(p.length).fill(0);
      for (let k = 0; k < N; k++) counts[t.sample(u(), u())]++;
      for (let i = 0; i < p.length; i++) if (p[i] === 0) expect(counts[i]).toBe(0);
      const { chi2, df } = chiSquare(counts, p, N);
      // Mean df, sd √(2df); cells with tiny expectation inflate the tail, hence a generous bound.
      expect(chi2).toBeLessThan(df + 8 * Math.sqrt(2 * Math.max(df, 1)) + 10);
    }
  });
});

describe('CDF sampling', () => {
  it('buildCdf is the normalized running sum, ends at exactly 1, and respects a range', () => {
    for (const p of cases) {
      const c = buildCdf(p.map((x) => Math.log(x) - 1.3));
      let acc = 0;
      for (let i = 0; i < p.length; i++) {
        acc += p[i];
        expect(Math.abs(c[i] - acc)).toBeLessThan(1e-13);
      }
      expect(c[p.length - 1]).toBe(1);
    }
    const logp = [5, Math.log(0.25), Math.log(0.75), 5];
    const c = buildCdf(logp, new Float64Array(2), 1, 3);
    expect(c[0]).toBeCloseTo(0.25, 15);
    expect(c[1]).toBe(1);
  });

  it('sampleCdf returns the smallest index with cdf > u, never a zero-probability entry', () => {
    const p = [0, 0.2, 0, 0.3, 0, 0.5, 0];
    const c = buildCdf(p.map(Math.log));
    expect(sampleCdf(c, 0)).toBe(1);
    expect(sampleCdf(c, 0.1999999)).toBe(1);
    expect(sampleCdf(c, 0.2)).toBe(3);
    expect(sampleCdf(c, 0.5)).toBe(5);
    expect(sampleCdf(c, 1 - 2 ** -53)).toBe(5);
    // Exhaustive over a fine grid of u: the measure of each outcome equals its probability.
    const M = 100_000;
    const counts = new Array(p.length).fill(0);
    for (let k = 0; k < M; k++) counts[sampleCdf(c, (k + 0.5) / M)]++;
    for (let i = 0; i < p.length; i++) expect(Math.abs(counts[i] / M - p[i])).toBeLessThanOrEqual(1 / M);
  });

  it('sampleMany gives, draw by draw, the index a binary search of the cumulative table gives (ties, zeros, u at table values, 0 and 1 − 2^−53)', () => {
    const rand = mulberry32(31);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 40);
      const from = Math.floor(rand() * 3);
      const w = Float64Array.from({ length: from + n + 2 }, () => (rand() < 0.3 ? 0 : rand() * 10 ** (-3 * rand())));
      const table = buildCdfFromWeights(w, new Float64Array(n), from, from + n);
      const count = 1 + Math.floor(rand() * 20);
      // Uniforms at random, exactly at table values (the boundaries), and at the ends of [0, 1).
      const u = Float64Array.from({ length: count }, (_, g) => (g % 3 === 0 ? rand() : g % 3 === 1 ? table[Math.floor(rand() * n)] : [0, 1 - 2 ** -53][g % 2]));
      const out = new Int32Array(count);
      sampleMany(w, from, from + n, u, count, out, new Int32Array(count));
      for (let g = 0; g < count; g++) expect(out[g], `trial ${trial} draw ${g}`).toBe(from + sampleCdf(table, u[g], n));
    }
  });

  it('sampleMany4 gives each of its four rows the draws sampleMany gives it alone', () => {
    const rand = mulberry32(32);
    for (let trial = 0; trial < 100; trial++) {
      const n = 1 + Math.floor(rand() * 30);
      const count = 1 + Math.floor(rand() * 12);
      const w = Float64Array.from({ length: 4 * n + 5 }, () => (rand() < 0.3 ? 0 : rand()));
      // Rows anywhere in the array, possibly overlapping.
      const starts = [0, 1, 2, 3].map(() => Math.floor(rand() * (3 * n + 5)));
      const u = Float64Array.from({ length: 4 * count }, (_, k) => (k % 4 === 3 ? [0, 1 - 2 ** -53][k % 2] : rand()));
      const out = new Int32Array(4 * count);
      sampleMany4(w, starts[0], starts[1], starts[2], starts[3], n, u, count, out, new Int32Array(4 * count));
      for (let r = 0; r < 4; r++) {
        const alone = new Int32Array(count);
        sampleMany(w, starts[r], starts[r] + n, u.subarray(r * count, (r + 1) * count), count, alone, new Int32Array(count));
        expect(Array.from(out.subarray(r * count, (r + 1) * count)), `trial ${trial} row ${r}`).toEqual(Array.from(alone));
      }
    }
  });

  it('sampled frequencies pass a chi-square test (fixed seed), with a prefix length n', () => {
    const u = mulberry32(8);
    const N = 200_000;
    for (const p of cases.slice(3)) {
      const c = buildCdf(p.map(Math.log));
      const counts = new Array(p.length).fill(0);
      for (let k = 0; k < N; k++) counts[sampleCdf(c, u())]++;
      for (let i = 0; i < p.length; i++) if (p[i] === 0) expect(counts[i]).toBe(0);
      const { chi2, df } = chiSquare(counts, p, N);
      expect(chi2).toBeLessThan(df + 8 * Math.sqrt(2 * Math.max(df, 1)) + 10);
    }
    // A longer buffer with a table in its first n entries.
    const buf = new Float64Array(10).fill(99);
    buildCdf([Math.log(0.5), Math.log(0.5)], buf, 0, 2);
    expect(sampleCdf(buf, 0.7, 2)).toBe(1);
    expect(sampleCdf(buf, 0.3, 2)).toBe(0);
  });
});
