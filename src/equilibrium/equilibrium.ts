import type { BanditWorld, SequenceWorld, World } from '../tasks/worlds.js';
import { gibbsLogPolicyRow, gibbsRow, type RowObservables } from './bandit.js';
import { gibbsSequenceMeasure, sequenceStats } from './sequence.js';

/** Exact observables of π*_τ for a whole world: sequence-level for chains, the mean over prompts for contextual tasks. */
export type Observables = RowObservables;

function banditEquilibrium(world: BanditWorld, tau: number): Observables {
  const V = world.actions;
  const acc: Observables = { logZ: 0, freeEnergy: 0, expectedReward: 0, success: 0, entropy: 0, refKl: 0 };
  for (let x = 0; x < world.prompts; x++) {
    const row = gibbsRow(world.logRef, world.reward, tau, world.maxReward, x * V, (x + 1) * V);
    acc.logZ += row.logZ;
    acc.freeEnergy += row.freeEnergy;
    acc.expectedReward += row.expectedReward;
    acc.success += row.success;
    acc.entropy += row.entropy;
    acc.refKl += row.refKl;
  }
  const P = world.prompts;
  return {
    logZ: acc.logZ / P,
    freeEnergy: acc.freeEnergy / P,
    expectedReward: acc.expectedReward / P,
    success: acc.success / P,
    entropy: acc.entropy / P,
    refKl: acc.refKl / P,
  };
}

function sequenceEquilibrium(world: SequenceWorld, tau: number): Observables {
  const m = gibbsSequenceMeasure(world, tau);
  const st = sequenceStats(world, m);
  return {
    logZ: m.logZ,
    // −τ·log Z with the max-reward shift taken out first (exact to rounding at τ → 0).
    freeEnergy: -world.maxReward - tau * m.values[world.start],
    expectedReward: st.expectedReward,
    success: st.success,
    entropy: st.entropy,
    refKl: st.refKl,
  };
}

export function equilibrium(world: World, tau: number): Observables {
  return world.type === 'bandit' ? banditEquilibrium(world, tau) : sequenceEquilibrium(world, tau);
}

/** log π*_τ for every prompt of a bandit world (P×V, row-major). */
export function gibbsLogPolicy(world: BanditWorld, tau: number): Float64Array {
  const V = world.actions;
  const out = new Float64Array(world.prompts * V);
  for (let x = 0; x < world.prompts; x++) out.set(gibbsLogPolicyRow(world.logRef, world.reward, tau, x * V, (x + 1) * V), x * V);
  return out;
}

/** Columns of observables over several temperatures, as the `equilibrium` command reports them. */
export interface EquilibriumTable {
  tau: number[];
  logZ: number[];
  freeEnergy: number[];
  expectedReward: number[];
  success: number[];
  entropy: number[];
  refKl: number[];
}

export function equilibriumTable(world: World, taus: readonly number[]): EquilibriumTable {
  const t: EquilibriumTable = { tau: [...taus], logZ: [], freeEnergy: [], expectedReward: [], success: [], entropy: [], refKl: [] };
  for (const tau of taus) {
    const o = equilibrium(world, tau);
    t.logZ.push(o.logZ);
    t.freeEnergy.push(o.freeEnergy);
    t.expectedReward.push(o.expectedReward);
    t.success.push(o.success);
    t.entropy.push(o.entropy);
    t.refKl.push(o.refKl);
  }
  return t;
}
