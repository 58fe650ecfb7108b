import { describe, expect, it } from 'vitest';
import { criticalTemperature } from '../../src/equilibrium/critical.js';
import { equilibrium } from '../../src/equilibrium/equilibrium.js';
import { parseOrThrow } from '../../src/io/errors.js';
import { taskSchema, type AutomatonTask } from '../../src/tasks/schema.js';
import { automatonWorld, compileTask } from '../../src/tasks/worlds.js';
import { expectClose } from '../support/assert.js';
import { enumerateSequences, fsum, sequenceLogProbs, type Automaton } from '../support/oracle.js';
import { gaussian, intBelow, mulberry32, type Uniform } from '../support/random.js';

/** A random explicit automaton as a task, and the same automaton for the enumeration oracle. */
function randomAutomaton(u: Uniform, S: number, V: number, L: number): { task: AutomatonTask; oracle: Automaton } {
  const transitions = Array.from({ length: S }, () => Array.from({ length: V }, () => intBelow(u, S)));
  const refLogits = Array.from({ length: S }, () => Array.from({ length: V }, () => 1.5 * gaussian(u)));
  const accepting = Array.from({ length: S }, (_, s) => s).filter(() => u() < 0.4);
  if (accepting.length === 0) accepting.push(intBelow(u, S));
  const task = parseOrThrow(taskSchema, { kind: 'automaton', horizon: L, transitions, accepting, refLogits }, 'task') as AutomatonTask;
  const logRef = refLogits.map((row) => {
    const m = Math.max(...row);
    const lz = m + Math.log(fsum(row.map((x) => Math.exp(x - m))));
    return row.map((x) => x - lz);
  });
  const terminalReward = Array.from({ length: S }, (_, s) => (accepting.includes(s) ? 1 : 0));
  return { task, oracle: { start: 0, horizon: L, next: transitions, logRef, terminalReward } };
}

/** Sequence-level observables of π*_τ ∝ π_ref·e^{r/τ} by listing every sequence. */
function enumerated(a: Automaton, tau: number) {
  const e = enumerateSequences(a);
  const logRefSeq = sequenceLogProbs(e, a.logRef, new Array(a.terminalReward.length).fill(0));
  const lp = sequenceLogProbs(e, a.logRef, a.terminalReward.map((r) => r / tau));
  const p = lp.map(Math.exp);
  const r = e.paths.map((path) => a.terminalReward[path.final]);
  const raw = logRefSeq.map((l, i) => l + r[i] / tau);
  const m = Math.max(...raw);
  return {
    logZ: m + Math.log(fsum(raw.map((x) => Math.exp(x - m)))),
    success: fsum(p.filter((_, i) => r[i] === 1)),
    entropy: fsum(p.map((x, i) => (x > 0 ? -x * lp[i] : 0))),
    refKl: fsum(p.map((x, i) => (x > 0 ? x * (lp[i] - logRefSeq[i]) : 0))),
    count: e.paths.length,
  };
}

