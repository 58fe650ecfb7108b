import { chainCriticalLimit, chainCriticalTemperature, criticalTemperature } from '../equilibrium/critical.js';
import { equilibrium } from '../equilibrium/equilibrium.js';
import { curveCrossing, type CurveCrossing } from '../experiments/crossingAnalysis.js';
import { taskSchema } from '../tasks/schema.js';
import { compileTask } from '../tasks/worlds.js';
import { gridPoint, type Dimension, type GridPoint } from './grid.js';
import { canonicalJson, isPlainObject } from './paths.js';
import type { SweepRow } from './results.js';
import type { SweepSpec } from './spec.js';

/**
 * What a sweep's results say beyond the rows: for τ sweeps, where success crosses 1/2 on each
 * curve and how that compares with the equilibrium τ_c; for chain tasks swept over K, the
 * finite-size scaling of that crossing. Pure functions of the rows, so they are as reproducible.
 */

/** The crossing of one success-vs-τ curve: the configs sharing every other axis value. */
export interface GroupCrossing extends CurveCrossing {
  /** The other axes' values, e.g. "task.K=16". */
  group: string;
  /** τ values on the curve; at each, success is the mean over the replicate seeds. */
  points: number;
  /** τ where the exact equilibrium success of the group's task crosses 1/2 (bisection); null without a task or a crossing. */
  equilibriumTauC: number | null;
  /** The curve: τ values, mean success, and the exact equilibrium success there (null without a task). */
  curve: { tau: number[]; success: number[]; equilibrium: number[] | null };
}

/** One chain length of a finite-size series: the crossing read off the sweep vs the closed form (F37). */
export interface FiniteSizePoint {
  /** The axes other than τ and K shared by the series. */
  series: string;
  K: number;
  q: number;
  delta: number;
  tauC: number | null;
  /** τ_c(K) = δ/(|log q| + log(1 − q^K)/K). */
  tauCClosedForm: number | null;
  /** δ/|log q|, the K → ∞ limit. */
  limit: number;
  /** K·δ·(1/τ_{3/4} − 1/τ_{1/4}); 2·ln 3 at equilibrium. */
  widthTimesKDelta: number | null;
}

export interface SweepAnalysis {
  crossings?: GroupCrossing[];
  finiteSize?: FiniteSizePoint[];
}

export const TAU_AXIS = 'tau';
export const K_AXIS = 'task.K';

/** The axes that advance with `path` (itself and its zip partners): they vary along one curve. */
export function alongAxis(dimensions: readonly Dimension[], path: string): string[] {
  return dimensions.find((d) => d.axes.some((a) => a.path === path))?.axes.map((a) => a.path) ?? [];
}

function label(point: GridPoint, skip: readonly string[]): string {
  return point.assignment.filter((a) => !skip.includes(a.path)).map((a) => `${a.path}=${showAxisValue(a.value)}`).join(', ') || 'all';
}

/** An axis value as a short label (numbers as typed, anything else as compact JSON). */
export function showAxisValue(v: unknown): string {
  const s = typeof v === 'string' ? v : canonicalJson(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Rows that finished, with their grid point, numeric success and τ; the rest cannot take part in a crossing. */
function successRows(spec: SweepSpec, rows: SweepRow[]) {
  const replicates = spec.seeds ?? 1;
  return rows.flatMap((row) => {
    const result = row.result as { success?: unknown } | undefined;
    const config = row.config as { tau?: unknown; task?: unknown };
    if (!isPlainObject(result) || typeof result.success !== 'number' || !Number.isFinite(result.success) || typeof config.tau !== 'number') return [];
    return [{ row, point: gridPoint(spec.dimensions, replicates, row.index), tau: config.tau, success: result.success }];
  });
}

/** The exact equilibrium of a config's task, for comparison: its τ_c and its success along the curve. */
function equilibriumOf(task: unknown, taus: number[]): Pick<GroupCrossing, 'equilibriumTauC'> & { success: number[] | null } {
  const parsed = taskSchema.safeParse(task);
  if (!parsed.success) return { equilibriumTauC: null, success: null };
  try {
    const world = compileTask(parsed.data);
    return { equilibriumTauC: criticalTemperature(world), success: taus.map((t) => equilibrium(world, t).success) };
  } catch {
    return { equilibriumTauC: null, success: null };
  }
}

export function analyzeSweep(spec: SweepSpec, rows: SweepRow[]): SweepAnalysis {
  const axes = spec.dimensions.flatMap((d) => d.axes.map((a) => a.path));
  if (!axes.includes(TAU_AXIS)) return {};
  const usable = successRows(spec, rows);
  if (usable.length === 0) return {};
  const alongTau = alongAxis(spec.dimensions, TAU_AXIS);
  const groups = new Map<string, typeof usable>();
  for (const u of usable) {
    const key = label(u.point, alongTau);
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  const crossings: GroupCrossing[] = [...groups].map(([group, members]) => {
    // Replicates of a sampled optimizer scatter; their mean success is the curve (sums run in index order).
    const byTau = new Map<number, number[]>();
    for (const m of members) byTau.set(m.tau, [...(byTau.get(m.tau) ?? []), m.success]);
    const taus = [...byTau.keys()].sort((a, b) => a - b);
    const success = taus.map((t) => byTau.get(t)!.reduce((x, y) => x + y, 0) / byTau.get(t)!.length);
    const eq = equilibriumOf((members[0].row.config as { task?: unknown }).task, taus);
    return { group, points: taus.length, ...curveCrossing(taus, success), equilibriumTauC: eq.equilibriumTauC, curve: { tau: taus, success, equilibrium: eq.success } };
  });
  const analysis: SweepAnalysis = { crossings };
  if (axes.includes(K_AXIS)) {
    const finiteSize = [...groups].flatMap(([group, members], g) => {
      const task = (members[0].row.config as { task?: { kind?: string; K?: number; q?: number; delta?: number } }).task;
      if (task?.kind !== 'chain') return [];
      const { K, q, delta } = task as { K: number; q: number; delta: number };
      const c = crossings[g];
      return [{
        series: label(members[0].point, [...alongTau, ...alongAxis(spec.dimensions, K_AXIS)]),
        K,
        q,
        delta,
        tauC: c.tauC,
        tauCClosedForm: chainCriticalTemperature(K, q, delta),
        limit: chainCriticalLimit({ q, delta }),
        widthTimesKDelta: c.invTauWidth === null ? null : K * delta * c.invTauWidth,
      }];
    });
    if (finiteSize.length) analysis.finiteSize = finiteSize.sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : a.K - b.K));
  }
  return analysis;
}
