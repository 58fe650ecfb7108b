import { z } from 'zod';
import { Rng } from '../numerics/rng.js';
import { softmax } from '../numerics/softmax.js';
import { grpoAdvantages, rlooAdvantages } from '../optimizers/advantages.js';
import { stdGradientFactor } from '../optimizers/fixedPoints.js';
import { lineChart, type Row } from '../report/specs.js';
import { check, closeTo, type Experiment, type Verdict } from './types.js';

const SRC = 'Barmaz 2026 §7 (F40); Shao et al. 2024 (GRPO); Ahmadian et al. 2024 (RLOO)';

const configSchema = z
  .object({
    actions: z.number().int().min(2).max(6),
    groupSizes: z.array(z.number().int().min(2).max(9)).min(1),
    seed: z.number().int(),
    stdEps: z.number().positive(),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

type Estimator = (R: Float64Array, A: Float64Array) => void;

/**
 * E over all n^G tuples (y_1..y_G) ~ π^G of the group estimator (1/G)·Σ_i A_i·∇_z log π(y_i),
 * with ∇_z log π(y) = e_y − π: exact, by enumeration.
 */
export function expectedGroupEstimator(p: Float64Array, r: Float64Array, G: number, advantages: Estimator): Float64Array {
  const n = p.length;
  const acc = new Float64Array(n);
  const ys = new Int32Array(G);
  const R = new Float64Array(G);
  const A = new Float64Array(G);
  const count = n ** G;
  for (let code = 0; code < count; code++) {
    let c = code;
    let prob = 1;
    for (let i = 0; i < G; i++) {
      ys[i] = c % n;
      c = Math.floor(c / n);
      prob *= p[ys[i]];
      R[i] = r[ys[i]];
    }
    advantages(R, A);
    for (let i = 0; i < G; i++) {
      const w = (prob * A[i]) / G;
      if (w === 0) continue;
      for (let j = 0; j < n; j++) acc[j] -= w * p[j];
      acc[ys[i]] += w;
    }
  }
  return acc;
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

export const grpoShrinkage: Experiment<Config> = {
  id: 'grpo-shrinkage',
  title: 'GRPO’s group baseline shrinks the policy gradient by 1 − 1/G',
  question: 'What does the group-relative estimator estimate? Is its expectation (1 − 1/G)·∇J, does the leave-one-out baseline remove the factor, and what does std scaling do to it?',
  source: SRC,
  claim:
    'A completion is part of its own group mean, so the centred reward r_i − r̄ has conditional mean (1 − 1/G)·(r_i − E r): the mean-centred group estimator is an unbiased estimator of (1 − 1/G)·∇J, while leaving the completion out of its baseline gives ∇J itself. Dividing by the group std is not a constant: with binary rewards the expectation stays proportional to ∇J, with a factor κ(p, G) of the success probability; with graded rewards it is no longer proportional to ∇J.',
  configSchema,
  sizes: {
    quick: { actions: 3, groupSizes: [2, 3, 4, 5, 6], seed: 7, stdEps: 1e-4 },
    full: { actions: 4, groupSizes: [2, 3, 4, 5, 6, 7, 8], seed: 7, stdEps: 1e-4 },
  },
  run(c, ctx) {
    const n = c.actions;
    const rng = Rng.fromSeed(c.seed).split('grpo-shrinkage');
    const p = softmax(Array.from({ length: n }, () => rng.normal()));
    const graded = Float64Array.from({ length: n }, () => rng.normal());
    const binary = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0));
    const verdicts: Verdict[] = [];
    const rows: Row[] = [];
    const table: (number | string | null)[][] = [];
    let centredErr = 0;
    let looErr = 0;
    let kappaErr = 0;
    let binaryResidual = 0;
    let gradedResidual = Infinity;
    for (const [kind, r] of [['graded', graded], ['binary', binary]] as const) {
      const er = dot(p, r);
      const gradJ = p.map((v, j) => v * (r[j] - er));
      const norm2 = dot(gradJ, gradJ);
      for (const [gi, G] of c.groupSizes.entries()) {
        const centred = expectedGroupEstimator(p, r, G, (R, A) => grpoAdvantages(R, G, G, 'none', c.stdEps, A));
        const loo = expectedGroupEstimator(p, r, G, (R, A) => rlooAdvantages(R, G, G, A));
        const scaled = expectedGroupEstimator(p, r, G, (R, A) => grpoAdvantages(R, G, G, 'group', c.stdEps, A));
        for (let j = 0; j < n; j++) {
          centredErr = Math.max(centredErr, Math.abs(centred[j] - (1 - 1 / G) * gradJ[j]));
          looErr = Math.max(looErr, Math.abs(loo[j] - gradJ[j]));
        }
        // Best multiple of ∇J and what is left over (0 iff the expectation is proportional to ∇J).
        const coef = dot(scaled, gradJ) / norm2;
        const residual = Math.sqrt(scaled.reduce((s, v, j) => s + (v - coef * gradJ[j]) ** 2, 0) / dot(scaled, scaled));
        const kappa = kind === 'binary' ? stdGradientFactor(p[0], G, c.stdEps) : null;
        if (kind === 'binary') {
          kappaErr = Math.max(kappaErr, Math.abs(coef - kappa!) / kappa!);
          binaryResidual = Math.max(binaryResidual, residual);
        } else gradedResidual = Math.min(gradedResidual, residual);
        rows.push(
          { G, coefficient: dot(centred, gradJ) / norm2, estimator: `mean-centred (${kind})` },
          { G, coefficient: dot(loo, gradJ) / norm2, estimator: `leave-one-out (${kind})` },
          { G, coefficient: coef, estimator: `std-scaled (${kind})` },
        );
        if (kind === 'graded') rows.push({ G, coefficient: 1 - 1 / G, estimator: '1 − 1/G' });
        table.push([kind, G, dot(centred, gradJ) / norm2, 1 - 1 / G, dot(loo, gradJ) / norm2, coef, kappa, residual]);
        ctx.onProgress?.(gi + (kind === 'binary' ? c.groupSizes.length : 0) + 1, 2 * c.groupSizes.length);
      }
    }
    verdicts.push(
      closeTo('mean-centred group estimator: E = (1 − 1/G)·∇J, by exact enumeration of all G-tuples (max abs error over G, both reward kinds; n^G terms summed)', 'F40', 0, centredErr, 1e-11),
      closeTo('leave-one-out baseline (RLOO): E = ∇J, the factor removed (max abs error)', 'F40', 0, looErr, 1e-11),
      closeTo('std-scaled, binary rewards: E = κ(p, G)·∇J with κ = E[A | r = 1] − E[A | r = 0] from the binomial law (max rel. error of the fitted factor)', 'derived from F39–F40', 0, kappaErr, 1e-10),
      closeTo('std-scaled, binary rewards: the expectation is proportional to ∇J (max relative residual)', 'derived from F39–F40', 0, binaryResidual, 1e-10),
      check('std-scaled, graded rewards: the expectation is not proportional to ∇J (min relative residual over G > 1e-6)', 'F40 (no oracle: reported)', gradedResidual > 1e-6, null, gradedResidual),
    );
    return {
      verdicts,
      plots: [
        lineChart({ id: 'grpo-shrinkage-coefficient', title: 'Component of E[estimator] along ∇J, in units of ∇J', rows, x: 'G', y: 'coefficient', series: 'estimator', legendLabelLimit: 240, points: true, yRules: [{ value: 1, label: '∇J' }] }),
      ],
      tables: [
        {
          title: `Exact expectations of the group estimators (${n} actions, π and graded rewards from seed ${c.seed}; binary: action 0 correct)`,
          columns: ['rewards', 'G', 'mean-centred / ∇J', '1 − 1/G', 'leave-one-out / ∇J', 'std-scaled / ∇J', 'κ(p, G)', 'std-scaled residual'],
          rows: table,
        },
      ],
      notes: [`π = [${Array.from(p, (v) => v.toFixed(4)).join(', ')}]; std with Bessel's correction and ε = ${c.stdEps}, as verl and TRL.`],
    };
  },
};
