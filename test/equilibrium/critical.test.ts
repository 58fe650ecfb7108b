import { describe, it, expect } from 'vitest';
import {
  binaryCriticalTemperature,
  binarySuccess,
  chainCriticalLimit,
  chainCriticalTemperature,
  chainSuccessLogit,
  criticalTemperature,
  equilibrium,
  gibbsSequenceMeasure,
  sequenceStats,
} from '../../src/equilibrium/index.js';
import { binaryWorld, chainWorld, contextualWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { bernoulliKlFromLogsOracle, chainAutomaton, enumerateSequences, fsum, gibbsOracle, sequenceLogProbs } from '../support/oracle.js';
import { between, mulberry32, randomSimplex } from '../support/random.js';

const PS = [1e-12, 1e-6, 0.1, 0.5, 0.9, 1 - 1e-9];
const TAUS = [1e-6, 1e-3, 0.05, 0.3, 1, 4, 100, 1e4, 1e6];

/**
 * The binary world in closed form (F35), written with logs so that P* and 1 − P* both keep their
 * relative precision: ℓ = logit p + Δ/τ, log P* = −log(1 + e^{−ℓ}), log(1 − P*) = −log(1 + e^{ℓ}).
 */
function binaryOracle(p: number, delta: number, tau: number) {
  const x = delta / tau;
  const l = Math.log(p) - Math.log1p(-p) + x;
  const logP = l > 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l));
  const logQ = l > 0 ? -l - Math.log1p(Math.exp(-l)) : -Math.log1p(Math.exp(l));
  const P = Math.exp(logP);
  const Q = Math.exp(logQ);
  // log Z = log(p e^x + 1 − p): log1p(p·expm1(x)) while that is small, else x + log p + log1p((1−p)/p·e^{−x}).
  const pe = p * Math.expm1(x);
  const logZ = pe < 1 ? Math.log1p(pe) : x + Math.log(p) + Math.log1p(((1 - p) / p) * Math.exp(-x));
  // P* − p = p(1−p)·expm1(x)/(1 + p·expm1(x)), precise even for x = 1e-6.
  const d = Number.isFinite(pe) ? (p * (1 - p) * Math.expm1(x)) / (1 + pe) : 1 - p;
  const refKl = bernoulliKlFromLogsOracle(logP, logQ, Math.log(p), Math.log1p(-p), d);
  const entropy = -(P * logP) - Q * logQ;
  return { P, logZ, refKl, entropy, expectedReward: delta * P, freeEnergy: -tau * logZ };
}

