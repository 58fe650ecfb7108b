import { z } from 'zod';
import { equilibrium } from '../equilibrium/equilibrium.js';
import { optimize, resolveSettings } from '../optimizers/optimize.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optimizers/settings.js';
import { lineChart, type Row } from '../report/specs.js';
import { randomBandit } from './instances.js';
import { logWindowRows, tailMean } from './optimizerRuns.js';
import { check, type Experiment, type Verdict } from './types.js';

const SRC = 'Barmaz 2026 §5 (F4); SPEC F33 (an entropy-free objective has no softmax optimum)';

const configSchema = z
  .object({
    actions: z.number().int().min(2).max(100_000),
    seed: z.number().int(),
    steps: z.number().int().min(10),
    eta: z.number().positive().describe('η of npg --exact'),
    adamLr: z.number().positive(),
    npgLr: z.number().positive(),
    tau: z.number().positive().describe('a temperature to compare with: π*_τ keeps this much entropy'),
    minSuccess: z.number().gt(0).lt(1),
    maxEntropy: z.number().positive(),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

export const noKl: Experiment<Config> = {
  id: 'no-kl',
  title: 'Without the reference KL every optimizer heads to argmax r',
  question: 'With β = 0, do the practical optimizers settle at a Gibbs-like policy, or collapse onto the best completion?',
  source: SRC,
  claim:
    'Without the reference-KL term the objective is E_π[r] alone, whose supremum over softmax policies is approached only as the policy concentrates on argmax r: there is no interior optimum and no temperature. Exact mirror descent with the bare reward converges to argmax r; the sampled optimizers — the natural gradient, TRPO, PPO and the REINFORCE/GRPO family — all drive the entropy to 0, below that of π*_τ for any τ > 0, and usually onto argmax r, though a run may lock onto another completion for good: with nothing pulling toward π_ref, a deterministic policy’s groups all tie.',
  configSchema,
  sizes: {
    quick: { actions: 20, seed: 5, steps: 1500, eta: 1, adamLr: 0.05, npgLr: 0.1, tau: 0.1, minSuccess: 0.95, maxEntropy: 0.25 },
    full: { actions: 50, seed: 5, steps: 6000, eta: 1, adamLr: 0.05, npgLr: 0.1, tau: 0.1, minSuccess: 0.98, maxEntropy: 0.1 },
  },
  run(c, ctx) {
    // Graded rewards with a unique maximum, so "argmax r" is one completion.
    const world = randomBandit(c.actions, c.seed);
    const ref = equilibrium(world, c.tau);
    const verdicts: Verdict[] = [];
    const entropyRows: Row[] = [];
    const successRows: Row[] = [];
    const table: (string | number | null)[][] = [];
    const runs: [string, OptimizerName, object][] = [
      ['npg --exact (bare-reward mirror descent)', 'npg', { exact: true, lr: c.eta }],
      ...OPTIMIZER_NAMES.map((n): [string, OptimizerName, object] => [n, n, { lr: n === 'npg' ? c.npgLr : c.adamLr }]),
    ];
    let reached = 0;
    for (const [i, [label, name, o]] of runs.entries()) {
      const r = optimize(world, resolveSettings(name, { ...o, beta: 0 }), { steps: c.steps, seed: c.seed, signal: ctx.signal });
      const success = tailMean(r.success, 0.05);
      const entropy = tailMean(r.entropy, 0.05);
      verdicts.push(
        check(`${label}: entropy → 0 (≤ ${c.maxEntropy} nats, last 5% of steps), below H(π*_τ=${c.tau}) = ${ref.entropy.toPrecision(3)}`, 'F4, F33', entropy <= c.maxEntropy && entropy < ref.entropy, 0, entropy, c.maxEntropy),
      );
      // Exact mirror descent with the bare reward provably reaches argmax r (F4); a sampled run can instead lock onto
      // another completion: once deterministic, all its groups tie and nothing pulls it back.
      if (i === 0) verdicts.push(check(`${label}: success → 1 (≥ ${c.minSuccess}, last 5% of steps)`, 'F4', success >= c.minSuccess, 1, success, 1 - c.minSuccess));
      else reached += success >= c.minSuccess ? 1 : 0;
      table.push([label, success, entropy, r.entropy[0], tailMean(r.refKl, 0.05)]);
      entropyRows.push(...logWindowRows(r.entropy, label, 100, 'entropy'));
      successRows.push(...logWindowRows(r.success, label, 100, 'success'));
      ctx.onProgress?.(i + 1, runs.length);
    }
    verdicts.push(check(`sampled optimizers reaching argmax r (success ≥ ${c.minSuccess}): a majority`, 'F4 (sampled)', reached > (runs.length - 1) / 2, runs.length - 1, reached));
    return {
      verdicts,
      plots: [
        lineChart({ id: 'no-kl-entropy', title: 'β = 0: entropy of π_k (means over log-spaced windows)', rows: entropyRows, x: 'step', y: 'entropy', series: 'series', legendLabelLimit: 240, logX: true, yTitle: 'nats', yRules: [{ value: ref.entropy, label: `H(π*_τ), τ = ${c.tau}` }] }),
        lineChart({ id: 'no-kl-success', title: 'β = 0: probability of argmax r', rows: successRows, x: 'step', y: 'success', series: 'series', legendLabelLimit: 240, logX: true, yRules: [{ value: ref.success, label: `π*_τ, τ = ${c.tau}` }] }),
      ],
      tables: [{ title: `β = 0 on a ${c.actions}-action bandit with graded rewards (seed ${c.seed}), last 5% of ${c.steps} steps`, columns: ['optimizer', 'success', 'entropy', 'entropy at π_ref', 'KL to π_ref'], rows: table }],
      notes: ['Defaults of each optimizer (its peer’s), with β = 0 and the Adam learning rate of the config.', 'A run that ends deterministic on a completion other than argmax r has success 0 and entropy 0: the collapse without the reference KL is to some deterministic policy, argmax r being only the likeliest.'],
    };
  },
};
