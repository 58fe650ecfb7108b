import { describe, it, expect } from 'vitest';
import { expInto, log1mExp, logAddExp, logNormalize, logSoftmax, logSumExp, softmax } from '../../src/numerics/index.js';
import { fsum, relErr } from '../support/oracle.js';
import { gaussian, mulberry32 } from '../support/random.js';

/** log Σ e^x by a compensated sum of e^{x − c} for a test-chosen shift c (not necessarily the max). */
function lseOracle(x: number[], c: number): number {
  return c + Math.log(fsum(x.map((v) => Math.exp(v - c))));
}

/** log(1 − e^x), x < 0, from power series only: −x·Σ x^k/(k+1)! near 0, −Σ e^{kx}/k far out. */
function log1mExpOracle(x: number): number {
  if (x >= -1) {
    // 1 − e^x = −Σ_{k≥1} x^k/k!; for x ∈ [−1, 0) the first term dominates (no cancellation).
    let term = 1;
    let s = 0;
    for (let k = 1; k < 40; k++) {
      term *= x / k;
      s += term;
    }
    return Math.log(-s);
  }
  const e = Math.exp(x);
  let p = 1;
  let s = 0;
  for (let k = 1; k < 80; k++) {
    p *= e;
    s -= p / k;
    if (p / k < 1e-20 * Math.abs(s)) break;
  }
  return s;
}

describe('logSumExp', () => {
  it('matches a compensated sum on random vectors, any shift', () => {
    const u = mulberry32(1);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(u() * 60);
      const x = Array.from({ length: n }, () => 5 * gaussian(u));
      const mean = x.reduce((a, b) => a + b, 0) / n;
      expect(relErr(logSumExp(x), lseOracle(x, mean), 1)).toBeLessThan(1e-14);
    }
  });

  it('never overflows: shift invariance at ±1e300 and ±700', () => {
    const x = [0.1, -2, 3.5, 0];
    const base = lseOracle(x, 0);
    for (const c of [700, -700, 1e5, -1e5]) expect(relErr(logSumExp(x.map((v) => v + c)), base + c)).toBeLessThan(1e-15);
    expect(logSumExp([1e300, 1e300])).toBe(1e300); // + log 2 is below the ulp of 1e300
    expect(logSumExp([-1e300, -1e300])).toBe(-1e300);
  });

  it('treats −∞ entries as zero mass; all −∞ gives −∞; +∞ gives +∞', () => {
    expect(logSumExp([-Infinity, Math.log(0.25), -Infinity, Math.log(0.75)])).toBeCloseTo(0, 15);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([0, Infinity])).toBe(Infinity);
  });

  it('respects the [from, to) range', () => {
    const x = [100, Math.log(2), Math.log(3), 100];
    expect(logSumExp(x, 1, 3)).toBeCloseTo(Math.log(5), 15);
  });
});

describe('logAddExp', () => {
  it('equals log(e^a + e^b) and is symmetric', () => {
    const u = mulberry32(2);
    for (let i = 0; i < 500; i++) {
      const a = 30 * gaussian(u);
      const b = 30 * gaussian(u);
      const o = lseOracle([a, b], Math.max(a, b));
      expect(relErr(logAddExp(a, b), o, 1)).toBeLessThan(1e-15);
      expect(logAddExp(a, b)).toBe(logAddExp(b, a));
    }
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(3, -Infinity)).toBe(3);
    expect(logAddExp(-Infinity, -Infinity)).toBe(-Infinity);
    expect(logAddExp(1e308, 1e308)).toBe(1e308);
  });
});

describe('log1mExp', () => {
  it('matches series oracles over 1e-300 … 1e3 (relative 1e-14)', () => {
    for (let e = -300; e <= 3; e += 0.25) {
      const x = -(10 ** e);
      const got = log1mExp(x);
      const want = log1mExpOracle(x);
      // log(1−e^x) underflows to −0 / tiny for x ≪ 0: compare relatively while it is representable.
      if (want === 0) expect(Math.abs(got)).toBe(0);
      else expect(relErr(got, want)).toBeLessThan(1e-14);
    }
  });
  it('edge values: 0 ↦ −∞, positive ↦ NaN, −∞ ↦ 0', () => {
    expect(log1mExp(0)).toBe(-Infinity);
    expect(log1mExp(1e-9)).toBeNaN();
    expect(Math.abs(log1mExp(-Infinity))).toBe(0);
  });
});

describe('softmax family', () => {
  it('logSoftmax gives normalized log-probs, returns log Z, works in place, keeps −∞', () => {
    const u = mulberry32(3);
    for (let trial = 0; trial < 100; trial++) {
      const n = 2 + Math.floor(u() * 30);
      const z = Float64Array.from({ length: n }, () => (u() < 0.2 ? -Infinity : 50 * gaussian(u)));
      if (z.every((v) => v === -Infinity)) z[0] = 0;
      const out = new Float64Array(n);
      const lz = logSoftmax(z, out);
      const mx = Math.max(...z);
      expect(relErr(lz, lseOracle(Array.from(z).filter((v) => v > -Infinity), mx), 1)).toBeLessThan(1e-14);
      const probs = Array.from(out, Math.exp);
      expect(Math.abs(fsum(probs) - 1)).toBeLessThan(1e-14);
      for (let i = 0; i < n; i++) {
        if (z[i] === -Infinity) expect(out[i]).toBe(-Infinity);
        else expect(Math.abs(out[i] - (z[i] - mx - (lseOracle(Array.from(z).filter((v) => v > -Infinity), mx) - mx)))).toBeLessThan(1e-14 * Math.max(1, Math.abs(z[i] - mx)));
      }
      const inPlace = Float64Array.from(z);
      logSoftmax(inPlace, inPlace);
      expect(Array.from(inPlace)).toEqual(Array.from(out));
    }
  });

  it('softmax(z) = e^z/Σe^z and is shift invariant even for logits of 1e6', () => {
    const z = [1e6, 1e6 - 1, 1e6 - 2];
    const p = softmax(z);
    const e = [1, Math.exp(-1), Math.exp(-2)];
    const s = fsum(e);
    for (let i = 0; i < 3; i++) expect(relErr(p[i], e[i] / s)).toBeLessThan(1e-15);
  });

  it('expInto maps −∞ to 0 over a range; logNormalize renormalizes with zero weights ↦ −∞', () => {
    const out = new Float64Array(3).fill(7);
    expInto([-Infinity, 0, Math.log(0.5)], out, 0, 2);
    expect(Array.from(out)).toEqual([0, 1, 7]);
    const l = logNormalize([0, 2, 6, 0]);
    expect(l[0]).toBe(-Infinity);
    expect(l[3]).toBe(-Infinity);
    expect(relErr(Math.exp(l[1]), 0.25)).toBeLessThan(1e-15);
    expect(relErr(Math.exp(l[2]), 0.75)).toBeLessThan(1e-15);
  });
});
