import { kl } from '../numerics/divergences.js';
import { logSoftmax } from '../numerics/softmax.js';
import { policyRow } from '../equilibrium/bandit.js';
import { gibbsLogPolicy } from '../equilibrium/equilibrium.js';
import { gibbsSequenceMeasure, sequenceMeasure, sequenceStats, uniformArcLogWeights, type SequenceMeasure } from '../equilibrium/sequence.js';
import type { BanditWorld, SequenceWorld } from '../tasks/worlds.js';

/** Per-step observables of a flow (or optimizer) trajectory, all exact. */
export interface FlowTrace {
  step: number[];
  /** Time of each entry (continuous flows only). */
  time?: number[];
  klToGibbs: number[];
  /** F_τ(π_k) − F_τ(π*_τ) = τ·KL(π_k‖π*_τ) (F2). */
  freeEnergyGap: number[];
  success: number[];
  expectedReward: number[];
  entropy: number[];
  refKl: number[];
  /** Final policy as probabilities (bandit/binary tasks, a single prompt). */
  finalPolicy?: number[];
}

export function emptyTrace(): FlowTrace {
  return { step: [], klToGibbs: [], freeEnergyGap: [], success: [], expectedReward: [], entropy: [], refKl: [] };
}

/** Where a flow starts: the reference policy or the uniform one. */
export type FlowStart = 'ref' | 'uniform';

/** Records exact observables of bandit-world policies (mean over prompts) against π*_τ. */
export class BanditRecorder {
  readonly trace = emptyTrace();
  readonly logStar: Float64Array;

  constructor(
    private readonly world: BanditWorld,
    private readonly tau: number,
  ) {
    this.logStar = gibbsLogPolicy(world, tau);
  }

  record(step: number, logPi: Float64Array, time?: number): void {
    const { world, tau } = this;
    const V = world.actions;
    let k = 0;
    let er = 0;
    let succ = 0;
    let h = 0;
    let rk = 0;
    for (let x = 0; x < world.prompts; x++) {
      const a = x * V;
      const b = a + V;
      k += kl(logPi, this.logStar, a, b);
      const o = policyRow(logPi, world.logRef, world.reward, world.maxReward, a, b);
      er += o.expectedReward;
      succ += o.success;
      h += o.entropy;
      rk += o.refKl;
    }
    const P = world.prompts;
    const t = this.trace;
    t.step.push(step);
    if (time !== undefined) (t.time ??= []).push(time);
    t.klToGibbs.push(k / P);
    t.freeEnergyGap.push((tau * k) / P);
    t.success.push(succ / P);
    t.expectedReward.push(er / P);
    t.entropy.push(h / P);
    t.refKl.push(rk / P);
  }

  finish(logPi: Float64Array): FlowTrace {
    if (this.world.prompts === 1) this.trace.finalPolicy = Array.from(logPi, Math.exp);
    return this.trace;
  }
}

/** Initial log-policy of every prompt of a bandit world. */
export function banditStart(world: BanditWorld, from: FlowStart): Float64Array {
  if (from === 'ref') return Float64Array.from(world.logRef);
  const out = new Float64Array(world.logRef.length).fill(-Math.log(world.actions));
  return out;
}

/** Normalizes every prompt's row of a P×V log-weight array in place. */
export function normalizeRows(logw: Float64Array, prompts: number, actions: number): void {
  for (let x = 0; x < prompts; x++) logSoftmax(logw, logw, x * actions, (x + 1) * actions);
}

/** Records exact sequence-level observables of chain/automaton measures against π*_τ. */
export class SequenceRecorder {
  readonly trace = emptyTrace();
  readonly star: SequenceMeasure;

  constructor(
    private readonly world: SequenceWorld,
    private readonly tau: number,
  ) {
    this.star = gibbsSequenceMeasure(world, tau);
  }

  record(step: number, logw: Float64Array, bonus: Float64Array, time?: number): void {
    const m = sequenceMeasure(this.world, logw, bonus);
    const st = sequenceStats(this.world, m, [this.star]);
    const t = this.trace;
    t.step.push(step);
    if (time !== undefined) (t.time ??= []).push(time);
    t.klToGibbs.push(st.kl[0]);
    t.freeEnergyGap.push(this.tau * st.kl[0]);
    t.success.push(st.success);
    t.expectedReward.push(st.expectedReward);
    t.entropy.push(st.entropy);
    t.refKl.push(st.refKl);
  }
}

/**
 * Flows on a sequence world keep their per-arc log-weights as deviations from the reference,
 * log w = log π_ref + ρ·dw_0, because both flows only contract the deviation (F6: ρ_k = c^k; F7:
 * ρ_t = e^{−τt}). From π_ref the deviation is exactly 0, so the iterates are exactly tilts of the
 * reference: written as c·log w + ητ·log π_ref they picked up ~1e-16·|log π_ref| per step, which
 * at τ = 1e6 (KL(π_k‖π*) ~ 1e-17) cost 1e-8 relative.
 */
export function sequenceStartDeviation(world: SequenceWorld, from: FlowStart): { logw0: Float64Array; dw0: Float64Array } {
  const logw0 = from === 'uniform' ? uniformArcLogWeights(world) : Float64Array.from(world.arcLogRef);
  const dw0 = new Float64Array(logw0.length);
  for (let a = 0; a < dw0.length; a++) if (world.arcLogRef[a] !== -Infinity) dw0[a] = logw0[a] - world.arcLogRef[a];
  return { logw0, dw0 };
}

/**
 * log w = log π_ref + ρ·dw_0 once the flow has moved. Arcs outside the reference support get −∞
 * (their advantage is −∞, as on a bandit); the affine form gave 0·(−∞) = NaN there at ητ = 1,
 * with the bare reward, and for the replicator when e^{−τt} rounds to 0 or 1.
 */
export function arcWeightsAt(world: SequenceWorld, dw0: Float64Array, rho: number, out: Float64Array): Float64Array {
  for (let a = 0; a < out.length; a++) {
    const lr = world.arcLogRef[a];
    out[a] = lr === -Infinity ? -Infinity : lr + rho * dw0[a];
  }
  return out;
}
