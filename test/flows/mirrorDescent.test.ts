import { describe, it, expect } from 'vitest';
import { equilibrium, gibbsLogPolicyRow } from '../../src/equilibrium/index.js';
import { mirrorDescentClosedForm, mirrorDescentFlow, mirrorDescentStepRow } from '../../src/flows/index.js';
import { banditWorld, binaryWorld, chainWorld, contextualWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { randomAutomaton, sequenceBandit } from '../support/automata.js';
import { chainAutomaton, entropyOracle, fsum, gibbsOracle, klOracle } from '../support/oracle.js';
import { between, intBelow, mulberry32, randomRewards, randomSimplex } from '../support/random.js';

/** Normalize log-weights (−∞ kept) by a max-shifted compensated sum. */
function normalize(lw: number[]): number[] {
  const mx = Math.max(...lw);
  const lz = mx + Math.log(fsum(lw.map((v) => Math.exp(v - mx))));
  return lw.map((v) => v - lz);
}

/** One exponentiated-advantage step (F5 with the Â of F4), written out in log space. */
function mdStep(lp: number[], lref: number[], r: ArrayLike<number>, tau: number, eta: number, bare = false): number[] {
  const t = bare ? 0 : tau;
  return normalize(lp.map((l, i) => (l === -Infinity || lref[i] === -Infinity ? -Infinity : l + eta * (r[i] - t * (l - lref[i])))));
}

/** F6 closed form: c^k·log π_0 + (1 − c^k)·log π*, renormalized. */
function closedForm(lp0: number[], lstar: number[], ck: number): number[] {
  if (ck === 1) return normalize(lp0);
  return normalize(lp0.map((a, i) => (lstar[i] === -Infinity ? -Infinity : ck * a + (1 - ck) * lstar[i])));
}

/** sp(a − b) over the support of b. */
function span(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    if (b[i] === -Infinity) continue;
    lo = Math.min(lo, a[i] - b[i]);
    hi = Math.max(hi, a[i] - b[i]);
  }
  return hi - lo;
}

/** Observables of a log-policy, from the test's side. */
function observe(lp: number[], lref: number[], r: ArrayLike<number>, lstar: number[], top: number) {
  const p = lp.map(Math.exp);
  return {
    klToGibbs: klOracle(lp, lstar),
    success: fsum(p.map((x, i) => (r[i] === top ? x : 0))),
    expectedReward: fsum(p.map((x, i) => x * r[i])),
    entropy: entropyOracle(lp),
    refKl: klOracle(lp, lref),
  };
}

