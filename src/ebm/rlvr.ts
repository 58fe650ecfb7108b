import { bernoulliGap } from '../analysis/rlvr.js';
import { mirrorDescentFlow } from '../flows/mirrorDescent.js';
import { replicatorFlow } from '../flows/replicator.js';
import type { FlowStart, FlowTrace } from '../flows/trace.js';
import { logit } from '../numerics/divergences.js';
import { logAddExp } from '../numerics/logsumexp.js';
import type { BanditWorld } from '../tasks/worlds.js';
import { mirrorDescentTilt, replicatorTilt } from '../flows/tilt.js';

/**
 * RLVR as expected-KL minimization (SPEC F23–F25, arXiv 2512.18730 §5). Only the paper's
 * abstract was readable: "Theorem 5.1" and its conditions are reconstructed as F24 (an exact
 * consequence of the Gibbs variational identity F2) and the Bernoulli-KL gap as F25 (exact along
 * the natural-gradient flow from π_ref, derived here from F11–F12).
 *
 * Per prompt x with a 0/1 verifier: π_reas ∝ π_ref·e^{r/β} (F23), p* = σ(logit p_ref + 1/β)
 * (`targetAccuracy` in src/analysis/rlvr.ts), and the objective gap β·KL(π‖π_reas) (F24). The flows are the library's
 * own (src/flows), run prompt by prompt so that each prompt's accuracy is observed.
 */

/** log Z_β(x) = log(1 − p_ref + p_ref·e^{1/β}) (F23), without overflow at small β. */
export function reasoningLogPartition(pRef: number, beta: number): number {
  return logAddExp(Math.log1p(-pRef), Math.log(pRef) + 1 / beta);
}

/** Prompt x of a bandit world as a one-prompt world (views into the same arrays). */
export function promptWorld(world: BanditWorld, x: number): BanditWorld {
  const V = world.actions;
  return {
    type: 'bandit',
    prompts: 1,
    actions: V,
    logRef: world.logRef.subarray(x * V, (x + 1) * V),
    reward: world.reward.subarray(x * V, (x + 1) * V),
    maxReward: 1,
  };
}

/** p_ref(x) = π_ref(r = 1 | x). */
export function referenceAccuracy(world: BanditWorld, x: number): number {
  let p = 0;
  for (let y = x * world.actions; y < (x + 1) * world.actions; y++) if (world.reward[y] === 1) p += Math.exp(world.logRef[y]);
  return p;
}

export type RlvrDynamics =
  | { kind: 'mirror-descent'; eta: number; steps: number }
  | { kind: 'flow'; dt: number; steps: number; method: 'rk4' | 'closed' };

export interface RlvrTrace {
  step: number[];
  /** Time of each entry (continuous flow only). */
  time?: number[];
  /** E_x p_t(x). */
  accuracy: number[];
  /** β·E_x KL(π_t(·|x)‖π_reas(·|x)): the objective gap (F24). */
  gap: number[];
  /** β·E_x kl(p_t(x)‖p*(x)): equal to `gap` along the tilt family (F25), a lower bound otherwise. */
  bernoulliGap: number[];
  /** E_x [E_{π_t}[r] − β·KL(π_t‖π_ref)], the RLVR objective. */
  objective: number[];
  /** β·E_x log Z_β(x), its maximum (F24). */
  optimalObjective: number;
  /**
   * max_x |logit p_t(x) − logit p_ref(x) − s_t|: 0 when π_t = π_ref·e^{s_t·r} (F12, F25); from π_ref
   * only. Its rounding grows like ε/(p(1 − p)), the logit being taken from the accuracy.
   */
  logitShiftError?: number[];
}

/**
 * The RLVR quantities along mirror descent or the continuous flow toward π_reas (τ = β), from π_ref
 * or from the uniform policy (which leaves the tilt family of π_ref whenever π_ref is not uniform
 * on each outcome). Rewards must be 0/1.
 */
export function rlvrTrace(world: BanditWorld, beta: number, dynamics: RlvrDynamics, from: FlowStart = 'ref'): RlvrTrace {
  for (const r of world.reward) if (r !== 0 && r !== 1) throw new Error(`rlvrTrace: rewards must be 0 or 1 (got ${r})`);
  const P = world.prompts;
  const n = dynamics.steps + 1;
  const out: RlvrTrace = {
    step: Array.from({ length: n }, (_, k) => k),
    accuracy: new Array<number>(n).fill(0),
    gap: new Array<number>(n).fill(0),
    bernoulliGap: new Array<number>(n).fill(0),
    objective: new Array<number>(n).fill(0),
    optimalObjective: 0,
    ...(from === 'ref' ? { logitShiftError: new Array<number>(n).fill(0) } : {}),
  };
  const shift = (k: number) =>
    dynamics.kind === 'mirror-descent' ? mirrorDescentTilt(k, dynamics.eta, beta) : replicatorTilt(k * dynamics.dt, beta);
  for (let x = 0; x < P; x++) {
    const w = promptWorld(world, x);
    const trace: FlowTrace =
      dynamics.kind === 'mirror-descent'
        ? mirrorDescentFlow(w, { tau: beta, eta: dynamics.eta, steps: dynamics.steps, from })
        : replicatorFlow(w, { tau: beta, dt: dynamics.dt, steps: dynamics.steps, from, method: dynamics.method });
    if (trace.time) out.time = trace.time;
    const pRef = referenceAccuracy(world, x);
    const bern = bernoulliGap(trace.success, pRef, beta);
    out.optimalObjective += (beta * reasoningLogPartition(pRef, beta)) / P;
    for (let k = 0; k < n; k++) {
      out.accuracy[k] += trace.success[k] / P;
      out.gap[k] += trace.freeEnergyGap[k] / P;
      out.bernoulliGap[k] += bern[k] / P;
      out.objective[k] += (trace.expectedReward[k] - beta * trace.refKl[k]) / P;
      // Prompts that are always or never right have no logit; their tilt is trivially exact.
      if (out.logitShiftError && pRef > 0 && pRef < 1) {
        const err = Math.abs(logit(trace.success[k]) - logit(pRef) - shift(k));
        out.logitShiftError[k] = Math.max(out.logitShiftError[k], err);
      }
    }
  }
  return out;
}
