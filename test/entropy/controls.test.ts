import { describe, expect, it } from 'vitest';
import { adaptEntropyCoef, gatedEntropyCoef } from '../../src/entropy/adaptive.js';
import { scheduleFactor } from '../../src/entropy/schedule.js';
import { Rng } from '../../src/numerics/rng.js';
import { optimize, resolveSettings } from '../../src/optimizers/optimize.js';
import type { UpdateStats } from '../../src/optimizers/losses.js';
import { entropyBonusTerm } from '../../src/optimizers/controls.js';
import { TokenBatch } from '../../src/optimizers/batch.js';
import { LossPipeline, Rollout, defaultTerms, emptyStepStats } from '../../src/optimizers/pipeline.js';
import type { OptimizerName, OptimizerSettings } from '../../src/optimizers/settings.js';
import { policyLayout, TabularPolicy, type PolicyLayout } from '../../src/policies/index.js';
import { chainWorld, compileTask, type World } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { fsum } from '../support/oracle.js';
import { between, mulberry32 } from '../support/random.js';

const chain = chainWorld({ kind: 'chain', K: 4, q: 0.4, vocab: 6, delta: 1 });

/** One collected step: a policy near the reference, its rollout, and a pipeline of the setting's terms. */
function setup(world: World, name: OptimizerName, o: Partial<OptimizerSettings>, seed = 1) {
  const s = resolveSettings(name, o);
  const layout = policyLayout(world);
  const u = mulberry32(seed);
  const policy = new TabularPolicy(layout, Float64Array.from(layout.logRef, (l) => l + between(u, -1, 1)));
  const rollout = new Rollout(layout, s);
  const stats = emptyStepStats();
  rollout.collect(policy, Rng.fromSeed(seed), stats);
  return { s, layout, policy, b: rollout.batch, pipe: new LossPipeline(layout, s, defaultTerms(s)), stats };
}

const upd = (): UpdateStats => ({ clipped: 0, dualClipped: 0, mass: 0 });

describe('KL-Cov is inert on the first on-policy update (PRIME #1)', () => {
  it('loss and gradient equal those without KL-Cov exactly, sampled (several micro-batches) and exact', () => {
    for (const exact of [false, true]) {
      const base = { exact, groupSize: 8, scaleRewards: 'none' as const, microBatches: 2 };
      const a = setup(chain, 'grpo', base);
      const b = setup(chain, 'grpo', { ...base, klCov: 0.5, ppoKlCoef: 3 });
      const ga = new Float64Array(a.layout.entries);
      const gb = new Float64Array(b.layout.entries);
      const ub = upd();
      const la = a.pipe.gradient(a.policy, a.b, 0, a.b.completions, ga, upd());
      const lb = b.pipe.gradient(b.policy, b.b, 0, b.b.completions, gb, ub);
      expect(lb).toBe(la);
      expect(Array.from(gb)).toEqual(Array.from(ga));
      expect(ub.covSelected).toBeGreaterThan(0); // tokens were selected: the penalty is zero, not absent
    }
  });

  it('a whole run with one update per step is the baseline’s, bit for bit; with two epochs the penalty acts', () => {
    const o = { groupSize: 8, beta: 0.05 };
    const base = optimize(chain, resolveSettings('grpo', o), { steps: 30, seed: 4 });
    const kl = optimize(chain, resolveSettings('grpo', { ...o, klCov: 0.2 }), { steps: 30, seed: 4 });
    expect(kl.entropy).toEqual(base.entropy);
    const two = optimize(chain, resolveSettings('grpo', { ...o, epochs: 2 }), { steps: 30, seed: 4 });
    const twoKl = optimize(chain, resolveSettings('grpo', { ...o, epochs: 2, klCov: 0.2 }), { steps: 30, seed: 4 });
    expect(twoKl.entropy).not.toEqual(two.entropy);
  });

  it('after an update the selected tokens pay coef·|log π − log π_old|: the loss rises by exactly that sum', () => {
    const o = { groupSize: 8, scaleRewards: 'none' as const, klCov: 1, ppoKlCoef: 0.7, covScope: 'mini' as const };
    const a = setup(chain, 'grpo', o);
    const moved = a.policy.clone();
    const u = mulberry32(3);
    for (let e = 0; e < moved.logits.length; e++) moved.logits[e] += between(u, -0.1, 0.1);
    moved.normalize();
    const plain = setup(chain, 'grpo', { groupSize: 8, scaleRewards: 'none', clipRatioLow: 1, clipRatioHigh: 1e9 });
    // Ratio 1 selects every token: the penalty is the aggregated coef·|Δlog π| over all of them.
    const b = a.b;
    const got = a.pipe.evaluate(moved, b, 0, b.completions, upd()) - plain.pipe.evaluate(moved, plain.b, 0, plain.b.completions, upd());
    const want = fsum(Array.from({ length: b.tokens }, (_, t) => (0.7 * Math.abs(moved.logp[b.entry[t]] - b.logpOld[t])) / b.tokens));
    expectClose(got, want, 1e-10, 1e-14);
  });
});

