import { z } from 'zod';
import { gibbsLogPolicy } from '../equilibrium/equilibrium.js';
import { Rng } from '../numerics/rng.js';
import { lineChart, type Row } from '../report/specs.js';
import { banditWorld } from '../tasks/worlds.js';
import { logSpace } from './grid.js';
import { TAN_HONG } from './refineInstances.js';
import { check, closeTo, type Experiment, type Verdict } from './types.js';

const FAMILIES = ['binary', 'near-binary', 'three-level', 'uniform'] as const;
type Family = (typeof FAMILIES)[number];

const configSchema = z
  .object({
    actions: z.number().int().min(2).max(1_000_000),
    correctFraction: z.number().gt(0).lt(1),
    refScale: z.number().nonnegative(),
    seed: z.number().int(),
    betaRange: z.tuple([z.number().positive(), z.number().positive()]),
    betaPoints: z.number().int().min(2).max(10_000),
    flag: z.number().positive().describe("the seed's threshold on the relative error"),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

/** Rewards in [0, 1]: 0/1; 0/1 jittered by ±0.05; {0, ½, 1}; uniform. One stream per family and action. */
function rewards(family: Family, V: number, correctFraction: number, rng: Rng): number[] {
  return Array.from({ length: V }, (_, y) => {
    const r = rng.split(family, y);
    const correct = r.uniform() < correctFraction ? 1 : 0;
    switch (family) {
      case 'binary':
        return correct;
      case 'near-binary':
        return Math.min(1, Math.max(0, correct + 0.1 * (r.uniform() - 0.5)));
      case 'three-level':
        return correct ? 1 : r.uniform() < 0.3 ? 0.5 : 0;
      case 'uniform':
        return r.uniform();
    }
  });
}

export const binaryVariance: Experiment<Config> = {
  id: 'binary-variance',
  title: 'The Bernoulli variance Var(r) = R(1 − R): exact for binary rewards, and how far off for graded ones',
  question:
    "Does Var_π(r) = R(1 − R) (R = E_π r) hold along the Gibbs family for 0/1 rewards, and how large is the relative error |Var − R(1 − R)|/R(1 − R) for graded rewards in [0, 1] (the seed's second check, flagged above 0.2)?",
  source: TAN_HONG,
  claim:
    'The Bernoulli-KL form of the RLVR gap rests on binary rewards, for which r² = r and the reward variance is R(1 − R). For graded rewards the identity fails; the seed proposes measuring the relative error and distrusting the Bernoulli reduction beyond 20%.',
  configSchema,
  sizes: {
    quick: { actions: 200, correctFraction: 0.1, refScale: 1, seed: 6, betaRange: [0.01, 100], betaPoints: 41, flag: 0.2 },
    full: { actions: 20_000, correctFraction: 0.05, refScale: 1.5, seed: 6, betaRange: [0.003, 1000], betaPoints: 241, flag: 0.2 },
  },
  run(c) {
    const verdicts: Verdict[] = [];
    const betas = logSpace(c.betaRange[0], c.betaRange[1], c.betaPoints);
    const root = Rng.fromSeed(c.seed);
    const refRng = root.split('ref');
    const refLogits = Array.from({ length: c.actions }, () => c.refScale * refRng.normal());
    const errRows: Row[] = [];
    const varRows: Row[] = [];
    const worst: Record<string, number> = {};
    const within: Record<string, number> = {};
    let identity = 0;
    let bound = -Infinity;
    let binaryErr = 0;
    for (const family of FAMILIES) {
      const reward = rewards(family, c.actions, c.correctFraction, root);
      const world = banditWorld({ kind: 'bandit', refLogits, reward });
      worst[family] = 0;
      within[family] = 0;
      for (const beta of betas) {
        const pi = Array.from(gibbsLogPolicy(world, beta), Math.exp);
        let R = 0;
        for (let y = 0; y < c.actions; y++) R += pi[y] * reward[y];
        let variance = 0;
        let spread = 0; // E[r(1 − r)]
        for (let y = 0; y < c.actions; y++) {
          const p = pi[y];
          variance += p * (reward[y] - R) ** 2;
          spread += p * reward[y] * (1 - reward[y]);
        }
        const bern = R * (1 - R);
        // R(1 − R) − Var = E[r(1 − r)] ≥ 0 for r ∈ [0, 1]: the Bernoulli form overstates the variance.
        identity = Math.max(identity, Math.abs(bern - variance - spread));
        bound = Math.max(bound, variance - bern);
        const rel = bern > 0 ? Math.abs(variance - bern) / bern : 0;
        if (family === 'binary') binaryErr = Math.max(binaryErr, Math.abs(variance - bern));
        else worst[family] = Math.max(worst[family], rel);
        if (rel <= c.flag) within[family] += 1 / betas.length;
        errRows.push({ beta, relativeError: rel, family });
        if (family === 'uniform') varRows.push({ beta, value: variance, curve: 'Var_π(r)' }, { beta, value: bern, curve: 'R(1 − R)' });
      }
    }
    // SPEC §9's 1e-12 for exact identities: sums over up to 10^4–10^5 completions round at ~n·ε.
    verdicts.push(closeTo('0/1 rewards: Var_π(r) = R(1 − R) at every β (max |difference|)', `${TAN_HONG}; SPEC F11`, 0, binaryErr, 1e-12));
    verdicts.push(closeTo('rewards in [0, 1]: R(1 − R) − Var_π(r) = E_π[r(1 − r)] (max |difference|, all families and β)', 'derived (r² ≤ r on [0, 1])', 0, identity, 1e-12));
    verdicts.push(check('…so Var_π(r) ≤ R(1 − R): the Bernoulli form never understates the variance (max Var − R(1 − R))', 'derived', bound <= 1e-12, 0, bound, 1e-12));
    for (const family of FAMILIES.slice(1)) {
      verdicts.push(
        check(`${family} rewards: relative error |Var − R(1 − R)|/R(1 − R) stays within the seed's ${c.flag} at every β (max over β)`, `${TAN_HONG} (seed check 2)`, worst[family] <= c.flag, 0, worst[family], c.flag),
      );
    }
    return {
      verdicts,
      plots: [
        lineChart({
          id: 'variance-error', title: 'Relative error of the Bernoulli variance along the Gibbs family π*_β', rows: errRows.filter((r) => r.family !== 'binary'),
          x: 'beta', y: 'relativeError', series: 'family', legendLabelLimit: 240, logX: true, xTitle: 'β', yTitle: '|Var − R(1−R)| / R(1−R)', yRules: [{ value: c.flag, label: `flag ${c.flag}` }],
        }),
        lineChart({ id: 'variance-uniform', title: 'Uniform rewards: Var_π(r) vs R(1 − R)', rows: varRows, x: 'beta', y: 'value', series: 'curve', legendLabelLimit: 240, logX: true, xTitle: 'β' }),
      ],
      tables: [
        {
          title: 'Relative error over the β grid',
          columns: ['rewards', 'max relative error', `flagged (> ${c.flag})`, `share of the β grid within ${c.flag}`],
          rows: FAMILIES.slice(1).map((f) => [f, worst[f], worst[f] > c.flag ? 'yes' : 'no', within[f]]),
        },
      ],
      notes: [
        `One reference (${c.actions} completions, logits ${c.refScale}·N(0,1)) with four reward families: 0/1 (correct with probability ${c.correctFraction}); the same jittered by up to ±0.05; {0, ½, 1}; uniform on [0, 1].`,
        'As β → 0 the policy concentrates on the best completion: Var → 0 while R(1 − R) → r_max(1 − r_max), so the relative error tends to 1 whenever r_max < 1.',
      ],
    };
  },
};
