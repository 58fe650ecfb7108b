import { z } from 'zod';
import { evaluatePolicy, npgStep, optimalValues, randomMdp, type DiscountedMdp } from '../optimizers/mdp.js';
import { optimize, resolveSettings } from '../optimizers/optimize.js';
import { lineChart, type Row } from '../report/specs.js';
import { chainWorld } from '../tasks/worlds.js';
import { check, closeTo, type Experiment, type Verdict } from './types.js';

const SRC = 'Agarwal, Kakade, Lee, Mahajan, JMLR 22(98) 2021 (F8); Cen, Cheng, Chen, Wei, Chi, Operations Research 2022, Thm 1 (F10)';

const mdpShape = { states: z.number().int().min(1).max(200), actions: z.number().int().min(2).max(100), gamma: z.number().gt(0).lt(1), mdps: z.number().int().min(1) };
const configSchema = z
  .object({
    seed: z.number().int(),
    agarwal: z.object({ ...mdpShape, etas: z.array(z.number().positive()).min(1), T: z.number().int().min(1) }).strict(),
    cen: z.object({ ...mdpShape, tau: z.number().positive(), etaFactors: z.array(z.number().gt(0).max(1)).min(1).describe('ητ/(1−γ)'), T: z.number().int().min(1) }).strict(),
    chain: z.object({ K: z.number().int().min(1), q: z.number().gt(0).lt(1), vocab: z.number().int().min(2), delta: z.number().positive(), beta: z.number().positive(), etaBeta: z.number().gt(0).lt(1), steps: z.number().int().min(3) }).strict(),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

const supDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/** V(ρ) of every NPG iterate t = 0..T from the uniform policy, with exact evaluation (τ = 0). */
function agarwalGaps(m: DiscountedMdp, eta: number, T: number, vStar: number): number[] {
  const n = m.states * m.actions;
  let logPi = new Float64Array(n).fill(-Math.log(m.actions));
  let next = new Float64Array(n);
  const V = new Float64Array(m.states);
  const Q = new Float64Array(n);
  const gaps: number[] = [];
  for (let t = 0; t <= T; t++) {
    evaluatePolicy(m, logPi, 0, V, Q);
    gaps.push(vStar - dot(m.rho, V));
    npgStep(m, logPi, Q, eta, 0, next);
    [logPi, next] = [next, logPi];
  }
  return gaps;
}

export const npgRates: Experiment<Config> = {
  id: 'npg-rates',
  title: 'Convergence rates of the natural policy gradient with exact evaluation',
  question: 'Do the global rates proven for tabular softmax NPG hold on random MDPs: Agarwal et al.’s O(1/T) bound without regularization, and Cen et al.’s linear rate (1 − ητ)^t with entropy regularization?',
  source: SRC,
  claim:
    'Unregularized NPG from the uniform policy satisfies V*(ρ) − V^T(ρ) ≤ log|A|/(ηT) + 1/((1−γ)²T) for every step size. With entropy regularization τ and 0 < η ≤ (1−γ)/τ, the soft Q-function and the log-policy converge linearly, with errors at most C₁γ(1−ητ)^t and 2C₁τ⁻¹(1−ητ)^t. On a sequence world the regularized NPG step is mirror descent on F_β at sequence level, whose KL to π*_β contracts by (1−ηβ)² per step asymptotically.',
  configSchema,
  sizes: {
    quick: {
      seed: 3,
      agarwal: { states: 5, actions: 4, gamma: 0.8, mdps: 3, etas: [0.05, 0.5, 5], T: 60 },
      cen: { states: 6, actions: 4, gamma: 0.9, tau: 0.3, mdps: 3, etaFactors: [0.1, 0.5, 1], T: 60 },
      chain: { K: 8, q: 0.9, vocab: 16, delta: 0.1, beta: 0.2, etaBeta: 0.3, steps: 30 },
    },
    full: {
      seed: 3,
      agarwal: { states: 5, actions: 4, gamma: 0.8, mdps: 20, etas: [0.05, 0.5, 5], T: 300 },
      cen: { states: 6, actions: 4, gamma: 0.9, tau: 0.3, mdps: 20, etaFactors: [0.1, 0.5, 1], T: 120 },
      chain: { K: 32, q: 0.9, vocab: 16, delta: 0.1, beta: 0.2, etaBeta: 0.3, steps: 40 },
    },
  },
  run(c, ctx) {
    const verdicts: Verdict[] = [];
    const agRows: Row[] = [];
    const cenRows: Row[] = [];
    const a = c.agarwal;
    const total = a.mdps + c.cen.mdps + 1;
    // Agarwal et al.: the O(1/T) bound at every T, every η, every MDP.
    const worstAg = new Map<number, number>();
    for (let k = 0; k < a.mdps; k++) {
      const m = randomMdp(a.states, a.actions, a.gamma, c.seed * 1000 + k);
      const V = new Float64Array(a.states);
      optimalValues(m, 0, V, new Float64Array(a.states * a.actions));
      const vStar = dot(m.rho, V);
      for (const eta of a.etas) {
        const gaps = agarwalGaps(m, eta, a.T, vStar);
        for (let T = 1; T <= a.T; T++) {
          const bound = Math.log(a.actions) / (eta * T) + 1 / ((1 - a.gamma) ** 2 * T);
          worstAg.set(eta, Math.max(worstAg.get(eta) ?? -Infinity, gaps[T] / bound));
          if (k === 0) agRows.push({ T, value: Math.max(gaps[T], 1e-17), series: `gap, η = ${eta}` }, { T, value: bound, series: `bound, η = ${eta}` });
        }
      }
      ctx.onProgress?.(k + 1, total);
    }
    for (const [eta, ratio] of worstAg) {
      verdicts.push(check(`Agarwal et al.: V*(ρ) − V^T(ρ) ≤ log|A|/(ηT) + 1/((1−γ)²T) at every T ≤ ${a.T}, η = ${eta} (max gap/bound over ${a.mdps} MDPs)`, 'F8; Agarwal et al. 2021', ratio <= 1 + 1e-12, 1, ratio));
    }
    // Cen et al.: linear convergence of the soft Q-function and of the log-policy.
    const cc = c.cen;
    const n = cc.states * cc.actions;
    const worstQ = new Map<number, number>();
    const worstPi = new Map<number, number>();
    for (let k = 0; k < cc.mdps; k++) {
      const m = randomMdp(cc.states, cc.actions, cc.gamma, c.seed * 1000 + 500 + k);
      const Vs = new Float64Array(cc.states);
      const Qs = optimalValues(m, cc.tau, Vs, new Float64Array(n));
      const logStar = new Float64Array(n);
      for (let s = 0; s < cc.states; s++) for (let i = 0; i < cc.actions; i++) logStar[s * cc.actions + i] = (Qs[s * cc.actions + i] - Vs[s]) / cc.tau;
      for (const f of cc.etaFactors) {
        const eta = (f * (1 - cc.gamma)) / cc.tau;
        const rate = 1 - eta * cc.tau;
        let logPi = new Float64Array(n).fill(-Math.log(cc.actions));
        let next = new Float64Array(n);
        const V = new Float64Array(cc.states);
        const Q = new Float64Array(n);
        evaluatePolicy(m, logPi, cc.tau, V, Q);
        const C1 = supDiff(Qs, Q) + 2 * cc.tau * (1 - f) * supDiff(logStar, logPi);
        for (let t = 0; t < cc.T; t++) {
          npgStep(m, logPi, Q, eta, cc.tau, next);
          [logPi, next] = [next, logPi];
          evaluatePolicy(m, logPi, cc.tau, V, Q);
          const qErr = supDiff(Qs, Q);
          const qBound = C1 * cc.gamma * rate ** t;
          const piBound = ((2 * C1) / cc.tau) * rate ** t;
          // Once both sides are at rounding level the ratio says nothing: compare while the bound is above 1e-12.
          if (qBound > 1e-12) worstQ.set(f, Math.max(worstQ.get(f) ?? -Infinity, qErr / qBound));
          if (piBound > 1e-12) worstPi.set(f, Math.max(worstPi.get(f) ?? -Infinity, supDiff(logStar, logPi) / piBound));
          if (k === 0) cenRows.push({ t: t + 1, value: Math.max(qErr, 1e-17), series: `‖Q* − Q‖∞, ητ/(1−γ) = ${f}` }, { t: t + 1, value: qBound, series: `bound, ητ/(1−γ) = ${f}` });
        }
      }
      ctx.onProgress?.(a.mdps + k + 1, total);
    }
    for (const f of cc.etaFactors) {
      verdicts.push(
        check(`Cen et al.: ‖Q*_τ − Q_τ^(t+1)‖∞ ≤ C₁γ(1−ητ)^t for t < ${cc.T}, ητ/(1−γ) = ${f} (max error/bound over ${cc.mdps} MDPs)`, 'F10; Cen et al. 2022 Thm 1', worstQ.get(f)! <= 1 + 1e-12, 1, worstQ.get(f)!),
        check(`Cen et al.: ‖log π*_τ − log π^(t+1)‖∞ ≤ 2C₁τ⁻¹(1−ητ)^t, ητ/(1−γ) = ${f} (max error/bound)`, 'F10; Cen et al. 2022 Thm 1', worstPi.get(f)! <= 1 + 1e-12, 1, worstPi.get(f)!),
      );
    }
    // Sequence world: regularized NPG (npg --exact) is mirror descent at sequence level, rate (1 − ηβ)² in KL.
    const ch = c.chain;
    const world = chainWorld({ kind: 'chain', K: ch.K, q: ch.q, vocab: ch.vocab, delta: ch.delta });
    const r = optimize(world, resolveSettings('npg', { exact: true, beta: ch.beta, lr: ch.etaBeta / ch.beta }), { steps: ch.steps, seed: 0 });
    const kls = r.klToGibbs;
    // The asymptotic ratio, read at the last step whose KL is still well above the ~1e-16 rounding floor of a KL sum.
    let k = kls.length - 1;
    while (k > 1 && kls[k] < 1e-9) k--;
    verdicts.push(closeTo(`chain K = ${ch.K}: npg --exact contracts KL(π_k‖π*_β) by (1 − ηβ)² per step (ratio at step ${k})`, 'F6, F10 (γ = 0 per token, sequence level)', (1 - ch.etaBeta) ** 2, kls[k] / kls[k - 1], 1e-2, true));
    ctx.onProgress?.(total, total);
    return {
      verdicts,
      plots: [
        lineChart({ id: 'npg-rates-agarwal', title: `Agarwal et al.: suboptimality of NPG vs its O(1/T) bound (first MDP, ${a.states}×${a.actions}, γ = ${a.gamma})`, rows: agRows, x: 'T', y: 'value', series: 'series', legendLabelLimit: 240, logX: true, logY: true, yTitle: 'V*(ρ) − V^T(ρ)' }),
        lineChart({ id: 'npg-rates-cen', title: `Cen et al.: soft-Q error vs C₁γ(1−ητ)^t (first MDP, ${cc.states}×${cc.actions}, γ = ${cc.gamma}, τ = ${cc.tau})`, rows: cenRows, x: 't', y: 'value', series: 'series', legendLabelLimit: 240, logY: true, yTitle: '‖Q*_τ − Q_τ^(t)‖∞' }),
      ],
      notes: ['Exact policy evaluation by a dense linear solve (ml-matrix); optimal values by (soft) value iteration to rounding level; NPG from the uniform policy; ρ uniform.'],
    };
  },
};
