import { z } from 'zod';
import { entropyBonusEquilibrium, entropyBonusLogPolicy, type EntropyBonusObservables } from '../equilibrium/entropyBonus.js';
import { kl } from '../numerics/divergences.js';
import { optimize, resolveSettings, type OptimizeResult } from '../optimizers/optimize.js';
import type { OptimizerSettings } from '../optimizers/settings.js';
import { lineChart, type Row } from '../report/specs.js';
import { chainWorld, contextualWorld, type World } from '../tasks/worlds.js';
import { decoyChainSchema, decoyContextualSchema } from './entropyRuns.js';
import { randomBandit } from './instances.js';
import { check, closeTo, type Experiment, type ResultTable, type Verdict } from './types.js';

const SRC = 'Lei & Baehr 2026 (arXiv 2604.09676; F33); verl entropy_coeff, TRL entropy_coef; Barmaz 2026 (F2, F40)';

const configSchema = z
  .object({
    bandit: z.object({ actions: z.number().int().min(2).max(100_000), refScale: z.number().nonnegative(), rewardScale: z.number().positive(), seed: z.number().int() }).strict(),
    contextual: decoyContextualSchema,
    chain: decoyChainSchema,
    taus: z.array(z.number().nonnegative()).min(1).describe('reference-KL coefficients (0: no reference KL, the optimum is argmax r)'),
    alphas: z.array(z.number().positive()).min(1).describe('entropy-bonus coefficients'),
    contraction: z.number().gt(0).lt(1).describe('npg --exact runs use η = (1 − contraction)/(τ + α): the error shrinks by this factor per step'),
    steps: z.number().int().min(10).max(1_000_000),
    pg: z
      .object({
        actions: z.number().int().min(2).max(1000).describe('completions of its bandit (same seed and scales; SGD policy gradient is slow on rare completions)'),
        tau: z.number().nonnegative(),
        alpha: z.number().positive(),
        lr: z.number().positive(),
        steps: z.number().int().min(10),
        groupSize: z.number().int().min(2),
      })
      .strict()
      .describe('exact SGD policy-gradient runs on a bandit (k1 in the reward)'),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

interface Named {
  name: string;
  world: World;
}

/**
 * KL(π‖π_{τ,α}) from observables alone: J_{τ,α}(π) = E[r] − τ·KL(π‖π_ref) + α·H(π) satisfies
 * J_{τ,α}(π) = J_{τ,α}(π_{τ,α}) − (τ + α)·KL(π‖π_{τ,α}) (the variational identity F2 with the
 * tempered reference), so the run's recorded reward, reference KL and entropy give its distance to
 * the fixed point at every step, for bandits, contextual tasks and chains alike.
 */
function klToFixedPoint(r: OptimizeResult, k: number, tau: number, alpha: number, fp: EntropyBonusObservables): number {
  const J = (er: number, refKl: number, h: number) => er - tau * refKl + alpha * h;
  return (J(fp.expectedReward, fp.refKl, fp.entropy) - J(r.expectedReward[k], r.refKl[k], r.entropy[k])) / (tau + alpha);
}

export const entropyBonusBias: Experiment<Config> = {
  id: 'entropy-bonus-bias',
  title: 'The entropy bonus moves the optimum: π ∝ π_ref^{τ/(τ+α)}·e^{r/(τ+α)}, at most α·log|Y| below it',
  question:
    'With a constant entropy bonus α (and a reference KL τ, possibly 0), where do the optimizers converge, and how far below the unregularized optimum does that leave the objective?',
  source: SRC,
  claim:
    'An entropy bonus adds α·H to the objective; its stationary points satisfy r − τ·log(π/π_ref) − α·log π = const, so the fixed point is π_{τ,α} ∝ π_ref^{τ/(τ+α)}·e^{r/(τ+α)} (softmax(r/α) without a reference KL): biased for every α > 0, by at most α·log|Y| in the objective.',
  configSchema,
  sizes: {
    quick: {
      bandit: { actions: 10, refScale: 1.5, rewardScale: 1, seed: 5 },
      contextual: { prompts: 8, vocab: 16, correctFraction: 0.15, refScale: 1, decoy: 2, seed: 2 },
      chain: { K: 3, q: 0.15, vocab: 8, decoy: 0.6, delta: 1 },
      taus: [0, 0.5],
      alphas: [0.03, 0.1, 0.3, 1],
      contraction: 0.5,
      steps: 80,
      pg: { actions: 10, tau: 0.5, alpha: 0.3, lr: 2, steps: 3000, groupSize: 4 },
    },
    full: {
      bandit: { actions: 200, refScale: 1.5, rewardScale: 1, seed: 5 },
      contextual: { prompts: 128, vocab: 256, correctFraction: 0.05, refScale: 1, decoy: 3, seed: 2 },
      chain: { K: 6, q: 0.15, vocab: 64, decoy: 0.6, delta: 1 },
      taus: [0, 0.1, 0.5, 2],
      alphas: [0.01, 0.03, 0.1, 0.3, 1, 3],
      contraction: 0.5,
      steps: 80,
      pg: { actions: 20, tau: 0.5, alpha: 0.3, lr: 2, steps: 6000, groupSize: 4 },
    },
  },
  run(c, ctx) {
    const verdicts: Verdict[] = [];
    const worlds: Named[] = [
      { name: 'bandit', world: randomBandit(c.bandit.actions, c.bandit.seed, c.bandit.refScale, c.bandit.rewardScale) },
      { name: 'decoy contextual', world: contextualWorld({ kind: 'contextual', ...c.contextual }) },
      { name: 'decoy chain', world: chainWorld({ kind: 'chain', ...c.chain }) },
    ];
    const gapRows: Row[] = [];
    const successRows: Row[] = [];
    const convergenceRows: Row[] = [];
    const table: (string | number)[][] = [];
    const total = worlds.length * c.taus.length * c.alphas.length + 1;
    let done = 0;
    for (const { name, world } of worlds) {
      let worstKl = 0;
      let worstBound = 0;
      let worstTight = -Infinity;
      for (const tau of c.taus) {
        for (const alpha of c.alphas) {
          ctx.signal?.throwIfAborted();
          const fp = entropyBonusEquilibrium(world, tau, alpha);
          const eta = (1 - c.contraction) / (tau + alpha);
          const r = optimize(world, resolveSettings('npg', { exact: true, beta: tau, entropyCoef: alpha, lr: eta }), { steps: c.steps, seed: 0 });
          const last = c.steps;
          const toFp = klToFixedPoint(r, last, tau, alpha, fp);
          worstKl = Math.max(worstKl, Math.abs(toFp));
          // The unregularized objective J_τ = E[r] − τ·KL(π‖π_ref) of the converged run, against its maximum.
          const gap = fp.optimum - (r.expectedReward[last] - tau * r.refKl[last]);
          const bound = alpha * fp.logCompletions;
          worstBound = Math.max(worstBound, gap / bound);
          // At τ = 0 and small α both sides underflow to 0 (the bias is ~e^{−Δr/α}): compare with an absolute slack.
          worstTight = Math.max(worstTight, gap - alpha * (fp.entropy - fp.optimumEntropy) - 1e-12);
          const series = `${name}, τ = ${tau}`;
          gapRows.push({ alpha, gap, series });
          if (tau === c.taus[0]) gapRows.push({ alpha, gap: bound, series: `${name}: α·log|Y|` });
          successRows.push({ alpha, success: fp.success, series: `${series} (closed form)` }, { alpha, success: r.success[last], series: `${series} (npg --exact, final)` });
          if (tau === c.taus[c.taus.length - 1]) for (let k = 0; k <= last; k++) convergenceRows.push({ step: k, kl: klToFixedPoint(r, k, tau, alpha, fp), series: `${name}, α = ${alpha}` });
          table.push([name, tau, alpha, fp.success, r.success[last], gap, alpha * (fp.entropy - fp.optimumEntropy), bound, toFp]);
          ctx.onProgress?.(++done, total);
        }
      }
      verdicts.push(
        closeTo(`${name}: npg --exact with the bonus converges to π_{τ,α} ∝ π_ref^{τ/(τ+α)}·e^{r/(τ+α)} (max KL(π_final‖π_{τ,α}) over the τ × α grid)`, 'F33', 0, worstKl, 1e-9),
        check(`${name}: the bias J_τ(π*_τ) − J_τ(π_final) is at most α·log|Y| (max ratio over the grid)`, 'F33', worstBound <= 1 + 1e-9, 1, worstBound),
        check(`${name}: … and at most α·(H(π_{τ,α}) − H(π*_τ)), the tighter bound (max excess over the grid, slack 1e-12)`, 'F33', worstTight <= 0, 0, worstTight),
      );
    }

    // The policy-gradient path (the bonus as a loss term with its exact row gradient) reaches the same point; GRPO's group mean shrinks the PG term by 1 − 1/G (F40) but not the bonus.
    const bandit = randomBandit(c.pg.actions, c.bandit.seed, c.bandit.refScale, c.bandit.rewardScale);
    const { tau, alpha } = c.pg;
    // k1 in the reward: the reference KL's gradient is then ∇KL(π‖π_ref), so τ keeps its meaning (k3 in the loss would not).
    const sgd: Partial<OptimizerSettings> = {
      exact: true,
      beta: tau,
      klIn: 'reward',
      klEstimator: 'k1',
      entropyCoef: alpha,
      optimizerKind: 'sgd',
      lr: c.pg.lr,
      lossMode: 'gpg',
      lossAggMode: 'seq-mean-token-sum',
      groupSize: c.pg.groupSize,
    };
    const finalKl = (r: OptimizeResult, a: number) => kl(Float64Array.from(r.finalPolicy!, Math.log), entropyBonusLogPolicy(bandit, tau, a));
    const rloo = optimize(bandit, resolveSettings('rloo', sgd), { steps: c.pg.steps, seed: 0 });
    const grpo = optimize(bandit, resolveSettings('grpo', { ...sgd, scaleRewards: 'none' }), { steps: c.pg.steps, seed: 0 });
    const shifted = alpha / (1 - 1 / c.pg.groupSize);
    verdicts.push(
      closeTo(`${c.pg.actions}-completion bandit: exact SGD policy gradient (rloo, unbiased baseline) with the bonus reaches π_{τ,α} (τ = ${tau}, α = ${alpha}; KL(π_final‖π_{τ,α}))`, 'F33', 0, finalKl(rloo, alpha), 1e-8),
      closeTo(`${c.pg.actions}-completion bandit: GRPO’s mean-centred advantage (G = ${c.pg.groupSize}) shrinks the shaped advantage, not the bonus: it reaches π_{τ, α/(1−1/G)} = π_{τ,${shifted.toPrecision(3)}} instead (KL(π_final‖·))`, 'F40 + F33 (derived)', 0, finalKl(grpo, shifted), 1e-8),
    );
    ctx.onProgress?.(++done, total);

    const tables: ResultTable[] = [
      {
        title: 'Fixed points of the bonus: success of π_{τ,α} (closed form) and of the converged npg --exact run, and the bias against the bounds',
        columns: ['world', 'τ', 'α', 'success π_{τ,α}', 'success (run)', 'gap J_τ(π*_τ) − J_τ(π)', 'α·(H(π_{τ,α}) − H(π*_τ))', 'α·log|Y|', 'KL(π_final‖π_{τ,α})'],
        rows: table,
      },
    ];
    return {
      verdicts,
      plots: [
        lineChart({ id: 'entropy-bonus-gap', title: 'Bias of the bonus: J_τ(π*_τ) − J_τ(π_{τ,α}) and the bound α·log|Y|', rows: gapRows.filter((r) => (r.gap as number) > 0), x: 'alpha', y: 'gap', series: 'series', logX: true, logY: true, points: true, xTitle: 'entropy bonus α', yTitle: 'objective gap', legendLabelLimit: 320 }),
        lineChart({ id: 'entropy-bonus-success', title: 'Success at the fixed point π_{τ,α}: closed form and converged runs', rows: successRows, x: 'alpha', y: 'success', series: 'series', logX: true, points: true, xTitle: 'entropy bonus α', legendLabelLimit: 320 }),
        lineChart({ id: 'entropy-bonus-convergence', title: `npg --exact with the bonus: KL(π_k‖π_{τ,α}) (τ = ${tau})`, rows: convergenceRows.filter((r) => (r.kl as number) > 1e-15), x: 'step', y: 'kl', series: 'series', logY: true, yTitle: 'KL to the fixed point', legendLabelLimit: 320 }),
      ],
      tables,
      notes: [
        `Worlds: a ${c.bandit.actions}-completion bandit (reference logits ${c.bandit.refScale}·N(0,1), rewards ${c.bandit.rewardScale}·N(0,1)), the decoy contextual task (${c.contextual.prompts} prompts × ${c.contextual.vocab}) and the decoy chain (K = ${c.chain.K}, V = ${c.chain.vocab}); |Y| counts completions (V^K for the chain).`,
        'npg --exact adds −α·log π to the exact mirror-descent gain, so it is the natural gradient of the bonus; on chains the bonus is then the sequence-level entropy. The libraries’ loss-term bonus differentiates each visited state’s entropy with the state distribution held fixed: on a chain its fixed point is the per-state softmax of the task Q-values, not the sequence-level π_{τ,α}.',
        'KL(π‖π_{τ,α}) is read from the run’s reward, reference KL and entropy through J_{τ,α}(π) = J_{τ,α}(π_{τ,α}) − (τ + α)·KL(π‖π_{τ,α}).',
      ],
    };
  },
};
