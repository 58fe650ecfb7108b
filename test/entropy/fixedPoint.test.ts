import { describe, expect, it } from 'vitest';
import { entropyBonusEquilibrium, entropyBonusLogPolicy } from '../../src/equilibrium/entropyBonus.js';
import { optimize, resolveSettings } from '../../src/optimizers/optimize.js';
import { LossPipeline, Rollout, defaultTerms, emptyStepStats } from '../../src/optimizers/pipeline.js';
import type { OptimizerName, OptimizerSettings } from '../../src/optimizers/settings.js';
import { Rng } from '../../src/numerics/rng.js';
import { entropyBonusTarget, policyLayout, TabularPolicy } from '../../src/policies/index.js';
import { chainWorld, compileTask, type BanditWorld, type SequenceWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { randomAutomaton } from '../support/automata.js';
import { fsum } from '../support/oracle.js';
import { between, mulberry32, randomRewards, randomSimplex, type Uniform } from '../support/random.js';
import { enumeratePaths, pathLogProbs, pathObservables, refPathLogProbs } from '../policies/enumerate.js';

function randomBandit(u: Uniform, n: number, zeroFraction = 0): BanditWorld {
  return compileTask({ kind: 'bandit', ref: randomSimplex(u, n, 1.5, zeroFraction), reward: randomRewards(u, n, -1, 2) }) as BanditWorld;
}

/**
 * Oracle: gradient ascent on J(z) = Σ π r − τ·KL(π‖π_ref) + α·H(π) over free logits, with the
 * gradient written from the definition, ∂J/∂z_a = π_a·(f_a − E_π f), f = r − τ·log(π/π_ref) − α·log π
 * (F33), from the uniform policy on the support.
 */
function ascend(logRef: number[], r: number[], tau: number, alpha: number): number[] {
  const support = logRef.map((l) => l !== -Infinity);
  const z = logRef.map((l) => (l === -Infinity ? -Infinity : 0));
  const step = 0.5 / Math.max(tau + alpha, 1e-3);
  for (let it = 0; it < 200_000; it++) {
    const m = Math.max(...z.filter((v) => v !== -Infinity));
    const w = z.map((v) => (v === -Infinity ? 0 : Math.exp(v - m)));
    const s = fsum(w);
    const p = w.map((x) => x / s);
    const lp = z.map((v) => (v === -Infinity ? -Infinity : v - m - Math.log(s)));
    const f = r.map((ri, a) => (support[a] ? ri - tau * (lp[a] - logRef[a]) - alpha * lp[a] : 0));
    const Ef = fsum(p.map((pa, a) => pa * f[a]));
    let moved = 0;
    for (let a = 0; a < z.length; a++) {
      if (!support[a]) continue;
      const g = p[a] * (f[a] - Ef);
      // A preconditioned step (divide by π_a): the natural gradient direction, which converges in a few hundred iterations.
      const d = (step * g) / Math.max(p[a], 1e-300);
      z[a] += d;
      moved = Math.max(moved, Math.abs(d));
    }
    if (moved < 1e-15) break;
  }
  const m = Math.max(...z.filter((v) => v !== -Infinity));
  const ls = Math.log(fsum(z.map((v) => (v === -Infinity ? 0 : Math.exp(v - m)))));
  return z.map((v) => (v === -Infinity ? -Infinity : v - m - ls));
}

describe('the entropy-bonus fixed point π_{τ,α} ∝ π_ref^{τ/(τ+α)}·e^{r/(τ+α)} (F33 with a reference KL)', () => {
  it('without a reference KL it is softmax(r/α) on the reference support (closed form)', () => {
    const u = mulberry32(1);
    for (let t = 0; t < 20; t++) {
      const w = randomBandit(u, 2 + (t % 7), 0.2);
      const alpha = between(u, 0.05, 3);
      const got = entropyBonusLogPolicy(w, 0, alpha);
      const on = Array.from(w.logRef, (l) => l !== -Infinity);
      const lz = Math.log(fsum(Array.from(w.reward, (r, i) => (on[i] ? Math.exp(r / alpha) : 0))));
      got.forEach((g, i) => (on[i] ? expectClose(g, w.reward[i] / alpha - lz, 1e-12, 1e-12) : expect(g).toBe(-Infinity)));
    }
  });

  it('equals the limit of gradient ascent on E[r] − τ·KL + α·H, and satisfies r − τ·log(π/π_ref) − α·log π = const', () => {
    const u = mulberry32(2);
    for (let t = 0; t < 12; t++) {
      const w = randomBandit(u, 2 + (t % 5), t % 3 === 0 ? 0.3 : 0);
      const tau = t % 4 === 0 ? 0 : between(u, 0.05, 2);
      const alpha = between(u, 0.05, 2);
      const got = entropyBonusLogPolicy(w, tau, alpha);
      const want = ascend(Array.from(w.logRef), Array.from(w.reward), tau, alpha);
      got.forEach((g, i) => (want[i] === -Infinity ? expect(g).toBe(-Infinity) : expectClose(g, want[i], 0, 1e-8, `t=${t} i=${i}`)));
      const f = Array.from(got, (l, i) => (l === -Infinity ? NaN : w.reward[i] - tau * (l - w.logRef[i]) - alpha * l)).filter(Number.isFinite);
      expect(Math.max(...f) - Math.min(...f)).toBeLessThan(1e-12 * (1 + Math.max(...f.map(Math.abs))));
    }
  });

  it('bias bound: J_τ(π*_τ) − J_τ(π_{τ,α}) ≤ α·(H(π_{τ,α}) − H(π*_τ)) ≤ α·log|Y|, with J and π*_τ computed here', () => {
    const u = mulberry32(3);
    for (let t = 0; t < 40; t++) {
      const w = randomBandit(u, 2 + (t % 9));
      const tau = t % 5 === 0 ? 0 : between(u, 0.01, 2);
      const alpha = between(u, 0.01, 2);
      const o = entropyBonusEquilibrium(w, tau, alpha);
      const lr = Array.from(w.logRef);
      const r = Array.from(w.reward);
      const lp = Array.from(entropyBonusLogPolicy(w, tau, alpha));
      const J = (l: number[]) => fsum(l.map((x, i) => Math.exp(x) * (r[i] - tau * (x - lr[i]))));
      const H = (l: number[]) => fsum(l.map((x) => -Math.exp(x) * x));
      // π*_τ by its definition (τ > 0); at τ = 0 the optimum is max r (the unregularized objective).
      const opt = tau > 0 ? J(ascend(lr, r, tau, 0)) : Math.max(...r);
      expectClose(o.objective, J(lp), 1e-10, 1e-12, 'objective');
      expectClose(o.optimum, opt, 1e-8, 1e-10, 'optimum');
      const gap = opt - J(lp);
      expect(gap).toBeGreaterThanOrEqual(-1e-10);
      expect(gap).toBeLessThanOrEqual(alpha * (o.entropy - o.optimumEntropy) + 1e-10);
      expect(alpha * (o.entropy - o.optimumEntropy)).toBeLessThanOrEqual(alpha * Math.log(r.length) + 1e-12);
      expectClose(o.entropy, H(lp), 1e-12, 1e-14, 'entropy');
    }
  });

  it('sequence worlds: the per-step conditionals multiply to π_ref(y)^{τ/(τ+α)}·e^{r(y)/(τ+α)}/Z over enumerated sequences', () => {
    const u = mulberry32(4);
    const worlds: SequenceWorld[] = [chainWorld({ kind: 'chain', K: 3, q: 0.3, vocab: 4, delta: 1 }), randomAutomaton(u, 3, 3, { mult: true }).world];
    for (const world of worlds) {
      const paths = enumeratePaths(world);
      const lref = refPathLogProbs(world, paths);
      for (const [tau, alpha] of [
        [0.5, 0.2],
        [0, 0.7],
        [2, 1],
      ]) {
        const got = pathLogProbs(world, paths, entropyBonusTarget(world, policyLayout(world), tau, alpha));
        const c = tau / (tau + alpha);
        const raw = paths.map((p, i) => c * lref[i] + world.terminalReward[p.final] / (tau + alpha));
        const m = Math.max(...raw);
        const lz = m + Math.log(fsum(raw.map((x) => Math.exp(x - m))));
        got.forEach((g, i) => expectClose(g, raw[i] - lz, 1e-10, 1e-11, `τ=${tau} α=${alpha} path ${i}`));
        const o = entropyBonusEquilibrium(world, tau, alpha);
        const want = pathObservables(world, paths, got);
        expectClose(o.entropy, want.entropy, 1e-10, 1e-12, 'entropy');
        expectClose(o.refKl, want.refKl, 1e-10, 1e-12, 'refKl');
        expectClose(o.expectedReward, want.expectedReward, 1e-10, 1e-12, 'reward');
        expectClose(o.logCompletions, Math.log(paths.length), 1e-12, 0, 'log|Y|');
      }
    }
  });
});

describe('optimizers with an entropy bonus converge to its fixed point', () => {
  const world = compileTask({ kind: 'bandit', refLogits: [2, 0.5, 0, -1, -2], reward: [0, 1, 0.3, 1, 0] }) as BanditWorld;
  const finalKl = (name: OptimizerName, o: Partial<OptimizerSettings>, steps: number, tau: number, alpha: number) => {
    const r = optimize(world, resolveSettings(name, { exact: true, ...o }), { steps, seed: 0 });
    const target = entropyBonusLogPolicy(world, tau, alpha);
    return fsum(r.finalPolicy!.map((p, i) => (p > 0 ? p * (Math.log(p) - target[i]) : 0)));
  };

  it('npg --exact (mirror descent with the −α·log π gain) reaches π_{τ,α}', () => {
    expect(finalKl('npg', { beta: 0.5, entropyCoef: 0.3, lr: 0.5 }, 200, 0.5, 0.3)).toBeLessThan(1e-14);
    expect(finalKl('npg', { beta: 0, entropyCoef: 0.3, lr: 0.5 }, 200, 0, 0.3)).toBeLessThan(1e-14);
  });

  it('rloo --exact (policy gradient through the loss term’s exact row gradient) reaches π_{τ,α}', () => {
    expect(finalKl('rloo', { beta: 0.5, entropyCoef: 0.3, optimizerKind: 'sgd', lr: 2, lossMode: 'gpg', lossAggMode: 'seq-mean-token-sum' }, 3000, 0.5, 0.3)).toBeLessThan(1e-12);
  });

  it('GRPO’s mean-centred advantage shrinks the policy gradient by 1 − 1/G (F40) but not the bonus: it reaches π_{0, α/(1−1/G)}', () => {
    const G = 4;
    const kl = finalKl('grpo', { beta: 0, groupSize: G, scaleRewards: 'none', entropyCoef: 0.3, optimizerKind: 'sgd', lr: 2, lossMode: 'gpg', lossAggMode: 'seq-mean-token-sum' }, 3000, 0, 0.3 / (1 - 1 / G));
    expect(kl).toBeLessThan(1e-12);
  });
});

describe('the entropy bonus term: its logit gradient is the derivative of its loss', () => {
  it('central finite differences of the pipeline’s loss, exact and sampled batches, bandit and chain', () => {
    const worlds = [compileTask({ kind: 'bandit', refLogits: [1, 0, -0.5, 2], reward: [1, 0, 0, 0.5] }), chainWorld({ kind: 'chain', K: 3, q: 0.4, vocab: 5, delta: 1 })];
    for (const world of worlds) {
      for (const exact of [true, false]) {
        const s = resolveSettings('rloo', { exact, entropyCoef: 0.7, groupSize: 4, beta: 0.1, klIn: 'loss', klEstimator: 'k2' });
        const layout = policyLayout(world);
        const u = mulberry32(7);
        const policy = new TabularPolicy(layout, Float64Array.from(layout.logRef, (l) => l + between(u, -1, 1)));
        const rollout = new Rollout(layout, s);
        rollout.collect(policy, Rng.fromSeed(3), emptyStepStats());
        const pipe = new LossPipeline(layout, s, defaultTerms(s));
        const b = rollout.batch;
        const upd = { clipped: 0, dualClipped: 0, mass: 0 };
        const grad = new Float64Array(layout.entries);
        pipe.gradient(policy, b, 0, b.completions, grad, upd);
        const h = 1e-6;
        for (let e = 0; e < layout.entries; e++) {
          const p = policy.clone();
          p.logits[e] += h;
          p.normalize();
          const up = pipe.evaluate(p, b, 0, b.completions, upd);
          p.logits[e] -= 2 * h;
          p.normalize();
          const down = pipe.evaluate(p, b, 0, b.completions, upd);
          expectClose(grad[e], (up - down) / (2 * h), 1e-6, 1e-8, `${world.type} exact=${exact} entry ${e}`);
        }
      }
    }
  });
});
