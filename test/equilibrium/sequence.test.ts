import { describe, it, expect } from 'vitest';
import { equilibrium, gibbsSequenceMeasure, sequenceMeasure, sequenceStats, uniformArcLogWeights } from '../../src/equilibrium/index.js';
import { chainWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { randomAutomaton, sequenceBandit } from '../support/automata.js';
import {
  bernoulliKlFromLogsOracle,
  chainAutomaton,
  entropyOracle,
  enumerateSequences,
  fsum,
  gibbsOracle,
  klOracle,
  sequenceLogProbs,
} from '../support/oracle.js';
import { between, intBelow, mulberry32 } from '../support/random.js';

const TAUS = [1e-6, 1e-3, 0.1, 0.5, 2, 30, 1e3, 1e6];

const KEYS = ['logZ', 'freeEnergy', 'expectedReward', 'success', 'entropy', 'refKl'] as const;

describe('Sequence-level Gibbs measure (backward DP) vs brute-force enumeration of all V^K sequences', () => {
  it('random automata (≤ 3 states, ≤ 4 tokens, K ≤ 5, zero-probability tokens, multi-token arcs), τ from 1e-6 to 1e6', () => {
    const u = mulberry32(501);
    for (let t = 0; t < 40; t++) {
      const S = 1 + intBelow(u, 3);
      const K = 1 + intBelow(u, 5);
      const { auto, world } = randomAutomaton(u, S, K, { zeroArcs: t % 2 === 0, mult: t % 3 !== 0 });
      const sb = sequenceBandit(auto);
      for (const tau of TAUS) {
        const eq = equilibrium(world, tau);
        const o = gibbsOracle(sb.ref, sb.reward, tau, world.maxReward);
        for (const k of KEYS) expectClose(eq[k], o[k], 1e-9, k === 'entropy' || k === 'refKl' ? 1e-14 : 1e-300, `t=${t} τ=${tau} ${k}`);
      }
    }
  });

  it('the K-step chain (vocab V ≤ 4, K ≤ 5) equals its token-level enumeration', () => {
    const u = mulberry32(502);
    for (let t = 0; t < 20; t++) {
      const K = 1 + intBelow(u, 5);
      const V = 2 + intBelow(u, 3);
      const q = [1e-12, 0.05, 0.5, 0.9, 1 - 1e-9][t % 5];
      const delta = [0.1, 1, 1e6][t % 3];
      const world = chainWorld({ kind: 'chain', K, q, vocab: V, delta });
      const sb = sequenceBandit(chainAutomaton(K, q, V, delta));
      expect(sb.ref.length).toBe(V ** K);
      for (const tau of TAUS) {
        const eq = equilibrium(world, tau);
        const o = gibbsOracle(sb.ref, sb.reward, tau, K * delta);
        for (const k of KEYS) expectClose(eq[k], o[k], 1e-9, k === 'entropy' || k === 'refKl' ? 1e-14 : 1e-300, `chain K=${K} V=${V} q=${q} δ=${delta} τ=${tau} ${k}`);
      }
    }
  });

  it('chain reference KL is the Bernoulli KL kl(P*_K‖q^K) (F11/F38) at every τ, including τ = 1e6 and K = 1e4', () => {
    for (const [K, q, V] of [
      [3, 0.5, 4],
      [10, 0.9, 16],
      [200, 0.99, 1e9],
      [10_000, 0.9999, 50],
    ] as const) {
      const world = chainWorld({ kind: 'chain', K, q, vocab: V, delta: 0.1 });
      const qK = Math.exp(K * Math.log(q));
      for (const tau of [1e-3, 0.1, 1, 10, 1e3, 1e6]) {
        // P* = σ(ℓ) with ℓ = K(δ/τ + log q) − log(1 − q^K), computed here.
        const l = K * (0.1 / tau + Math.log(q)) - Math.log1p(-qK);
        const P = l > 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l));
        // P − q^K = q^K(1 − q^K)·expm1(x)/(1 + q^K·expm1(x)), x = Kδ/τ, exact to rounding even when
        // x = 1e-7; the logs of P and 1 − P come from ℓ directly.
        const ex = Math.expm1((K * 0.1) / tau);
        const d = Number.isFinite(ex) ? (qK * (1 - qK) * ex) / (1 + qK * ex) : 1 - qK;
        const logP = l > 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l));
        const logPm = l > 0 ? -l - Math.log1p(Math.exp(-l)) : -Math.log1p(Math.exp(l));
        const want = bernoulliKlFromLogsOracle(logP, logPm, K * Math.log(q), Math.log1p(-qK), d);
        const eq = equilibrium(world, tau);
        expectClose(eq.refKl, want, 1e-9, 0, `K=${K} q=${q} τ=${tau} refKl`);
        expectClose(eq.success, P, 1e-11, 0, `K=${K} q=${q} τ=${tau} success`);
      }
    }
  });
});

