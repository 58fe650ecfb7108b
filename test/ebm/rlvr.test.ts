import { describe, expect, it } from 'vitest';
import { rlvrTrace, reasoningLogPartition } from '../../src/ebm/rlvr.js';
import { mirrorDescentTilt, replicatorTilt } from '../../src/flows/tilt.js';
import { mirrorDescentFlow } from '../../src/flows/mirrorDescent.js';
import { banditWorld, contextualWorld, type BanditWorld } from '../../src/tasks/worlds.js';
import { expectClose } from '../support/assert.js';
import { bernoulliKlOracle, fsum, klOracle } from '../support/oracle.js';
import { gaussian, mulberry32, type Uniform } from '../support/random.js';

/** P prompts over V completions, reference logits 1.5·N(0,1), each completion correct with probability 0.3 (at least one per prompt). */
function randomRlvrWorld(u: Uniform, P: number, V: number): { world: BanditWorld; ref: number[][]; reward: number[][] } {
  const ref: number[][] = [];
  const reward: number[][] = [];
  for (let x = 0; x < P; x++) {
    const w = Array.from({ length: V }, () => Math.exp(1.5 * gaussian(u)));
    const s = fsum(w);
    ref.push(w.map((v) => v / s));
    const r = Array.from({ length: V }, () => (u() < 0.3 ? 1 : 0));
    if (!r.includes(1)) r[0] = 1;
    if (!r.includes(0)) r[V - 1] = 0;
    reward.push(r);
  }
  const world = contextualWorld({ kind: 'contextual', prompts: ref.map((r, x) => ({ ref: r, reward: reward[x] })), vocab: V, correctFraction: 0, refScale: 1, seed: 0 });
  return { world, ref, reward };
}

/** KL(π_ref·e^{s r}/Z ‖ π_ref·e^{r/β}/Z*) and its accuracy, from the test side. */
function tiltOracle(ref: number[], r: number[], s: number, beta: number) {
  const tilt = (a: number) => {
    const w = ref.map((p, i) => p * Math.exp(a * r[i]));
    const z = fsum(w);
    return w.map((v) => Math.log(v / z));
  };
  const lp = tilt(s);
  const ls = tilt(1 / beta);
  return { kl: klOracle(lp, ls), p: fsum(lp.map((l, i) => (r[i] ? Math.exp(l) : 0))) };
}

