import { z } from 'zod';
import { equilibrium } from '../equilibrium/equilibrium.js';
import { findExperiment, runExperiment, EXPERIMENTS } from '../experiments/registry.js';
import type { RunContext, ExperimentResult } from '../experiments/types.js';
import { mirrorDescentFlow } from '../flows/mirrorDescent.js';
import { replicatorFlow } from '../flows/replicator.js';
import type { FlowTrace } from '../flows/trace.js';
import { UsageError } from '../io/errors.js';
import { optimize, resolveSettings } from '../optimizers/optimize.js';
import { OPTIMIZERS } from '../optimizers/registry.js';
import { OPTIMIZER_NAMES, settingsIssue, type OptimizerSettings } from '../optimizers/settings.js';
import { taskSchema } from '../tasks/schema.js';
import { compileTask } from '../tasks/worlds.js';

/**
 * What a sweep runs at each config: an experiment of the suite (its verdicts), or a measurement
 * on a task (the exact equilibrium at τ, the ideal flow after some steps). Pure and isomorphic:
 * the main thread uses a target to validate configs, a pool worker to run them.
 */

export const MEASURES = ['equilibrium', 'flow', 'optimize'] as const;
export type MeasureName = (typeof MEASURES)[number];

/** A target as the sweep file names it (plain data: it crosses to worker threads). */
export type TargetRef = { experiment: string; size: 'quick' | 'full' } | { measure: MeasureName };

export interface Target {
  /** For messages: "the crossing config". */
  label: string;
  configSchema: z.ZodType<unknown>;
  /** The config a grid starts from before the sweep file's `base` (and `task`) apply. */
  defaults: Record<string, unknown>;
  /** One config's result: plain JSON data, identical on every run of the same config. */
  run(config: unknown, ctx: RunContext): Promise<unknown>;
}

/** An experiment's result as a sweep stores it: verdicts, tables and notes; no plots (their data would dwarf the rest) and no timing (not reproducible). */
export type ExperimentRow = Pick<ExperimentResult, 'verdicts' | 'tables' | 'notes'>;

const equilibriumSchema = z.object({ task: taskSchema, tau: z.number().finite().positive() }).strict();

const flowSchema = z
  .object({
    task: taskSchema,
    tau: z.number().finite().positive(),
    eta: z.number().finite().positive().optional().describe('mirror-descent step size'),
    dt: z.number().finite().positive().optional().describe('time step of the continuous replicator flow (closed form, as `gibbslab flow --continuous`)'),
    steps: z.number().int().min(0).max(10_000_000),
    from: z.enum(['ref', 'uniform']),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.eta === undefined) === (c.dt === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['eta'], message: 'give exactly one of eta (mirror descent) or dt (the continuous replicator flow)' });
    }
  });

const optimizeSchema = z
  .object({
    task: taskSchema,
    optimizer: z.enum(OPTIMIZER_NAMES),
    tau: z.number().finite().nonnegative().describe("the temperature: the optimizer's reference-KL coefficient β; π*_τ is its target"),
    steps: z.number().int().min(1).max(1_000_000),
    seed: z.number().int().describe('step k samples from Rng.fromSeed(seed).split("step", k)'),
    settings: z.record(z.string(), z.unknown()).describe('other settings the optimizer reads, by their camelCase names (`gibbslab optimize --help`)'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const spec = OPTIMIZERS[c.optimizer];
    const stray = Object.keys(c.settings).find((k) => k === 'beta' || !(spec.knobs as readonly string[]).includes(k));
    if (stray !== undefined) {
      const message = stray === 'beta' ? 'set tau instead (β is the temperature τ)' : `not a setting of ${c.optimizer} (it reads ${spec.knobs.filter((k) => k !== 'beta').join(', ')})`;
      ctx.addIssue({ code: 'custom', path: ['settings', stray], message });
      return;
    }
    const issue = settingsIssue(resolveSettings(c.optimizer, { ...(c.settings as Partial<OptimizerSettings>), beta: c.tau }));
    if (issue) ctx.addIssue({ code: 'custom', path: issue.key === 'beta' ? ['tau'] : ['settings', issue.key], message: issue.message });
  });

/** The last entry of every series of a trace: where the flow or the optimizer stands after its steps. */
function lastEntries(trace: Pick<FlowTrace, 'step' | 'klToGibbs' | 'freeEnergyGap' | 'success' | 'expectedReward' | 'entropy' | 'refKl'>) {
  const k = trace.step.length - 1;
  return {
    klToGibbs: trace.klToGibbs[k],
    freeEnergyGap: trace.freeEnergyGap[k],
    success: trace.success[k],
    expectedReward: trace.expectedReward[k],
    entropy: trace.entropy[k],
    refKl: trace.refKl[k],
  };
}

const MEASURE_TARGETS: Record<MeasureName, Target> = {
  equilibrium: {
    label: 'the equilibrium measurement',
    configSchema: equilibriumSchema,
    defaults: { tau: 1 },
    async run(config) {
      const c = config as z.infer<typeof equilibriumSchema>;
      return equilibrium(compileTask(c.task), c.tau);
    },
  },
  flow: {
    label: 'the flow measurement',
    configSchema: flowSchema,
    defaults: { tau: 1, steps: 100, from: 'ref' },
    async run(config) {
      const c = config as z.infer<typeof flowSchema>;
      const world = compileTask(c.task);
      const trace =
        c.dt !== undefined
          ? replicatorFlow(world, { tau: c.tau, dt: c.dt, steps: c.steps, from: c.from, method: 'closed' })
          : mirrorDescentFlow(world, { tau: c.tau, eta: c.eta!, steps: c.steps, from: c.from });
      return lastEntries(trace);
    },
  },
  optimize: {
    label: 'the optimize measurement',
    configSchema: optimizeSchema,
    defaults: { optimizer: 'grpo', tau: 1, steps: 200, seed: 0, settings: {} },
    async run(config, ctx) {
      const c = config as z.infer<typeof optimizeSchema>;
      const settings = resolveSettings(c.optimizer, { ...(c.settings as Partial<OptimizerSettings>), beta: c.tau });
      return lastEntries(optimize(compileTask(c.task), settings, { steps: c.steps, seed: c.seed, signal: ctx.signal }));
    },
  },
};

export function resolveTarget(ref: TargetRef): Target {
  if ('measure' in ref) return MEASURE_TARGETS[ref.measure];
  const exp = findExperiment(ref.experiment);
  if (!exp) throw new UsageError(`experiment = ${JSON.stringify(ref.experiment)}: unknown; one of ${EXPERIMENTS.map((e) => e.id).join(', ')}`);
  return {
    label: `the ${exp.id} config`,
    configSchema: exp.configSchema,
    defaults: exp.sizes[ref.size] as Record<string, unknown>,
    async run(config, ctx) {
      const r = await runExperiment(exp, config, ctx);
      return { verdicts: r.verdicts, tables: r.tables, notes: r.notes } satisfies ExperimentRow;
    },
  };
}
