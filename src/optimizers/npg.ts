import { proximalStep } from '../diagnostics/mirror.js';
import type { PolicyLayout } from '../policies/layout.js';
import type { TabularPolicy } from '../policies/tabular.js';
import { addEntropyGain, selectionFraction } from './controls.js';
import { klGradient, klValue } from './kl.js';
import type { UpdateStats } from './losses.js';
import { naturalGradient } from './natural.js';
import { COMMON_KNOBS, LossPipeline, Rollout, defaultTerms, type OptimizerInstance, type OptimizerSpec } from './pipeline.js';
import { BASE_SETTINGS, type OptimizerSettings } from './settings.js';

/**
 * The per-token gain whose exponentiated step the KL placement induces:
 * reward placement g = r − β·k(δ) (the shaped reward), loss placement g = r − β·∂k/∂log π(δ)
 * (the per-token "advantage" with the same expected gradient). k1 in the reward is F4's r − β·log(π/π_ref).
 */
export function placementGain(policy: TabularPolicy, s: OptimizerSettings, out: Float64Array): Float64Array {
  const { reward, logRef } = policy.layout;
  for (let e = 0; e < out.length; e++) {
    if (policy.logp[e] === -Infinity || s.beta === 0) {
      out[e] = policy.logp[e] === -Infinity ? 0 : reward[e];
      continue;
    }
    const delta = policy.logp[e] - logRef[e];
    out[e] = reward[e] - s.beta * (s.klIn === 'reward' ? klValue(s.klEstimator, delta) : klGradient(s.klEstimator, delta));
  }
  return out;
}

/**
 * Natural policy gradient (Kakade 2001; F8): z ← z + η·F⁻¹ĝ with the exact tabular Fisher of the
 * current policy and ĝ the sampled policy gradient (leave-one-out baseline), so each entry moves by
 * η times its importance-weighted advantage estimate.
 *
 * `--exact` takes the step with exact expectations, which for tabular softmax is the exponentiated
 * gain step π' ∝ π·e^{η·g} (F5, F8); on sequence worlds it is taken at completion level
 * (π'(y) ∝ π(y)·e^{η·Σ_t g_t}, src/diagnostics/mirror.ts), the step whose first order is the
 * per-step natural gradient. With k1 in the reward it is mirror descent on F_β: the ideal flow.
 */
function createNpg(layout: PolicyLayout, s: OptimizerSettings): OptimizerInstance {
  const rollout = new Rollout(layout, s);
  const pipeline = new LossPipeline(layout, s, defaultTerms(s));
  const grad = new Float64Array(layout.entries);
  const direction = new Float64Array(layout.entries);
  const W = new Float64Array(layout.rows);
  return {
    step(policy, rng, stats) {
      rollout.collect(policy, rng, stats);
      if (s.exact) {
        proximalStep(policy, addEntropyGain(policy, rollout.batch.controls.entropyCoef, placementGain(policy, s, grad)), s.lr, policy.logits, W);
      } else {
        const upd: UpdateStats = { clipped: 0, dualClipped: 0, mass: 0 };
        pipeline.gradient(policy, rollout.batch, 0, rollout.batch.completions, grad, upd);
        naturalGradient(policy, rollout.occupancy, grad, direction);
        for (let e = 0; e < direction.length; e++) policy.logits[e] -= s.lr * direction[e];
        stats.covSelected = selectionFraction(upd);
      }
      policy.normalize();
    },
  };
}

export const npg: OptimizerSpec = {
  name: 'npg',
  summary: 'natural policy gradient (exact Fisher, sampled gradient); --exact is mirror descent',
  peer: 'Kakade 2001; Agarwal et al. 2021 (tabular softmax NPG = multiplicative weights)',
  defaults: {
    ...BASE_SETTINGS,
    optimizer: 'npg',
    lr: 0.1,
    advantage: 'rloo',
    lossMode: 'gpg',
    // The natural gradient inverts the Fisher of J itself: the sum over a completion's tokens, mean over completions.
    lossAggMode: 'seq-mean-token-sum',
    klEstimator: 'k1',
    klIn: 'reward',
  },
  knobs: COMMON_KNOBS,
  create: createNpg,
};
