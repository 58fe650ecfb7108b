import { describe, it, expect } from 'vitest';
import { gibbsLogPolicyRow, gibbsRow, policyRow, equilibrium, equilibriumTable, gibbsLogPolicy } from '../../src/equilibrium/index.js';
import { entropy, kl } from '../../src/numerics/index.js';
import { banditWorld, contextualWorld, type BanditWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { binaryEntropyOracle, entropyOracle, fsum, gibbsOracle, klOracle, type GibbsOracle } from '../support/oracle.js';
import { between, gaussian, mulberry32, randomRewards, randomSimplex, type Uniform } from '../support/random.js';

const TAUS = [1e-6, 1e-4, 1e-2, 0.3, 1, 7, 1e2, 1e4, 1e6];

/** J_τ(π) = E_π[r] − τ·KL(π‖π_ref), all from the test's side (π, π_ref as probabilities). */
function objective(pi: number[], ref: number[], r: number[], tau: number): number {
  const lp = pi.map(Math.log);
  const lr = ref.map(Math.log);
  return fsum(pi.map((p, i) => p * r[i])) - tau * klOracle(lp, lr);
}

/** Compare every observable of a Gibbs row against the oracle, at relative tolerance `rel`. */
function checkRow(world: BanditWorld, ref: number[], r: number[], tau: number, rel: number, what: string): GibbsOracle {
  const o = gibbsOracle(ref, r, tau, world.maxReward);
  const out = new Float64Array(r.length);
  const g = gibbsRow(world.logRef, world.reward, tau, world.maxReward, 0, r.length, out);
  expectClose(g.logZ, o.logZ, rel, 0, `${what} logZ`);
  expectClose(g.freeEnergy, o.freeEnergy, rel, 0, `${what} freeEnergy`);
  expectClose(g.expectedReward, o.expectedReward, rel, 0, `${what} E[r]`);
  expectClose(g.success, o.success, rel, 1e-300, `${what} success`);
  // Entropy of a near point mass (τ → 0) is a sum dominated by rounding of log π ≈ 0: absolute floor.
  expectClose(g.entropy, o.entropy, rel, 1e-14, `${what} entropy`);
  expectClose(g.refKl, o.refKl, rel, 1e-300, `${what} refKl`);
  const lp = gibbsLogPolicyRow(world.logRef, world.reward, tau);
  for (let i = 0; i < r.length; i++) {
    if (o.logProbs[i] === -Infinity || o.probs[i] === 0) {
      expect(Math.exp(lp[i])).toBe(0);
      continue;
    }
    expectClose(lp[i], o.logProbs[i], 0, rel * Math.max(1, Math.abs(o.logProbs[i])), `${what} log π*[${i}]`);
    expect(out[i]).toBe(lp[i]);
  }
  return o;
}

function randomInstance(u: Uniform, n: number, opts: { zeros?: number; scale?: number; offset?: number } = {}) {
  const ref = randomSimplex(u, n, 1.5, opts.zeros ?? 0);
  const scale = opts.scale ?? 1;
  const r = randomRewards(u, n).map((x) => (opts.offset ?? 0) + scale * x);
  const world = banditWorld({ kind: 'bandit', ref, reward: r });
  return { ref, r, world };
}

describe('Gibbs equilibrium of a bandit row (F1) vs an independent oracle', () => {
  it('random instances, τ from 1e-6 to 1e6, zero-probability reference entries: 1e-11 relative (issue target 1e-9)', () => {
    const u = mulberry32(101);
    for (const n of [2, 3, 10, 100, 1000]) {
      for (let t = 0; t < 4; t++) {
        const { ref, r, world } = randomInstance(u, n, { zeros: t % 2 ? 0.3 : 0 });
        for (const tau of TAUS) checkRow(world, ref, r, tau, 1e-11, `n=${n} t=${t} τ=${tau}`);
      }
    }
  });

  it('rewards of 1e6: spread 1e6, and 1e6 + O(1) offsets (only differences matter), all τ', () => {
    const u = mulberry32(102);
    for (let t = 0; t < 6; t++) {
      const a = randomInstance(u, 20, { scale: 1e6, zeros: 0.2 });
      for (const tau of TAUS) checkRow(a.world, a.ref, a.r, tau, 1e-11, `scale 1e6 τ=${tau}`);
      const b = randomInstance(u, 20, { offset: 1e6 });
      for (const tau of TAUS) checkRow(b.world, b.ref, b.r, tau, 1e-11, `offset 1e6 τ=${tau}`);
    }
  });

  it('binary statistic with p ∈ {1e-12, 0.5, 1−1e-9} spread over many actions', () => {
    const u = mulberry32(103);
    for (const p of [1e-12, 0.5, 1 - 1e-9]) {
      const n = 50;
      const base = randomSimplex(u, n, 1);
      // Actions 0..9 are correct; rescale so that they carry exactly mass p in total.
      const sc = fsum(base.slice(0, 10));
      const ref = base.map((x, i) => (i < 10 ? (x / sc) * p : (x / (1 - sc)) * (1 - p)));
      const r = ref.map((_, i) => (i < 10 ? 1 : 0));
      const world = banditWorld({ kind: 'bandit', ref, reward: r });
      for (const tau of TAUS) checkRow(world, ref, r, tau, 1e-11, `p=${p} τ=${tau}`);
    }
  });

  it('10^6 actions at τ = 1e-6, 1 and 1e6 (relative 1e-11)', () => {
    const u = mulberry32(104);
    const n = 1_000_000;
    const ref = new Array<number>(n);
    const r = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      ref[i] = i % 97 === 0 ? 0 : Math.exp(8 * u() - 4);
      r[i] = u();
    }
    const lr = Float64Array.from(ref, Math.log);
    const s = Math.log(fsum(ref));
    for (let i = 0; i < n; i++) lr[i] -= s;
    let top = -Infinity;
    for (let i = 0; i < n; i++) if (ref[i] > 0 && r[i] > top) top = r[i];
    const world: BanditWorld = { type: 'bandit', prompts: 1, actions: n, logRef: lr, reward: Float64Array.from(r), maxReward: top };
    for (const tau of [1e-6, 1, 1e6]) {
      const o = gibbsOracle(ref, r, tau, world.maxReward);
      const g = gibbsRow(world.logRef, world.reward, tau, world.maxReward);
      for (const k of ['logZ', 'freeEnergy', 'expectedReward', 'success', 'entropy', 'refKl'] as const) {
        expectClose(g[k], o[k], 1e-11, k === 'entropy' ? 1e-14 : 0, `n=1e6 τ=${tau} ${k}`);
      }
    }
  });

  it('a single supported action, and a row whose maximal reward has no reference support', () => {
    const w1 = banditWorld({ kind: 'bandit', ref: [0, 1, 0], reward: [5, 1, 9] });
    expect(w1.maxReward).toBe(1);
    for (const tau of [1e-6, 1, 1e6]) {
      const g = gibbsRow(w1.logRef, w1.reward, tau, w1.maxReward);
      expect(g.success).toBe(1);
      expect(g.refKl).toBe(0);
      expect(g.entropy).toBe(0);
      expectClose(g.logZ, 1 / tau, 1e-15);
      expectClose(g.freeEnergy, -1, 1e-15);
    }
  });
});

