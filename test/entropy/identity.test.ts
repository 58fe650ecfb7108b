import { describe, expect, it } from 'vitest';
import { entropyChangeForms, predictedEntropyChange } from '../../src/diagnostics/ladder.js';
import { klShapedGain } from '../../src/diagnostics/mirror.js';
import { optimize, resolveSettings } from '../../src/optimizers/optimize.js';
import type { OptimizerName, OptimizerSettings } from '../../src/optimizers/settings.js';
import { observables, occupancy, policyLayout, TabularPolicy } from '../../src/policies/index.js';
import { chainWorld, compileTask, type World } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { fsum } from '../support/oracle.js';
import { between, gaussian, mulberry32, randomRewards } from '../support/random.js';

/** Cov_π(log π, v) written out. */
function cov(p: number[], lp: number[], v: number[]): number {
  const E = (f: (i: number) => number) => fsum(p.map((pi, i) => pi * f(i)));
  return E((i) => lp[i] * v[i]) - E((i) => lp[i]) * E((i) => v[i]);
}

describe('the vanilla-PG and NPG forms of the entropy change (F29, F30)', () => {
  it('bandit: −η·Cov_π(log π, π·A) and −η·Cov_π(log π, A), A = g − E_π g, g the KL-shaped gain, by hand', () => {
    const u = mulberry32(21);
    for (let t = 0; t < 20; t++) {
      const n = 2 + (t % 6);
      const world = compileTask({ kind: 'bandit', refLogits: Array.from({ length: n }, () => gaussian(u)), reward: randomRewards(u, n) });
      const layout = policyLayout(world);
      const p = new TabularPolicy(layout, Float64Array.from(layout.logRef, (l) => l + gaussian(u)));
      const beta = between(u, 0, 1);
      const eta = between(u, 0.01, 1);
      const g = klShapedGain(p, beta, new Float64Array(n));
      const forms = entropyChangeForms(p, occupancy(p), g, eta, { advantage: new Float64Array(n), logp: new Float64Array(n), rows: new Float64Array(1) });
      const pr = Array.from(p.prob);
      const lp = Array.from(p.logp);
      const Eg = fsum(pr.map((x, i) => x * g[i]));
      const A = Array.from(g, (x) => x - Eg);
      expectClose(forms.npg, -eta * cov(pr, lp, A), 1e-12, 1e-15, 'F30');
      expectClose(forms.pg, -eta * cov(pr, lp, A.map((a, i) => pr[i] * a)), 1e-12, 1e-15, 'F29');
    }
  });

  const run = (world: World, name: OptimizerName, o: Partial<OptimizerSettings>, steps = 3) => optimize(world, resolveSettings(name, { exact: true, ...o }), { steps, seed: 0 });
  const chain = chainWorld({ kind: 'chain', K: 3, q: 0.3, vocab: 4, delta: 1 });
  const bandit = compileTask({ kind: 'bandit', refLogits: [2, 0, -1, 0.5], reward: [0, 1, 0, 0.2] });

  it('a realized exact SGD policy-gradient step is F29’s step: the F28 prediction of its Δz equals the F29 form (bandit, chain)', () => {
    for (const world of [bandit, chain]) {
      const r = run(world, 'rloo', { beta: 0.2, optimizerKind: 'sgd', lr: 0.3, lossMode: 'gpg', lossAggMode: 'seq-mean-token-sum' });
      for (let k = 1; k < r.step.length; k++) expectClose(r.entropyChangePredictedPg[k], r.entropyChangePredicted[k], 1e-9, 1e-15, `${world.type} step ${k}`);
    }
  });

  it('a realized npg --exact step on a bandit is F30’s step (mirror descent moves the logits by η·A)', () => {
    const r = run(bandit, 'npg', { beta: 0.2, lr: 0.3 });
    for (let k = 1; k < r.step.length; k++) expectClose(r.entropyChangePredictedNpg[k], r.entropyChangePredicted[k], 1e-9, 1e-15, `step ${k}`);
  });
});

