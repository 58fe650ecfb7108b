import { describe, expect, it } from 'vitest';
import { cliJson } from '../support/cli.js';

/** Fields of INTERFACE.md, and values against closed forms independent of the code (F35–F37). */
describe('equilibrium --json', () => {
  it('returns every field, one entry per τ, and the binary closed form', () => {
    const taus = [0.1, 0.5, 2];
    const j = cliJson<Record<string, number[] | number[][]>>(['equilibrium', 'examples/binary.yaml', '--tau', taus.join(','), '--policy']);
    for (const k of ['tau', 'logZ', 'freeEnergy', 'expectedReward', 'success', 'entropy', 'refKl', 'policy']) expect(j[k]).toHaveLength(3);
    taus.forEach((tau, i) => {
      const z = 0.1 * Math.exp(1 / tau) + 0.9;
      const pStar = (0.1 * Math.exp(1 / tau)) / z;
      expect(j.logZ[i]).toBeCloseTo(Math.log(z), 12);
      expect(j.success[i]).toBeCloseTo(pStar, 12);
      expect(j.freeEnergy[i]).toBeCloseTo(-tau * Math.log(z), 12);
      expect((j.policy as number[][])[i][0]).toBeCloseTo(pStar, 12);
    });
  });
  it('has no policy field without --policy', () => {
    const j = cliJson(['equilibrium', 'examples/binary.yaml', '--tau', '1']);
    expect(j).not.toHaveProperty('policy');
  });
});

describe('critical --json', () => {
  it('binary: τ_c = Δ/ln((1−p)/p), the worked oracle 0.4551196133', () => {
    expect(cliJson<{ tauC: number }>(['critical', 'examples/binary.yaml']).tauC).toBeCloseTo(0.4551196133, 9);
  });
  it('binary with p ≥ 1/2 has no crossing: null', () => {
    expect(cliJson<{ tauC: null }>(['critical', '--task', '{"kind":"binary","p":0.7}']).tauC).toBeNull();
  });
  it('chain: K, tauCByK, tauCLimit', () => {
    const j = cliJson<{ tauC: number; K: number[]; tauCByK: (number | null)[]; tauCLimit: number }>(['critical', 'examples/chain.yaml', '--max-k', '40']);
    expect(j.K).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(j.tauCLimit).toBeCloseTo(0.1 / -Math.log(0.9), 12);
    // K = 1 with q = 0.9 never crosses (q > 1/2).
    expect(j.tauCByK[0]).toBeNull();
    const K = 40;
    expect(j.tauCByK[K - 1]).toBeCloseTo(0.1 / (-Math.log(0.9) + Math.log(1 - 0.9 ** K) / K), 12);
  });
});

describe('flow --json', () => {
  it('mirror descent: every field, steps 0..N, gap = τ·KL, final policy', () => {
    const j = cliJson<Record<string, number[]>>(['flow', 'examples/binary.yaml', '--tau', '0.5', '--eta', '2', '--steps', '4']);
    for (const k of ['step', 'klToGibbs', 'freeEnergyGap', 'success', 'entropy', 'refKl']) expect(j[k]).toHaveLength(5);
    expect(j.step).toEqual([0, 1, 2, 3, 4]);
    j.freeEnergyGap.forEach((g, i) => expect(g).toBeCloseTo(0.5 * j.klToGibbs[i], 14));
    // ητ = 1 lands on π* in one step.
    expect(j.klToGibbs[1]).toBeLessThan(1e-14);
    expect(j.finalPolicy[0]).toBeCloseTo((0.1 * Math.exp(2)) / (0.1 * Math.exp(2) + 0.9), 12);
  });
  it('continuous: time = k·dt and the closed form e^{−τt} mixture', () => {
    const j = cliJson<Record<string, number[]>>(['flow', 'examples/binary.yaml', '--tau', '1', '--steps', '3', '--continuous', '--dt', '0.5']);
    expect(j.time).toEqual([0, 0.5, 1, 1.5]);
    // Binary: logit p_t = logit p + (1 − e^{−τt})·Δ/τ (the flow stays in the tilt family, F25).
    const t = 1.5;
    const s = 1 - Math.exp(-t);
    const p = 1 / (1 + (0.9 / 0.1) * Math.exp(-s));
    expect(j.success[3]).toBeCloseTo(p, 12);
  });
  it('chain: sequence-level fields, no finalPolicy', () => {
    const j = cliJson<Record<string, number[]>>(['flow', 'examples/chain.yaml', '--tau', '0.1', '--eta', '1', '--steps', '5']);
    expect(j.step).toHaveLength(6);
    expect(j).not.toHaveProperty('finalPolicy');
  });
});

describe('list --json', () => {
  it('lists every experiment with id, title, question, source', () => {
    const j = cliJson<{ experiments: { id: string; question: string; source: string }[] }>(['list']);
    const ids = j.experiments.map((e) => e.id);
    for (const id of ['crossing', 'mirror-descent', 'replicator']) expect(ids).toContain(id);
    for (const e of j.experiments) {
      expect(e.question.length).toBeGreaterThan(10);
      expect(e.source.length).toBeGreaterThan(3);
    }
  });
});
