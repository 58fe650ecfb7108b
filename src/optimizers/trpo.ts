import { policyKl } from '../policies/evaluate.js';
import type { PolicyLayout } from '../policies/layout.js';
import type { TabularPolicy } from '../policies/tabular.js';
import { entropyBonusValue, RowEntropies, selectionFraction } from './controls.js';
import type { UpdateStats } from './losses.js';
import { klValue } from './kl.js';
import { conjugateGradient, fisherVector } from './natural.js';
import { COMMON_KNOBS, LossPipeline, Rollout, defaultTerms, type OptimizerInstance, type OptimizerSpec } from './pipeline.js';
import type { TokenBatch } from './batch.js';
import { BASE_SETTINGS, type OptimizerSettings } from './settings.js';

/**
 * The importance-sampled surrogate J(π) = Σ_t w_t·[π(y_t)/π_old(y_t)·A_t − β·k(log π − log π_ref)]
 * (the KL term only when it sits in the loss), on the weights of the last gradient call.
 */
function surrogate(policy: TabularPolicy, b: TokenBatch, s: OptimizerSettings): number {
  let j = 0;
  const klInLoss = s.klIn === 'loss' && s.beta > 0;
  for (let t = 0; t < b.tokens; t++) {
    const lp = policy.logp[b.entry[t]];
    let v = Math.exp(lp - b.logpOld[t]) * b.adv[t];
    if (klInLoss) v -= s.beta * klValue(s.klEstimator, lp - b.logpRef[t]);
    j += b.weight[t] * v;
  }
  return j;
}

/**
 * TRPO (Schulman et al. 2015): maximize the surrogate subject to KL(π_old‖π) ≤ δ. The direction
 * x solves F·x = ∇J by conjugate gradient on Fisher-vector products; the full step scales it to
 * the quadratic model's boundary, √(2δ/xᵀFx); a backtracking line search (factor `backtrackCoef`)
 * accepts the first step whose exact KL is within δ and whose surrogate improves, else no step.
 */
function createTrpo(layout: PolicyLayout, s: OptimizerSettings): OptimizerInstance {
  const n = layout.entries;
  const rollout = new Rollout(layout, s);
  const pipeline = new LossPipeline(layout, s, defaultTerms(s));
  const grad = new Float64Array(n);
  const x = new Float64Array(n);
  const Fx = new Float64Array(n);
  const scratch: [Float64Array, Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  let old: TabularPolicy | null = null;
  const entropies = new RowEntropies();
  // The line search compares objectives: the surrogate plus the entropy bonus when it is on.
  const objective = (p: TabularPolicy, b: TokenBatch) => surrogate(p, b, s) + entropyBonusValue(p, b, entropies);
  return {
    step(policy, rng, stats) {
      rollout.collect(policy, rng, stats);
      const b = rollout.batch;
      const w = rollout.occupancy;
      const upd: UpdateStats = { clipped: 0, dualClipped: 0, mass: 0 };
      pipeline.gradient(policy, b, 0, b.completions, grad, upd);
      stats.covSelected = selectionFraction(upd);
      for (let e = 0; e < n; e++) grad[e] = -grad[e]; // ascent direction of J = −loss
      const apply = (v: Float64Array, out: Float64Array) => fisherVector(policy, w, v, out, s.cgDamping);
      conjugateGradient(apply, grad, x, s.cgIters, scratch);
      apply(x, Fx);
      let xFx = 0;
      for (let e = 0; e < n; e++) xFx += x[e] * Fx[e];
      if (!(xFx > 0)) return;
      const full = Math.sqrt((2 * s.maxKl) / xFx);
      old ??= policy.clone();
      old.copyFrom(policy);
      const j0 = objective(old, b);
      for (let i = 0; i < s.backtrackIters; i++) {
        const alpha = full * s.backtrackCoef ** i;
        for (let e = 0; e < n; e++) policy.logits[e] = old.logits[e] + alpha * x[e];
        policy.normalize();
        if (policyKl(old, policy.logp, w) <= s.maxKl && objective(policy, b) > j0) return;
      }
      policy.copyFrom(old);
    },
  };
}

export const trpo: OptimizerSpec = {
  name: 'trpo',
  summary: 'conjugate gradient on the Fisher, backtracking line search on KL(π_old‖π) ≤ δ',
  peer: 'Schulman et al. 2015; OpenAI Spinning Up TRPO (delta 0.01, cg_iters 10, damping 0.1, backtrack 0.8 × 10)',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'trpo',
    advantage: 'rloo',
    lossMode: 'gpg',
    lossAggMode: 'seq-mean-token-sum',
    klEstimator: 'k1',
    klIn: 'reward',
  },
  knobs: [...COMMON_KNOBS, 'maxKl', 'cgIters', 'cgDamping', 'backtrackCoef', 'backtrackIters'],
  create: createTrpo,
};
