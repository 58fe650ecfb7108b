import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/numerics/rng.js';
import { aggregationWeights, exactAggregationWeights } from '../../src/optimizers/aggregation.js';
import { TokenBatch } from '../../src/optimizers/batch.js';
import { ppoBranch, ppoLoss, ppoLossGradient, ppoRatioClipped, type ClipRange } from '../../src/optimizers/losses.js';
import { conjugateGradient, fisherVector, naturalGradient } from '../../src/optimizers/natural.js';
import { resolveSettings } from '../../src/optimizers/optimize.js';
import { LossPipeline, Rollout, defaultTerms, emptyStepStats } from '../../src/optimizers/pipeline.js';
import { LOSS_AGG_MODES, type OptimizerSettings } from '../../src/optimizers/settings.js';
import { adam, sgd } from '../../src/optimizers/transforms.js';
import { TabularPolicy, occupancy, policyLayout } from '../../src/policies/index.js';
import type { SequenceWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { randomAutomaton } from '../support/automata.js';
import { fsum } from '../support/oracle.js';
import { gaussian, mulberry32 } from '../support/random.js';
import { enumeratePaths, pathLogProbs } from '../policies/enumerate.js';

const CLIP: ClipRange = { low: 0.2, high: 0.28, dual: 3 };

describe('verl vanilla PPO loss with dual clip (ANCHORS §2.1)', () => {
  it('hand-derived branches, values and gradients', () => {
    const lr = Math.log;
    // inside the trust region: −A·r, gradient −A·r
    expectClose(ppoLoss(lr(1.1), 2, CLIP), -2.2, 1e-14);
    expectClose(ppoLossGradient(lr(1.1), 2, CLIP), -2.2, 1e-14);
    expect(ppoBranch(lr(1.1), 2, CLIP)).toBe('ratio');
    // A > 0 above 1 + ε_high: clipped constant −A·1.28, no gradient
    expectClose(ppoLoss(lr(1.5), 2, CLIP), -2.56, 1e-14);
    expect(ppoLossGradient(lr(1.5), 2, CLIP)).toBe(0);
    expect(ppoBranch(lr(1.5), 2, CLIP)).toBe('clip');
    // A > 0 below 1 − ε_low: the ratio term is larger (no clipping: max picks −A·r)
    expectClose(ppoLoss(lr(0.5), 2, CLIP), -1, 1e-14);
    expect(ppoRatioClipped(lr(0.5), 2, CLIP)).toBe(false);
    // A < 0 below 1 − ε_low: clipped at −A·0.8
    expectClose(ppoLoss(lr(0.5), -1, CLIP), 0.8, 1e-14);
    expect(ppoLossGradient(lr(0.5), -1, CLIP)).toBe(0);
    // A < 0, ratio 5 > c = 3: dual clip caps the loss at −A·c
    expectClose(ppoLoss(lr(5), -1, CLIP), 3, 1e-14);
    expect(ppoBranch(lr(5), -1, CLIP)).toBe('dual');
    expect(ppoRatioClipped(lr(5), -1, CLIP)).toBe(false);
    expect(ppoLossGradient(lr(5), -1, CLIP)).toBe(0);
    // without dual clip the same token is unbounded: −A·r
    expectClose(ppoLoss(lr(5), -1, { ...CLIP, dual: null }), 5, 1e-14);
  });

  it('the gradient is the derivative of the loss in log π away from the kinks', () => {
    const u = mulberry32(3);
    for (let t = 0; t < 200; t++) {
      const x = 1.5 * gaussian(u);
      const A = 2 * gaussian(u);
      const h = 1e-6;
      const fd = (ppoLoss(x + h, A, CLIP) - ppoLoss(x - h, A, CLIP)) / (2 * h);
      if (ppoBranch(x + h, A, CLIP) !== ppoBranch(x - h, A, CLIP) || ppoRatioClipped(x + h, A, CLIP) !== ppoRatioClipped(x - h, A, CLIP)) continue;
      expectClose(ppoLossGradient(x, A, CLIP), fd, 1e-6, 1e-8);
    }
  });
});

describe('loss aggregation (verl agg_loss, ANCHORS §2.4)', () => {
  it('the five modes as per-token weights, on completions of lengths 1, 2, 3', () => {
    const b = new TokenBatch();
    b.reserve(3, 6);
    b.completions = 3;
    b.tokens = 6;
    b.tokenStart.set([0, 1, 3, 6]);
    b.mass.fill(1, 0, 6);
    const want: Record<string, number[]> = {
      'token-mean': [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6],
      'token-sum': [1, 1, 1, 1, 1, 1],
      'seq-mean-token-sum': [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3],
      'seq-mean-token-mean': [1 / 3, 1 / 6, 1 / 6, 1 / 9, 1 / 9, 1 / 9],
      'seq-mean-token-sum-norm': [1 / 12, 1 / 12, 1 / 12, 1 / 12, 1 / 12, 1 / 12], // L = 4
    };
    for (const mode of LOSS_AGG_MODES) {
      aggregationWeights(mode, b, 0, 3, 4);
      want[mode].forEach((w, t) => expectClose(b.weight[t], w, 1e-15, 0, `${mode} token ${t}`));
    }
  });

  it('exact aggregation is the expectation of the sampled one for equal lengths L', () => {
    // Masses of an exact batch sum to L per completion; token-mean and seq-mean-token-mean are 1/L of the per-completion sum.
    const b = new TokenBatch();
    b.reserve(0, 2);
    b.tokens = 2;
    b.mass.set([1.5, 0.5]);
    exactAggregationWeights('token-mean', b, 2, 8, 2);
    expect(Array.from(b.weight.subarray(0, 2))).toEqual([0.75, 0.25]);
    exactAggregationWeights('token-sum', b, 2, 8, 2);
    expect(Array.from(b.weight.subarray(0, 2))).toEqual([12, 4]);
  });
});

/** A random chain-like automaton with multi-token arcs and a random per-step policy. */
function smallSequence(seed: number): { world: SequenceWorld; policy: TabularPolicy } {
  const u = mulberry32(seed);
  const { world } = randomAutomaton(u, 2, 3, { mult: true });
  const layout = policyLayout(world);
  const z = Float64Array.from(layout.logRef, (l) => (l === -Infinity ? -Infinity : l + gaussian(u)));
  return { world, policy: new TabularPolicy(layout, z) };
}

describe('the loss pipeline: chain rule to the logits', () => {
  it('sampled batch: the logit gradient equals central differences of the aggregated loss (PPO clip + k3 in the loss, multi-token arcs)', () => {
    for (const mode of LOSS_AGG_MODES) {
      const { policy } = smallSequence(7);
      const s: OptimizerSettings = resolveSettings('dr-grpo', { beta: 0.3, klEstimator: 'k3', klIn: 'loss', lossAggMode: mode, groupSize: 4, clipRatioC: 3 });
      const rollout = new Rollout(policy.layout, s);
      rollout.collect(policy, Rng.fromSeed(5), emptyStepStats());
      const b = rollout.batch;
      // Move the policy off π_old so ratios and clipping are exercised.
      const u = mulberry32(8);
      for (let e = 0; e < policy.logits.length; e++) policy.logits[e] += 0.2 * gaussian(u);
      policy.normalize();
      const pipe = new LossPipeline(policy.layout, s, defaultTerms(s));
      const grad = new Float64Array(policy.layout.entries);
      const stats = { clipped: 0, dualClipped: 0, mass: 0 };
      pipe.gradient(policy, b, 0, b.completions, grad, stats);
      const h = 1e-6;
      for (let e = 0; e < grad.length; e++) {
        const at = (d: number) => {
          const q = policy.clone();
          q.logits[e] += d;
          q.normalize();
          return pipe.evaluate(q, b, 0, b.completions, { clipped: 0, dualClipped: 0, mass: 0 });
        };
        expectClose(grad[e], (at(h) - at(-h)) / (2 * h), 1e-5, 1e-8, `${mode} entry ${e}`);
      }
    }
  });

  it('rows whose token contributions cancel to exactly 0 on the way still get the chain rule’s −c·π (regression: they were dropped)', () => {
    // Two prompts of three actions; prompt 0's tokens carry advantages +1, −1, +1 (partial sums 1, 0, 1),
    // prompt 1's one token +1. Plain PG, token-sum: the gradient is Σ_t −A_t·(e_{y_t} − π(·|x_t)).
    const logRef = Float64Array.from([0.2, 0.3, 0.5, 0.6, 0.3, 0.1], Math.log);
    const layout = policyLayout({ type: 'bandit', prompts: 2, actions: 3, logRef, reward: new Float64Array(6), maxReward: 0 });
    const policy = TabularPolicy.start(layout);
    const s = resolveSettings('reinforce', { lossMode: 'gpg', lossAggMode: 'token-sum', beta: 0, groupSize: 1 });
    const b = new TokenBatch();
    const tokens: [number, number][] = [[0, 1], [0, 2], [0, 0], [1, 4]]; // (row, entry)
    const adv = [1, -1, 1, 1];
    b.reserve(4, 4);
    b.completions = 4;
    b.tokens = 4;
    tokens.forEach(([row, entry], t) => {
      b.tokenStart[t] = t;
      b.prompt[t] = row;
      b.row[t] = row;
      b.entry[t] = entry;
      b.mass[t] = 1;
      b.logpOld[t] = policy.logp[entry];
      b.logpRef[t] = logRef[entry];
      b.adv[t] = adv[t];
    });
    b.tokenStart[4] = 4;
    const pipe = new LossPipeline(layout, s, defaultTerms(s));
    const grad = new Float64Array(6);
    for (let call = 0; call < 3; call++) {
      pipe.gradient(policy, b, 0, 4, grad, { clipped: 0, dualClipped: 0, mass: 0 });
      const want = new Float64Array(6);
      tokens.forEach(([row, entry], t) => {
        want[entry] -= adv[t];
        for (let e = 3 * row; e < 3 * row + 3; e++) want[e] += adv[t] * policy.prob[e];
      });
      want.forEach((g, e) => expectClose(grad[e], g, 1e-15, 1e-15, `call ${call} entry ${e}`));
    }
  });

  it('gradientParts assembled as grad − c_r·π is gradient (bit for bit without row-wide terms, to 1e-15 with an entropy bonus)', () => {
    for (const entropyCoef of [0, 0.1]) {
      const { policy } = smallSequence(11);
      const s: OptimizerSettings = resolveSettings('grpo', { beta: 0.2, klEstimator: 'k3+', klIn: 'loss', groupSize: 4, entropyCoef });
      const rollout = new Rollout(policy.layout, s);
      rollout.collect(policy, Rng.fromSeed(9), emptyStepStats());
      const b = rollout.batch;
      const pipe = new LossPipeline(policy.layout, s, defaultTerms(s));
      const { rows, rowOffset, entries } = policy.layout;
      const whole = new Float64Array(entries);
      const parts = new Float64Array(entries);
      const coef = new Float64Array(rows);
      const upd = () => ({ clipped: 0, dualClipped: 0, mass: 0 });
      const l1 = pipe.gradient(policy, b, 0, b.completions, whole, upd());
      const l2 = pipe.gradientParts(policy, b, 0, b.completions, parts, coef, upd());
      expect(l2).toBe(l1);
      expect(coef.some((c) => c !== 0)).toBe(true);
      for (let r = 0; r < rows; r++) for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) parts[e] -= coef[r] * policy.prob[e];
      if (entropyCoef === 0) expect(Array.from(parts)).toEqual(Array.from(whole));
      else whole.forEach((g, e) => expectClose(parts[e], g, 1e-15, 1e-15, `entry ${e}`));
    }
  });

  it('exact batch: −gradient of the plain PG loss is ∇ E[r] computed by enumerating sequences', () => {
    const { world, policy } = smallSequence(21);
    const s = resolveSettings('npg', { exact: true });
    const rollout = new Rollout(policy.layout, s);
    rollout.collect(policy, Rng.fromSeed(0), emptyStepStats());
    const pipe = new LossPipeline(policy.layout, s, defaultTerms(s));
    const grad = new Float64Array(policy.layout.entries);
    pipe.gradient(policy, rollout.batch, 0, 0, grad, { clipped: 0, dualClipped: 0, mass: 0 });
    const paths = enumeratePaths(world);
    const J = (q: TabularPolicy) => {
      const lp = pathLogProbs(world, paths, q.logp);
      return fsum(paths.map((p, i) => Math.exp(lp[i]) * world.terminalReward[p.final]));
    };
    const h = 1e-6;
    for (let e = 0; e < grad.length; e++) {
      const at = (d: number) => {
        const q = policy.clone();
        q.logits[e] += d;
        q.normalize();
        return J(q);
      };
      expectClose(-grad[e], (at(h) - at(-h)) / (2 * h), 1e-6, 1e-9, `entry ${e}`);
    }
  });
});

