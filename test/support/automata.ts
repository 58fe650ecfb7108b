import type { SequenceWorld } from '../../src/tasks/index.js';
import { enumerateSequences, fsum, sequenceLogProbs, type Automaton } from './oracle.js';
import { between, intBelow, type Uniform } from './random.js';

/**
 * A random layered automaton, described twice: as the test's own token-level `Automaton` (for
 * brute force), and as a `SequenceWorld` whose arcs may stand for several tokens (mult > 1:
 * tokens with the same next state and the same reference probability).
 */
export function randomAutomaton(u: Uniform, S: number, K: number, opts: { zeroArcs?: boolean; mult?: boolean } = {}) {
  const next: number[][] = [];
  const logRef: number[][] = [];
  const arcOffset = [0];
  const arcNext: number[] = [];
  const arcLogRef: number[] = [];
  const arcLogMult: number[] = [];
  for (let s = 0; s < S; s++) {
    const nArcs = 1 + intBelow(u, 3);
    const arcs = Array.from({ length: nArcs }, () => ({
      next: intBelow(u, S),
      w: opts.zeroArcs && u() < 0.25 ? 0 : Math.exp(1.5 * between(u, -1, 1)),
      mult: opts.mult && u() < 0.5 ? 1 + intBelow(u, 3) : 1,
    }));
    if (!arcs.some((a) => a.w > 0)) arcs[0].w = 1;
    const tot = fsum(arcs.map((a) => a.w * a.mult));
    next.push([]);
    logRef.push([]);
    for (const a of arcs) {
      const lp = Math.log(a.w / tot);
      for (let m = 0; m < a.mult; m++) {
        next[s].push(a.next);
        logRef[s].push(lp);
      }
      arcNext.push(a.next);
      arcLogRef.push(lp);
      arcLogMult.push(Math.log(a.mult));
    }
    arcOffset.push(arcNext.length);
  }
  const terminalReward = Array.from({ length: S }, () => Math.round(between(u, 0, 4)) / 2);
  const maxReward = Math.max(...terminalReward);
  const auto: Automaton = { start: 0, horizon: K, next, logRef, terminalReward };
  const world: SequenceWorld = {
    type: 'sequence',
    states: S,
    horizon: K,
    start: 0,
    arcOffset: Int32Array.from(arcOffset),
    arcNext: Int32Array.from(arcNext),
    arcLogRef: Float64Array.from(arcLogRef),
    arcLogMult: Float64Array.from(arcLogMult),
    terminalReward: Float64Array.from(terminalReward),
    maxReward,
  };
  return { auto, world };
}

/** The sequence-level bandit: reference probability and reward of every token sequence. */
export function sequenceBandit(a: Automaton) {
  const e = enumerateSequences(a);
  const lref = sequenceLogProbs(e, a.logRef, new Array(a.terminalReward.length).fill(0));
  return { e, ref: lref.map(Math.exp), reward: e.paths.map((p) => a.terminalReward[p.final]) };
}