describe('the entropy bonus gradient', () => {
  it('is α·Σ_t w_t·π_e(log π_e + H) on every entry of each token’s row, zero-weight tokens included in the batch (regression: rows were dropped)', () => {
    // Two prompts of three actions; tokens of weights 0, 0.5, 0, 0.25 alternate between the rows
    // (Clip-Cov detaches tokens by zeroing their weight).
    const logRef = Float64Array.from([0.2, 0.3, 0.5, 0.6, 0.3, 0.1], Math.log);
    const layout = policyLayout({ type: 'bandit', prompts: 2, actions: 3, logRef, reward: new Float64Array(6), maxReward: 0 });
    const policy = TabularPolicy.start(layout);
    const b = new TokenBatch();
    const rows = [0, 0, 1, 1, 0];
    const weights = [0, 0.5, 0, 0.25, 0];
    b.reserve(5, 5);
    b.tokens = 5;
    rows.forEach((r, t) => {
      b.row[t] = r;
      b.weight[t] = weights[t];
    });
    b.controls = { entropyCoef: 0.3, covRatio: 0, covCoef: 0 };
    const grad = new Float64Array(6);
    const term = entropyBonusTerm();
    // apply first, as the pipeline calls them.
    term.apply(b, 0, 5, new Float64Array(5), new Float64Array(5), { clipped: 0, dualClipped: 0, mass: 0 }, policy);
    term.logitGradient!(policy, b, 0, 5, grad);
    for (let r = 0; r < 2; r++) {
      const p = [0, 1, 2].map((j) => Math.exp(logRef[3 * r + j]));
      const H = -fsum(p.map((q) => q * Math.log(q)));
      const w = fsum(weights.filter((_, t) => rows[t] === r));
      p.forEach((q, j) => expectClose(grad[3 * r + j], 0.3 * w * q * (Math.log(q) + H), 1e-14, 1e-15, `row ${r} entry ${j}`));
    }
  });
});

describe('Clip-Cov', () => {
  it('with a ratio that selects every candidate, the gradient is the policy gradient without the band’s tokens (centred scores by hand)', () => {
    const a = setup(chain, 'rloo', { groupSize: 8, lossMode: 'gpg', clipCov: 1, clipCovLb: 0.01, clipCovUb: 5, covScope: 'mini' });
    const { b, policy, layout } = a;
    const g = new Float64Array(layout.entries);
    a.pipe.gradient(policy, b, 0, b.completions, g, upd());
    const lp = Array.from({ length: b.tokens }, (_, t) => policy.logp[b.entry[t]]);
    const A = Array.from(b.adv.subarray(0, b.tokens));
    const mlp = fsum(lp) / b.tokens;
    const mA = fsum(A) / b.tokens;
    const want = new Float64Array(layout.entries);
    let dropped = 0;
    for (let t = 0; t < b.tokens; t++) {
      const c = (lp[t] - mlp) * (A[t] - mA);
      if (c > 0.01 && c < 5) {
        dropped++;
        continue;
      }
      // token-mean over all tokens (detached tokens still count in the denominator): −A/N·(e_y − π(·|s)).
      addScoreGradient(layout, policy, b.entry[t], -A[t] / b.tokens, want);
    }
    expect(dropped).toBeGreaterThan(0);
    g.forEach((x, e) => expectClose(x, want[e], 1e-12, 1e-15, `entry ${e}`));
  });

  it('per micro-batch the one-token floor selects one token per micro-batch; per mini-batch one in all (KL-Cov, ratio 1e-6)', () => {
    for (const [scope, per] of [
      ['micro', 4],
      ['mini', 1],
    ] as const) {
      const a = setup(chain, 'grpo', { groupSize: 16, scaleRewards: 'none', klCov: 1e-6, covScope: scope, microBatches: 4 });
      const u = upd();
      a.pipe.gradient(a.policy, a.b, 0, a.b.completions, new Float64Array(a.layout.entries), u);
      expect(u.covSelected).toBe(per);
    }
  });
});

