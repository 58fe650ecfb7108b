import { entropyBonusLogPolicy, entropyBonusSequenceMeasure } from '../equilibrium/entropyBonus.js';
import { gibbsLogPolicy } from '../equilibrium/equilibrium.js';
import { gibbsSequenceMeasure, sequenceMeasure, type SequenceMeasure } from '../equilibrium/sequence.js';
import type { BanditWorld, SequenceWorld, World } from '../tasks/worlds.js';
import type { PolicyLayout } from './layout.js';

/**
 * The Gibbs policy π*_β ∝ π_ref·e^{r/β} as per-token log-probabilities in a policy layout, so
 * KL(π‖π*_β) is one `policyKl`. For sequence worlds these are the per-step conditionals of the
 * sequence-level Gibbs measure: log π*(a | k, s) = log w_a + W_{k+1}(s') − W_k(s).
 *
 * β = 0 is the limit β → 0: the reference restricted to the maximal reward (per prompt for bandits,
 * over completions for sequence worlds); rows that cannot reach it are −∞ throughout.
 */
export function gibbsTarget(world: World, layout: PolicyLayout, beta: number): Float64Array {
  if (world.type === 'bandit') return beta > 0 ? gibbsLogPolicy(world, beta) : banditLimit(world);
  return sequenceConditionals(world, layout, beta > 0 ? gibbsSequenceMeasure(world, beta) : sequenceLimit(world));
}

/** The entropy-bonus fixed point π_{τ,α} ∝ π_ref^{τ/(τ+α)}·e^{r/(τ+α)} (F33, src/equilibrium/entropyBonus.ts) in a policy layout. */
export function entropyBonusTarget(world: World, layout: PolicyLayout, tau: number, alpha: number): Float64Array {
  if (world.type === 'bandit') return entropyBonusLogPolicy(world, tau, alpha);
  return sequenceConditionals(world, layout, entropyBonusSequenceMeasure(world, tau, alpha));
}

function banditLimit(world: BanditWorld): Float64Array {
  const V = world.actions;
  const out = new Float64Array(world.logRef.length);
  for (let x = 0; x < world.prompts; x++) {
    const a = x * V;
    let max = -Infinity;
    for (let i = a; i < a + V; i++) if (world.logRef[i] !== -Infinity && world.reward[i] > max) max = world.reward[i];
    let mass = 0;
    for (let i = a; i < a + V; i++) if (world.logRef[i] !== -Infinity && world.reward[i] === max) mass += Math.exp(world.logRef[i]);
    const lm = Math.log(mass);
    for (let i = a; i < a + V; i++) out[i] = world.logRef[i] !== -Infinity && world.reward[i] === max ? world.logRef[i] - lm : -Infinity;
  }
  return out;
}

function sequenceLimit(world: SequenceWorld): SequenceMeasure {
  const bonus = new Float64Array(world.states);
  for (let s = 0; s < world.states; s++) bonus[s] = world.terminalReward[s] === world.maxReward ? 0 : -Infinity;
  return sequenceMeasure(world, world.arcLogRef, bonus);
}

/** Per-step conditionals of a (time-homogeneous) sequence measure, tiled over the horizon. */
function sequenceConditionals(world: SequenceWorld, layout: PolicyLayout, m: SequenceMeasure): Float64Array {
  const S = world.states;
  const A = world.arcNext.length;
  const out = new Float64Array(layout.entries);
  for (let k = 0; k < world.horizon; k++) {
    for (let s = 0; s < S; s++) {
      const ws = m.values[k * S + s];
      for (let a = world.arcOffset[s]; a < world.arcOffset[s + 1]; a++) {
        const v = m.logw[a] + m.values[(k + 1) * S + world.arcNext[a]] - ws;
        out[k * A + a] = ws === -Infinity || Number.isNaN(v) ? -Infinity : v;
      }
    }
  }
  return out;
}