describe('natural gradient and conjugate gradient on the tabular Fisher (F8)', () => {
  it('F·(F⁺g) = g for a gradient with zero row sums, and CG converges to it', () => {
    const { policy } = smallSequence(33);
    const w = occupancy(policy);
    const { rows, rowOffset } = policy.layout;
    const u = mulberry32(4);
    const g = new Float64Array(policy.layout.entries);
    for (let r = 0; r < rows; r++) {
      if (w[r] === 0) continue;
      let m = 0;
      for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) m += (g[e] = gaussian(u)) / (rowOffset[r + 1] - rowOffset[r]);
      for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) g[e] -= m;
    }
    const x = naturalGradient(policy, w, g, new Float64Array(g.length));
    const Fx = fisherVector(policy, w, x, new Float64Array(g.length));
    g.forEach((v, e) => expectClose(Fx[e], v, 1e-10, 1e-12, `entry ${e}`));
    const n = g.length;
    const xcg = conjugateGradient((v, out) => fisherVector(policy, w, v, out), g, new Float64Array(n), 4 * n, [new Float64Array(n), new Float64Array(n), new Float64Array(n)]);
    const Fxcg = fisherVector(policy, w, xcg, new Float64Array(n));
    g.forEach((v, e) => expectClose(Fxcg[e], v, 1e-7, 1e-9, `cg entry ${e}`));
  });
});