describe('automaton tasks: exact sequence-level Gibbs by soft-value recursion', () => {
  it('equals brute-force enumeration of all V^L sequences on random tiny automata', () => {
    const u = mulberry32(61);
    for (const [S, V, L] of [
      [1, 2, 3],
      [2, 3, 4],
      [4, 4, 5],
      [5, 3, 7],
      [3, 6, 4],
    ]) {
      const { task, oracle } = randomAutomaton(u, S, V, L);
      const world = automatonWorld(task);
      for (const tau of [0.05, 0.3, 1, 10]) {
        const o = enumerated(oracle, tau);
        expect(o.count).toBe(V ** L);
        const got = equilibrium(world, tau);
        const what = `S=${S} V=${V} L=${L} τ=${tau}`;
        expectClose(got.logZ, o.logZ, 1e-12, 1e-14, `logZ ${what}`);
        expectClose(got.freeEnergy, -tau * o.logZ, 1e-12, 1e-14, `free energy ${what}`);
        expectClose(got.success, o.success, 1e-11, 1e-15, `success ${what}`);
        expectClose(got.expectedReward, o.success, 1e-11, 1e-15, `E[r] ${what}`);
        expectClose(got.entropy, o.entropy, 1e-11, 1e-14, `entropy ${what}`);
        expectClose(got.refKl, o.refKl, 1e-10, 1e-14, `ref-KL ${what}`);
      }
    }
  });

  it('critical temperature by bisection equals a bisection on the enumerated success', () => {
    const u = mulberry32(62);
    let checked = 0;
    for (let trial = 0; trial < 6; trial++) {
      const { task, oracle } = randomAutomaton(u, 3, 3, 5);
      const p0 = enumerated(oracle, 1e6).success;
      if (!(p0 > 0 && p0 < 0.5)) continue; // success crosses 1/2 only from below
      let lo = Math.log(1e-3);
      let hi = Math.log(1e3);
      for (let i = 0; i < 80; i++) {
        const mid = (lo + hi) / 2;
        if (enumerated(oracle, Math.exp(mid)).success > 0.5) lo = mid;
        else hi = mid;
      }
      expectClose(criticalTemperature(compileTask(task))!, Math.exp((lo + hi) / 2), 1e-9, 0, `τ_c trial ${trial}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('generated automata: shape, round(acceptFraction·S) accepting states, normalized reference, same seed same world', () => {
    const task = parseOrThrow(taskSchema, { kind: 'automaton', states: 20, vocab: 7, horizon: 4, acceptFraction: 0.25, seed: 3 }, 'task') as AutomatonTask;
    const w = automatonWorld(task);
    expect(w.states).toBe(20);
    expect(w.arcNext.length).toBe(140);
    expect(Array.from(w.terminalReward).filter((r) => r === 1).length).toBe(5);
    for (let s = 0; s < 20; s++) {
      expect(w.arcOffset[s + 1] - w.arcOffset[s]).toBe(7);
      let total = 0;
      for (let a = w.arcOffset[s]; a < w.arcOffset[s + 1]; a++) {
        total += Math.exp(w.arcLogRef[a]);
        expect(w.arcNext[a]).toBeGreaterThanOrEqual(0);
        expect(w.arcNext[a]).toBeLessThan(20);
        expect(w.arcLogMult[a]).toBe(0);
      }
      expect(Math.abs(total - 1)).toBeLessThan(1e-14);
    }
    const again = automatonWorld(task);
    expect(Array.from(again.arcNext)).toEqual(Array.from(w.arcNext));
    expect(Array.from(again.arcLogRef)).toEqual(Array.from(w.arcLogRef));
    // A tiny acceptFraction still gives one accepting state.
    const one = automatonWorld(parseOrThrow(taskSchema, { kind: 'automaton', states: 10, vocab: 2, horizon: 2, acceptFraction: 0.01 }, 'task') as AutomatonTask);
    expect(Array.from(one.terminalReward).filter((r) => r === 1).length).toBe(1);
  });

  it('invalid automata: one message naming the field', () => {
    const bad: [object, RegExp][] = [
      [{ horizon: 3 }, /task\.states = missing: give states and vocab/],
      [{ horizon: 3, states: 4 }, /task\.vocab = missing/],
      [{ horizon: 3, transitions: [[0, 1], [1, 2]], accepting: [1] }, /task\.transitions\[1\]\[1\] = 2: must be a state in \[0, 2\)/],
      [{ horizon: 3, transitions: [[0, 1], [1]], accepting: [1] }, /task\.transitions\[1\] = .*one next state per token/],
      [{ horizon: 3, transitions: [[0, 1], [1, 0]] }, /task\.accepting = missing/],
      [{ horizon: 3, transitions: [[0, 1], [1, 0]], accepting: [2] }, /task\.accepting\[0\] = 2/],
      [{ horizon: 3, transitions: [[0, 1], [1, 0]], accepting: [1], refLogits: [[0, 1]] }, /task\.refLogits = .*one per state/],
      [{ horizon: 3, transitions: [[0, 1], [1, 0]], accepting: [1], acceptFraction: 0.5 }, /task\.acceptFraction.*only for generated/],
      [{ horizon: 3, states: 4, vocab: 3, acceptFraction: 0 }, /task\.acceptFraction = 0: must be in \(0, 1\]/],
      [{ horizon: 3, states: 4, vocab: 3, start: 4 }, /task\.start = 4/],
      [{ horizon: 0, states: 4, vocab: 3 }, /task\.horizon = 0/],
    ];
    for (const [t, msg] of bad) expect(() => parseOrThrow(taskSchema, { kind: 'automaton', ...t }, 'task')).toThrow(msg);
  });
});
