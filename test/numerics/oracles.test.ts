import { describe, it, expect } from 'vitest';
import { bernoulliKlOracle, fsum, gibbsOracle, psi, relErr } from '../support/oracle.js';
import { mulberry32, randomRewards, randomSimplex } from '../support/random.js';

/**
 * The oracles check each other where two of their methods overlap, so that a wrong oracle cannot
 * silently agree with wrong code.
 */
describe('test oracles are self-consistent', () => {
  it('ψ: series and closed form agree where both are accurate', () => {
    for (const d of [-0.49, -0.3, 0.3, 0.49]) {
      const e = Math.exp(d);
      expect(relErr(psi(d), d * e - e + 1)).toBeLessThan(1e-13);
    }
    expect(psi(0)).toBe(0);
    const d = 1e-5;
    expect(relErr(psi(d), (d * d) / 2 + (d * d * d) / 3 + (d * d * d * d) / 8)).toBeLessThan(1e-15);
  });

  it('Bernoulli KL: series and log1p branches agree at the switch, and match the definition far apart', () => {
    for (const b of [1e-12, 0.2, 0.5, 0.7, 1 - 1e-9]) {
      const m = Math.min(b, 1 - b);
      for (const f of [0.099, 0.1]) {
        const a = b + f * m;
        // Just inside and just outside the series branch: continuity to ~1e-12.
        const inside = bernoulliKlOracle(a, b);
        const direct = a * (Math.log(a) - Math.log(b)) + (1 - a) * (Math.log1p(-a) - Math.log1p(-b));
        expect(relErr(inside, direct)).toBeLessThan(1e-8); // direct form loses ~1/f² ≈ 100× ε·|log|
      }
    }
    expect(relErr(bernoulliKlOracle(0.5, 0.2), Math.log(1.25))).toBeLessThan(1e-15);
  });

  it('Gibbs oracle: cumulant series and direct sum agree at the switch (spread/τ = 1e-3)', () => {
    const u = mulberry32(99);
    for (let t = 0; t < 20; t++) {
      const n = 2 + Math.floor(u() * 20);
      const ref = randomSimplex(u, n);
      const r = randomRewards(u, n);
      const spread = Math.max(...r) - Math.min(...r);
      const a = gibbsOracle(ref, r, spread / 0.99e-3); // direct
      const b = gibbsOracle(ref, r, spread / 1.01e-3); // series, τ 2% larger
      const c = gibbsOracle(ref, r, spread / 1.01e-3 + 1e-300); // same τ, for the identity below
      // Both must satisfy F2 at π = π*: log Z = β·E*[r] − KL(π*‖π_ref).
      for (const [o, tau] of [
        [a, spread / 0.99e-3],
        [c, spread / 1.01e-3],
      ] as const) {
        expect(relErr(o.logZ, o.expectedReward / tau - o.refKl)).toBeLessThan(1e-12);
        expect(Math.abs(fsum(o.probs) - 1)).toBeLessThan(1e-15);
      }
      expect(b.refKl).toBeGreaterThan(0);
      // KL ≈ Var/(2τ²): b's τ is smaller by 0.99/1.01, so its KL is larger by (1.01/0.99)².
      expect(relErr(b.refKl / a.refKl, (1.01 / 0.99) ** 2)).toBeLessThan(2e-3);
    }
  });
});
