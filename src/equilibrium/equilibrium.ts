import type { BanditWorld, SequenceWorld, World } from '../tasks/worlds.js';
import { gibbsLogPolicyRow, gibbsRow, gibbsRows, type RowObservables } from './bandit.js';
import { gibbsSequenceMeasure, referenceTerminalLogMarginal, sequenceStats } from './sequence.js';

/** Exact observables of π*_τ for a whole world: sequence-level for chains, the mean over prompts for contextual tasks. */
export type Observables = RowObservables;

/** Means over prompts, for every τ: each row is one `gibbsRows` sweep over all of them. */
function banditEquilibria(world: BanditWorld, taus: readonly number[]): Observables[] {
  const V = world.actions;
  const acc = taus.map((): Observables => ({ logZ: 0, freeEnergy: 0, expectedReward: 0, success: 0, entropy: 0, refKl: 0 }));
  for (let x = 0; x < world.prompts; x++) {
    const rows = gibbsRows(world.logRef, world.reward, taus, world.maxReward, x * V, (x + 1) * V);
    rows.forEach((row, k) => {
      const a = acc[k];
      a.logZ += row.logZ;
      a.freeEnergy += row.freeEnergy;
      a.expectedReward += row.expectedReward;
      a.success += row.success;
      a.entropy += row.entropy;
      a.refKl += row.refKl;
    });
  }
  const P = world.prompts;
  return acc.map((a) => ({
    logZ: a.logZ / P,
    freeEnergy: a.freeEnergy / P,
    expectedReward: a.expectedReward / P,
    success: a.success / P,
    entropy: a.entropy / P,
    refKl: a.refKl / P,
  }));
}

/**
 * π*_τ tilts the reference by r(s_L) alone, so its law given s_L is the reference's and log Z, E[r],
 * success and KL(π*‖π_ref) are those of a bandit over final states with reference weights
 * P_ref(s_L = s) (F11). That row is computed like any bandit row (anchored, log1p, Bregman KL),
 * which keeps log Z ≈ 0 and KL ≈ 1e-25 at full relative precision where the centred DP value
 * W_0 + r_max/τ cancels. Only the entropy needs the per-token chain rule.
 */
function sequenceEquilibrium(world: SequenceWorld, tau: number): Observables {
  const row = gibbsRow(referenceTerminalLogMarginal(world), world.terminalReward, tau, world.maxReward);
  const st = sequenceStats(world, gibbsSequenceMeasure(world, tau));
  return {
    logZ: row.logZ,
    freeEnergy: row.freeEnergy,
    expectedReward: row.expectedReward,
    success: row.success,
    entropy: st.entropy,
    refKl: row.refKl,
  };
}

export function equilibrium(world: World, tau: number): Observables {
  return world.type === 'bandit' ? banditEquilibria(world, [tau])[0] : sequenceEquilibrium(world, tau);
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
  const all = world.type === 'bandit' ? banditEquilibria(world, taus) : taus.map((tau) => sequenceEquilibrium(world, tau));
  for (const o of all) {
    t.logZ.push(o.logZ);
    t.freeEnergy.push(o.freeEnergy);
    t.expectedReward.push(o.expectedReward);
    t.success.push(o.success);
    t.entropy.push(o.entropy);
    t.refKl.push(o.refKl);
  }
  return t;
}
