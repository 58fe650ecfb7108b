import type { PlotSpec } from './specs.js';

/**
 * The shapes of results as they are stored (results.json) and rendered: plain data, so a report is
 * a function of them. Experiments produce them; the report, the web lab and `analyze` read them.
 */

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
