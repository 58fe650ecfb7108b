import type { z } from 'zod';
import { UsageError, zodErrorLine } from '../io/errors.js';
import { gridPoint, gridSize, type Axis, type GridPoint } from './grid.js';
import { cloneData, fieldPaths, getPath, mergeConfig, setPath, splitPath } from './paths.js';
import { deriveSeed } from './seeds.js';
import type { SweepSpec } from './spec.js';
import { resolveTarget, type Target } from './targets.js';

/** Most configs in one sweep: every config is validated and held in memory up front. */
export const MAX_CONFIGS = 100_000;

/** Fields that carry a config's seed, in order of preference. */
const SEED_FIELDS = ['seed', 'task.seed'];

/** Every config of a sweep, validated against the target's schema, with its seed. */
export interface SweepPlan {
  spec: SweepSpec;
  target: Target;
  configs: unknown[];
  /** The value of each config's seed field (null when the target has none). */
  seeds: (number | null)[];
}

function unknownAxis(axis: Axis, target: Target, base: unknown): UsageError {
  const fields = fieldPaths(base);
  const shown = fields.length > 16 ? `${fields.slice(0, 16).join(', ')}, …` : fields.join(', ');
  return new UsageError(`${axis.where}: unknown field of ${target.label} (fields: ${shown})`);
}

/**
 * One line naming where in the sweep file the bad value comes from: the axis that set the field
 * (`grid.tauPoints = 2.5: …`, `zip[0].eta = -1: …`), else the file's `task` or `base`.
 */
function configError(error: z.ZodError, config: unknown, axes: Axis[], target: Target, base: unknown, taskAtTop: boolean): UsageError {
  const issue = error.issues[0];
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const full = [at, (issue as { keys: string[] }).keys[0]].filter(Boolean).join('.');
    const axis = axes.find((a) => a.path === full);
    if (axis) return unknownAxis(axis, target, base);
  }
  const axis = axes.find((a) => at === a.path || at.startsWith(`${a.path}.`) || a.path.startsWith(`${at}.`));
  // The axis's location without its path ('grid', 'zip[0]') prefixes the full field path.
  const prefix = axis ? axis.where.slice(0, axis.where.length - axis.path.length - 1) : issue.path[0] === 'task' && taskAtTop ? '' : 'base';
  return new UsageError(zodErrorLine(error, config, prefix));
}

/**
 * Expands and validates every config. The first bad config stops the sweep before anything runs,
 * with the field path in the sweep file (exit 2 from the CLI).
 */
export function planSweep(spec: SweepSpec): SweepPlan {
  const target = resolveTarget(spec.target);
  const axes = spec.dimensions.flatMap((d) => d.axes);
  const replicates = spec.seeds ?? 1;
  if (axes.length === 0 && replicates === 1) throw new UsageError('grid: empty; give at least one axis (or seeds > 1 for replicates of one config)');
  const size = gridSize(spec.dimensions, replicates);
  if (size > MAX_CONFIGS) throw new UsageError(`grid: ${size} configs; at most ${MAX_CONFIGS} in one sweep`);

  const withTask = spec.task !== undefined ? mergeConfig(target.defaults, { task: spec.task }) : target.defaults;
  const base = mergeConfig(withTask, spec.base);
  const segs = new Map(axes.map((a) => [a.path, splitPath(a.path)!]));
  const build = (point: GridPoint, seed: { field: string[]; value: number } | null): unknown => {
    const raw = cloneData(base);
    for (const { path, value } of point.assignment) {
      if (!setPath(raw, segs.get(path)!, cloneData(value))) throw unknownAxis(axes.find((a) => a.path === path)!, target, base);
    }
    if (seed) setPath(raw, seed.field, seed.value);
    const parsed = target.configSchema.safeParse(raw);
    if (!parsed.success) throw configError(parsed.error, raw, axes, target, base, spec.task !== undefined);
    // A schema that strips unknown fields instead of rejecting them would drop the axis silently.
    const dropped = axes.find((a) => getPath(parsed.data, segs.get(a.path)!) === undefined);
    if (dropped) throw unknownAxis(dropped, target, base);
    return parsed.data;
  };

  // The seed field is found on the first config as parsed (schema defaults included).
  const first = build(gridPoint(spec.dimensions, replicates, 0), null);
  const seedField = SEED_FIELDS.find((f) => typeof getPath(first, f.split('.')) === 'number')?.split('.') ?? null;
  if (spec.seeds !== null) {
    if (!seedField) throw new UsageError(`seeds = ${spec.seeds}: ${target.label} has no seed field to vary (it is deterministic); remove seeds`);
    const axis = axes.find((a) => a.path === seedField.join('.'));
    if (axis) throw new UsageError(`seeds: ${axis.where} already sets the seed; drop one of them`);
  }

  const configs: unknown[] = [];
  const seeds: (number | null)[] = [];
  for (let index = 0; index < size; index++) {
    const point = gridPoint(spec.dimensions, replicates, index);
    const config = build(point, spec.seeds !== null ? { field: seedField!, value: deriveSeed(spec.seed, point) } : null);
    const seed = seedField ? getPath(config, seedField) : null;
    configs.push(config);
    seeds.push(typeof seed === 'number' ? seed : null);
  }
  return { spec, target, configs, seeds };
}
