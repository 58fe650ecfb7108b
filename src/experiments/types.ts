import type { z } from 'zod';
import type { ExperimentResult, Verdict } from '../report/results.js';

/** The result shapes belong to the report, which renders them; experiment modules take them from here. */
export type { ExperimentResult, ReportSection, ResultTable, RunResults, Verdict } from '../report/results.js';

export interface RunContext {
  signal?: AbortSignal;
  /** Called as work advances (`done` of `total` units). */
  onProgress?: (done: number, total: number) => void;
}

/** The body an experiment's `run` returns; the registry adds ids, titles and timing. */
export type ExperimentOutput = Pick<ExperimentResult, 'verdicts' | 'plots'> & Partial<Pick<ExperimentResult, 'tables' | 'notes'>>;

/**
 * A named, documented reproduction of one claim (bsuite-style): a question, a source, a config
 * schema with quick (CI) and full sizes, and a pure `run` that returns verdicts and plots.
 * `run` is isomorphic: the CLI, a sweep worker and the browser call the same function.
 */
export interface Experiment<C = unknown> {
  id: string;
  title: string;
  question: string;
  source: string;
  claim: string;
  configSchema: z.ZodType<C>;
  sizes: { quick: C; full: C };
  run(config: C, ctx: RunContext): ExperimentOutput | Promise<ExperimentOutput>;
}

/** Helper for writing verdicts: |measured − predicted| ≤ tolerance (a relative tolerance when `relative`). */
export function closeTo(
  claim: string,
  source: string,
  predicted: number,
  measured: number,
  tolerance: number,
  relative = false,
): Verdict {
  const scale = relative ? Math.max(Math.abs(predicted), Number.MIN_VALUE) : 1;
  const holds = Number.isFinite(measured) && Math.abs(measured - predicted) <= tolerance * scale;
  return { claim, source, predicted: finiteOrNull(predicted), measured: finiteOrNull(measured), tolerance, holds };
}

/** A verdict for an inequality or a qualitative fact; `predicted`/`measured` carry the numbers compared. */
export function check(claim: string, source: string, holds: boolean, predicted: number | null, measured: number | null, tolerance: number | null = null): Verdict {
  return { claim, source, predicted: finiteOrNull(predicted), measured: finiteOrNull(measured), tolerance, holds };
}

export function finiteOrNull(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : x;
}

