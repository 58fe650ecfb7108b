import { z } from 'zod';
import { optimize, resolveSettings } from '../optimizers/optimize.js';
import { OPTIMIZER_NAMES, settingsIssue, type OptimizerName, type OptimizerSettings } from '../optimizers/settings.js';
import { SCHEDULES } from '../entropy/schedule.js';
import { chainWorld, contextualWorld, type World } from '../tasks/worlds.js';

/**
 * Shared pieces of the entropy-control experiments (covariance-control, entropy-accuracy): the
 * token-level tasks whose reference has a high-probability wrong mode and a rare correct one, the
 * controls as config fields, the list of methods they define, and seed-averaged runs.
 */

const ratio = z.number().gt(0, 'must be a ratio in (0, 1]').max(1, 'must be a ratio in (0, 1]');

/** The controls' values, as in `optimize` flags (docs/entropy.md); each method below turns one of them on. */
export const controlsSchema = z
  .object({
    entropyCoef: z.number().nonnegative().describe('constant entropy bonus α (and the start of the annealed one)'),
    entropySchedule: z.enum(SCHEDULES).describe('schedule of the annealed bonus'),
    clipRatioHigh: z.number().positive().describe('DAPO clip-higher ε_high'),
    clipCov: ratio,
    clipCovLb: z.number(),
    clipCovUb: z.number(),
    klCov: ratio,
    ppoKlCoef: z.number().nonnegative(),
    covScope: z.enum(['micro', 'mini']),
    microBatches: z.number().int().min(1),
    covSchedule: z.enum(SCHEDULES).describe('schedule of the annealed KL-Cov coefficient'),
    entropyTarget: z.number().nonnegative().describe('adaptive entropy target (nats per token)'),
    entropyCoefDelta: z.number().nonnegative(),
    entropyCoefMax: z.number().nonnegative(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!(c.clipCovUb > c.clipCovLb)) ctx.addIssue({ code: 'custom', path: ['clipCovUb'], message: `must be > clipCovLb (${c.clipCovLb})` });
  });
export type ControlsConfig = z.infer<typeof controlsSchema>;

export const decoyChainSchema = z
  .object({ K: z.number().int().min(1).max(64), q: z.number().gt(0).lt(1), vocab: z.number().int().min(3).max(1e9), decoy: z.number().gt(0).lt(1), delta: z.number().positive() })
  .strict()
  .refine((c) => c.q + c.decoy < 1, { path: ['decoy'], message: 'q + decoy must be < 1' });
export const decoyContextualSchema = z
  .object({
    prompts: z.number().int().min(1).max(10_000),
    vocab: z.number().int().min(2).max(100_000),
    correctFraction: z.number().gt(0).lt(1),
    refScale: z.number().nonnegative(),
    decoy: z.number().nonnegative(),
    seed: z.number().int(),
  })
  .strict();

/** The sampled training loop every method shares. */
export const trainingSchema = z
  .object({
    optimizer: z.enum(OPTIMIZER_NAMES),
    lr: z.number().positive(),
    groupSize: z.number().int().min(2),
    minibatches: z.number().int().min(1).describe('updates per step: KL-Cov needs ≥ 2 to act (PRIME #1)'),
    steps: z.number().int().min(10).max(100_000),
    seeds: z.number().int().min(1).max(64),
  })
  .strict();
export type TrainingConfig = z.infer<typeof trainingSchema>;

export interface EntropyTask {
  name: string;
  world: World;
  /** Tokens per completion: the per-token entropy is the sequence entropy over it. */
  horizon: number;
  description: string;
}

export function entropyTasks(chain: z.infer<typeof decoyChainSchema>, contextual: z.infer<typeof decoyContextualSchema>): EntropyTask[] {
  return [
    {
      name: 'decoy chain',
      world: chainWorld({ kind: 'chain', ...chain }),
      horizon: chain.K,
      description: `chain K = ${chain.K}, V = ${chain.vocab}: per step the correct token ${chain.q}, one wrong token ${chain.decoy}, the other ${chain.vocab - 2} share the rest`,
    },
    {
      name: 'decoy contextual',
      world: contextualWorld({ kind: 'contextual', ...contextual }),
      horizon: 1,
      description: `contextual, ${contextual.prompts} prompts × ${contextual.vocab} completions, correct with probability ${contextual.correctFraction}, reference logits ${contextual.refScale}·N(0,1), one wrong completion per prompt lifted by ${contextual.decoy}`,
    },
  ];
}

export interface EntropyMethod {
  label: string;
  settings: Partial<OptimizerSettings>;
}

