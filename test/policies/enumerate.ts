import type { SequenceWorld } from '../../src/tasks/index.js';
import { fsum } from '../support/oracle.js';

/**
 * Brute force over every token sequence of a sequence world under a per-step policy given as
 * per-token log-probabilities `logp[k·A + a]` (A arcs; an arc of multiplicity m is m tokens). Each
 * sequence lists its (step, arc) pairs and final state; nothing here calls the code under test.
 */
export interface SequencePath {
  arcs: number[];
  final: number;
}

export function enumeratePaths(world: SequenceWorld): SequencePath[] {
  const out: SequencePath[] = [];
  const rec = (s: number, k: number, arcs: number[]) => {
    if (k === world.horizon) {
      out.push({ arcs: arcs.slice(), final: s });
      return;
    }
    for (let a = world.arcOffset[s]; a < world.arcOffset[s + 1]; a++) {
      const m = Math.round(Math.exp(world.arcLogMult[a]));
      for (let copy = 0; copy < m; copy++) {
        arcs.push(a);
        rec(world.arcNext[a], k + 1, arcs);
        arcs.pop();
      }
    }
  };
  rec(world.start, 0, []);
  return out;
}

/** log-probability of each path under per-step token log-probabilities (A arcs per step). */
export function pathLogProbs(world: SequenceWorld, paths: SequencePath[], logp: ArrayLike<number>): number[] {
  const A = world.arcNext.length;
  return paths.map((p) => fsum(p.arcs.map((a, k) => logp[k * A + a])));
}

/** The reference's per-step token log-probabilities (the same at every step). */
export function refPathLogProbs(world: SequenceWorld, paths: SequencePath[]): number[] {
  return paths.map((p) => fsum(p.arcs.map((a) => world.arcLogRef[a])));
}

export interface PathObservables {
  expectedReward: number;
  success: number;
  entropy: number;
  refKl: number;
}

export function pathObservables(world: SequenceWorld, paths: SequencePath[], lp: number[]): PathObservables {
  const lref = refPathLogProbs(world, paths);
  const p = lp.map(Math.exp);
  return {
    expectedReward: fsum(paths.map((x, i) => p[i] * world.terminalReward[x.final])),
    success: fsum(paths.map((x, i) => (world.terminalReward[x.final] === world.maxReward ? p[i] : 0))),
    entropy: fsum(lp.map((l, i) => (p[i] > 0 ? -p[i] * l : 0))),
    refKl: fsum(lp.map((l, i) => (p[i] > 0 ? p[i] * (l - lref[i]) : 0))),
  };
}

/** KL(p‖q) over paths from their log-probabilities. */
export function pathKl(lp: number[], lq: number[]): number {
  return fsum(lp.map((l, i) => (l === -Infinity ? 0 : Math.exp(l) * (l - lq[i]))));
}

/** Normalized log-probabilities of weights log w_i. */
export function normalizeLog(lw: number[]): number[] {
  const m = Math.max(...lw);
  const lz = m + Math.log(fsum(lw.map((v) => Math.exp(v - m))));
  return lw.map((v) => v - lz);
}
