import { equilibriumTable } from '../equilibrium/equilibrium.js';
import { gibbsLogPolicyRow } from '../equilibrium/bandit.js';
import { gibbsSequenceMeasure } from '../equilibrium/sequence.js';
import { mirrorDescentStepRow } from '../flows/mirrorDescent.js';
import { mirrorDescentKlTrace } from '../flows/mirrorDescentKl.js';
import { kl } from '../numerics/divergences.js';
import { CompensatedSum as Sum } from '../numerics/compensated.js';
import { Rng } from '../numerics/rng.js';
import type { BanditWorld, SequenceWorld } from '../tasks/worlds.js';
import {
  automatonDpWorld,
  grpoBanditWorld,
  grpoBlockWorld,
  logSpaced,
  rowWorld,
  runGrpoBlock,
  type BenchSizes,
  type GrpoSize,
  type WorkloadName,
} from './workloads.js';

/**
 * `gibbslab bench --check`: each workload against the straightforward formulas (the peers'
 * definitions: plain loops, Math.exp, compensated sums) on the same inputs. Compared are the
 * workload's checksum, computed both ways (relative difference), and every number that enters it
 * (difference relative to max(1, |x|): quantities near 0, such as log Z or KL(π*‖π_ref) at τ = 100,
 * are known to the straightforward formulas only to ~1e-16 absolute, as they subtract numbers of
 * order 1). The fast paths (per-reward-value sums, merged arcs, cache-blocked mirror descent, the
 * optimizer's fused passes) must agree to ~1e-12.
 */
export interface CheckResult {
  workload: WorkloadName;
  what: string;
  checksum: number;
  straightforward: number;
  /** |checksum − straightforward| / |straightforward|. */
  relDiff: number;
  /** Max over the compared numbers of |ours − straightforward| / max(1, |straightforward|). */
  maxDiff: number;
}

/** |a − b| relative to max(1, |b|). */
const diff = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(1, Math.abs(b)));

/** Accumulates pairs (ours, straightforward): their sums and the largest `diff`. */
class Compare {
  ours = new Sum();
  theirs = new Sum();
  maxDiff = 0;
  add(a: number, b: number): void {
    this.ours.add(a);
    this.theirs.add(b);
    this.maxDiff = Math.max(this.maxDiff, diff(a, b));
  }
  result(workload: WorkloadName, what: string): CheckResult {
    const [c, t] = [this.ours.value, this.theirs.value];
    return { workload, what, checksum: c, straightforward: t, relDiff: c === t ? 0 : Math.abs(c - t) / Math.abs(t), maxDiff: this.maxDiff };
  }
}

/** log Σ e^{x_i}, max-shifted, compensated. */
function lse(x: ArrayLike<number>, from = 0, to = x.length): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) if (x[i] > m) m = x[i];
  const s = new Sum();
  for (let i = from; i < to; i++) s.add(Math.exp(x[i] - m));
  return m + Math.log(s.value);
}

/** Per τ: log Z, E[r], KL(π*‖π_ref) (as Σ π*·(r/τ − log Z), without rounding at the scale of log π_ref) and H(π*). */
export function straightforwardGibbs(world: BanditWorld, tau: number): [number, number, number, number] {
  const { logRef, reward } = world;
  const n = logRef.length;
  const s = Float64Array.from(logRef, (l, i) => l + reward[i] / tau);
  const lz = lse(s);
  const er = new Sum();
  const klSum = new Sum();
  const h = new Sum();
  for (let i = 0; i < n; i++) {
    const lp = s[i] - lz;
    const p = Math.exp(lp);
    er.add(p * reward[i]);
    klSum.add(p * (reward[i] / tau - lz));
    h.add(-p * lp);
  }
  return [lz, er.value, klSum.value, h.value];
}

