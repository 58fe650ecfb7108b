import { describe, expect, it } from 'vitest';
import { fisherCosine, predictedEntropyChange } from '../../src/diagnostics/ladder.js';
import { klShapedGain, proximalStep } from '../../src/diagnostics/mirror.js';
import { optimize, resolveSettings } from '../../src/optimizers/optimize.js';
import { TabularPolicy, occupancy, policyLayout } from '../../src/policies/index.js';
import { chainWorld, compileTask, type SequenceWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { randomAutomaton } from '../support/automata.js';
import { fsum } from '../support/oracle.js';
import { between, gaussian, mulberry32 } from '../support/random.js';
import { enumeratePaths, normalizeLog, pathLogProbs, refPathLogProbs } from '../policies/enumerate.js';

function randomPolicy(world: SequenceWorld, seed: number): TabularPolicy {
  const layout = policyLayout(world);
  const u = mulberry32(seed);
  return new TabularPolicy(layout, Float64Array.from(layout.logRef, (l) => (l === -Infinity ? -Infinity : l + gaussian(u))));
}

const pathEntropy = (lp: number[]) => fsum(lp.map((l) => (l === -Infinity ? 0 : -Math.exp(l) * l)));

describe('the exact proximal (mirror-descent) step at completion level', () => {
  it('per-step conditionals multiply to π(y)·e^{η·Σ_t g_t} / Z, by enumeration (random automata, multi-token arcs)', () => {
    const u = mulberry32(77);
    for (let t = 0; t < 20; t++) {
      const { world } = randomAutomaton(u, 1 + (t % 3), 1 + (t % 4), { mult: true, zeroArcs: t % 2 === 1 });
      const p = randomPolicy(world, t);
      const beta = between(u, 0.1, 2);
      const eta = between(u, 0.1, 3);
      const next = proximalStep(p, klShapedGain(p, beta, new Float64Array(p.layout.entries)), eta, new Float64Array(p.layout.entries), new Float64Array(p.layout.rows));
      const paths = enumeratePaths(world);
      const lp = pathLogProbs(world, paths, p.logp);
      const lref = refPathLogProbs(world, paths);
      // Sequence-level F5/F6: log π' = log π + η(r − β(log π − log π_ref)) − log Z.
      const want = normalizeLog(lp.map((l, i) => (l === -Infinity ? -Infinity : l + eta * (world.terminalReward[paths[i].final] - beta * (l - lref[i])))));
      const got = pathLogProbs(world, paths, next);
      got.forEach((g, i) => (want[i] === -Infinity ? expect(g).toBe(-Infinity) : expectClose(g, want[i], 1e-10, 1e-11, `t=${t} path ${i}`)));
    }
  });
});

describe('alignment: the Fisher cosine of two logit updates', () => {
  it('hand-derived values, and invariance to per-row constants and to scale', () => {
    const layout = policyLayout(compileTask({ kind: 'bandit', ref: [0.5, 0.25, 0.25], reward: [1, 0, 0] }));
    const p = TabularPolicy.start(layout);
    const w = occupancy(p);
    const lp = Array.from(p.logp);
    const shifted = (d: number[], c = 0, s = 1) => Float64Array.from(lp, (l, i) => l + s * d[i] + c);
    // u = e_0, v = e_1 under (1/2, 1/4, 1/4): Cov = −1/8, Var u = 1/4, Var v = 3/16.
    expectClose(fisherCosine(p, w, shifted([1, 0, 0]), shifted([0, 1, 0])), -0.125 / Math.sqrt(0.25 * 0.1875), 1e-14);
    expectClose(fisherCosine(p, w, shifted([1, 2, -1], 5), shifted([1, 2, -1], -3, 0.1)), 1, 1e-14);
    expectClose(fisherCosine(p, w, shifted([1, 2, -1]), shifted([1, 2, -1], 0, -2)), -1, 1e-14);
  });
});

describe('predicted entropy change −Cov(log π, Δz) (F28) and its completion-level form', () => {
  it('bandit: equals −Cov_π(log π, Δz) written out', () => {
    const layout = policyLayout(compileTask({ kind: 'bandit', refLogits: [0.3, -1, 2, 0.5], reward: [0, 1, 0, 0] }));
    const p = TabularPolicy.start(layout);
    const dz = [0.2, -0.1, 0.05, 0.3];
    const pr = Array.from(p.prob);
    const lp = Array.from(p.logp);
    const mean = (f: (i: number) => number) => fsum(pr.map((v, i) => v * f(i)));
    const cov = mean((i) => lp[i] * dz[i]) - mean((i) => lp[i]) * mean((i) => dz[i]);
    const got = predictedEntropyChange(p, occupancy(p), Float64Array.from(lp, (l, i) => l + dz[i] + 7), new Float64Array(1));
    expectClose(got, -cov, 1e-13);
  });

  it('chain and random automaton: the error of the prediction against the exact (enumerated) entropy change is O(η²)', () => {
    const worlds: SequenceWorld[] = [chainWorld({ kind: 'chain', K: 4, q: 0.6, vocab: 3, delta: 0.5 }), randomAutomaton(mulberry32(5), 3, 3, { mult: true }).world];
    for (const world of worlds) {
      const p = randomPolicy(world, 3);
      const paths = enumeratePaths(world);
      const H0 = pathEntropy(pathLogProbs(world, paths, p.logp));
      const gain = klShapedGain(p, 0.3, new Float64Array(p.layout.entries));
      const err = (eta: number) => {
        const next = proximalStep(p, gain, eta, new Float64Array(p.layout.entries), new Float64Array(p.layout.rows));
        const exact = pathEntropy(pathLogProbs(world, paths, next)) - H0;
        return Math.abs(exact - predictedEntropyChange(p, occupancy(p), next, new Float64Array(p.layout.rows)));
      };
      const ratio = err(0.02) / err(0.01);
      expect(ratio).toBeGreaterThan(3.5);
      expect(ratio).toBeLessThan(4.5);
    }
  });
});

describe('ladder trace', () => {
  it('free-energy gap is β·KL(π‖π*_β); at β = 0 it is r_max − E[r]; per-update entries are null at step 0', () => {
    const world = compileTask({ kind: 'binary', p: 0.2, delta: 1 });
    const r = optimize(world, resolveSettings('grpo', { beta: 0.5 }), { steps: 5, seed: 1 });
    r.freeEnergyGap.forEach((g, i) => expectClose(g, 0.5 * r.klToGibbs[i], 1e-15));
    expect(Number.isNaN(r.proximalKl[0]) && Number.isNaN(r.alignment[0])).toBe(true);
    expect(Number.isNaN(r.refKlEstimate[5]) && Number.isFinite(r.refKlEstimate[0])).toBe(true);
    const r0 = optimize(world, resolveSettings('grpo', { beta: 0 }), { steps: 3, seed: 1 });
    r0.freeEnergyGap.forEach((g, i) => expectClose(g, 1 - r0.expectedReward[i], 1e-15));
    expect(r0.klToGibbs[0]).toBe(Infinity);
  });
});
