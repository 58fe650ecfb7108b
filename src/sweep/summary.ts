import { VERSION } from '../version.js';
import type { SweepAnalysis } from './analysis.js';
import type { Dimension } from './grid.js';
import type { SweepRow } from './results.js';
import type { SweepSpec } from './spec.js';
import type { TargetRef } from './targets.js';

/**
 * DIR/summary.json: the merged results in index order with the sweep's analysis. It is a function
 * of the sweep file alone — no timing, no dates — so any worker count and any interruption point
 * give the same bytes.
 */
export interface SweepSummary {
  gibbslab: string;
  title: string;
  target: TargetRef;
  configs: number;
  failed: number;
  dimensions: Dimension[];
  seeds: number | null;
  seed: number;
  analysis: SweepAnalysis;
  results: SweepRow[];
}

export function sweepSummary(spec: SweepSpec, rows: SweepRow[], analysis: SweepAnalysis): SweepSummary {
  return {
    gibbslab: VERSION,
    title: spec.title,
    target: spec.target,
    configs: rows.length,
    failed: rows.filter((r) => r.error !== undefined).length,
    dimensions: spec.dimensions,
    seeds: spec.seeds,
    seed: spec.seed,
    analysis,
    results: rows,
  };
}
