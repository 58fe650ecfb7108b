import { describe, expect, it } from 'vitest';
import { chainCriticalTemperature } from '../../src/equilibrium/critical.js';
import { crossingOnGrid, curveCrossing } from '../../src/experiments/crossingAnalysis.js';
import { analyzeSweep } from '../../src/sweep/analysis.js';
import { planSweep } from '../../src/sweep/plan.js';
import type { SweepRow } from '../../src/sweep/results.js';
import { normalizeSweep } from '../../src/sweep/spec.js';

/** F35 written out independently: P*_τ = p·e^{Δ/τ}/(p·e^{Δ/τ} + 1 − p). */
const binary = (p: number, delta: number, tau: number) => (p * Math.exp(delta / tau)) / (p * Math.exp(delta / tau) + 1 - p);

/** Runs every config of a sweep file in this thread (no pool) and returns its rows. */
async function rowsOf(raw: unknown) {
  const plan = planSweep(normalizeSweep(raw));
  const rows: SweepRow[] = [];
  for (const [index, config] of plan.configs.entries()) rows.push({ index, config, seed: plan.seeds[index], result: await plan.target.run(config, {}) });
  return { spec: plan.spec, rows };
}

describe('crossing read off a τ grid', () => {
  it('is exact for a two-outcome world even on a coarse grid (logit is affine in 1/τ): the F36 worked oracle', () => {
    const taus = [0.1, 0.3, 1, 3];
    expect(crossingOnGrid(taus, taus.map((t) => binary(0.1, 1, t)))).toBeCloseTo(0.4551196133, 10);
  });

  it('its width in 1/τ is 2·ln 3/Δ', () => {
    const taus = [0.05, 0.2, 0.5, 2, 8, 30];
    const c = curveCrossing(taus, taus.map((t) => binary(0.2, 3, t)));
    expect(Math.abs(c.invTauWidth! - (2 * Math.log(3)) / 3)).toBeLessThan(1e-12);
    expect(c.tau75! < c.tauC! && c.tauC! < c.tau25!).toBe(true);
  });

  it('null when success stays on one side; falls back to log-linear when a sample is exactly 0 or 1', () => {
    expect(crossingOnGrid([1, 2, 3], [0.9, 0.8, 0.7])).toBeNull();
    // Success 1 then 0 between τ = 1 and τ = 4: linear in log τ puts 1/2 at the geometric mean.
    expect(crossingOnGrid([1, 4], [1, 0])).toBeCloseTo(2, 12);
  });
});

describe('sweep analysis', () => {
  it('a binary τ sweep finds τ_c per curve and compares it with the equilibrium crossing', async () => {
    const { spec, rows } = await rowsOf({ measure: 'equilibrium', task: { kind: 'binary', p: 0.1 }, grid: { 'task.delta': [1, 2], tau: { from: 0.1, to: 10, count: 9, log: true } } });
    const a = analyzeSweep(spec, rows);
    expect(a.crossings!.map((c) => c.group)).toEqual(['task.delta=1', 'task.delta=2']);
    expect(a.crossings![0].tauC).toBeCloseTo(0.4551196133, 10);
    expect(a.crossings![1].tauC).toBeCloseTo(2 * 0.4551196133, 9);
    for (const c of a.crossings!) expect(Math.abs(c.tauC! / c.equilibriumTauC! - 1)).toBeLessThan(1e-9);
    expect(a.finiteSize).toBeUndefined();
  });

  it('a chain sweep over K gives the finite-size series: τ_c(K) of the closed form (F37), K·δ·width = 2 ln 3', async () => {
    const { spec, rows } = await rowsOf({
      measure: 'equilibrium',
      task: { kind: 'chain', K: 8, q: 0.9, vocab: 4, delta: 0.1 },
      grid: { 'task.K': [32, 16], tau: { from: 0.4, to: 6, count: 15, log: true } },
    });
    const f = analyzeSweep(spec, rows).finiteSize!;
    expect(f.map((x) => x.K)).toEqual([16, 32]);
    for (const x of f) {
      const closed = x.delta / (-Math.log(x.q) + Math.log(1 - x.q ** x.K) / x.K);
      expect(Math.abs(x.tauC! / closed - 1)).toBeLessThan(1e-9);
      expect(x.tauCClosedForm).toBeCloseTo(chainCriticalTemperature(x.K, x.q, x.delta)!, 12);
      expect(Math.abs(x.widthTimesKDelta! - 2 * Math.log(3))).toBeLessThan(1e-9);
      expect(x.limit).toBeCloseTo(0.1 / -Math.log(0.9), 12);
    }
  });

  it('a flow stopped early crosses lower: mirror descent with ητ = a for k steps is π* at τ/(1 − (1−a)^k)', async () => {
    const taus = [0.1, 0.15, 0.2, 0.3, 0.4, 0.6];
    const { spec, rows } = await rowsOf({ measure: 'flow', task: { kind: 'binary', p: 0.1 }, base: { steps: 5 }, zip: [{ tau: taus, eta: taus.map((t) => 0.2 / t) }] });
    const [c] = analyzeSweep(spec, rows).crossings!;
    expect(Math.abs(c.tauC! / ((1 - 0.8 ** 5) * 0.4551196133) - 1)).toBeLessThan(1e-9);
  });
});
