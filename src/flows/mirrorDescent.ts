import { centredGibbsBonus } from '../equilibrium/sequence.js';
import type { BanditWorld, SequenceWorld, World } from '../tasks/worlds.js';
import {
  BanditRecorder,
  SequenceRecorder,
  arcWeightsAt,
  banditStart,
  normalizeRows,
  sequenceStartDeviation,
  type FlowStart,
  type FlowTrace,
} from './trace.js';

/**
 * Entropic mirror descent on the free energy F_τ (F4–F6).
 *
 * One step is the exponentiated-advantage update (F5) with the KL-shaped advantage of F4,
 *   Â_k(y) = r(y) − τ·log(π_k(y)/π_ref(y)),   π_{k+1} ∝ π_k·e^{η·Â_k},
 * whose closed form (F6) is the geometric mixture π_k ∝ π_0^{c^k}·(π*_τ)^{1−c^k}, c = 1 − ητ.
 * Both are implemented: `method: 'iterate'` runs the step, `'closed'` evaluates the mixture;
 * the tests hold one against the other.
 */
export interface MirrorDescentOptions {
  tau: number;
  eta: number;
  steps: number;
  from?: FlowStart;
  method?: 'iterate' | 'closed';
  /** Drop τ from the advantage (Â = r): the "bare reward" variant of F4 that heads to argmax r. */
  bareReward?: boolean;
}

/** One mirror-descent step on a bandit row (log π in, log π out; may alias). */
export function mirrorDescentStepRow(
  logPi: Float64Array,
  logRef: Float64Array,
  reward: Float64Array,
  tau: number,
  eta: number,
  out: Float64Array,
  from = 0,
  to = logPi.length,
  bareReward = false,
): void {
  const tauA = bareReward ? 0 : tau;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const lp = logPi[i];
    const lr = logRef[i];
    // Completions outside the reference support have Â = −∞ and stay at probability 0.
    const v = lp === -Infinity || lr === -Infinity ? -Infinity : lp + eta * (reward[i] - tauA * (lp - lr));
    out[i] = v;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(out[i] - max);
  const lz = max + Math.log(sum);
  for (let i = from; i < to; i++) out[i] -= lz;
}

/** log π_k of the closed form: c^k·log π_0 + (1 − c^k)·log π*, normalized per row. */
export function mirrorDescentClosedForm(
  logPi0: Float64Array,
  logStar: Float64Array,
  weight0: number,
  out: Float64Array,
  prompts: number,
  actions: number,
): Float64Array {
  const w1 = 1 - weight0;
  for (let i = 0; i < out.length; i++) {
    const a = logPi0[i];
    const b = logStar[i];
    // 0·(−∞) is 0 here: a term with zero weight does not enter the mixture. A zero endpoint with
    // nonzero weight keeps the entry at 0, also for c^k < 0 (ητ > 1), where c^k·(−∞) would be +∞
    // (the iteration gives such entries Â = −∞).
    out[i] =
      (weight0 !== 0 && a === -Infinity) || (w1 !== 0 && b === -Infinity)
        ? -Infinity
        : (weight0 === 0 ? 0 : weight0 * a) + (w1 === 0 ? 0 : w1 * b);
  }
  normalizeRows(out, prompts, actions);
  return out;
}

function banditMirrorDescent(world: BanditWorld, o: MirrorDescentOptions): FlowTrace {
  const rec = new BanditRecorder(world, o.tau);
  const V = world.actions;
  const logPi0 = banditStart(world, o.from ?? 'ref');
  let logPi = Float64Array.from(logPi0);
  rec.record(0, logPi);
  const c = 1 - o.eta * o.tau;
  for (let k = 1; k <= o.steps; k++) {
    if (o.method === 'closed' && !o.bareReward) {
      mirrorDescentClosedForm(logPi0, rec.logStar, c ** k, logPi, world.prompts, V);
    } else {
      for (let x = 0; x < world.prompts; x++) {
        mirrorDescentStepRow(logPi, world.logRef, world.reward, o.tau, o.eta, logPi, x * V, (x + 1) * V, o.bareReward);
      }
    }
    rec.record(k, logPi);
  }
  return rec.finish(logPi);
}

/**
 * On a sequence world the iterates stay in the family π ∝ Π w(arc)·e^{b(s_L)} (F6 is linear in
 * log π, and log π is linear in (log w, b)), so the flow is exact at sequence level:
 *   log w_{k+1} − log π_ref = c·(log w_k − log π_ref),   b_{k+1} = c·b_k + η·r
 * (c = 1 for the bare reward). `iterate` applies the recursion, `closed` its solution c^k.
 */
function sequenceMirrorDescent(world: SequenceWorld, o: MirrorDescentOptions): FlowTrace {
  const rec = new SequenceRecorder(world, o.tau);
  const { logw0, dw0 } = sequenceStartDeviation(world, o.from ?? 'ref');
  const logw = new Float64Array(logw0.length);
  const bonus = new Float64Array(world.states);
  const target = centredGibbsBonus(world, o.tau);
  rec.record(0, logw0, bonus);
  const tauA = o.bareReward ? 0 : o.tau;
  const c = 1 - o.eta * tauA;
  let rho = 1;
  for (let k = 1; k <= o.steps; k++) {
    if (o.method === 'closed' && !o.bareReward) {
      const ck = c ** k;
      rho = ck;
      for (let s = 0; s < bonus.length; s++) bonus[s] = (1 - ck) * target[s];
    } else {
      rho *= c;
      for (let s = 0; s < bonus.length; s++) bonus[s] = c * bonus[s] + o.eta * (world.terminalReward[s] - world.maxReward);
    }
    rec.record(k, arcWeightsAt(world, dw0, rho, logw), bonus);
  }
  return rec.trace;
}

export function mirrorDescentFlow(world: World, options: MirrorDescentOptions): FlowTrace {
  return world.type === 'bandit' ? banditMirrorDescent(world, options) : sequenceMirrorDescent(world, options);
}
