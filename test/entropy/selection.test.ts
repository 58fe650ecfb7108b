import { describe, expect, it } from 'vitest';
import { randomPick, selectTop, selectTopMass, type SelectionCounter } from '../../src/entropy/selection.js';
import { Rng } from '../../src/numerics/rng.js';
import { gaussian, intBelow, mulberry32, type Uniform } from '../support/random.js';

/** Score patterns that break naive pivots: random, heavy ties, sorted, reversed, organ pipe, constant. */
function scores(u: Uniform, n: number, kind: number): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = [gaussian(u), intBelow(u, 4), i, -i, Math.min(i, n - i), 3][kind];
  }
  return s;
}

/** The k largest values by a plain sort (the oracle: a multiset of values, so ties compare equal). */
function topBySort(s: Float64Array, k: number): number[] {
  return Array.from(s)
    .sort((a, b) => b - a)
    .slice(0, k);
}

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const sortedValues = (s: Float64Array, idx: Int32Array, k: number) => Array.from(idx.subarray(0, k), (i) => s[i]).sort((a, b) => b - a);

describe('quickselect top-k equals the top-k of a full sort', () => {
  it('random inputs of every pattern, every k from 0 to n (n up to 300), and larger n at a few k', () => {
    const u = mulberry32(11);
    for (let kind = 0; kind < 6; kind++) {
      for (const n of [1, 2, 5, 17, 64, 300]) {
        const s = scores(u, n, kind);
        for (let k = 0; k <= n; k++) {
          const idx = iota(n);
          selectTop(s, idx, n, k);
          expect(sortedValues(s, idx, k), `kind ${kind}, n ${n}, k ${k}`).toEqual(topBySort(s, k));
          // A permutation: every index once.
          expect(Array.from(idx).sort((a, b) => a - b)).toEqual(Array.from(iota(n)));
        }
      }
      const n = 20_000;
      const s = scores(u, n, kind);
      for (const k of [1, 4, 1000, n - 1]) {
        const idx = iota(n);
        selectTop(s, idx, n, k);
        expect(sortedValues(s, idx, k)).toEqual(topBySort(s, k));
      }
    }
  });

  it('comparisons grow linearly: at most 12·n on random inputs of 10^5 (a sort needs ~n·log2 n ≈ 17·n)', () => {
    const u = mulberry32(3);
    const n = 100_000;
    const s = scores(u, n, 0);
    const counter: SelectionCounter = { comparisons: 0 };
    selectTop(s, iota(n), n, 20, counter);
    expect(counter.comparisons).toBeLessThan(12 * n);
  });
});

describe('weighted top selection (the exact-mode top-k) equals a sort and a cumulative sum', () => {
  it('random scores with ties and random weights (some zero), at random target masses', () => {
    const u = mulberry32(29);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + intBelow(u, 80);
      const s = scores(u, n, trial % 2);
      const w = Float64Array.from({ length: n }, () => (u() < 0.1 ? 0 : u()));
      let total = 0;
      for (const x of w) total += x;
      const mass = u() * total * 1.1;
      const idx = iota(n);
      const cut = selectTopMass(s, w, idx, n, mass);
      // Oracle: the taken mass (whole entries plus the fraction) is min(mass, total) …
      let taken = cut.fraction * (cut.count < n ? w[idx[cut.count]] : 0);
      for (let i = 0; i < cut.count; i++) taken += w[idx[i]];
      expect(Math.abs(taken - Math.min(mass, total))).toBeLessThan(1e-12 * (1 + total));
      // … and every entry taken (even partly) scores at least as high as every entry left out.
      const inside = Array.from(idx.subarray(0, cut.count + (cut.fraction > 0 ? 1 : 0)), (i) => s[i]);
      const outside = Array.from(idx.subarray(cut.count + (cut.fraction > 0 ? 1 : 0)), (i) => s[i]);
      if (inside.length && outside.length) expect(Math.min(...inside)).toBeGreaterThanOrEqual(Math.max(...outside));
      expect(cut.fraction >= 0 && cut.fraction < 1).toBe(true);
    }
  });
});

describe('Clip-Cov’s random pick', () => {
  it('is a uniform k-subset: each of m candidates is drawn with frequency k/m (10^4 draws, ±5σ), and reproducible from the seed', () => {
    const m = 10;
    const k = 3;
    const counts = new Array<number>(m).fill(0);
    const draws = 10_000;
    const root = Rng.fromSeed(5);
    for (let d = 0; d < draws; d++) {
      const idx = iota(m);
      randomPick(idx, m, k, root.split('draw', d));
      const picked = new Set(Array.from(idx.subarray(0, k)));
      expect(picked.size).toBe(k);
      for (const i of picked) counts[i]++;
    }
    const p = k / m;
    const sd = Math.sqrt(draws * p * (1 - p));
    for (const c of counts) expect(Math.abs(c - draws * p)).toBeLessThan(5 * sd);
    const a = iota(m);
    const b = iota(m);
    randomPick(a, m, k, Rng.fromSeed(9).split('x'));
    randomPick(b, m, k, Rng.fromSeed(9).split('x'));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
