import { z } from 'zod';
import { parseOrThrow } from '../io/errors.js';
import { buildDimensions, type Dimension } from './grid.js';
import { MEASURES, type TargetRef } from './targets.js';

/**
 * The sweep file (YAML/JSON), and its normalized form: the `SweepSpec` stored as DIR/sweep.json,
 * which `--resume` compares with the file it is given.
 */

const record = z.record(z.string(), z.unknown());

export const sweepFileSchema = z
  .object({
    title: z.string().optional(),
    experiment: z.string().optional().describe('an experiment id (`gibbslab list`)'),
    size: z.enum(['quick', 'full']).optional().describe("the experiment's sizes the grid starts from (default quick)"),
    measure: z.enum(MEASURES).optional().describe('a measurement on a task'),
    task: record.optional().describe('the task of a measurement (the CLI also accepts a task file path)'),
    base: record.optional().describe('fields set for every config, over the defaults'),
    grid: record.optional().describe('axes that multiply: field path → values'),
    zip: z.array(record).optional().describe('groups of axes that advance together'),
    seeds: z.number().int().min(1).max(100_000).optional().describe('replicates per grid point, each with its own derived seed'),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe('the sweep seed'),
  })
  .strict()
  .superRefine((f, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((f.experiment === undefined) === (f.measure === undefined)) {
      issue('experiment', `give exactly one of experiment (an id from \`gibbslab list\`) or measure (${MEASURES.join(', ')})`);
    }
    if (f.size !== undefined && f.experiment === undefined) issue('size', 'only with experiment');
    if (f.task !== undefined && f.measure === undefined) issue('task', 'only with measure (an experiment builds its own tasks)');
    const taskAxis = [f.grid ?? {}, ...(f.zip ?? [])].some((axes) => 'task' in axes);
    if (f.measure !== undefined && f.task === undefined && f.base?.task === undefined && !taskAxis) {
      issue('task', 'a measurement needs a task (an inline object, or a task file path)');
    }
  });

export type SweepFile = z.infer<typeof sweepFileSchema>;

export interface SweepSpec {
  title: string;
  target: TargetRef;
  /** The task of a measurement, merged under `base.task`. */
  task?: Record<string, unknown>;
  /** The sweep file's `base`: fields set for every config. */
  base: Record<string, unknown>;
  dimensions: Dimension[];
  /** Replicates per grid point; null when the file gives none (configs keep their own seed field). */
  seeds: number | null;
  seed: number;
}

/** Validates a parsed sweep file and expands its axes (one line naming the field on bad input). */
export function normalizeSweep(raw: unknown): SweepSpec {
  const f = parseOrThrow(sweepFileSchema, raw, '');
  const target: TargetRef = f.measure !== undefined ? { measure: f.measure } : { experiment: f.experiment!, size: f.size ?? 'quick' };
  return {
    title: f.title ?? `${f.measure ?? f.experiment} sweep`,
    target,
    ...(f.task !== undefined ? { task: f.task } : {}),
    base: f.base ?? {},
    dimensions: buildDimensions(f.grid ?? {}, f.zip ?? []),
    seeds: f.seeds ?? null,
    seed: f.seed ?? 0,
  };
}