/** KL(π_k‖π*) for k = 0..steps, one normalized step and one `kl` at a time (the peers' loop). */
export function straightforwardMirrorDescent(world: BanditWorld, tau: number, eta: number, steps: number): Float64Array {
  const logStar = gibbsLogPolicyRow(world.logRef, world.reward, tau);
  const lp = Float64Array.from(world.logRef);
  const out = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    if (k > 0) mirrorDescentStepRow(lp, world.logRef, world.reward, tau, eta, lp);
    out[k] = kl(lp, logStar);
  }
  return out;
}

/** Prompts [from, to) of a bandit world, as a world of their own (views, no copies). */
export function promptSlice(world: BanditWorld, from: number, to: number): BanditWorld {
  const V = world.actions;
  return { ...world, prompts: to - from, logRef: world.logRef.subarray(from * V, to * V), reward: world.reward.subarray(from * V, to * V) };
}

/**
 * The GRPO step of `grpoBanditBlock` written out for one block: per prompt a softmax, G draws from
 * the running sum of probabilities with the same named streams, group mean/std advantages (sample
 * std + ε), ratio 1, the k3+ KL gradient β·(log π − log π_ref) per token, the chain rule to the
 * logits, then SGD (Δz = −lr·g). Returns the logits after the steps and the per-step k3 estimates.
 *
 * SGD, not the workload's Adam: Adam divides by √v̂ + 1e-8, which turns the ~1e-16 rounding of
 * log π − log π_ref on a prompt whose groups all tie (zero advantage, so the gradient is that
 * rounding times β) into steps of size lr within three steps, in any implementation. Two correct
 * paths then part at the first such prompt; with SGD that rounding stays at 1e-18.
 */
export function straightforwardGrpo(world: BanditWorld, s: GrpoSize, block: number): { logits: Float64Array; klEstimate: number[] } {
  const w = promptSlice(world, block * s.blockPrompts, (block + 1) * s.blockPrompts);
  const P = w.prompts;
  const V = w.actions;
  const G = s.groupSize;
  const beta = 0.05;
  const [lr, stdEps] = [0.05, 1e-6];
  const z = Float64Array.from(w.logRef);
  const logp = new Float64Array(P * V);
  const p = new Float64Array(P * V);
  const normalize = () => {
    for (let x = 0; x < P; x++) {
      const lz = lse(z, x * V, (x + 1) * V);
      for (let i = x * V; i < (x + 1) * V; i++) {
        logp[i] = z[i] - lz;
        p[i] = Math.exp(logp[i]);
      }
    }
  };
  normalize();
  const root = Rng.fromSeed(s.seed).split('grpo-bandit', block);
  const klEstimate: number[] = [];
  for (let t = 1; t <= s.steps; t++) {
    const stepRng = root.split('step', t);
    const grad = new Float64Array(P * V);
    let klSum = 0;
    for (let x = 0; x < P; x++) {
      const rng = stepRng.split('prompt', x);
      const cdf = new Float64Array(V);
      let acc = 0;
      for (let i = 0; i < V; i++) cdf[i] = acc += p[x * V + i];
      for (let i = 0; i < V; i++) cdf[i] /= acc;
      cdf[V - 1] = 1;
      const picks: number[] = [];
      const R: number[] = [];
      for (let g = 0; g < G; g++) {
        const u = rng.uniform();
        let a = 0;
        while (!(cdf[a] > u)) a++;
        picks.push(x * V + a);
        R.push(w.reward[x * V + a]);
      }
      const mean = R.reduce((q, r) => q + r, 0) / G;
      const std = Math.sqrt(R.reduce((q, r) => q + (r - mean) ** 2, 0) / (G - 1));
      for (let g = 0; g < G; g++) {
        const e = picks[g];
        const delta = logp[e] - w.logRef[e];
        klSum += Math.expm1(-delta) + delta;
        // ∂ℓ/∂log π(y) of −A·ratio + β·k3+ at ratio 1, weight 1 (token-sum).
        const c = -(R[g] - mean) / (std + stdEps) + beta * delta;
        grad[e] += c;
        for (let i = x * V; i < (x + 1) * V; i++) grad[i] -= c * p[i];
      }
    }
    klEstimate.push(klSum / (P * G));
    for (let i = 0; i < P * V; i++) z[i] += -lr * grad[i];
    normalize();
  }
  return { logits: z, klEstimate };
}