describe('RLVR (F23–F25)', () => {
  it("SPEC's worked oracle: p_ref = 0.2, β = 0.5, t = 1", () => {
    const world = banditWorld({ kind: 'bandit', ref: [0.2, 0.8], reward: [1, 0] });
    const tr = rlvrTrace(world, 0.5, { kind: 'flow', dt: 1, steps: 1, method: 'closed' });
    expectClose(replicatorTilt(1, 0.5), 0.7869386806, 1e-10, 0, 's_1');
    expectClose(tr.accuracy[1], 0.3544911177, 1e-9, 0, 'p_1');
    expectClose(tr.gap[1] / 0.5, 0.1786227703, 1e-9, 0, 'kl(p_1‖p*)');
    expectClose(tr.bernoulliGap[1] / 0.5, 0.1786227703, 1e-9, 0, 'kl(p_1‖p*) (Bernoulli)');
    expectClose(reasoningLogPartition(0.2, 0.5), 0.8232149906, 1e-9, 0, 'log Z_β');
    expectClose(tr.optimalObjective, 0.5 * 0.8232149906, 1e-9, 0, 'β log Z_β');
  });

  it('mirror descent from π_ref: gap = β·E_x kl(p_t‖p*) exactly, on the tilt family with s_k = (1 − (1−ηβ)^k)/β', () => {
    const u = mulberry32(71);
    for (const [beta, eta] of [
      [0.5, 0.4],
      [0.1, 3],
      [2, 0.7], // ηβ = 1.4: oscillates, still in the family
    ]) {
      const { world, ref, reward } = randomRlvrWorld(u, 6, 9);
      const tr = rlvrTrace(world, beta, { kind: 'mirror-descent', eta, steps: 25 });
      for (let k = 0; k <= 25; k++) {
        expectClose(tr.gap[k], tr.bernoulliGap[k], 1e-10, 1e-14, `gap vs Bernoulli gap k=${k} β=${beta}`);
        // logit p_t is taken from p_t, which is within ~e^{−1/β} of 1 at small β: rounding ε/(1 − p).
        expect(tr.logitShiftError![k]).toBeLessThan(1e-9);
        // From the test side: each prompt is π_ref·e^{s_k r}.
        const s = mirrorDescentTilt(k, eta, beta);
        const o = ref.map((r, x) => tiltOracle(r, reward[x], s, beta));
        expectClose(tr.gap[k], (beta * fsum(o.map((v) => v.kl))) / 6, 1e-9, 1e-15, `gap vs tilt oracle k=${k}`);
        expectClose(tr.accuracy[k], fsum(o.map((v) => v.p)) / 6, 1e-12, 0, `accuracy k=${k}`);
        // F24: objective = β·E log Z_β − gap.
        expectClose(tr.objective[k], tr.optimalObjective - tr.gap[k], 1e-12, 1e-13, `F24 k=${k}`);
      }
    }
  });

  it('the continuous flow (RK4, dt = 1e-3): gap = Bernoulli gap, and the accuracy follows the closed form to 1e-8', () => {
    const u = mulberry32(72);
    const { world } = randomRlvrWorld(u, 3, 6);
    const beta = 0.4;
    const rk = rlvrTrace(world, beta, { kind: 'flow', dt: 1e-3, steps: 2000, method: 'rk4' });
    const closed = rlvrTrace(world, beta, { kind: 'flow', dt: 1e-3, steps: 2000, method: 'closed' });
    for (let k = 0; k <= 2000; k += 100) {
      expectClose(rk.gap[k], rk.bernoulliGap[k], 1e-9, 1e-13, `rk4 gap k=${k}`);
      expectClose(rk.accuracy[k], closed.accuracy[k], 0, 1e-8, `rk4 accuracy k=${k}`);
      expect(rk.logitShiftError![k]).toBeLessThan(1e-8);
    }
  });

  it('off the tilt family (uniform start): KL ≥ kl of the accuracies, strictly, at every step', () => {
    const u = mulberry32(73);
    const { world } = randomRlvrWorld(u, 5, 8);
    const beta = 0.5;
    const tr = rlvrTrace(world, beta, { kind: 'mirror-descent', eta: 0.5, steps: 30 }, 'uniform');
    expect(tr.logitShiftError).toBeUndefined();
    for (let k = 0; k <= 30; k++) {
      expect(tr.gap[k]).toBeGreaterThan(tr.bernoulliGap[k]);
      expectClose(tr.objective[k], tr.optimalObjective - tr.gap[k], 1e-12, 1e-13, `F24 off-tilt k=${k}`);
    }
    // The per-prompt Bernoulli term from the test side at step 0 (π_0 uniform).
    const p0 = [...Array(5).keys()].map((x) => {
      const row = Array.from(world.reward.subarray(x * 8, (x + 1) * 8));
      return fsum(row) / 8;
    });
    const pStar = [...Array(5).keys()].map((x) => {
      let a = 0;
      let z = 0;
      for (let y = x * 8; y < (x + 1) * 8; y++) {
        const w = Math.exp(world.logRef[y] + world.reward[y] / beta);
        z += w;
        if (world.reward[y]) a += w;
      }
      return a / z;
    });
    expectClose(tr.bernoulliGap[0], (beta * fsum(p0.map((p, x) => bernoulliKlOracle(p, pStar[x])))) / 5, 1e-10, 0, 'Bernoulli gap at the uniform start');
  });

  it('the multi-prompt gap is the mean of the per-prompt gaps of one flow on the whole world', () => {
    const u = mulberry32(74);
    const { world } = randomRlvrWorld(u, 7, 5);
    const tr = rlvrTrace(world, 0.3, { kind: 'mirror-descent', eta: 1, steps: 10 });
    const whole = mirrorDescentFlow(world, { tau: 0.3, eta: 1, steps: 10 });
    for (let k = 0; k <= 10; k++) {
      expectClose(tr.gap[k], whole.freeEnergyGap[k], 1e-12, 1e-15, `k=${k}`);
      expectClose(tr.accuracy[k], whole.success[k], 1e-12, 0, `k=${k}`);
    }
  });

  it('rejects graded rewards', () => {
    const world = banditWorld({ kind: 'bandit', ref: [0.5, 0.5], reward: [0.5, 0] });
    expect(() => rlvrTrace(world, 1, { kind: 'mirror-descent', eta: 1, steps: 1 })).toThrow(/0 or 1/);
  });
});
