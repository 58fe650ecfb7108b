import { describe, it, expect } from 'vitest';
import { fastExp, fastExpm1 } from '../../src/numerics/fastExp.js';
import { mulberry32 } from '../support/random.js';

/**
 * A 320-bit reference for e^x and e^x − 1 (BigInt fixed point), independent of Math.exp. Every
 * double is a dyadic rational m·2^e, exactly; e^{|x|} − 1 = (e^{|x|/2^s})^{2^s} − 1 with
 * |x|/2^s < 2^−12 by a Taylor series, then s squarings of the form m ↦ m·(m + 2) (no cancellation).
 * Negative arguments go through 1/e^{|x|}, so results down to e^{−708} keep all their digits. The
 * working precision absorbs the ~s bits the squarings lose.
 */
const BITS = 320n;
const ONE = 1n << BITS;

/** x = m·2^e exactly (m a signed integer). */
function dyadic(x: number): { m: bigint; e: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) m |= 1n << 52n;
  return { m: x < 0 ? -m : m, e: BigInt((biased === 0 ? 1 : biased) - 1075) };
}

/** v·2^k for k of either sign (truncating). */
function shift(v: bigint, k: bigint): bigint {
  return k >= 0n ? v << k : v >> -k;
}

/** e^a − 1 for a ≥ 0, scaled by ONE. */
function expm1Abs(a: number): bigint {
  const { m, e } = dyadic(a);
  let s = 0n;
  while (e + s + 12n + BigInt(m.toString(2).length) > 0n) s--;
  // y = a·2^s < 2^−12 exactly, as a fixed-point number (a has ≤ 53 significant bits).
  const y = shift(m, e + s + BITS);
  let term = y;
  let sum = 0n;
  for (let n = 1n; term !== 0n; n++) {
    sum += term;
    term = (term * y) / ONE / (n + 1n);
  }
  let r = sum;
  for (let i = 0n; i < -s; i++) r = (r * (r + 2n * ONE)) / ONE;
  return r;
}

/** a/b as a double, for |a| ≪ |b| or comparable. */
function ratio(a: bigint, b: bigint): number {
  return Number((a << 100n) / b) / 2 ** 100;
}

/** (got − e^x)/e^x. */
function relErrExp(x: number, got = fastExp(x)): number {
  const E = expm1Abs(Math.abs(x)) + ONE;
  const g = dyadic(got);
  // x ≥ 0: got/E − 1; x < 0: got·E − 1.
  return x >= 0 ? ratio(shift(g.m, g.e + BITS) - E, E) : ratio(shift(g.m * E, g.e) - ONE, ONE);
}

/** (got − (e^x − 1))/(e^x − 1), x ≠ 0. */
function relErrExpm1(x: number, got = fastExpm1(x)): number {
  const m = expm1Abs(Math.abs(x));
  const G = shift(dyadic(Math.abs(got)).m, dyadic(got).e + BITS);
  // x > 0: exact m; x < 0: exact −m/(m + 1), so got/exact − 1 = |got|·(m + 1)/m − 1.
  return x > 0 ? ratio(G - m, m) : ratio((G * (m + ONE)) / ONE - m, m);
}

describe('fastExp', () => {
  it('table entries 2^{j/128} and the reduction are within 1e-15 relative over the whole normal range', () => {
    const u = mulberry32(4242);
    let worst = 0;
    // Every table slot j at several scales, then random points over (−708, 709).
    for (let j = 0; j < 128; j++) {
      for (const m of [-700, -50, -1, 0, 1, 30, 700]) {
        const x = ((m * 128 + j) * Math.LN2) / 128 + (u() - 0.5) * 1e-3;
        if (x > -708 && x < 709) worst = Math.max(worst, Math.abs(relErrExp(x)));
      }
    }
    for (let i = 0; i < 4000; i++) {
      const x = -708 + 1417 * u();
      worst = Math.max(worst, Math.abs(relErrExp(x)));
    }
    for (let i = 0; i < 2000; i++) {
      const x = (u() - 0.5) * 10 ** (-18 + 18 * u());
      worst = Math.max(worst, Math.abs(relErrExp(x)));
    }
    expect(worst).toBeLessThan(1e-15);
    expect(worst).toBeGreaterThan(0); // the reference does see rounding
  });

  it('half-way points between table nodes (|r| at its maximum ln 2/256)', () => {
    let worst = 0;
    for (let k = -90000; k <= 90000; k += 997) {
      const x = ((k + 0.5) * Math.LN2) / 128;
      worst = Math.max(worst, Math.abs(relErrExp(x)));
    }
    expect(worst).toBeLessThan(1e-15);
  });

  it('below e^−708 (subnormal results) within 2^−1073 absolute; 0 at −∞, ∞ above 709.79 and at ∞, NaN for NaN', () => {
    const u = mulberry32(4245);
    for (let i = 0; i < 2000; i++) {
      const x = -760 + 52 * u();
      expect(Math.abs(fastExp(x) - Math.exp(x))).toBeLessThanOrEqual(2 ** -1073);
    }
    for (const x of [-Infinity, -1e300, -746]) expect(fastExp(x)).toBe(0);
    for (const x of [709.8, 710, 1e300, Infinity]) expect(fastExp(x)).toBe(Infinity);
    // The largest arguments with a finite result.
    for (const x of [709.7, 709.78, 709.782712893]) expect(Math.abs(relErrExp(x))).toBeLessThan(1e-15);
    expect(fastExp(NaN)).toBeNaN();
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-0)).toBe(1);
  });
});

describe('fastExpm1', () => {
  it('within 1e-15 relative on (−1, 1), including tiny arguments and both sides of every table node', () => {
    const u = mulberry32(4243);
    let worst = 0;
    const check = (x: number) => {
      if (x === 0) return;
      worst = Math.max(worst, Math.abs(relErrExpm1(x)));
    };
    for (let i = 0; i < 4000; i++) check(2 * u() - 1);
    for (let i = 0; i < 2000; i++) check((u() < 0.5 ? -1 : 1) * 10 ** (-80 + 80 * u()));
    for (let k = -185; k <= 185; k++) {
      const x = (k * Math.LN2) / 128;
      for (const d of [-1e-3, -1e-9, 0, 1e-9, 1e-3]) if (Math.abs(x + d) < 1) check(x + d);
    }
    expect(worst).toBeLessThan(1e-15);
    // Below 2^−53, e^x − 1 = x(1 + x/2 + …) rounds to x itself.
    for (const x of [1e-300, -1e-300, 1e-100, -3e-17, 5e-324]) expect(fastExpm1(x)).toBe(x);
  });

  it('outside (−1, 1): e^x − 1 within 1e-15 relative; −1 at −∞, NaN for NaN', () => {
    const u = mulberry32(4244);
    let worst = 0;
    for (let i = 0; i < 2000; i++) {
      const x = (u() < 0.5 ? -1 : 1) * (1 + 700 * u());
      if (x < 709) worst = Math.max(worst, Math.abs(relErrExpm1(x)));
    }
    expect(worst).toBeLessThan(1e-15);
    expect(fastExpm1(-Infinity)).toBe(-1);
    expect(fastExpm1(Infinity)).toBe(Infinity);
    expect(fastExpm1(NaN)).toBeNaN();
  });
});

