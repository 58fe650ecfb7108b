import { z } from 'zod';
import { equilibrium, gibbsLogPolicy } from '../equilibrium/equilibrium.js';
import { kl } from '../numerics/divergences.js';
import { Rng } from '../numerics/rng.js';
import { logSoftmax } from '../numerics/softmax.js';
import { grpoAdvantages } from '../optimizers/advantages.js';
import { k3LossFixedPoint, scaledGibbsFixedPoint, stdGradientFactor, type GradientFactor } from '../optimizers/fixedPoints.js';
import { KL_ESTIMATORS, klGradient, klValue, type KlEstimator } from '../optimizers/kl.js';
import { optimize, resolveSettings } from '../optimizers/optimize.js';
import type { KlPlacement, OptimizerSettings } from '../optimizers/settings.js';
import { lineChart, type Row } from '../report/specs.js';
import type { BanditWorld } from '../tasks/worlds.js';
import { expectedGroupEstimator } from './grpoShrinkage.js';
import { binaryBandit, tailMean, windowRows } from './optimizerRuns.js';
import { check, closeTo, type Experiment, type ResultTable, type Verdict } from './types.js';

const SRC = 'Schulman 2020 (approximating KL); verl PR #2953, OpenRLHF PR #1309 (ANCHORS §2.3); Barmaz 2026 §5';

