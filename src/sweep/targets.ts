import { z } from 'zod';
import { equilibrium } from '../equilibrium/equilibrium.js';
import { findExperiment, runExperiment, EXPERIMENTS } from '../experiments/registry.js';
import type { RunContext, ExperimentResult } from '../experiments/types.js';
import { mirrorDescentFlow } from '../flows/mirrorDescent.js';
import { replicatorFlow } from '../flows/replicator.js';
import type { FlowTrace } from '../flows/trace.js';
import { UsageError } from '../io/errors.js';
import { taskSchema } from '../tasks/schema.js';
import { compileTask } from '../tasks/worlds.js';

/**
 * What a sweep runs at each config: an experiment of the suite (its verdicts), or a measurement
 * on a task (the exact equilibrium at τ, the ideal flow after some steps). Pure and isomorphic:
 * the main thread uses a target to validate configs, a pool worker to run them.
 */

export const MEASURES = ['equilibrium', 'flow'] as const;
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

/** The last entry of every series of a trace: where the flow stands after its steps. */
function lastEntries(trace: FlowTrace) {
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