describe('Binary world: F35 equilibrium, F36 crossover, F38 order parameters', () => {
  it('P*, log Z, F, E[r], entropy h(P*) and KL = kl(P*‖p) for p ∈ {1e-12 … 1−1e-9}, Δ ∈ {1, 1e6}, τ ∈ [1e-6, 1e6]', () => {
    for (const p of PS) {
      for (const delta of [1, 1e6]) {
        const world = binaryWorld({ kind: 'binary', p, delta });
        for (const tau of TAUS) {
          const o = binaryOracle(p, delta, tau);
          const eq = equilibrium(world, tau);
          const what = `p=${p} Δ=${delta} τ=${tau}`;
          expectClose(eq.success, o.P, 1e-12, 0, `${what} success`);
          expectClose(binarySuccess(p, delta, tau), o.P, 1e-12, 0, `${what} binarySuccess`);
          expectClose(eq.logZ, o.logZ, 1e-12, 0, `${what} logZ`);
          expectClose(eq.freeEnergy, o.freeEnergy, 1e-12, 0, `${what} F`);
          expectClose(eq.expectedReward, o.expectedReward, 1e-12, 0, `${what} E[r]`);
          expectClose(eq.entropy, o.entropy, 1e-10, 1e-300, `${what} entropy`);
          expectClose(eq.refKl, o.refKl, 1e-10, 1e-300, `${what} refKl`);
        }
      }
    }
  });

  it('F35: logit P* is affine in 1/τ with slope Δ (logistic in 1/τ)', () => {
    const u = mulberry32(601);
    for (let t = 0; t < 50; t++) {
      // Keep logit P* in [−25, 15], where 1 − P* ≥ 3e-7 is known to 1e-9 relative from P*.
      const p = 10 ** between(u, -10, -0.5);
      const lp = Math.log(p) - Math.log1p(-p);
      const x = between(u, 1e-3, 15 - lp);
      const delta = 10 ** between(u, -2, 2);
      const tau = delta / x;
      const P = binarySuccess(p, delta, tau);
      const l = Math.log(P) - Math.log1p(-P);
      expectClose(l, lp + delta / tau, 1e-9, 1e-9);
    }
  });

  it('F36: τ_c = Δ / log((1−p)/p); worked value p = 0.1 → 0.4551196133; bisection agrees; null for p ≥ 1/2', () => {
    expectClose(binaryCriticalTemperature({ p: 0.1, delta: 1 })!, 1 / Math.log(9), 1e-15);
    expect(Math.abs(binaryCriticalTemperature({ p: 0.1, delta: 1 })! - 0.4551196133)).toBeLessThan(5e-11);
    const u = mulberry32(602);
    for (let t = 0; t < 30; t++) {
      const p = t === 0 ? 1e-12 : 10 ** between(u, -11, Math.log10(0.49));
      const delta = t === 1 ? 1e6 : 10 ** between(u, -2, 2);
      const want = delta / (Math.log1p(-p) - Math.log(p));
      expectClose(binaryCriticalTemperature({ p, delta })!, want, 1e-13);
      const bis = criticalTemperature(binaryWorld({ kind: 'binary', p, delta }));
      expectClose(bis!, want, 1e-12, 0, `bisection p=${p}`);
      expectClose(binarySuccess(p, delta, want), 0.5, 0, 1e-12);
    }
    for (const p of [0.5, 0.7, 1 - 1e-9]) {
      expect(binaryCriticalTemperature({ p, delta: 1 })).toBeNull();
      expect(criticalTemperature(binaryWorld({ kind: 'binary', p, delta: 1 }))).toBeNull();
    }
    // Other targets than 1/2: success = target at Δ/(logit target − logit p).
    const w = binaryWorld({ kind: 'binary', p: 0.05, delta: 2 });
    for (const target of [0.1, 0.3, 0.9]) {
      const want = 2 / (Math.log(target / (1 - target)) - Math.log(0.05 / 0.95));
      expectClose(criticalTemperature(w, target)!, want, 1e-12);
    }
  });

  it('criticalTemperature of a contextual world: mean success crosses 1/2 there (oracle), and is monotone around it', () => {
    const u = mulberry32(603);
    const prompts = Array.from({ length: 6 }, () => {
      const ref = randomSimplex(u, 12, 1.5, 0.1);
      const reward = ref.map(() => (u() < 0.2 ? 1 : 0));
      reward[0] = 1;
      ref[0] = Math.max(ref[0], 1e-3);
      return { ref, reward };
    });
    const w = contextualWorld({ kind: 'contextual', prompts, vocab: 1024, correctFraction: 0.02, refScale: 1, seed: 0 });
    const tc = criticalTemperature(w)!;
    expect(tc).toBeGreaterThan(0);
    const mean = (tau: number) => fsum(prompts.map((pr) => gibbsOracle(pr.ref, pr.reward, tau, 1).success)) / prompts.length;
    expectClose(mean(tc), 0.5, 0, 1e-12);
    expect(mean(tc * 0.99)).toBeGreaterThan(0.5);
    expect(mean(tc * 1.01)).toBeLessThan(0.5);
  });
});

