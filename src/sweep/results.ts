/** One finished config, as a line of DIR/results.jsonl: its index, its config, its seed and its result (or the error it raised). */
export interface SweepRow {
  index: number;
  config: unknown;
  seed: number | null;
  result?: unknown;
  /** A config whose run threw: the error is its result (deterministic, so it is not retried on resume). */
  error?: string;
}

/** Rows sorted by config index; every index in [0, size) exactly once. */
export function mergeRows(size: number, rows: Iterable<SweepRow>): SweepRow[] {
  const out: (SweepRow | undefined)[] = new Array(size);
  for (const row of rows) {
    if (!(row.index >= 0 && row.index < size)) throw new Error(`sweep: config index ${row.index} outside [0, ${size})`);
    if (out[row.index] !== undefined) throw new Error(`sweep: config ${row.index} has two results`);
    out[row.index] = row;
  }
  const missing = out.findIndex((r) => r === undefined);
  if (missing >= 0) throw new Error(`sweep: config ${missing} has no result`);
  return out as SweepRow[];
}