describe('Mirror descent on a bandit (F4–F6)', () => {
  it('the iteration and the closed form both match the F6 geometric mixture built here, step by step', () => {
    const u = mulberry32(701);
    for (let t = 0; t < 12; t++) {
      const n = 2 + intBelow(u, 30);
      const ref = randomSimplex(u, n, 1.5, t % 2 ? 0.3 : 0);
      const r = randomRewards(u, n, -1, 2);
      const world = banditWorld({ kind: 'bandit', ref, reward: r });
      const tau = 10 ** between(u, -1, 1);
      const eta = between(u, 0.2, 1.8) / tau; // ητ ∈ (0.2, 1.8): both monotone and oscillating
      const c = 1 - eta * tau;
      const lref = Array.from(world.logRef);
      const star = gibbsOracle(ref, r, tau);
      const from = t % 3 === 0 ? 'uniform' : 'ref';
      // The uniform start covers all n completions, also those outside the reference support.
      const lp0 = from === 'ref' ? lref : lref.map(() => -Math.log(n));
      for (const method of ['iterate', 'closed'] as const) {
        const steps = 25;
        const tr = mirrorDescentFlow(world, { tau, eta, steps, method, from });
        expect(tr.step).toEqual(Array.from({ length: steps + 1 }, (_, k) => k));
        let it = lp0;
        for (let k = 0; k <= steps; k++) {
          const cf = closedForm(lp0, star.logProbs, c ** k);
          // The naive iteration agrees with the closed form (F6, test-side only).
          for (let i = 0; i < n; i++) if (cf[i] > -Infinity) expectClose(it[i], cf[i], 0, 1e-12 * (1 + Math.abs(cf[i])), `F6 k=${k}`);
          const o = observe(cf, lref, r, star.logProbs, world.maxReward);
          const what = `${method} t=${t} k=${k}`;
          // The iterate log π_k is itself only known to δ ~ 1e-16·|log π|/(1 − |c|) ≲ 1e-14 (one
          // rounding per step, contracted by c); KL(π_k‖π*) moves by ~2δ·√(2·KL) with it. So the
          // floor is 1e-14·√KL absolute: 3e-8 relative at KL = 1e-13, 3e-6 at KL = 1e-17.
          const floor = 1e-14 * Math.sqrt(o.klToGibbs) + 1e-30;
          expectClose(tr.klToGibbs[k], o.klToGibbs, 1e-9, floor, `${what} KL`);
          expectClose(tr.freeEnergyGap[k], tau * o.klToGibbs, 1e-9, tau * floor, `${what} gap`);
          expectClose(tr.success[k], o.success, 1e-11, 1e-300, `${what} success`);
          expectClose(tr.expectedReward[k], o.expectedReward, 1e-11, 1e-14, `${what} E[r]`);
          expectClose(tr.entropy[k], o.entropy, 1e-11, 1e-14, `${what} H`);
          expectClose(tr.refKl[k], o.refKl, 1e-10, 1e-28, `${what} refKl`);
          // F2 along the iterates: τ log Z − J(π_k) = τ·KL(π_k‖π*).
          const J = o.expectedReward - tau * o.refKl;
          expectClose(tau * star.logZ - J, tr.freeEnergyGap[k], 1e-7, 1e-12 * (1 + Math.abs(tau * star.logZ)), `${what} F2 gap`);
          it = mdStep(it, lref, r, tau, eta);
        }
        const fin = closedForm(lp0, star.logProbs, c ** steps);
        tr.finalPolicy!.forEach((p, i) => expectClose(p, Math.exp(fin[i]), 1e-11, 1e-300, `${method} final π[${i}]`));
      }
    }
  });

  it('exact span contraction sp(log π_k − log π*) = |1 − ητ|^k·sp(log π_0 − log π*) per step', () => {
    const u = mulberry32(702);
    for (let t = 0; t < 10; t++) {
      const n = 3 + intBelow(u, 20);
      const ref = randomSimplex(u, n, 1.5, 0.2);
      const r = randomRewards(u, n, 0, 3);
      const world = banditWorld({ kind: 'bandit', ref, reward: r });
      const tau = 10 ** between(u, -1, 1);
      for (const et of [0.3, 0.9, 1.4, 1.9]) {
        const eta = et / tau;
        const star = gibbsOracle(ref, r, tau).logProbs;
        const lp = Float64Array.from(world.logRef);
        let prev = span(lp, star);
        for (let k = 1; k <= 12; k++) {
          mirrorDescentStepRow(lp, world.logRef, world.reward, tau, eta, lp);
          const sp = span(lp, star);
          if (prev > 1e-9) expectClose(sp / prev, Math.abs(1 - et), 1e-5, 0, `ητ=${et} k=${k}`);
          prev = sp;
        }
      }
    }
  });

  it('ητ = 1 lands on π* in one step; ητ > 1 alternates the sign of the error; ητ = 2 never converges', () => {
    const u = mulberry32(703);
    for (let t = 0; t < 10; t++) {
      const n = 3 + intBelow(u, 20);
      const ref = randomSimplex(u, n, 1.5, 0.2);
      const r = randomRewards(u, n, 0, 3);
      const world = banditWorld({ kind: 'bandit', ref, reward: r });
      const tau = 10 ** between(u, -1, 1);
      const star = gibbsOracle(ref, r, tau).logProbs;
      const one = Float64Array.from(world.logRef);
      mirrorDescentStepRow(one, world.logRef, world.reward, tau, 1 / tau, one);
      for (let i = 0; i < n; i++) if (star[i] > -Infinity) expectClose(one[i], star[i], 0, 1e-13 * (1 + Math.abs(star[i])));
      // Error e_k = log π_k − log π* centred on π*'s support: e_{k+1} = c·e_k (+ a constant).
      const centred = (lp: ArrayLike<number>) => {
        const e = star.map((s, i) => (s === -Infinity ? 0 : lp[i] - s));
        const m = fsum(e.filter((_, i) => star[i] > -Infinity)) / star.filter((s) => s > -Infinity).length;
        return e.map((x, i) => (star[i] === -Infinity ? 0 : x - m));
      };
      for (const et of [1.5, 2]) {
        const lp = Float64Array.from(world.logRef);
        let e = centred(lp);
        for (let k = 0; k < 6; k++) {
          mirrorDescentStepRow(lp, world.logRef, world.reward, tau, et / tau, lp);
          const e2 = centred(lp);
          for (let i = 0; i < n; i++) expectClose(e2[i], (1 - et) * e[i], 0, 1e-11 * (1 + Math.abs(e[i])));
          e = e2;
        }
      }
    }
  });

  it('KL_{k+1}/KL_k → c² (within 1e-3 after 10 steps)', () => {
    const u = mulberry32(704);
    for (let t = 0; t < 8; t++) {
      const n = 3 + intBelow(u, 20);
      const ref = randomSimplex(u, n, 1.5);
      const r = randomRewards(u, n, 0, 2);
      const world = banditWorld({ kind: 'bandit', ref, reward: r });
      const tau = 10 ** between(u, -0.5, 0.5);
      for (const c of [0.37, -0.37, 0.6]) {
        const tr = mirrorDescentFlow(world, { tau, eta: (1 - c) / tau, steps: 14 });
        for (let k = 10; k < 14; k++) expectClose(tr.klToGibbs[k + 1] / tr.klToGibbs[k], c * c, 0, 1e-3, `c=${c} k=${k}`);
      }
    }
  });

  it('F4: a constant added to the reward changes nothing; the bare-reward variant heads to argmax r instead of π*', () => {
    const u = mulberry32(705);
    for (let t = 0; t < 8; t++) {
      const n = 3 + intBelow(u, 10);
      const ref = randomSimplex(u, n, 1, 0.2);
      const r = randomRewards(u, n, 0, 1);
      const w1 = banditWorld({ kind: 'bandit', ref, reward: r });
      const w2 = banditWorld({ kind: 'bandit', ref, reward: r.map((x) => x + 37.5) });
      const tau = 0.3;
      const a = mirrorDescentFlow(w1, { tau, eta: 1, steps: 20 });
      const b = mirrorDescentFlow(w2, { tau, eta: 1, steps: 20 });
      a.finalPolicy!.forEach((p, i) => expectClose(b.finalPolicy![i], p, 1e-12, 1e-300));
      for (let k = 0; k <= 20; k++) expectClose(b.klToGibbs[k], a.klToGibbs[k], 1e-9, 1e-300);
      // Bare reward: π_k ∝ π_ref·e^{kηr}, so the success (mass on the best supported reward) → 1.
      const bare = mirrorDescentFlow(w1, { tau, eta: 1, steps: 400, bareReward: true });
      const lref = Array.from(w1.logRef);
      const want = normalize(lref.map((l, i) => (l === -Infinity ? -Infinity : l + 400 * r[i])));
      bare.finalPolicy!.forEach((p, i) => expectClose(p, Math.exp(want[i]), 1e-10, 1e-300));
      // It passes π*'s success and keeps climbing towards 1.
      const eq = equilibrium(w1, tau);
      expect(bare.success[400]).toBeGreaterThan(eq.success);
      for (let k = 0; k < 400; k++) expect(bare.success[k + 1]).toBeGreaterThanOrEqual(bare.success[k] - 1e-15);
    }
  });

  it('zero-probability reference entries stay at probability 0, from any start', () => {
    const world = banditWorld({ kind: 'bandit', ref: [0.5, 0, 0.3, 0.2, 0], reward: [0, 5, 1, 2, 7] });
    for (const from of ['ref', 'uniform'] as const) {
      const tr = mirrorDescentFlow(world, { tau: 0.5, eta: 1, steps: 10, from });
      expect(tr.finalPolicy![1]).toBe(0);
      expect(tr.finalPolicy![4]).toBe(0);
      expect(Number.isFinite(tr.refKl[10])).toBe(true);
    }
  });

  it('mirrorDescentClosedForm treats 0·(−∞) as 0 at the endpoints (k = 0 and c^k = 0)', () => {
    const lp0 = Float64Array.of(Math.log(0.5), Math.log(0.5), -Infinity);
    const star = Float64Array.of(Math.log(0.2), -Infinity, Math.log(0.8));
    const out = new Float64Array(3);
    mirrorDescentClosedForm(lp0, star, 1, out, 1, 3);
    out.forEach((v, i) => expectClose(v, lp0[i], 0, 1e-15));
    mirrorDescentClosedForm(lp0, star, 0, out, 1, 3);
    out.forEach((v, i) => expectClose(v, star[i], 0, 1e-15));
  });

  it('contextual worlds: trace = mean over prompts of per-prompt F6 closed forms', () => {
    const world = contextualWorld({ kind: 'contextual', prompts: 4, vocab: 50, correctFraction: 0.1, refScale: 1.5, seed: 9 });
    const V = world.actions;
    const tau = 0.4;
    const eta = 1.2;
    const c = 1 - eta * tau;
    const tr = mirrorDescentFlow(world, { tau, eta, steps: 8 });
    expect(tr.finalPolicy).toBeUndefined();
    for (let k = 0; k <= 8; k++) {
      const per = Array.from({ length: 4 }, (_, x) => {
        const lref = Array.from(world.logRef.subarray(x * V, (x + 1) * V));
        const r = world.reward.subarray(x * V, (x + 1) * V);
        const star = gibbsOracle(lref.map(Math.exp), r, tau, 1);
        return observe(closedForm(lref, star.logProbs, c ** k), lref, r, star.logProbs, 1);
      });
      for (const key of ['klToGibbs', 'success', 'expectedReward', 'entropy', 'refKl'] as const) {
        expectClose(tr[key][k], fsum(per.map((o) => o[key])) / 4, 1e-9, 1e-28, `${key} k=${k}`);
      }
    }
  });

  it('F25: from π_ref the iterates stay in the tilt family: logit p_k = logit p + s_k, gap = β·kl(p_k‖p*)', () => {
    for (const p of [1e-12, 0.2, 0.5, 1 - 1e-9]) {
      const beta = 0.5;
      const eta = 0.7;
      const world = binaryWorld({ kind: 'binary', p, delta: 1 });
      const tr = mirrorDescentFlow(world, { tau: beta, eta, steps: 15 });
      const lstar = Math.log(p) - Math.log1p(-p) + 1 / beta;
      for (let k = 0; k <= 15; k++) {
        const s = (1 - (1 - eta * beta) ** k) / beta;
        const l = Math.log(p) - Math.log1p(-p) + s;
        const pk = 1 / (1 + Math.exp(-l));
        expectClose(tr.success[k], pk, 1e-12, 0, `p=${p} k=${k} p_k`);
        // kl(p_k‖p*) from the logits: a·(log a − log b) + (1−a)·(log(1−a) − log(1−b)).
        const la = -Math.log1p(Math.exp(-l));
        const l1a = -Math.log1p(Math.exp(l));
        const lb = -Math.log1p(Math.exp(-lstar));
        const l1b = -Math.log1p(Math.exp(lstar));
        const klb = Math.exp(la) * (la - lb) + Math.exp(l1a) * (l1a - l1b);
        expectClose(tr.freeEnergyGap[k], beta * klb, 1e-9, 1e-15, `p=${p} k=${k} gap`);
      }
    }
  });
});