describe('sequenceMeasure / sequenceStats on arbitrary product measures', () => {
  it('log Z, entropy, E[r], reference KL and KL between measures match enumeration', () => {
    const u = mulberry32(503);
    for (let t = 0; t < 40; t++) {
      const S = 1 + intBelow(u, 3);
      const K = 1 + intBelow(u, 5);
      const { auto, world } = randomAutomaton(u, S, K, { zeroArcs: t % 2 === 0, mult: true });
      const e = enumerateSequences(auto);
      // Two measures with unnormalized per-arc log-weights (zero where the reference is zero) and bonuses.
      const mk = () => {
        const logw = Float64Array.from(world.arcLogRef, (lr) => (lr === -Infinity ? -Infinity : 2 * between(u, -1, 1)));
        const bonus = Float64Array.from({ length: S }, () => 3 * between(u, -1, 1));
        // Token-level weights for the brute force: every token of an arc gets the arc's weight.
        const tok: number[][] = [];
        let a = 0;
        for (let s = 0; s < S; s++) {
          tok.push([]);
          for (let arc = world.arcOffset[s]; arc < world.arcOffset[s + 1]; arc++, a++) {
            const m = Math.round(Math.exp(world.arcLogMult[arc]));
            for (let j = 0; j < m; j++) tok[s].push(logw[arc]);
          }
        }
        return { m: sequenceMeasure(world, logw, bonus), lp: sequenceLogProbs(e, tok, bonus), tok, bonus };
      };
      const P = mk();
      const Q = mk();
      const lref = sequenceLogProbs(e, auto.logRef, new Array(S).fill(0));
      const rewards = e.paths.map((p) => auto.terminalReward[p.final]);
      // log Z, uncentred: log Σ_y Π w · e^{b}.
      const raw = e.paths.map((p) => fsum(p.steps.map(([s, tk]) => P.tok[s][tk])) + P.bonus[p.final]);
      const mx = Math.max(...raw);
      expectClose(P.m.logZ, mx + Math.log(fsum(raw.map((v) => Math.exp(v - mx)))), 1e-12, 1e-13, 'logZ');
      const st = sequenceStats(world, P.m, [Q.m, gibbsSequenceMeasure(world, 0.7)]);
      const gibbs = gibbsOracle(lref.map(Math.exp), rewards, 0.7, world.maxReward);
      expectClose(st.entropy, entropyOracle(P.lp), 1e-11, 1e-14, 'entropy');
      expectClose(st.expectedReward, fsum(P.lp.map((l, i) => Math.exp(l) * rewards[i])), 1e-12, 1e-14, 'E[r]');
      expectClose(st.refKl, klOracle(P.lp, lref), 1e-11, 1e-14, 'refKl');
      expectClose(st.kl[0], klOracle(P.lp, Q.lp), 1e-11, 1e-14, 'KL(P‖Q)');
      expectClose(st.kl[1], klOracle(P.lp, gibbs.logProbs), 1e-11, 1e-14, 'KL(P‖π*)');
      const succ = fsum(P.lp.map((l, i) => (rewards[i] === world.maxReward ? Math.exp(l) : 0)));
      expectClose(st.success, succ, 1e-12, 1e-300, 'success');
      expectClose(st.failure, 1 - succ, 1e-11, 1e-15, 'failure');
    }
  });

  it('uniformArcLogWeights is the uniform distribution over token sequences', () => {
    const u = mulberry32(504);
    for (let t = 0; t < 10; t++) {
      const { auto, world } = randomAutomaton(u, 1 + intBelow(u, 3), 1 + intBelow(u, 4), { mult: true });
      const e = enumerateSequences(auto);
      // Every token of a state equally likely: −log(#tokens of the state) per token.
      const tok = auto.logRef.map((row) => row.map(() => -Math.log(row.length)));
      const lp = sequenceLogProbs(e, tok, new Array(world.states).fill(0));
      const st = sequenceStats(world, sequenceMeasure(world, uniformArcLogWeights(world), new Float64Array(world.states)));
      expectClose(st.entropy, entropyOracle(lp), 1e-13, 0, 'entropy of uniform');
      // and the brute-force measure is a product of per-state uniforms: each path has Π 1/#tokens.
      e.paths.forEach((p, i) => expectClose(lp[i], fsum(p.steps.map(([s]) => -Math.log(auto.next[s].length))), 0, 1e-13));
    }
    const w = chainWorld({ kind: 'chain', K: 7, q: 0.9, vocab: 1e9, delta: 1 });
    const st = sequenceStats(w, sequenceMeasure(w, uniformArcLogWeights(w), new Float64Array(2)));
    expectClose(st.entropy, 7 * Math.log(1e9), 1e-13, 0, 'chain uniform entropy');
    expectClose(st.success, 1e-63, 1e-9, 0, 'chain uniform success');
  });
});
