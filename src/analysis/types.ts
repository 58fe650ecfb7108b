/**
 * A training log as the readers hand it over: rows of raw metric values keyed by the log's own
 * names, plus everything that was read but not kept. Plain data, so the analysis that follows is
 * isomorphic (the readers live in src/io/logs; the web lab can feed the same shapes).
 */

export const LOG_FORMATS = [
  'trl-trainer-state',
  'trl-log-history',
  'trl-console',
  'verl-console',
  'verl-jsonl',
  'openrlhf',
  'wandb-csv',
] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** One logged training step: raw key → value (NaN where the log wrote null/NaN). */
export interface LogRow {
  step: number;
  /** Where the row came from in the file, e.g. `line 377` or `log_history[12]`. */
  where: string;
  values: Record<string, number>;
}

/** A line or record that was read and not kept, with the reason. */
export interface SkippedRecord {
  where: string;
  reason: string;
  /** The start of the offending text (ANSI codes removed). */
  text: string;
}

export interface ParsedLog {
  format: LogFormat;
  /** Strictly increasing steps. */
  rows: LogRow[];
  skipped: SkippedRecord[];
  /** What the reader had to decide (derived steps, resumed ranges, …), in words. */
  notes: string[];
}