describe('schedules and the adaptive coefficient', () => {
  it('schedule factors at hand-picked steps', () => {
    expect([0, 5, 10, 20].map((k) => scheduleFactor('linear', k, 10))).toEqual([1, 0.5, 0, 0]);
    expect(scheduleFactor('cosine', 5, 10)).toBeCloseTo(0.5, 15);
    expect(scheduleFactor('cosine', 10, 10)).toBe(0);
    expect([0, 1, 3].map((k) => scheduleFactor('inverse', k, 10))).toEqual([1, 0.5, 0.25]);
    expect(scheduleFactor('constant', 99, 10)).toBe(1);
  });

  it('TRL’s controller: +δ while H ≤ target, −δ above, clamped; the bonus gated on the last entropy', () => {
    const o = { min: 0, max: 0.012, delta: 0.005, target: 0.2 };
    let c = 0;
    const seen: number[] = [];
    for (const H of [0.1, 0.1, 0.1, 0.3, 0.3, 0.3]) {
      c = adaptEntropyCoef(c, H, o);
      seen.push(c);
    }
    [0.005, 0.01, 0.012, 0.007, 0.002, 0].forEach((v, i) => expectClose(seen[i], v, 1e-12, 1e-15));
    expect(gatedEntropyCoef(0.01, 0.25, 0.2)).toBe(0);
    expect(gatedEntropyCoef(0.01, 0.2, 0.2)).toBe(0.01);
  });

  it('a scheduled bonus reports α·s(k) per step; an annealed KL-Cov ends with coefficient 0', () => {
    const r = optimize(chain, resolveSettings('grpo', { entropyCoef: 0.1, entropySchedule: 'linear' }), { steps: 4, seed: 0 });
    [NaN, 0.1, 0.075, 0.05, 0.025].forEach((v, k) => (Number.isNaN(v) ? expect(r.entropyCoef[k]).toBeNaN() : expectClose(r.entropyCoef[k], v, 1e-15)));
    expect(r.settings.annealSteps).toBe(4);
    const adaptive = optimize(chain, resolveSettings('grpo', { useAdaptiveEntropy: true, entropyTarget: 10, entropyCoefDelta: 0.01 }), { steps: 3, seed: 0 });
    // Entropy stays below the target (10 nats per token): the coefficient climbs by δ from 0 each step after the first.
    [0, 0.01, 0.02].forEach((v, i) => expectClose(adaptive.entropyCoef[i + 1], v, 1e-15));
  });
});

/** Adds c·(e_y − π(·|row of y)) to g: the logit gradient of c·log π(y). */
function addScoreGradient(layout: PolicyLayout, policy: TabularPolicy, y: number, c: number, g: Float64Array): void {
  const r = layout.entryRow[y];
  g[y] += c;
  for (let e = layout.rowOffset[r]; e < layout.rowOffset[r + 1]; e++) g[e] -= c * policy.prob[e];
}

describe('settings reachable from experiment configs are validated like the flags', () => {
  it('compileTask and resolveSettings accept the controls; optimize refuses invalid values', () => {
    const bad: Partial<OptimizerSettings>[] = [{ entropyCoef: -0.1 }, { clipCov: 1.5 }, { klCov: 0 }, { clipCov: 0.1, clipCovLb: 5, clipCovUb: 1 }, { clipCov: 0.1, klCov: 0.1 }];
    for (const o of bad) expect(() => optimize(compileTask({ kind: 'binary', p: 0.2, delta: 1 }), resolveSettings('grpo', o), { steps: 1, seed: 0 })).toThrow(RangeError);
  });
});