/** The baseline and one method per control, all on the same optimizer, step size and budget. */
export function entropyMethods(c: ControlsConfig): EntropyMethod[] {
  return [
    { label: 'baseline', settings: {} },
    { label: `clip-higher ε_high ${c.clipRatioHigh}`, settings: { clipRatioHigh: c.clipRatioHigh } },
    { label: `entropy bonus α ${c.entropyCoef}`, settings: { entropyCoef: c.entropyCoef } },
    { label: `entropy bonus, ${c.entropySchedule} to 0`, settings: { entropyCoef: c.entropyCoef, entropySchedule: c.entropySchedule } },
    {
      label: `adaptive entropy (target ${c.entropyTarget})`,
      settings: { useAdaptiveEntropy: true, entropyCoef: 0, entropyTarget: c.entropyTarget, entropyCoefDelta: c.entropyCoefDelta, entropyCoefMax: c.entropyCoefMax },
    },
    { label: `Clip-Cov ${c.clipCov}`, settings: { clipCov: c.clipCov, clipCovLb: c.clipCovLb, clipCovUb: c.clipCovUb, covScope: c.covScope, microBatches: c.microBatches } },
    { label: `KL-Cov ${c.klCov}`, settings: { klCov: c.klCov, ppoKlCoef: c.ppoKlCoef, covScope: c.covScope, microBatches: c.microBatches } },
    {
      label: `KL-Cov ${c.klCov}, coefficient ${c.covSchedule} to 0`,
      settings: { klCov: c.klCov, ppoKlCoef: c.ppoKlCoef, covScope: c.covScope, microBatches: c.microBatches, covAnneal: 'coef', covSchedule: c.covSchedule },
    },
  ];
}

/** Seed means of a method's traces, with the per-seed mean entropy (for paired comparisons). */
export interface MethodRun {
  label: string;
  /** Per-token entropy (sequence entropy / horizon), success and the controls' per-step values, means over seeds. */
  entropy: number[];
  success: number[];
  entropyCoef: number[];
  covSelected: number[];
  /** Mean over steps of the per-token entropy, one per seed. */
  meanEntropyBySeed: number[];
}

/** The settings of a method, checked like the CLI checks flags (a config error names the field). */
export function methodSettings(optimizer: OptimizerName, t: TrainingConfig, m: EntropyMethod): OptimizerSettings {
  const s = resolveSettings(optimizer, { lr: t.lr, groupSize: t.groupSize, minibatches: t.minibatches, ...m.settings });
  const issue = settingsIssue(s);
  if (issue) throw new RangeError(`${m.label}: ${issue.key} = ${JSON.stringify(issue.value)}: ${issue.message}`);
  return s;
}

/** Runs a method for `seeds` seeds (0, 1, …) and averages its traces step by step. */
export function runMethod(task: EntropyTask, t: TrainingConfig, m: EntropyMethod, signal?: AbortSignal): MethodRun {
  const s = methodSettings(t.optimizer, t, m);
  const n = t.steps + 1;
  const out: MethodRun = { label: m.label, entropy: new Array(n).fill(0), success: new Array(n).fill(0), entropyCoef: new Array(n).fill(0), covSelected: new Array(n).fill(0), meanEntropyBySeed: [] };
  for (let seed = 0; seed < t.seeds; seed++) {
    const r = optimize(task.world, s, { steps: t.steps, seed, signal });
    let area = 0;
    for (let k = 0; k < n; k++) {
      const h = r.entropy[k] / task.horizon;
      out.entropy[k] += h / t.seeds;
      out.success[k] += r.success[k] / t.seeds;
      out.entropyCoef[k] += r.entropyCoef[k] / t.seeds;
      out.covSelected[k] += r.covSelected[k] / t.seeds;
      area += h / n;
    }
    out.meanEntropyBySeed.push(area);
  }
  return out;
}

/** Mean of a trace (the area under it per step). */
export function traceMean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** The config fields the entropy experiments share: the decoy tasks, the training and the controls. */
export const entropySetupShape = {
  chain: decoyChainSchema,
  contextual: decoyContextualSchema,
  training: trainingSchema,
  controls: controlsSchema,
};

/** Controls at verl's and the paper's settings; micro-batches per step differ by size. */
const controls = (microBatches: number): ControlsConfig => ({
  entropyCoef: 0.01,
  entropySchedule: 'linear',
  clipRatioHigh: 0.28,
  clipCov: 0.1,
  clipCovLb: 1,
  clipCovUb: 5,
  klCov: 0.05,
  ppoKlCoef: 1,
  covScope: 'micro',
  microBatches,
  covSchedule: 'linear',
  entropyTarget: 0.3,
  entropyCoefDelta: 0.005,
  entropyCoefMax: 1,
});

/** The decoy tasks and control settings the entropy experiments share, at quick and full size. */
export const ENTROPY_SETUP = {
  quick: {
    chain: { K: 3, q: 0.15, vocab: 8, decoy: 0.6, delta: 1 },
    contextual: { prompts: 16, vocab: 32, correctFraction: 0.1, refScale: 1, decoy: 3, seed: 1 },
    controls: controls(1),
  },
  full: {
    chain: { K: 4, q: 0.15, vocab: 16, decoy: 0.6, delta: 1 },
    contextual: { prompts: 64, vocab: 64, correctFraction: 0.05, refScale: 1, decoy: 3, seed: 1 },
    controls: controls(2),
  },
};
