import { z } from 'zod';
import { entropyBonusLogPolicy } from '../equilibrium/entropyBonus.js';
import { gibbsLogPolicy } from '../equilibrium/equilibrium.js';
import { kl } from '../numerics/divergences.js';
import { Rng } from '../numerics/rng.js';
import type { UpdateStats } from '../optimizers/losses.js';
import { optimize, resolveSettings } from '../optimizers/optimize.js';
import { LossPipeline, Rollout, defaultTerms, emptyStepStats } from '../optimizers/pipeline.js';
import type { OptimizerSettings } from '../optimizers/settings.js';
import { policyLayout } from '../policies/layout.js';
import { TabularPolicy } from '../policies/tabular.js';
import { lineChart, type Row } from '../report/specs.js';
import { banditWorld, type BanditWorld } from '../tasks/worlds.js';
import {
  ENTROPY_SETUP,
  entropySetupShape,
  entropyMethods,
  entropyTasks,
  methodSettings,
  runMethod,
  traceMean,
  type ControlsConfig,
  type EntropyTask,
  type MethodRun,
  type TrainingConfig,
} from './entropyRuns.js';
import { logWindowRows } from './optimizerRuns.js';
import { check, closeTo, type Experiment, type ResultTable, type Verdict } from './types.js';

const SRC = 'Cui et al. 2025 (arXiv 2505.22617; F31), Lei & Baehr 2026 (F33, F34); verl compute_policy_loss_clip_cov / kl_cov (ANCHORS §3); PRIME #1, #14';

