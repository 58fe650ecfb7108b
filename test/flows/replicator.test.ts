import { describe, it, expect } from 'vitest';
import { equilibrium } from '../../src/equilibrium/index.js';
import { mirrorDescentFlow, replicatorFlow } from '../../src/flows/index.js';
import { banditWorld, binaryWorld, chainWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { randomAutomaton, sequenceBandit } from '../support/automata.js';
import { chainAutomaton, entropyOracle, fsum, gibbsOracle, klOracle } from '../support/oracle.js';
import { between, intBelow, mulberry32, randomRewards, randomSimplex } from '../support/random.js';

function normalize(lw: number[]): number[] {
  const mx = Math.max(...lw);
  const lz = mx + Math.log(fsum(lw.map((v) => Math.exp(v - mx))));
  return lw.map((v) => v - lz);
}

/** F7: log π_t = e^{−τt}·log π_0 + (1 − e^{−τt})·log π*, renormalized (−∞ outside the support). */
function closedAt(lp0: number[], lstar: number[], tau: number, t: number): number[] {
  const w = Math.exp(-tau * t);
  return normalize(lp0.map((a, i) => (lstar[i] === -Infinity ? -Infinity : w * a + (1 - w) * lstar[i])));
}

/**
 * The replicator ODE integrated here, in probability space: dπ/dt = π·(g − E_π g), g = r − τ·log(π/π_ref),
 * classical RK4 (a second method: no log-space state, no closed form).
 */
function integrate(p0: number[], ref: number[], r: number[], tau: number, dt: number, steps: number): number[] {
  const f = (p: number[]) => {
    const g = p.map((x, i) => (x > 0 ? r[i] - tau * Math.log(x / ref[i]) : 0));
    const m = fsum(p.map((x, i) => x * g[i]));
    return p.map((x, i) => x * (g[i] - m));
  };
  let p = p0.slice();
  for (let k = 0; k < steps; k++) {
    const k1 = f(p);
    const k2 = f(p.map((x, i) => x + 0.5 * dt * k1[i]));
    const k3 = f(p.map((x, i) => x + 0.5 * dt * k2[i]));
    const k4 = f(p.map((x, i) => x + dt * k3[i]));
    p = p.map((x, i) => x + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  }
  return p;
}

describe('Replicator flow with KL-shaped fitness (F7, F9)', () => {
  it('RK4 (dt = 1e-3) and the closed form match the e^{−τt} mixture built here to ≤ 1e-8; time = k·dt', () => {
    const u = mulberry32(801);
    for (let t = 0; t < 6; t++) {
      const n = 2 + intBelow(u, 12);
      const ref = randomSimplex(u, n, 1.5, t % 2 ? 0.25 : 0);
      const r = randomRewards(u, n, -1, 2);
      const world = banditWorld({ kind: 'bandit', ref, reward: r });
      const tau = [0.3, 1, 3][t % 3];
      const lref = Array.from(world.logRef);
      const star = gibbsOracle(ref, r, tau);
      const from = t % 3 === 2 ? 'uniform' : 'ref';
      // The flow starts on the reference support (uniform over it, or π_ref).
      const lp0 = from === 'ref' ? lref : normalize(lref.map((l) => (l === -Infinity ? -Infinity : 0)));
      const steps = 1500;
      const dt = 1e-3;
      for (const method of ['rk4', 'closed'] as const) {
        const tr = replicatorFlow(world, { tau, dt, steps, method, from });
        expect(tr.time!.length).toBe(steps + 1);
        tr.time!.forEach((x, k) => expectClose(x, k * dt, 1e-15));
        const tol = method === 'rk4' ? 1e-8 : 1e-12;
        for (const k of [0, 1, 10, 500, steps]) {
          const cf = closedAt(lp0, star.logProbs, tau, k * dt);
          const what = `${method} t=${t} k=${k}`;
          expectClose(tr.klToGibbs[k], klOracle(cf, star.logProbs), tol, 1e-14, `${what} KL`);
          expectClose(tr.entropy[k], entropyOracle(cf), tol, 1e-14, `${what} H`);
          expectClose(tr.refKl[k], klOracle(cf, lref), tol, 1e-14, `${what} refKl`);
          expectClose(tr.expectedReward[k], fsum(cf.map((l, i) => Math.exp(l) * r[i])), tol, 1e-14, `${what} E[r]`);
        }
        const fin = closedAt(lp0, star.logProbs, tau, steps * dt);
        tr.finalPolicy!.forEach((p, i) => expectClose(p, Math.exp(fin[i]), tol, 1e-300, `${method} π[${i}]`));
      }
    }
  });

  it('the closed form matches an RK4 integration of dπ/dt = π(g − E g) in probability space (second method)', () => {
    const u = mulberry32(802);
    for (let t = 0; t < 5; t++) {
      const n = 2 + intBelow(u, 8);
      const ref = randomSimplex(u, n, 1);
      const r = randomRewards(u, n, 0, 2);
      const world = banditWorld({ kind: 'bandit', ref, reward: r });
      const tau = between(u, 0.2, 2);
      const s = fsum(ref);
      const p = integrate(
        ref.map((x) => x / s),
        ref.map((x) => x / s),
        r,
        tau,
        1e-3,
        1000,
      );
      const tr = replicatorFlow(world, { tau, dt: 1, steps: 1, method: 'closed' });
      tr.finalPolicy!.forEach((x, i) => expectClose(x, p[i], 1e-8, 0, `t=${t} π[${i}]`));
    }
  });

  it('mirror descent with η → 0 tends to the flow: (1 − ητ)^{t/η} → e^{−τt}, error O(η)', () => {
    const u = mulberry32(803);
    const n = 6;
    const ref = randomSimplex(u, n, 1.5);
    const r = randomRewards(u, n, 0, 1);
    const world = banditWorld({ kind: 'bandit', ref, reward: r });
    const tau = 0.8;
    const T = 2;
    const flow = replicatorFlow(world, { tau, dt: T, steps: 1, method: 'closed' }).finalPolicy!;
    const err = (N: number) => {
      const md = mirrorDescentFlow(world, { tau, eta: T / N, steps: N }).finalPolicy!;
      return Math.max(...md.map((p, i) => Math.abs(Math.log(p) - Math.log(flow[i]))));
    };
    const e1 = err(100);
    const e2 = err(1000);
    expect(e1).toBeGreaterThan(0);
    expectClose(e1 / e2, 10, 0.05, 0, 'O(η) ratio');
    expectClose((1 - (tau * T) / 1e6) ** 1e6, Math.exp(-tau * T), 1e-5);
  });

  it('F25 worked oracle: p_ref = 0.2, β = 0.5, t = 1 (SPEC values, 10 digits)', () => {
    const world = binaryWorld({ kind: 'binary', p: 0.2, delta: 1 });
    const eq = equilibrium(world, 0.5);
    expectClose(eq.success, 0.6487856443, 0, 1e-10, 'p*');
    expectClose(eq.logZ, 0.8232149906, 0, 1e-10, 'log Z_β');
    // s_1 = (1 − e^{−βt})/β and p_1 = σ(logit p + s_1).
    const s1 = (1 - Math.exp(-0.5)) / 0.5;
    expectClose(s1, 0.7869386806, 0, 1e-10, 's_1');
    for (const method of ['closed', 'rk4'] as const) {
      const tr = replicatorFlow(world, { tau: 0.5, dt: 1e-3, steps: 1000, method });
      const tol = method === 'closed' ? 1e-10 : 1e-9;
      expectClose(tr.success[1000], 0.3544911177, 0, tol, `${method} p_1`);
      expectClose(tr.klToGibbs[1000], 0.1786227703, 0, tol, `${method} kl(p_1‖p*)`);
      expectClose(tr.freeEnergyGap[1000], 0.5 * 0.1786227703, 0, tol, `${method} gap`);
    }
  });

  it('sequence worlds: RK4 factor and closed form vs the brute-force e^{−τt} mixture over all sequences', () => {
    const u = mulberry32(804);
    const cases = [
      ...Array.from({ length: 6 }, (_, t) => randomAutomaton(u, 1 + intBelow(u, 3), 1 + intBelow(u, 4), { zeroArcs: t % 2 === 0, mult: true })),
      { auto: chainAutomaton(4, 0.6, 3, 0.5), world: chainWorld({ kind: 'chain', K: 4, q: 0.6, vocab: 3, delta: 0.5 }) },
    ];
    for (const [ci, { auto, world }] of cases.entries()) {
      const sb = sequenceBandit(auto);
      const lref = sb.ref.map(Math.log);
      for (const tau of [0.4, 2]) {
        const star = gibbsOracle(sb.ref, sb.reward, tau, world.maxReward);
        for (const from of ['ref', 'uniform'] as const) {
          const lp0 = from === 'ref' ? lref : normalize(sb.e.paths.map((p) => fsum(p.steps.map(([s]) => -Math.log(auto.next[s].length)))));
          for (const method of ['rk4', 'closed'] as const) {
            const tr = replicatorFlow(world, { tau, dt: 1e-3, steps: 1200, method, from });
            const tol = method === 'rk4' ? 1e-8 : 1e-10;
            for (const k of [1, 300, 1200]) {
              const cf = closedAt(lp0, star.logProbs, tau, k * 1e-3);
              const what = `case ${ci} τ=${tau} ${from} ${method} k=${k}`;
              expectClose(tr.klToGibbs[k], klOracle(cf, star.logProbs), tol, 1e-14, `${what} KL`);
              expectClose(tr.entropy[k], entropyOracle(cf), tol, 1e-14, `${what} H`);
              expectClose(tr.refKl[k], klOracle(cf, lref), tol, 1e-14, `${what} refKl`);
              expectClose(tr.success[k], fsum(cf.map((l, i) => (sb.reward[i] === world.maxReward ? Math.exp(l) : 0))), tol, 1e-300, `${what} success`);
            }
          }
        }
      }
    }
  });

  it('long times and zero-support arcs stay finite (e^{−τt} underflows to 0 at τt > 745)', () => {
    const u = mulberry32(805);
    const { auto, world } = randomAutomaton(u, 3, 3, { zeroArcs: true, mult: true });
    const sb = sequenceBandit(auto);
    const tr = replicatorFlow(world, { tau: 1, dt: 100, steps: 10, method: 'closed', from: 'uniform' });
    const star = gibbsOracle(sb.ref, sb.reward, 1, world.maxReward);
    for (let k = 8; k <= 10; k++) {
      expect(Number.isFinite(tr.klToGibbs[k])).toBe(true);
      expectClose(tr.klToGibbs[k], 0, 0, 1e-15);
      expectClose(tr.entropy[k], star.entropy, 1e-12, 1e-14);
    }
    // and e^{−τt} = 1 to the last bit (τt = 1e-20): still π_ref, no 0·(−∞).
    const tiny = replicatorFlow(world, { tau: 1, dt: 1e-20, steps: 2, method: 'closed' });
    expectClose(tiny.klToGibbs[2], klOracle(sb.ref.map(Math.log), star.logProbs), 1e-12, 0, 'KL(π_ref‖π*)');
    expect(tiny.refKl[2]).toBe(0);
  });
});