describe('the entropy identity on realized optimizer steps: |ΔH − (−Cov(log π, Δz))| is O(η²)', () => {
  // First step from π_ref: halving the step quarters the error (SPEC §9: the ratio, not a tolerance).
  const cases: [string, World, OptimizerName, Partial<OptimizerSettings>][] = [
    ['npg --exact, bandit', compileTask({ kind: 'bandit', refLogits: [2, 0, -1, 0.5], reward: [0, 1, 0, 0.2] }), 'npg', { beta: 0.3 }],
    ['npg --exact, chain', chainWorld({ kind: 'chain', K: 4, q: 0.3, vocab: 5, delta: 1 }), 'npg', { beta: 0.3 }],
    ['rloo --exact SGD, chain', chainWorld({ kind: 'chain', K: 4, q: 0.3, vocab: 5, delta: 1 }), 'rloo', { optimizerKind: 'sgd', lossMode: 'gpg' }],
    ['grpo --exact Adam, contextual', compileTask({ kind: 'contextual', prompts: 3, vocab: 6, correctFraction: 0.3, refScale: 1, seed: 2 }), 'grpo', { scaleRewards: 'none' }],
  ];
  for (const [label, world, name, o] of cases) {
    it(label, () => {
      const err = (lr: number) => {
        const r = optimize(world, resolveSettings(name, { exact: true, lr, ...o }), { steps: 1, seed: 0 });
        return Math.abs(r.entropyChange[1] - r.entropyChangePredicted[1]);
      };
      const ratio = err(0.02) / err(0.01);
      expect(ratio, `${label}: ratio ${ratio}`).toBeGreaterThan(3.5);
      expect(ratio).toBeLessThan(4.5);
    });
  }
});

describe('the sign of ΔH follows −Cov(log π, A)', () => {
  it('a rare action with the reward raises the entropy; a frequent one lowers it (exact NPG step)', () => {
    for (const [rewarded, sign] of [
      [2, 1],
      [0, -1],
    ] as const) {
      const reward = [0, 0, 0];
      reward[rewarded] = 1;
      const r = optimize(compileTask({ kind: 'bandit', ref: [0.8, 0.15, 0.05], reward }), resolveSettings('npg', { exact: true, lr: 0.1 }), { steps: 1, seed: 0 });
      expect(Math.sign(r.entropyChange[1])).toBe(sign);
      expect(Math.sign(r.entropyChangePredictedNpg[1])).toBe(sign);
    }
  });
});

describe('the continuous identity dH/dt = −Cov(log π, v) along a logit direction (F14)', () => {
  it('central finite differences of the exact (sequence-level) entropy, decoy chain and contextual task', () => {
    const worlds = [chainWorld({ kind: 'chain', K: 4, q: 0.2, vocab: 6, delta: 1, decoy: 0.5 }), compileTask({ kind: 'contextual', prompts: 4, vocab: 7, correctFraction: 0.3, refScale: 1, seed: 5 })];
    const u = mulberry32(8);
    for (const world of worlds) {
      const layout = policyLayout(world);
      const p = new TabularPolicy(layout, Float64Array.from(layout.logRef, (l) => l + gaussian(u)));
      const v = Float64Array.from({ length: layout.entries }, () => gaussian(u));
      const H = (t: number) => {
        const q = new TabularPolicy(layout, Float64Array.from(p.logits, (z, e) => z + t * v[e]));
        return observables(q, occupancy(q)).entropy;
      };
      const h = 1e-5;
      const fd = (H(h) - H(-h)) / (2 * h);
      const got = predictedEntropyChange(p, occupancy(p), Float64Array.from(p.logp, (l, e) => l + v[e]), new Float64Array(layout.rows));
      expectClose(got, fd, 1e-7, 1e-9, world.type);
    }
  });
});