describe('Variational identities (F1, F2, F3)', () => {
  it('F2: J_τ(π) = τ log Z − τ KL(π‖π*) for random π (J and π from the test)', () => {
    const u = mulberry32(201);
    for (let t = 0; t < 40; t++) {
      const n = 2 + Math.floor(u() * 30);
      const { ref, r, world } = randomInstance(u, n, { zeros: t % 3 === 0 ? 0.3 : 0 });
      const pi = randomSimplex(u, n, 1).map((x, i) => (ref[i] === 0 ? 0 : x));
      const sp = fsum(pi);
      for (let i = 0; i < n; i++) pi[i] /= sp;
      if (!pi.some((x) => x > 0)) continue;
      const tau = 10 ** between(u, -2, 2);
      const lhs = objective(pi, ref, r, tau);
      const g = gibbsRow(world.logRef, world.reward, tau, world.maxReward);
      const star = gibbsLogPolicyRow(world.logRef, world.reward, tau);
      const rhs = tau * g.logZ - tau * kl(Float64Array.from(pi, Math.log), star);
      expectClose(rhs, lhs, 1e-10, 1e-12 * (Math.abs(tau * g.logZ) + 1), `F2 t=${t}`);
      // The free energy reported is −J at π*: −E*[r] + τ KL(π*‖π_ref) = −τ log Z.
      const o = gibbsOracle(ref, r, tau);
      expectClose(g.freeEnergy, -objective(o.probs, ref, r, tau), 1e-10, 1e-12, 'F_τ(π*)');
    }
  });

  it('F1: π* beats every perturbation along the simplex and matches an exponentiated-gradient solver', () => {
    const u = mulberry32(202);
    for (let t = 0; t < 10; t++) {
      const n = 3 + Math.floor(u() * 8);
      const { ref, r, world } = randomInstance(u, n);
      const tau = 10 ** between(u, -1, 1);
      const star = Array.from(gibbsLogPolicyRow(world.logRef, world.reward, tau), Math.exp);
      const j0 = objective(star, ref, r, tau);
      for (let k = 0; k < 50; k++) {
        const v = Array.from({ length: n }, () => gaussian(u));
        const mean = v.reduce((a, b) => a + b, 0) / n;
        const eps = 1e-3 * Math.min(...star);
        const pert = star.map((p, i) => p + eps * (v[i] - mean));
        expect(objective(pert, ref, r, tau)).toBeLessThanOrEqual(j0 + 1e-15);
      }
      // Solver written here: ascend J by multiplicative steps on the gradient r − τ(log π/π_ref + 1).
      let pi = Array.from({ length: n }, () => 1 / n);
      const eta = 0.5 / tau;
      for (let it = 0; it < 400; it++) {
        const next = pi.map((p, i) => p * Math.exp(eta * (r[i] - tau * Math.log(p / ref[i]))));
        const s = fsum(next);
        pi = next.map((x) => x / s);
      }
      for (let i = 0; i < n; i++) expectClose(pi[i], star[i], 1e-8, 0, `solver π[${i}]`);
    }
  });

  it('F3: with a uniform reference, E_π[r] = τ log Σ e^{r/τ} − τH(π) − τKL(π‖π*)', () => {
    const u = mulberry32(203);
    for (let t = 0; t < 40; t++) {
      const n = 2 + Math.floor(u() * 40);
      const r = randomRewards(u, n, -2, 3);
      const world = banditWorld({ kind: 'bandit', ref: new Array(n).fill(1), reward: r });
      const pi = randomSimplex(u, n, 1.5);
      const lp = Float64Array.from(pi, Math.log);
      const tau = 10 ** between(u, -1.5, 1.5);
      const g = gibbsRow(world.logRef, world.reward, tau, world.maxReward);
      const star = gibbsLogPolicyRow(world.logRef, world.reward, tau);
      // log Σ e^{r/τ} = log Z + log n for the uniform reference.
      const rhs = tau * (g.logZ + Math.log(n)) - tau * entropy(lp) - tau * kl(lp, star);
      const lhs = fsum(pi.map((p, i) => p * r[i]));
      expectClose(rhs, lhs, 0, 1e-12 * (1 + tau * (Math.abs(g.logZ) + Math.log(n))), `F3 t=${t}`);
    }
  });

  it('policyRow: observables of an arbitrary policy match the oracle; mass outside the reference support gives KL = ∞', () => {
    const u = mulberry32(204);
    for (let t = 0; t < 30; t++) {
      const n = 2 + Math.floor(u() * 20);
      const { ref, r, world } = randomInstance(u, n, { zeros: 0.3 });
      const pi = randomSimplex(u, n, 1).map((x, i) => (ref[i] === 0 ? 0 : x));
      const s = fsum(pi);
      const lp = Float64Array.from(pi, (x) => Math.log(x / s));
      const o = policyRow(lp, world.logRef, world.reward, world.maxReward);
      expectClose(o.expectedReward, fsum(pi.map((p, i) => (p / s) * r[i])), 1e-13, 1e-15);
      expectClose(o.entropy, entropyOracle(lp), 1e-13, 1e-15);
      expectClose(o.refKl, klOracle(lp, Float64Array.from(ref, Math.log)), 1e-12, 1e-15);
      const top = Math.max(...r.filter((_, i) => ref[i] > 0));
      expectClose(o.success, fsum(pi.map((p, i) => (r[i] === top ? p / s : 0))), 1e-13, 1e-300);
    }
    const w = banditWorld({ kind: 'bandit', ref: [1, 0], reward: [0, 1] });
    expect(policyRow(Float64Array.of(Math.log(0.5), Math.log(0.5)), w.logRef, w.reward, w.maxReward).refKl).toBe(Infinity);
  });
});

