import type { LogFormat, LogRow, ParsedLog, SkippedRecord } from '../../analysis/types.js';

/** One metric record as a reader found it, before the checks every format shares. */
export interface RawRecord {
  where: string;
  /** null when the record names no step. */
  step: number | null;
  values: Record<string, unknown>;
  text: string;
}

/** HF Trainer's end-of-training row, and the keys only it has. */
const SUMMARY_KEYS = ['train_runtime', 'train_samples_per_second', 'train_steps_per_second', 'train_loss', 'total_flos'];

/** Keys that say where a row is, not what was measured: two rows sharing only these can merge. */
const POSITION_KEYS = new Set(['step', 'epoch', 'training/epoch', 'training/global_step', 'global_step']);

const EXCERPT = 160;

export function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > EXCERPT ? `${t.slice(0, EXCERPT - 1)}…` : t;
}

/** Numbers stay (NaN and ±∞ included), null becomes NaN (a value the logger could not compute); the rest is not a metric. */
function numericValues(values: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'number') out[k] = v;
    else if (v === null) out[k] = NaN;
  }
  return out;
}

function measured(values: Record<string, number>): string[] {
  return Object.keys(values).filter((k) => !POSITION_KEYS.has(k));
}

/**
 * The checks every format shares, so each reader only finds records:
 * - a summary row (`train_runtime`, …) is skipped, not read as a step;
 * - a record without a numeric metric is skipped;
 * - a record without a step gets the row number, and a note says so;
 * - a step that repeats with disjoint keys (an eval row at a train step) merges into that step;
 * - a step at or below one already read means the run resumed from a checkpoint: the earlier
 *   copies of those steps are skipped and the later ones kept, as wandb does.
 */
export function assembleRows(format: LogFormat, records: RawRecord[], skipped: SkippedRecord[], notes: string[]): ParsedLog {
  const rows: LogRow[] = [];
  let derived = 0;
  let resumed = 0;
  let metricRecords = 0;
  for (const rec of records) {
    const values = numericValues(rec.values);
    const summary = SUMMARY_KEYS.find((k) => k in values);
    if (summary) {
      skipped.push({ where: rec.where, reason: `summary row (${summary})`, text: excerpt(rec.text) });
      continue;
    }
    if (measured(values).length === 0) {
      skipped.push({ where: rec.where, reason: 'no numeric metric', text: excerpt(rec.text) });
      continue;
    }
    metricRecords++;
    let step = rec.step;
    if (step === null) {
      step = metricRecords;
      derived++;
    }
    if (!(Number.isInteger(step) && step >= 0)) {
      skipped.push({ where: rec.where, reason: `step ${step} is not a nonnegative integer`, text: excerpt(rec.text) });
      continue;
    }
    const last = rows[rows.length - 1];
    if (last && step === last.step && measured(values).every((k) => !(k in last.values))) {
      Object.assign(last.values, values);
      continue;
    }
    if (last && step <= last.step) {
      resumed++;
      while (rows.length && rows[rows.length - 1].step >= step) {
        const old = rows.pop()!;
        skipped.push({
          where: old.where,
          reason: `step ${old.step} logged again at ${rec.where} (the run resumed); the later copy is kept`,
          text: `step ${old.step}`,
        });
      }
    }
    rows.push({ step, where: rec.where, values });
  }
  if (derived) notes.push(`${derived} rows name no step: their step is the row number (1, 2, …), not the optimizer step`);
  if (resumed) notes.push(`the run resumed ${resumed} time(s): steps logged twice keep their later copy`);
  return { format, rows, skipped, notes };
}
