import { z } from 'zod';
import { parseOrThrow, showValue, UsageError } from '../io/errors.js';
import { isPlainObject, splitPath } from './paths.js';

/**
 * Grid expansion. A sweep varies config fields along axes; each axis is a list of values or a
 * range. Axes of `grid` multiply; the axes of one `zip` group advance together (one dimension).
 * Configs are numbered row-major over the dimensions in file order (the last varies fastest), with
 * replicate seeds innermost — so a config's index depends only on the sweep file.
 */

/** One varied field: its dotted path in the config and where the sweep file sets it. */
export interface Axis {
  path: string;
  /** Location in the sweep file, for messages: `grid.tau`, `zip[0].eta`. */
  where: string;
  values: unknown[];
}

/** One product dimension: a single axis, or a zipped group of equal-length axes. */
export interface Dimension {
  axes: Axis[];
}

/** Where a config sits in the grid: the value of every axis, and its replicate number. */
export interface GridPoint {
  assignment: { path: string; value: unknown }[];
  replicate: number;
}

const finite = z.number().finite();
const rangeSchema = z
  .object({
    from: finite,
    to: finite,
    step: finite.positive().optional(),
    count: z.number().int().min(1).max(1_000_000).optional(),
    log: z.boolean().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((r.step === undefined) === (r.count === undefined)) return issue('step', 'give exactly one of step (a range) or count (evenly spaced points)');
    if (r.step !== undefined && r.to < r.from) return issue('to', `must be ≥ from (${r.from}) for a range with a step`);
    if (r.log && r.step !== undefined) return issue('log', 'only with count (log-spaced points)');
    if (r.log && !(r.from > 0)) return issue('from', 'must be > 0 for log-spaced points');
    if (r.log && !(r.to > 0)) return issue('to', 'must be > 0 for log-spaced points');
  });

/**
 * Rounds computed grid values to 12 significant digits, dropping floating-point noise
 * (0.1·3 = 0.30000000000000004 → 0.3; a log-spaced 9.99999999999999 → 10) so they read as typed.
 */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

const AXIS_FORMS = 'a list of values, {from, to, step}, or {from, to, count} (add log: true for log-spaced points)';

/** The values of one axis spec: a list, `{from, to, step}`, `{from, to, count}` or `{from, to, count, log: true}`. */
export function axisValues(where: string, spec: unknown): unknown[] {
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new UsageError(`${where} = []: empty axis; give at least one value`);
    return spec;
  }
  if (!isPlainObject(spec) || !('from' in spec || 'to' in spec)) throw new UsageError(`${where} = ${showValue(spec)}: must be ${AXIS_FORMS}`);
  const r = parseOrThrow(rangeSchema, spec, where);
  if (r.step !== undefined) {
    // Tolerate rounding in (to − from)/step, so {from: 0, to: 0.3, step: 0.1} ends at 0.3.
    const n = Math.floor((r.to - r.from) / r.step + 1e-9) + 1;
    if (n > 1_000_000) throw new UsageError(`${where}: ${n} values; at most 1000000 per axis`);
    return Array.from({ length: n }, (_, i) => tidy(r.from + i * r.step!));
  }
  const n = r.count!;
  if (n === 1) return [r.from];
  const [a, b] = r.log ? [Math.log(r.from), Math.log(r.to)] : [r.from, r.to];
  return Array.from({ length: n }, (_, i) => {
    if (i === 0) return r.from;
    if (i === n - 1) return r.to;
    const t = a + ((b - a) * i) / (n - 1);
    return tidy(r.log ? Math.exp(t) : t);
  });
}

function parseAxis(where: string, path: string, spec: unknown): Axis {
  if (!splitPath(path)) throw new UsageError(`${where}: not a field path (dotted names like chain.q or task.K)`);
  return { path, where, values: axisValues(where, spec) };
}

/** The dimensions of a sweep file's `grid` (one per axis) and `zip` (one per group), checked for overlaps. */
export function buildDimensions(grid: Record<string, unknown>, zip: Record<string, unknown>[]): Dimension[] {
  const dims: Dimension[] = Object.entries(grid).map(([path, spec]) => ({ axes: [parseAxis(`grid.${path}`, path, spec)] }));
  zip.forEach((group, g) => {
    const axes = Object.entries(group).map(([path, spec]) => parseAxis(`zip[${g}].${path}`, path, spec));
    if (axes.length === 0) throw new UsageError(`zip[${g}] = {}: empty group; give at least one axis`);
    const bad = axes.find((a) => a.values.length !== axes[0].values.length);
    if (bad) {
      throw new UsageError(`${bad.where}: ${bad.values.length} values, but ${axes[0].where} has ${axes[0].values.length}; zipped axes need equal lengths`);
    }
    dims.push({ axes });
  });
  const seen: Axis[] = [];
  for (const axis of dims.flatMap((d) => d.axes)) {
    const clash = seen.find((s) => s.path === axis.path || s.path.startsWith(`${axis.path}.`) || axis.path.startsWith(`${s.path}.`));
    if (clash) throw new UsageError(`${axis.where}: overlaps ${clash.where}; each field can be varied by one axis`);
    seen.push(axis);
  }
  return dims;
}

export function dimensionLength(d: Dimension): number {
  return d.axes[0].values.length;
}

/** Number of configs: the product of the dimension lengths times the replicates. */
export function gridSize(dims: readonly Dimension[], replicates: number): number {
  return dims.reduce((n, d) => n * dimensionLength(d), replicates);
}

/** The grid point of config `index` (row-major, last dimension fastest, replicates innermost). */
export function gridPoint(dims: readonly Dimension[], replicates: number, index: number): GridPoint {
  let rest = Math.floor(index / replicates);
  const replicate = index % replicates;
  const assignment: GridPoint['assignment'] = [];
  for (let d = dims.length - 1; d >= 0; d--) {
    const n = dimensionLength(dims[d]);
    const i = rest % n;
    rest = Math.floor(rest / n);
    for (const axis of [...dims[d].axes].reverse()) assignment.unshift({ path: axis.path, value: axis.values[i] });
  }
  return { assignment, replicate };
}