describe('Mirror descent on sequence worlds (exact at sequence level)', () => {
  /** Sequence-level MD on enumerated sequences: π_{k+1} ∝ π_k^{c}·π_ref^{ητ}·e^{ηR}, or π_k·e^{ηR} bare. */
  function bruteMD(lref: number[], R: number[], lp0: number[], tau: number, eta: number, steps: number, bare: boolean) {
    const out = [lp0];
    let lp = lp0;
    for (let k = 0; k < steps; k++) {
      lp = mdStep(lp, lref, R, tau, eta, bare);
      out.push(lp);
    }
    return out;
  }

  it('random automata and chains: every traced observable equals the brute-force sequence-level iteration', () => {
    const u = mulberry32(711);
    const cases = [
      ...Array.from({ length: 10 }, (_, t) => randomAutomaton(u, 1 + intBelow(u, 3), 1 + intBelow(u, 5), { zeroArcs: t % 2 === 0, mult: true })),
      { auto: chainAutomaton(4, 0.3, 3, 0.5), world: chainWorld({ kind: 'chain', K: 4, q: 0.3, vocab: 3, delta: 0.5 }) },
      { auto: chainAutomaton(5, 0.9, 2, 1), world: chainWorld({ kind: 'chain', K: 5, q: 0.9, vocab: 2, delta: 1 }) },
    ];
    for (const [ci, { auto, world }] of cases.entries()) {
      const sb = sequenceBandit(auto);
      const lref = sb.ref.map(Math.log);
      const maxR = world.maxReward;
      for (const [tau, et] of [
        [0.5, 0.4],
        [2, 1],
        [0.3, 1.6],
      ]) {
        const eta = et / tau;
        const star = gibbsOracle(sb.ref, sb.reward, tau, maxR);
        for (const from of ['ref', 'uniform'] as const) {
          // Uniform start: each state's tokens equally likely, as a product measure.
          // (tokens outside the reference support included, as on a bandit).
          const lp0 = from === 'ref' ? lref : normalize(sb.e.paths.map((p) => fsum(p.steps.map(([s]) => -Math.log(auto.next[s].length)))));
          for (const bare of [false, true]) {
            const seq = bruteMD(lref, sb.reward, lp0, tau, eta, 12, bare);
            for (const method of bare ? (['iterate'] as const) : (['iterate', 'closed'] as const)) {
              const tr = mirrorDescentFlow(world, { tau, eta, steps: 12, method, from, bareReward: bare });
              expect(tr.finalPolicy).toBeUndefined();
              for (let k = 0; k <= 12; k++) {
                const o = observe(seq[k], lref, sb.reward, star.logProbs, maxR);
                const what = `case ${ci} τ=${tau} ητ=${et} ${from} ${bare ? 'bare' : method} k=${k}`;
                expectClose(tr.klToGibbs[k], o.klToGibbs, 1e-8, 1e-14, `${what} KL`);
                expectClose(tr.success[k], o.success, 1e-10, 1e-300, `${what} success`);
                expectClose(tr.expectedReward[k], o.expectedReward, 1e-10, 1e-14, `${what} E[r]`);
                expectClose(tr.entropy[k], o.entropy, 1e-10, 1e-14, `${what} H`);
                expectClose(tr.refKl[k], o.refKl, 1e-8, 1e-14, `${what} refKl`);
              }
            }
          }
        }
      }
    }
  });

  it('the τ = 1e6 chain: KL to π* and to π_ref keep their relative precision (F6 + F11)', () => {
    // From π_ref the iterates are tilts of π_ref by the success indicator with s_k = (1 − c^k)·Kδ/τ;
    // KL(π_k‖π*) = kl(P_k‖P*) and KL(π_k‖π_ref) = kl(P_k‖q^K), P from the logits (F11/F12).
    const K = 6;
    const q = 0.7;
    const delta = 0.5;
    const tau = 1e6;
    const eta = 0.6 / tau;
    const world = chainWorld({ kind: 'chain', K, q, vocab: 5, delta });
    const tr = mirrorDescentFlow(world, { tau, eta, steps: 6 });
    const qK = q ** K;
    const lp = Math.log(qK) - Math.log1p(-qK);
    // kl between two Bernoullis given as logits la, lb that differ by ~1e-7: series in the
    // difference of means d = σ(la) − σ(lb) = σ(lb)(1 − σ(la))·expm1(la − lb).
    const klLogits = (la: number, lb: number) => {
      const a = 1 / (1 + Math.exp(-la));
      const b = 1 / (1 + Math.exp(-lb));
      const d = b * (1 - a) * Math.expm1(la - lb);
      let s = 0;
      let pb = -d;
      let pc = d;
      for (let n = 2; n < 30; n++) {
        pb *= -d / b;
        pc *= d / (1 - b);
        s += (pb + pc) / (n * (n - 1));
      }
      return s;
    };
    for (let k = 0; k <= 6; k++) {
      const sk = (1 - (1 - eta * tau) ** k) * ((K * delta) / tau);
      const lk = lp + sk;
      const ls = lp + (K * delta) / tau;
      if (k > 0) expectClose(tr.refKl[k], klLogits(lk, lp), 1e-8, 0, `refKl k=${k}`);
      if (k < 6) expectClose(tr.klToGibbs[k], klLogits(lk, ls), 1e-8, 0, `KL to π* k=${k}`);
    }
  });
});