describe('logit transforms', () => {
  /** One prompt of three actions (the third outside the support) and a policy at logits z. */
  const threeActions = (z: Float64Array) => {
    const logRef = Float64Array.of(Math.log(0.5), Math.log(0.5), -Infinity);
    const layout = policyLayout({ type: 'bandit', prompts: 1, actions: 3, logRef, reward: new Float64Array(3), maxReward: 0 });
    return { layout, policy: new TabularPolicy(layout, z) };
  };

  it('SGD is −lr·g; Adam’s first step is −lr·g/(|g| + ε) and the second follows the bias-corrected moments; both renormalize', () => {
    const g = Float64Array.of(0.5, -2, 0);
    const s = threeActions(Float64Array.of(1, 1, -Infinity));
    const descent = sgd(s.layout, 0.1);
    descent.grad.set(g);
    descent.update(s.policy);
    expect(Array.from(s.policy.logits)).toEqual([0.95, 1.2, -Infinity]);
    expectClose(s.policy.prob[0], 1 / (1 + Math.exp(0.25)), 1e-15);
    // The chain rule's dense part: g − c·π with c = 2 at π = (1/(1+e^0.25), e^0.25/(1+e^0.25), 0).
    const [p0, p1] = [s.policy.prob[0], s.policy.prob[1]];
    descent.grad.fill(0);
    descent.rowCoef[0] = 2;
    descent.update(s.policy);
    expectClose(s.policy.logits[0], 0.95 + 0.2 * p0, 1e-15);
    expectClose(s.policy.logits[1], 1.2 + 0.2 * p1, 1e-15);
    const { layout, policy } = threeActions(Float64Array.of(0, 0, -Infinity));
    const a = adam(layout, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const w = policy.logits;
    a.grad.set(g);
    a.update(policy);
    expectClose(w[0], -0.1 * (0.5 / (0.5 + 1e-8)), 1e-14);
    expectClose(w[1], 0.1 * (2 / (2 + 1e-8)), 1e-14);
    expect(w[2]).toBe(-Infinity);
    expect(policy.prob[2]).toBe(0);
    expectClose(policy.logp[1] - policy.logp[0], w[1] - w[0], 1e-15);
    expectClose(policy.prob[0] + policy.prob[1], 1, 1e-15);
    const before = w[0];
    a.grad.set(Float64Array.of(1, 0, 0));
    a.update(policy);
    const m = (0.9 * 0.05 + 0.1 * 1) / (1 - 0.81);
    const v = (0.999 * 0.001 * 0.25 + 0.001 * 1) / (1 - 0.999 ** 2);
    expectClose(w[0] - before, (-0.1 * m) / (Math.sqrt(v) + 1e-8), 1e-12);
  });

  it('Adam starts from the policy as it is now: a change made between updates (logits, then normalize) is not overwritten', () => {
    const { layout, policy } = threeActions(Float64Array.of(0, 0, -Infinity));
    const a = adam(layout, { lr: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    a.update(policy);
    policy.logits.set([2, -1, -Infinity]);
    policy.normalize();
    a.update(policy);
    expect(Array.from(policy.logits)).toEqual([2, -1, -Infinity]);
    expectClose(policy.prob[0], 1 / (1 + Math.exp(-3)), 1e-15);
    const other = threeActions(Float64Array.of(1, 0, -Infinity)).policy;
    a.update(other);
    expect(Array.from(other.logits)).toEqual([1, 0, -Infinity]);
  });
});