const configSchema = z
  .object({
    actions: z.number().int().min(2).max(10_000),
    correct: z.number().int().min(1),
    seed: z.number().int(),
    beta: z.number().positive(),
    groupSize: z.number().int().min(2),
    exactSteps: z.number().int().min(10),
    eta: z.number().positive(),
    sampledSteps: z.number().int().min(10),
    adamLr: z.number().positive(),
    pathPoints: z.number().int().min(3),
    graded: z.object({ actions: z.number().int().min(2).max(5), groupSize: z.number().int().min(2).max(5), steps: z.number().int().min(10), sampledSteps: z.number().int().min(10) }).strict(),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

/** E_{y∼π}[c(y)·∇_z log π(y)] = π ⊙ (c − E_π c). */
function scoreExpectation(p: Float64Array, c: Float64Array): Float64Array {
  let mean = 0;
  for (let i = 0; i < p.length; i++) mean += p[i] * c[i];
  return p.map((v, i) => v * (c[i] - mean));
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

function successOf(logp: Float64Array, world: BanditWorld): number {
  let s = 0;
  for (let i = 0; i < logp.length; i++) if (world.reward[i] === world.maxReward) s += Math.exp(logp[i]);
  return s;
}

/** A graded-reward bandit: reference logits and rewards N(0,1) from the seed. */
function gradedBandit(actions: number, seed: number): BanditWorld {
  const rng = Rng.fromSeed(seed).split('graded-bandit', actions);
  const logRef = Float64Array.from({ length: actions }, () => rng.normal());
  const reward = Float64Array.from({ length: actions }, () => rng.normal());
  logSoftmax(logRef, logRef);
  return { type: 'bandit', prompts: 1, actions, logRef, reward, maxReward: Math.max(...reward) };
}

/** Exact expected GRPO update direction (std-scaled advantages of the returns r) at π, by enumeration of all G-tuples. */
function stdScaledUpdate(p: Float64Array, r: Float64Array, G: number, eps: number): Float64Array {
  return expectedGroupEstimator(p, r, G, (R, A) => grpoAdvantages(R, G, G, 'group', eps, A));
}

/**
 * The zero of the exact expected GRPO update with std-scaled advantages and k2 in the loss, by
 * natural-gradient iteration z ← z + η·g/π (its fixed points are the zeros of g), the expectation
 * enumerated at every iterate. Returns log π.
 */
function stdScaledFixedPoint(world: BanditWorld, beta: number, G: number, eps: number, steps: number): Float64Array {
  const n = world.actions;
  const logp = Float64Array.from(world.logRef);
  const p = new Float64Array(n);
  for (let k = 0; k < steps; k++) {
    for (let i = 0; i < n; i++) p[i] = Math.exp(logp[i]);
    const g = stdScaledUpdate(p, world.reward, G, eps);
    const klGrad = scoreExpectation(p, logp.map((l, i) => l - world.logRef[i]));
    for (let i = 0; i < n; i++) logp[i] += (0.5 * (g[i] - beta * klGrad[i])) / p[i];
    logSoftmax(logp, logp);
  }
  return logp;
}

const COMBOS: [KlEstimator, KlPlacement][] = KL_ESTIMATORS.flatMap((e) => (['reward', 'loss'] as const).map((pl) => [e, pl] as [KlEstimator, KlPlacement]));

export const klEstimators: Experiment<Config> = {
  id: 'kl-estimators',
  title: 'KL estimators k1/k2/k3: what their gradients do, and where each placement converges',
  question: 'Which reference-KL estimator, placed in the reward or in the loss, pulls a policy to π*_β? What are the biases and variances of their values, where do the others settle, and how does GRPO’s std scaling move the fixed point?',
  source: SRC,
  claim:
    'On-policy, k1 and k3 estimate KL(π‖π_ref) without bias, but as loss terms their gradients are 0 (k1) and ∇KL(π_ref‖π) (k3); only k2 — and the straight-through k1+, k3+ — differentiate to ∇KL(π‖π_ref), as k1 does when it is placed in the reward. So k1 in the reward and k2 in the loss head to π*_β, k3 in the loss (verl’s loss default, TRL) to the optimum of the forward-KL objective, k1 in the loss ignores β. A group baseline that shrinks or rescales the reward term moves the loss-placed fixed points; with the KL in the reward all shaped returns tie at π*_β, which stays fixed.',
  configSchema,
  sizes: {
    quick: { actions: 20, correct: 4, seed: 1, beta: 0.5, groupSize: 8, exactSteps: 300, eta: 0.5, sampledSteps: 1500, adamLr: 0.05, pathPoints: 21, graded: { actions: 4, groupSize: 4, steps: 300, sampledSteps: 1500 } },
    full: { actions: 20, correct: 4, seed: 1, beta: 0.5, groupSize: 8, exactSteps: 1000, eta: 0.5, sampledSteps: 6000, adamLr: 0.05, pathPoints: 61, graded: { actions: 4, groupSize: 4, steps: 800, sampledSteps: 6000 } },
  },
  run(c, ctx) {
    const verdicts: Verdict[] = [];
    const tables: ResultTable[] = [];
    const world = binaryBandit(c.actions, c.correct, c.seed);
    const n = c.actions;
    const logStar = gibbsLogPolicy(world, c.beta);
    const starSuccess = equilibrium(world, c.beta).success;
    const progress = (d: number) => ctx.onProgress?.(d, 5);

    // (a) Expected gradients of each estimator as a loss term, at a policy between π_ref and π*_β.
    const logp = Float64Array.from(world.logRef, (l, i) => 0.4 * l + 0.6 * logStar[i]);
    logSoftmax(logp, logp);
    const p = logp.map(Math.exp);
    const pRef = world.logRef.map(Math.exp);
    const delta = logp.map((l, i) => l - world.logRef[i]);
    const klPR = kl(logp, world.logRef);
    const gradReverse = p.map((v, i) => v * (delta[i] - klPR)); // ∇_z KL(π‖π_ref)
    const gradForward = p.map((v, i) => v - pRef[i]); // ∇_z KL(π_ref‖π)
    const expGrad = (e: KlEstimator) => scoreExpectation(p, delta.map((d) => klGradient(e, d)));
    verdicts.push(
      closeTo('k1 in the loss: zero expected gradient (max |E[∇]|)', 'ANCHORS §2.3', 0, maxAbsDiff(expGrad('k1'), new Float64Array(n)), 1e-15),
      closeTo('k2 in the loss: expected gradient = ∇KL(π‖π_ref) (max abs error)', 'ANCHORS §2.3', 0, maxAbsDiff(expGrad('k2'), gradReverse), 1e-14),
      closeTo('k3 in the loss: expected gradient = ∇KL(π_ref‖π), the forward KL (max abs error)', 'ANCHORS §2.3', 0, maxAbsDiff(expGrad('k3'), gradForward), 1e-14),
      closeTo('k1+ and k3+ (straight-through): expected gradient = ∇KL(π‖π_ref) (max abs error)', 'ANCHORS §2.3 (verl)', 0, Math.max(maxAbsDiff(expGrad('k1+'), gradReverse), maxAbsDiff(expGrad('k3+'), gradReverse)), 1e-14),
    );
    progress(1);

    // (b) Bias and standard deviation of the values along the mirror-descent path π_ref → π*_β.
    const pathRows: Row[] = [];
    let unbiased = 0;
    let k3Min = Infinity;
    let nearRatio = NaN;
    const lq = new Float64Array(n);
    for (let j = 1; j < c.pathPoints; j++) {
      const t = j / (c.pathPoints - 1);
      for (let i = 0; i < n; i++) lq[i] = (1 - t) * world.logRef[i] + t * logStar[i];
      logSoftmax(lq, lq);
      const exact = kl(lq, world.logRef);
      const moments = (['k1', 'k2', 'k3'] as const).map((e) => {
        let m1 = 0;
        let m2 = 0;
        for (let i = 0; i < n; i++) {
          const v = klValue(e, lq[i] - world.logRef[i]);
          if (e === 'k3') k3Min = Math.min(k3Min, v);
          m1 += Math.exp(lq[i]) * v;
          m2 += Math.exp(lq[i]) * v * v;
        }
        pathRows.push({ kl: exact, value: m1 - exact, estimator: e, stat: 'bias' }, { kl: exact, value: Math.sqrt(Math.max(0, m2 - m1 * m1)), estimator: e, stat: 'std' });
        return { bias: m1 - exact, variance: m2 - m1 * m1 };
      });
      unbiased = Math.max(unbiased, Math.abs(moments[0].bias), Math.abs(moments[2].bias));
      if (j === 1) nearRatio = moments[2].variance / moments[0].variance;
    }
    verdicts.push(
      closeTo('k1 and k3 values are unbiased for KL(π‖π_ref) on-policy (max |bias| along the path π_ref → π*_β)', 'Schulman 2020', 0, unbiased, 1e-12),
      check('k3 values are never negative', 'Schulman 2020', k3Min >= 0, 0, k3Min),
      check('near the reference, k3 has a smaller variance than k1 (Var k3 / Var k1 at the first path point)', 'Schulman 2020', nearRatio < 1, 1, nearRatio),
    );
    progress(2);

    // (c) Exact expected dynamics (npg --exact: the exponentiated step of each placement's gain) to their fixed points.
    const fpK3 = k3LossFixedPoint(world.logRef, world.reward, c.beta, () => 1, new Float64Array(n));
    const exactRows: (string | number | null)[][] = [];
    const finals = new Map<string, { logp: Float64Array; kl: number; success: number }>();
    for (const [e, pl] of COMBOS) {
      const r = optimize(world, resolveSettings('npg', { exact: true, beta: c.beta, lr: c.eta, klEstimator: e, klIn: pl }), { steps: c.exactSteps, seed: 0 });
      const last = Float64Array.from(r.finalPolicy!, Math.log);
      finals.set(`${e}/${pl}`, { logp: last, kl: r.klToGibbs.at(-1)!, success: r.success.at(-1)! });
      exactRows.push([e, pl, r.klToGibbs.at(-1)!, r.success.at(-1)!, r.refKl.at(-1)!]);
    }
    const at = (key: string) => finals.get(key)!;
    verdicts.push(
      closeTo('k1 in the reward converges to π*_β (exact expectations; final KL)', 'F4', 0, at('k1/reward').kl, 1e-9),
      closeTo('k2 in the loss converges to π*_β (final KL)', 'ANCHORS §2.3', 0, at('k2/loss').kl, 1e-9),
      closeTo('k1+ and k3+ in the loss converge to π*_β (max final KL)', 'ANCHORS §2.3', 0, Math.max(at('k1+/loss').kl, at('k3+/loss').kl), 1e-9),
      closeTo('k3 in the loss converges to the solution of its stationarity condition π_j = β·π_ref_j/(β + E_π r − r_j) (max |Δ log π|)', 'derived from ANCHORS §2.3', 0, maxAbsDiff(at('k3/loss').logp, fpK3), 1e-8),
      check('…which is not π*_β: KL(π_k3‖π*_β) > 0', 'derived', kl(fpK3, logStar) > 1e-6, null, kl(fpK3, logStar)),
      check('k1 in the loss exerts no pull: the policy heads to argmax r (success → 1)', 'ANCHORS §2.3', at('k1/loss').success > 0.999, 1, at('k1/loss').success),
    );
    tables.push({ title: `Exact expected dynamics: where each estimator × placement ends (npg --exact, η = ${c.eta}, ${c.exactSteps} steps; π*_β has success ${starSuccess.toPrecision(4)})`, columns: ['estimator', 'in', 'KL to π*_β', 'success', 'KL to π_ref'], rows: exactRows });
    progress(3);

    // (d) Sampled runs: three baselines × three KL choices, against the zeros of their expected updates.
    const G = c.groupSize;
    const eps = resolveSettings('grpo').stdEps;
    const baselines: [string, Partial<OptimizerSettings> & { optimizer: 'rloo' | 'grpo' }, GradientFactor][] = [
      ['leave-one-out (rloo)', { optimizer: 'rloo' }, () => 1],
      ['group mean (grpo, scale none)', { optimizer: 'grpo', scaleRewards: 'none' }, () => 1 - 1 / G],
      ['group mean/std (grpo default)', { optimizer: 'grpo' }, (q) => stdGradientFactor(q, G, eps)],
    ];
    const kls: [string, KlEstimator, KlPlacement][] = [['k1 in reward', 'k1', 'reward'], ['k2 in loss', 'k2', 'loss'], ['k3 in loss', 'k3', 'loss']];
    const sampledRows: (string | number | null)[][] = [];
    const successRows: Row[] = [];
    let worst = 0;
    for (const [bname, { optimizer, ...b }, kappa] of baselines) {
      for (const [kname, e, pl] of kls) {
        const predicted = new Float64Array(n);
        if (pl === 'reward') predicted.set(logStar);
        else if (e === 'k2') scaledGibbsFixedPoint(world.logRef, world.reward, c.beta, kappa, predicted);
        else k3LossFixedPoint(world.logRef, world.reward, c.beta, kappa, predicted);
        const r = optimize(world, resolveSettings(optimizer, { ...b, beta: c.beta, groupSize: G, lr: c.adamLr, klEstimator: e, klIn: pl }), { steps: c.sampledSteps, seed: c.seed, signal: ctx.signal });
        const measured = tailMean(r.success, 0.5);
        const want = successOf(predicted, world);
        worst = Math.max(worst, Math.abs(measured - want));
        sampledRows.push([bname, kname, want, measured, kl(predicted, logStar), tailMean(r.klToGibbs, 0.5)]);
        if (e === 'k2') successRows.push(...windowRows(r.success, bname, 150, 'success'));
      }
    }
    verdicts.push(closeTo(`sampled runs (G = ${G}, Adam) settle where their expected update vanishes: max |success − predicted| over 3 baselines × 3 KL choices (mean over the last half)`, 'F40 + ANCHORS §2.3; derived', 0, worst, 0.02));
    tables.push({
      title: `Sampled runs: where each baseline × KL choice ends (β = ${c.beta}, ${c.sampledSteps} steps, last-half means); predictions are the zeros of the expected update`,
      columns: ['baseline', 'KL', 'predicted success', 'measured success', 'predicted KL to π*_β', 'measured KL to π*_β'],
      rows: sampledRows,
    });
    progress(4);

    // (e) Graded rewards: GRPO's std scaling with k2 in the loss moves the fixed point; with k1 in the reward it does not.
    const gw = gradedBandit(c.graded.actions, c.seed);
    const gStar = gibbsLogPolicy(gw, c.beta);
    const Gg = c.graded.groupSize;
    const fpLoss = stdScaledFixedPoint(gw, c.beta, Gg, eps, c.graded.steps);
    // At π*_β the k1-shaped returns r − β·log(π*/π_ref) = β·log Z all tie, so every group's advantages vanish.
    const shapedAtStar = gw.reward.map((r, i) => r - c.beta * (gStar[i] - gw.logRef[i]));
    const updateAtStar = stdScaledUpdate(gStar.map(Math.exp), shapedAtStar, Gg, eps);
    const run = (e: KlEstimator, pl: KlPlacement) =>
      optimize(gw, resolveSettings('grpo', { beta: c.beta, groupSize: Gg, lr: c.adamLr, klEstimator: e, klIn: pl }), { steps: c.graded.sampledSteps, seed: c.seed, signal: ctx.signal });
    const sampledLoss = run('k2', 'loss');
    const sampledReward = run('k1', 'reward');
    const erOf = (lp: Float64Array) => lp.reduce((s, l, i) => s + Math.exp(l) * gw.reward[i], 0);
    verdicts.push(
      closeTo('graded rewards, k1 in the reward with std scaling: the exact expected update vanishes at π*_β (max |E[update]|)', 'derived (shaped returns tie at π*_β)', 0, maxAbsDiff(updateAtStar, new Float64Array(gw.actions)), 1e-12),
      check('…and sampled GRPO (std, k1 in the reward) settles at π*_β (KL < 0.01, last-half mean)', 'derived', tailMean(sampledReward.klToGibbs, 0.5) < 0.01, 0, tailMean(sampledReward.klToGibbs, 0.5), 0.01),
      check('graded rewards, k2 in the loss with std scaling: the zero of the expected update moves off π*_β (KL > 1e-4)', 'F39, F40; derived', kl(fpLoss, gStar) > 1e-4, null, kl(fpLoss, gStar)),
      closeTo('graded rewards: sampled GRPO (std, k2 in the loss) settles at that exact zero (expected reward, last-half mean)', 'derived', erOf(fpLoss), tailMean(sampledLoss.expectedReward, 0.5), 0.03),
    );
    tables.push({
      title: `Graded rewards (${c.graded.actions} actions, G = ${Gg}): GRPO’s std scaling and the fixed point`,
      columns: ['policy', 'expected reward', 'KL to π*_β'],
      rows: [
        ['π*_β', erOf(gStar), 0],
        ['sampled GRPO, k1 in reward (last half)', tailMean(sampledReward.expectedReward, 0.5), tailMean(sampledReward.klToGibbs, 0.5)],
        ['zero of E[update], std scaling, k2 in loss', erOf(fpLoss), kl(fpLoss, gStar)],
        ['sampled GRPO, k2 in loss (last half)', tailMean(sampledLoss.expectedReward, 0.5), tailMean(sampledLoss.klToGibbs, 0.5)],
      ],
    });
    progress(5);

    return {
      verdicts,
      plots: [
        lineChart({ id: 'kl-estimators-bias', title: 'Bias of each estimator’s value along π_ref → π*_β', rows: pathRows.filter((r) => r.stat === 'bias'), x: 'kl', y: 'value', series: 'estimator', legendLabelLimit: 240, xTitle: 'KL(π‖π_ref)', yTitle: 'E[k] − KL' }),
        lineChart({ id: 'kl-estimators-std', title: 'Standard deviation of each estimator’s value (one token)', rows: pathRows.filter((r) => r.stat === 'std'), x: 'kl', y: 'value', series: 'estimator', legendLabelLimit: 240, xTitle: 'KL(π‖π_ref)', yTitle: 'std' }),
        lineChart({ id: 'kl-estimators-k2-success', title: 'k2 in the loss: success under three baselines (window means)', rows: successRows, x: 'step', y: 'success', series: 'series', legendLabelLimit: 240, yRules: [{ value: starSuccess, label: 'π*_β' }] }),
      ],
      tables,
      notes: [`Binary task: ${c.actions} actions, ${c.correct} rewarded 1 (seed ${c.seed}), β = ${c.beta}.`, 'Fixed points are solved in src/optimizers/fixedPoints.ts: k2 → Gibbs at β/κ, k3 → β·π_ref/(β + κ·(E r − r)), with κ = 1 (leave-one-out), 1 − 1/G (group mean) or κ(p, G) (group std, binary rewards).'],
    };
  },
};