/** The soft value recursion token by token, W_L = r/τ (uncentred, as the peers): log Z = W_0(start). */
export function straightforwardAutomatonLogZ(world: SequenceWorld, tau: number): number {
  const S = world.states;
  let W = Float64Array.from(world.terminalReward, (r) => r / tau);
  for (let k = 0; k < world.horizon; k++) {
    const next = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      const a0 = world.arcOffset[s];
      const a1 = world.arcOffset[s + 1];
      const terms = new Float64Array(a1 - a0);
      for (let a = a0; a < a1; a++) terms[a - a0] = world.arcLogRef[a] + world.arcLogMult[a] + W[world.arcNext[a]];
      next[s] = lse(terms);
    }
    W = next;
  }
  return W[world.start];
}

/** Our numbers against the straightforward ones, per workload. */
export function crossCheck(workloads: readonly WorkloadName[], s: BenchSizes): CheckResult[] {
  const out: CheckResult[] = [];
  for (const name of workloads) {
    const cmp = new Compare();
    switch (name) {
      case 'gibbs-sweep': {
        const world = rowWorld('gibbs-sweep', s.gibbs.actions, s.seed);
        const taus = logSpaced(1e-2, 1e2, s.gibbs.taus);
        const t = equilibriumTable(world, taus);
        taus.forEach((tau, k) => {
          const [lz, er, klv, h] = straightforwardGibbs(world, tau);
          cmp.add(t.logZ[k], lz);
          cmp.add(t.expectedReward[k], er);
          cmp.add(t.refKl[k], klv);
          cmp.add(t.entropy[k], h);
        });
        out.push(cmp.result(name, `log Z, E[r], KL, H at ${taus.length} τ (the workload)`));
        break;
      }
      case 'mirror-descent': {
        // The straightforward loop makes three passes with Math.exp per step: a tenth of the row is plenty to compare.
        const { tau, eta, steps } = s.mirror;
        const world = rowWorld('mirror-descent', Math.min(s.mirror.actions, 100_000), s.seed);
        const logStar = gibbsLogPolicyRow(world.logRef, world.reward, tau);
        const fast = mirrorDescentKlTrace({ logPi0: world.logRef, logRef: world.logRef, reward: world.reward, logStar, tau, eta, steps });
        const slow = straightforwardMirrorDescent(world, tau, eta, steps);
        for (let k = 1; k <= steps; k++) cmp.add(fast[k], slow[k]);
        out.push(cmp.result(name, `KL(π_k‖π*), k = 1..${steps}, V = ${world.actions}`));
        break;
      }
      case 'grpo-bandit': {
        const size = { ...s.grpo, seed: s.seed };
        const world = grpoBanditWorld(size);
        const slow = straightforwardGrpo(world, size, 0);
        // Ours generates the block's prompts on their own; the straightforward path slices the whole world.
        const lib = runGrpoBlock(grpoBlockWorld(size, 0), size, 0, 'sgd');
        lib.klEstimate.forEach((k, i) => cmp.add(k, slow.klEstimate[i]));
        for (let i = 0; i < slow.logits.length; i++) cmp.add(lib.policy.logits[i], slow.logits[i]);
        out.push(cmp.result(name, `block 0 with SGD: KL estimates of ${size.steps} steps, final logits`));
        break;
      }
      case 'automaton-dp': {
        const world = automatonDpWorld(s.automaton, s.seed);
        for (const tau of logSpaced(0.1, 10, s.automaton.taus)) cmp.add(gibbsSequenceMeasure(world, tau).logZ, straightforwardAutomatonLogZ(world, tau));
        out.push(cmp.result(name, `log Z at ${s.automaton.taus} τ (the workload)`));
        break;
      }
    }
  }
  return out;
}