const configSchema = z
  .object({
    ...entropySetupShape,
    unbiased: z
      .object({
        refLogits: z.array(z.number()).min(2),
        reward: z.array(z.number()).min(2),
        beta: z.number().positive().describe('the reference KL that makes the unregularized target π*_β reachable'),
        entropyCoef: z.number().positive(),
        klCov: z.number().gt(0).max(1),
        clipCov: z.number().gt(0).max(1),
        lr: z.number().positive().describe('SGD step of the exact runs'),
        steps: z.number().int().min(10).max(1_000_000),
      })
      .strict()
      .refine((u) => u.refLogits.length === u.reward.length, { path: ['reward'], message: 'must have one entry per refLogits entry' }),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

/**
 * KL-Cov on the first update of a step, against the same loss with the penalty coefficient 0 (so
 * the base losses are identical): the largest |loss difference| and |gradient difference|, then
 * the loss difference on the same tokens after one update (a second epoch), where the penalty acts.
 * (A second mini-batch of a tabular contextual task holds other prompts, whose rows the first
 * update does not touch; only a shared optimizer state such as Adam's momentum moves them.)
 */
function klCovInertness(task: EntropyTask, t: TrainingConfig, c: ControlsConfig): { first: number; firstGrad: number; second: number } {
  const layout = policyLayout(task.world);
  const settings = (coef: number) => methodSettings(t.optimizer, { ...t, minibatches: Math.max(2, t.minibatches) }, { label: 'KL-Cov', settings: { klCov: c.klCov, ppoKlCoef: coef, covScope: c.covScope, microBatches: c.microBatches } });
  const run = (s: OptimizerSettings) => {
    const policy = TabularPolicy.start(layout);
    const rollout = new Rollout(layout, s);
    rollout.collect(policy, Rng.fromSeed(0).split('step', 1), emptyStepStats());
    return { policy, b: rollout.batch, pipe: new LossPipeline(layout, s, defaultTerms(s)) };
  };
  const on = run(settings(c.ppoKlCoef));
  const off = run(settings(0));
  const half = Math.floor(on.b.completions / Math.max(2, t.minibatches));
  const upd = (): UpdateStats => ({ clipped: 0, dualClipped: 0, mass: 0 });
  const gOn = new Float64Array(layout.entries);
  const gOff = new Float64Array(layout.entries);
  const first = Math.abs(on.pipe.gradient(on.policy, on.b, 0, half, gOn, upd()) - off.pipe.gradient(off.policy, off.b, 0, half, gOff, upd()));
  let firstGrad = 0;
  for (let e = 0; e < gOn.length; e++) firstGrad = Math.max(firstGrad, Math.abs(gOn[e] - gOff[e]));
  // One plain gradient step; the same tokens then see π ≠ π_old.
  for (let e = 0; e < gOn.length; e++) on.policy.logits[e] -= t.lr * gOn[e];
  on.policy.normalize();
  const second = on.pipe.evaluate(on.policy, on.b, 0, half, upd()) - off.pipe.evaluate(on.policy, off.b, 0, half, upd());
  return { first, firstGrad, second };
}

interface ExactRun {
  label: string;
  settings: Partial<OptimizerSettings>;
  /** KL(π_k‖π*_β) along the run. */
  trace: number[];
  final: number;
}

/** Exact SGD policy gradient on a bandit with a reference KL: each control constant and annealed to 0 over the first half. */
function unbiasedRuns(world: BanditWorld, u: Config['unbiased']): ExactRun[] {
  const half = Math.floor(u.steps / 2);
  const base: Partial<OptimizerSettings> = { exact: true, beta: u.beta, optimizerKind: 'sgd', lr: u.lr, lossMode: 'gpg', lossAggMode: 'seq-mean-token-sum', epochs: 2 };
  const runs: [string, Partial<OptimizerSettings>][] = [
    ['no control', {}],
    [`entropy bonus α ${u.entropyCoef}, constant`, { entropyCoef: u.entropyCoef }],
    ['entropy bonus, linear to 0 at half the steps', { entropyCoef: u.entropyCoef, entropySchedule: 'linear', annealSteps: half }],
    ['entropy bonus, inverse α/(1+k)', { entropyCoef: u.entropyCoef, entropySchedule: 'inverse' }],
    [`KL-Cov ${u.klCov}, constant`, { klCov: u.klCov }],
    ['KL-Cov, coefficient linear to 0 at half the steps', { klCov: u.klCov, covAnneal: 'coef', annealSteps: half }],
    [`Clip-Cov ${u.clipCov} (every token a candidate), constant`, { clipCov: u.clipCov, clipCovLb: -1e300, clipCovUb: 1e300 }],
    ['Clip-Cov, ratio linear to 0 at half the steps', { clipCov: u.clipCov, clipCovLb: -1e300, clipCovUb: 1e300, covAnneal: 'ratio', annealSteps: half }],
  ];
  return runs.map(([label, o]) => {
    const r = optimize(world, resolveSettings('rloo', { ...base, ...o }), { steps: u.steps, seed: 0 });
    return { label, settings: o, trace: r.klToGibbs, final: r.klToGibbs[u.steps] };
  });
}

export const covarianceControl: Experiment<Config> = {
  id: 'covariance-control',
  title: 'Entropy controls: Clip-Cov, KL-Cov, clip-higher, entropy bonus (constant, annealed, adaptive)',
  question:
    'On token-level tasks whose reference prefers a wrong mode and rarely emits the correct one, do Clip-Cov and KL-Cov slow the entropy decay of GRPO at equal steps, is KL-Cov inert on the first on-policy update, and do annealed controls end at the unregularized target while a constant entropy bonus stays biased?',
  source: SRC,
  claim:
    'Entropy falls because likely tokens with high advantage get reinforced (a positive covariance between log π and the advantage). Clip-Cov detaches the gradient of a few tokens with high covariance, KL-Cov penalizes how far they move from the behaviour policy; both slow the decay. KL-Cov’s penalty is |log π − log π_old|, zero on the first update of a step. A constant entropy bonus moves the optimum (dense bias, F33), a control annealed to zero does not (F34).',
  configSchema,
  sizes: {
    quick: {
      ...ENTROPY_SETUP.quick,
      training: { optimizer: 'grpo', lr: 0.1, groupSize: 16, minibatches: 4, steps: 200, seeds: 4 },
      unbiased: { refLogits: [2, 1, 0, -1, -2, 0.5], reward: [0, 0, 1, 0, 1, 0.2], beta: 0.3, entropyCoef: 0.2, klCov: 0.2, clipCov: 0.2, lr: 1, steps: 2000 },
    },
    full: {
      ...ENTROPY_SETUP.full,
      training: { optimizer: 'grpo', lr: 0.1, groupSize: 16, minibatches: 4, steps: 400, seeds: 8 },
      unbiased: { refLogits: [2, 1, 0, -1, -2, 0.5, 1.5, -0.5], reward: [0, 0, 1, 0, 1, 0.2, 0, 0.5], beta: 0.3, entropyCoef: 0.2, klCov: 0.2, clipCov: 0.2, lr: 1, steps: 4000 },
    },
  },
  run(c, ctx) {
    const verdicts: Verdict[] = [];
    const plots = [];
    const tables: ResultTable[] = [];
    const tasks = entropyTasks(c.chain, c.contextual);
    const methods = entropyMethods(c.controls);
    const total = tasks.length * methods.length + 2;
    let done = 0;
    for (const task of tasks) {
      const runs: MethodRun[] = methods.map((m) => {
        const r = runMethod(task, c.training, m, ctx.signal);
        ctx.onProgress?.(++done, total);
        return r;
      });
      const baseline = runs[0];
      const base = traceMean(baseline.entropy);
      for (const run of runs.filter((r) => r.label.startsWith('Clip-Cov') || (r.label.startsWith('KL-Cov') && !r.label.includes('to 0')))) {
        const m = traceMean(run.entropy);
        verdicts.push(
          check(
            `${task.name}: ${run.label} slows the entropy decay of ${c.training.optimizer} (mean per-token entropy over ${c.training.steps} steps, ${c.training.seeds} seeds, above the baseline’s)`,
            'F31; Cui et al. 2025',
            m > base,
            base,
            m,
          ),
        );
      }
      const checkpoints = [Math.floor(c.training.steps / 10), Math.floor(c.training.steps / 2), c.training.steps];
      tables.push({
        title: `${task.name}: entropy and success per method (means over ${c.training.seeds} seeds; entropy per token)`,
        columns: ['method', 'mean entropy', ...checkpoints.map((k) => `H at ${k}`), ...checkpoints.map((k) => `success at ${k}`), 'seeds above baseline', 'mean α applied', 'selected fraction'],
        rows: runs.map((r) => [
          r.label,
          traceMean(r.entropy),
          ...checkpoints.map((k) => r.entropy[k]),
          ...checkpoints.map((k) => r.success[k]),
          r === baseline ? '' : `${r.meanEntropyBySeed.filter((v, i) => v > baseline.meanEntropyBySeed[i]).length}/${c.training.seeds}`,
          traceMean(r.entropyCoef.slice(1)),
          traceMean(r.covSelected.slice(1)),
        ]),
      });
      const entropyRows: Row[] = [];
      const successRows: Row[] = [];
      for (const r of runs) {
        entropyRows.push(...logWindowRows(r.entropy, r.label, 60, 'entropy'));
        successRows.push(...logWindowRows(r.success, r.label, 60, 'success'));
      }
      plots.push(
        lineChart({ id: `covariance-control-${task.name.replace(/ /g, '-')}-entropy`, title: `${task.name}: per-token entropy of every method (${c.training.optimizer}, seed means)`, rows: entropyRows, x: 'step', y: 'entropy', series: 'series', logX: true, yTitle: 'entropy per token (nats)', legendLabelLimit: 320 }),
        lineChart({ id: `covariance-control-${task.name.replace(/ /g, '-')}-success`, title: `${task.name}: success of every method`, rows: successRows, x: 'step', y: 'success', series: 'series', logX: true, legendLabelLimit: 320 }),
      );
    }

    // The contextual task: many prompts, so the first batch has groups that do not tie (a batch of ties moves nothing either way).
    const inert = klCovInertness(tasks[1], c.training, c.controls);
    verdicts.push(
      closeTo(`KL-Cov is inert on the first on-policy update: its penalty adds exactly 0 to the loss (${tasks[1].name}, first mini-batch)`, 'ANCHORS §3.4; PRIME #1', 0, inert.first, 0),
      closeTo('… and exactly 0 to the gradient (max |difference| over logits)', 'ANCHORS §3.4; PRIME #1', 0, inert.firstGrad, 0),
      check('… while on a second pass over the same tokens, after one update, the penalty is positive', 'ANCHORS §3.4', inert.second > 0, 0, inert.second),
    );
    ctx.onProgress?.(++done, total);

    const u = c.unbiased;
    const world = banditWorld({ kind: 'bandit', refLogits: u.refLogits, reward: u.reward });
    const target = gibbsLogPolicy(world, u.beta);
    const biased = kl(entropyBonusLogPolicy(world, u.beta, u.entropyCoef), target);
    const exact = unbiasedRuns(world, u);
    const byLabel = (prefix: string) => exact.find((r) => r.label.startsWith(prefix))!;
    verdicts.push(
      closeTo(
        `a constant entropy bonus ends at its biased fixed point: KL(π_final‖π*_β) = KL(π_{β,α}‖π*_β) (β = ${u.beta}, α = ${u.entropyCoef})`,
        'F33',
        biased,
        byLabel('entropy bonus α').final,
        1e-6,
        true,
      ),
    );
    for (const r of exact.filter((x) => x.label.includes('to 0') || x.label.includes('inverse'))) {
      verdicts.push(check(`${r.label}: ends unbiased, KL(π_final‖π*_β) < 1e-6`, 'F34', r.final < 1e-6, 0, r.final, 1e-6));
    }
    const klConst = byLabel('KL-Cov').final;
    verdicts.push(
      check(`constant KL-Cov stalls away from π*_β in a dead zone (|∂J/∂z| below the penalty on the selected tokens): KL(π_final‖π*_β) > 1e-3`, 'F34', klConst > 1e-3, 1e-3, klConst),
    );
    ctx.onProgress?.(++done, total);
    tables.push({
      title: `Exact SGD policy gradient on a ${u.reward.length}-completion bandit, β = ${u.beta}, ${u.steps} steps: where each control ends (KL to the unregularized target π*_β)`,
      columns: ['run', 'KL(π_final‖π*_β)', `KL at step ${Math.floor(u.steps / 4)}`],
      rows: [...exact.map((r) => [r.label, r.final, r.trace[Math.floor(u.steps / 4)]] as (string | number)[]), ['closed form: KL(π_{β,α}‖π*_β)', biased, '']],
    });
    const klRows: Row[] = [];
    for (const r of exact) klRows.push(...logWindowRows(r.trace, r.label, 80, 'kl'));
    plots.push(
      lineChart({
        id: 'covariance-control-unbiased',
        title: `Exact runs: KL(π_k‖π*_β) under constant and annealed controls (β = ${u.beta})`,
        rows: klRows.filter((r) => (r.kl as number) > 0),
        x: 'step',
        y: 'kl',
        series: 'series',
        logX: true,
        logY: true,
        yTitle: 'KL to π*_β',
        yRules: [{ value: biased, label: 'constant bonus: KL(π_{β,α}‖π*_β)' }],
        legendLabelLimit: 320,
      }),
    );
    return {
      verdicts,
      plots,
      tables,
      notes: [
        ...tasks.map((t) => `Task: ${t.description}.`),
        `Sampled runs: ${c.training.optimizer}, lr ${c.training.lr}, G = ${c.training.groupSize}, ${c.training.minibatches} mini-batches per step (KL-Cov needs more than one update per step to act), seeds 0–${c.training.seeds - 1} shared by every method. Entropy is per token (sequence entropy / horizon).`,
        `Ratios: Clip-Cov ${c.controls.clipCov}, KL-Cov ${c.controls.klCov} (verl’s 2e-4 selects one token per micro-batch below 10,000 tokens, which is every micro-batch here: the larger ratios make the effect visible at this batch size). Band (${c.controls.clipCovLb}, ${c.controls.clipCovUb}), ppo_kl_coef ${c.controls.ppoKlCoef}, selection per ${c.controls.covScope}-batch.`,
        'The exact runs use exact expectations: Clip-Cov then keeps 1 − q of each candidate’s term (q the expected fraction drawn), KL-Cov penalizes the top ratio of the probability mass; SGD rather than Adam, so a converged run sits exactly at its fixed point.',
        'On the contextual task each mini-batch holds other prompts than the one before it, and a tabular policy shares nothing across prompts: KL-Cov’s penalty acts there through Adam’s momentum, which moves every logit at every update (with plain SGD it would need a second epoch).',
        'Constant Clip-Cov changes the path, not the fixed point (a detached token’s gradient is zero only where it was zero anyway): it reaches π*_β too. Constant KL-Cov with two epochs does not: the second epoch’s penalty cancels the first’s step wherever the gradient is below it (F34’s dead zone).',
      ],
    };
  },
};