/** [log m(s), log(1 − m(s))] for the tilt mean m(s) = σ(logit p0 + s). */
function tiltLogs(p0: number, s: number): [number, number] {
  const odds = Math.log(p0) - Math.log1p(-p0) + s;
  return [-Math.log1p(Math.exp(-odds)), -Math.log1p(Math.exp(odds))];
}

describe('Exponential tilts by a binary statistic (F11–F14)', () => {
  /** A random reference with correct set C (reward 1) and the rest wrong (reward 0). */
  function tiltWorld(u: Uniform, n: number) {
    const ref = randomSimplex(u, n, 1.5, 0.1);
    const r = ref.map(() => (u() < 0.3 ? 1 : 0));
    r[0] = 1;
    r[1] = 0;
    ref[0] = Math.max(ref[0], 0.01);
    ref[1] = Math.max(ref[1], 0.01);
    const s = fsum(ref);
    const w = ref.map((x) => x / s);
    const p0 = fsum(w.filter((_, i) => r[i] === 1));
    // Conditional entropies of the base given b (F13).
    const cond = (b: number) => {
      const m = b === 1 ? p0 : 1 - p0;
      return entropyOracle(w.map((x, i) => (r[i] === b && x > 0 ? Math.log(x / m) : -Infinity)));
    };
    return { ref: w, r, p0, HC: cond(1), HW: cond(0), world: banditWorld({ kind: 'bandit', ref: w, reward: r }) };
  }

  it('F11: KL(q_s‖q_t) = kl(m(s)‖m(t)); F12: logit m(s) = logit p0 + s; F13: H = h(m) + m·H_C + (1−m)·H_W', () => {
    const u = mulberry32(301);
    for (let t = 0; t < 20; t++) {
      const T = tiltWorld(u, 5 + Math.floor(u() * 40));
      const taus = [10 ** between(u, -1, 1), 10 ** between(u, -1, 1), 1e6, 1e-2];
      for (const t1 of taus) {
        const g = gibbsRow(T.world.logRef, T.world.reward, t1, 1);
        const m = g.success;
        // F12, with the oracle's logit computed from p0 and s = 1/τ.
        const want = 1 / (1 + ((1 - T.p0) / T.p0) * Math.exp(-1 / t1));
        expectClose(m, want, 1e-12, 0, 'F12');
        // F13.
        const h = binaryEntropyOracle(m);
        expectClose(g.entropy, h + m * T.HC + (1 - m) * T.HW, 1e-12, 1e-15, 'F13');
        // F38 (any tilt): reference KL = kl(m‖p0).
        const o = gibbsOracle(T.ref, T.r, t1, 1);
        expectClose(g.refKl, o.refKl, 1e-9, 0, 'F11 at t=∞');
        for (const t2 of taus) {
          if (t1 === t2) continue;
          const a = gibbsLogPolicyRow(T.world.logRef, T.world.reward, t1);
          const b = gibbsLogPolicyRow(T.world.logRef, T.world.reward, t2);
          // Bernoulli KL of the means by its definition, with log m and log(1 − m) of the tilt
          // taken in closed form (m can be within 1e-40 of 1 at τ = 1e-2).
          const [l1, l1m] = tiltLogs(T.p0, 1 / t1);
          const [l2, l2m] = tiltLogs(T.p0, 1 / t2);
          const klm = Math.exp(l1) * (l1 - l2) + Math.exp(l1m) * (l1m - l2m);
          expectClose(kl(a, b), klm, 1e-9, 1e-15, 'F11');
        }
      }
    }
  });

  it('F14: dH/ds = −Cov_{q_s}(log q_s, b), central differences in s = 1/τ', () => {
    const u = mulberry32(302);
    for (let t = 0; t < 10; t++) {
      const T = tiltWorld(u, 10 + Math.floor(u() * 20));
      const s = between(u, 0.2, 3);
      const h = 1e-4;
      const H = (x: number) => gibbsRow(T.world.logRef, T.world.reward, 1 / x, 1).entropy;
      const fd = (H(s + h) - H(s - h)) / (2 * h);
      const o = gibbsOracle(T.ref, T.r, 1 / s, 1);
      const El = fsum(o.probs.map((p, i) => (p > 0 ? p * o.logProbs[i] : 0)));
      const Eb = fsum(o.probs.map((p, i) => p * T.r[i]));
      const cov = fsum(o.probs.map((p, i) => (p > 0 ? p * (o.logProbs[i] - El) * (T.r[i] - Eb) : 0)));
      expectClose(fd, -cov, 1e-7, 1e-12, 'F14');
    }
  });
});

