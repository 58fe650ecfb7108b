import type { z } from 'zod';
import type { PlotSpec } from '../report/specs.js';

/** One checked claim: what theory predicts, what the lab measured, and whether it holds within tolerance. */
export interface Verdict {
  claim: string;
  source: string;
  predicted: number | null;
  measured: number | null;
  tolerance: number | null;
  holds: boolean;
}

/** A small table shown in the report (numbers or short strings). */
export interface ResultTable {
  title: string;
  columns: string[];
  rows: (number | string | null)[][];
}

/** Everything an experiment produced: plain data, so a report can be rendered from it later. */
export interface ExperimentResult {
  id: string;
  title: string;
  question: string;
  source: string;
  /** The source's claim, in our own words. */
  claim: string;
  config: unknown;
  verdicts: Verdict[];
  plots: PlotSpec[];
  tables: ResultTable[];
  notes: string[];
  seconds: number;
}

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

/** What `gibbslab run` stores in results.json: enough to re-render the report without recomputing. */
export interface RunResults {
  gibbslab: string;
  createdAt: string;
  quick: boolean;
  experiments: ExperimentResult[];
  /** Extra report sections added by other tools (e.g. `analyze` of real runs), rendered after the experiments. */
  sections?: ReportSection[];
}

/** A free-standing report section: a title, paragraphs, plots and tables. */
export interface ReportSection {
  id: string;
  title: string;
  paragraphs: string[];
  plots: PlotSpec[];
  tables: ResultTable[];
}
