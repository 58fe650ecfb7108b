import { describe, it, expect } from 'vitest';
import { CompensatedSum } from '../../src/numerics/compensated.js';

describe('CompensatedSum (Neumaier)', () => {
  it('recovers what a plain sum loses: 1 + 1e100 + 1 − 1e100 = 2, and 10^6 × 0.1 to the correctly rounded 1e5', () => {
    const a = new CompensatedSum();
    for (const x of [1, 1e100, 1, -1e100]) a.add(x);
    expect(a.value).toBe(2);
    let plain = 0;
    const b = new CompensatedSum();
    for (let i = 0; i < 1_000_000; i++) {
      plain += 0.1;
      b.add(0.1);
    }
    // 0.1 as a double is 0.1000000000000000055511…; ×10^6 = 100000.0000000000055…, whose nearest double is 100000 (ulp 1.5e-11).
    expect(b.value).toBe(100000);
    expect(Math.abs(plain - 1e5)).toBeGreaterThan(1e-7);
  });

  it('starts from a given value', () => {
    const s = new CompensatedSum(-3);
    s.add(1);
    s.add(2);
    expect(s.value).toBe(0);
  });
});