describe('World-level equilibrium', () => {
  it('contextual worlds: the mean over prompts of per-prompt oracles (explicit and generated)', () => {
    const u = mulberry32(401);
    const prompts = Array.from({ length: 5 }, () => {
      const ref = randomSimplex(u, 8, 1.5, 0.2);
      return { ref, reward: randomRewards(u, 8).map((x) => Math.round(x * 4) / 4) };
    });
    const world = contextualWorld({ kind: 'contextual', prompts, vocab: 1024, correctFraction: 0.02, refScale: 1, seed: 0 });
    const gen = contextualWorld({ kind: 'contextual', prompts: 7, vocab: 300, correctFraction: 0.05, refScale: 2, seed: 3 });
    for (const w of [world, gen]) {
      const V = w.actions;
      for (const tau of [1e-6, 0.2, 1, 1e6]) {
        const eq = equilibrium(w, tau);
        const per = Array.from({ length: w.prompts }, (_, x) =>
          gibbsOracle(
            Array.from(w.logRef.subarray(x * V, (x + 1) * V), Math.exp),
            w.reward.subarray(x * V, (x + 1) * V),
            tau,
            w.maxReward,
          ),
        );
        for (const k of ['logZ', 'freeEnergy', 'expectedReward', 'success', 'entropy', 'refKl'] as const) {
          expectClose(eq[k], fsum(per.map((o) => o[k])) / w.prompts, 1e-9, k === 'entropy' ? 1e-14 : 1e-300, `${k} τ=${tau}`);
        }
        const lp = gibbsLogPolicy(w, tau);
        for (let x = 0; x < w.prompts; x++) {
          for (let y = 0; y < V; y++) {
            const want = per[x].logProbs[y];
            if (per[x].probs[y] === 0) expect(Math.exp(lp[x * V + y])).toBe(0);
            else expectClose(lp[x * V + y], want, 0, 1e-9 * Math.max(1, Math.abs(want)));
          }
        }
      }
    }
  });

  it('equilibriumTable lists the oracle values column by column', () => {
    const u = mulberry32(402);
    const { ref, r, world } = randomInstance(u, 12, { zeros: 0.2 });
    const taus = [1e-3, 0.5, 2, 1e5];
    const t = equilibriumTable(world, taus);
    expect(t.tau).toEqual(taus);
    taus.forEach((tau, i) => {
      const o = gibbsOracle(ref, r, tau);
      for (const k of ['logZ', 'freeEnergy', 'expectedReward', 'success', 'entropy', 'refKl'] as const) expectClose(t[k][i], o[k], 1e-9, 1e-14);
    });
  });
});