describe('K-step chain: F37 scaling and critical temperatures', () => {
  /** logit P*_K from the test's own formula K(δ/τ + log q) − log(1 − q^K). */
  function logitOracle(K: number, q: number, delta: number, tau: number): number {
    const lq = K * Math.log(q);
    const log1mqK = lq < -Math.LN2 ? Math.log1p(-Math.exp(lq)) : Math.log(-Math.expm1(lq));
    return K * (delta / tau) + lq - log1mqK;
  }

  it('chainSuccessLogit = brute-force logit over all V^K sequences (V ≤ 4, K ≤ 5)', () => {
    for (const K of [1, 2, 3, 5]) {
      for (const V of [2, 4]) {
        for (const q of [0.05, 0.5, 0.9]) {
          for (const tau of [0.05, 0.3, 1, 10]) {
            const delta = 0.7;
            const a = chainAutomaton(K, q, V, delta);
            const e = enumerateSequences(a);
            const lp = sequenceLogProbs(e, a.logRef, a.terminalReward.map((r) => r / tau));
            const succ = fsum(lp.map((l, i) => (e.paths[i].final === 0 ? Math.exp(l) : 0)));
            const fail = fsum(lp.map((l, i) => (e.paths[i].final === 0 ? 0 : Math.exp(l))));
            expectClose(chainSuccessLogit(K, q, delta, tau), Math.log(succ) - Math.log(fail), 1e-11, 1e-12, `K=${K} V=${V} q=${q} τ=${tau}`);
          }
        }
      }
    }
  });

  it('chainSuccessLogit = the formula and = the sequence DP, up to K = 1e5 and extreme q', () => {
    for (const [K, q] of [
      [1, 0.5],
      [8, 0.9],
      [100, 1e-12],
      [1000, 1 - 1e-9],
      [100_000, 0.99999],
    ] as const) {
      for (const tau of [1e-3, 0.1, 1, 1e3, 1e6]) {
        const delta = 0.1;
        const want = logitOracle(K, q, delta, tau);
        expectClose(chainSuccessLogit(K, q, delta, tau), want, 1e-12, 1e-12, `formula K=${K} q=${q} τ=${tau}`);
        const w = chainWorld({ kind: 'chain', K, q, vocab: 16, delta });
        const st = sequenceStats(w, gibbsSequenceMeasure(w, tau));
        if (st.success > 0 && st.failure > 0) {
          // Both sums are direct (no 1 − x), so their log-ratio is precise even when one is 1e-300.
          expectClose(Math.log(st.success) - Math.log(st.failure), want, 1e-9, 1e-9, `DP K=${K} q=${q} τ=${tau}`);
        }
      }
    }
  });

  it('F37: the slope of logit P*_K in K tends to δ/τ − |log q|; P*_K → 1 below δ/|log q| and → 0 above', () => {
    const q = 0.9;
    const delta = 0.1;
    const lim = delta / -Math.log(q);
    expectClose(chainCriticalLimit({ q, delta }), lim, 1e-15);
    for (const tau of [0.5 * lim, 0.9 * lim, 1.1 * lim, 2 * lim]) {
      const slope = chainSuccessLogit(201, q, delta, tau) - chainSuccessLogit(200, q, delta, tau);
      // Exactly: δ/τ + log q − [log(1 − q^201) − log(1 − q^200)]; the bracket is ~q^200 ≈ 7e-10.
      expectClose(slope, logitOracle(201, q, delta, tau) - logitOracle(200, q, delta, tau), 0, 1e-12, `slope τ=${tau}`);
      expectClose(slope, delta / tau + Math.log(q), 0, 1e-9, `limit slope τ=${tau}`);
      const P = (K: number) => equilibrium(chainWorld({ kind: 'chain', K, q, vocab: 16, delta }), tau).success;
      if (tau < lim) expect(P(3000)).toBeGreaterThan(1 - 1e-9);
      else expect(P(3000)).toBeLessThan(1e-9);
      // Monotone in K on each side (beyond the transient of the log(1 − q^K) term).
      if (tau < lim) expect(P(400)).toBeGreaterThan(P(200));
      else expect(P(400)).toBeLessThan(P(200));
    }
    // With a fixed reward Δ instead of Kδ, τ_c(K) = Δ/log((1−q^K)/q^K) → 0.
    let prev = Infinity;
    for (const K of [10, 20, 50, 200]) {
      const t = binaryCriticalTemperature({ p: q ** K, delta: 1 })!;
      expect(t).toBeLessThan(prev);
      prev = t;
    }
    expect(prev).toBeLessThan(0.05);
  });

  it('chainCriticalTemperature = δ/(|log q| + log(1 − q^K)/K) = bisection on the DP; null when q^K ≥ 1/2', () => {
    for (const [K, q, delta] of [
      [2, 0.5, 1],
      [8, 0.9, 0.1],
      [50, 0.9, 1],
      [1000, 0.99, 0.3],
      [3, 1e-12, 1e6],
    ] as const) {
      const qK = Math.exp(K * Math.log(q));
      const want = delta / (-Math.log(q) + Math.log1p(-qK) / K);
      expectClose(chainCriticalTemperature(K, q, delta)!, want, 1e-13, 0, `K=${K} q=${q}`);
      const bis = criticalTemperature(chainWorld({ kind: 'chain', K, q, vocab: 16, delta }));
      expectClose(bis!, want, 1e-10, 0, `bisection K=${K} q=${q}`);
      expectClose(chainSuccessLogit(K, q, delta, want), 0, 0, 1e-9 * K * Math.max(1, delta / want));
    }
    // It tends to the limit from above as K grows.
    const lim = chainCriticalLimit({ q: 0.9, delta: 0.1 });
    let prev = Infinity;
    for (const K of [10, 20, 50, 100]) {
      const t = chainCriticalTemperature(K, 0.9, 0.1)!;
      expect(t).toBeGreaterThan(lim);
      expect(t).toBeLessThan(prev);
      prev = t;
    }
    // At K ≥ 1000 the correction log(1 − q^K)/K ~ q^K/K is below the ulp: the limit itself.
    expectClose(chainCriticalTemperature(1000, 0.9, 0.1)!, lim, 1e-14);
    expectClose(chainCriticalTemperature(100_000, 0.9, 0.1)!, lim, 1e-14);
    // q^K ≥ 1/2: success ≥ 1/2 at every τ.
    expect(chainCriticalTemperature(1, 0.6, 1)).toBeNull();
    expect(chainCriticalTemperature(2, 0.75, 1)).toBeNull();
    expect(criticalTemperature(chainWorld({ kind: 'chain', K: 2, q: 0.75, vocab: 4, delta: 1 }))).toBeNull();
  });
});
