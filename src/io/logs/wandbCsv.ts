import { parse } from 'csv-parse/sync';
import type { ParsedLog, SkippedRecord } from '../../analysis/types.js';
import { UsageError } from '../errors.js';
import { assembleRows, excerpt, type RawRecord } from './rows.js';
import { parseNumberToken } from './text.js';

/** Step columns, in the order they are preferred: the UI export, the API history, the trainers' own. */
const STEP_COLUMNS = ['Step', '_step', 'train/global_step', 'trainer/global_step', 'global_step', 'step'];

/** wandb bookkeeping columns, not metrics. */
const BOOKKEEPING = new Set(['_runtime', '_timestamp', '_wandb', 'Wall time', 'Relative Time (Process)', 'Relative Time (Wall)']);

/**
 * A wandb CSV export: the UI's (`Step`, `<run> - <metric>`, `… __MIN`, `… __MAX`) or a
 * `run.history()` dump (`_step`, metric names). One run per file; the `<run> - ` prefix is
 * dropped and the min/max envelope columns of smoothed charts are ignored.
 */
export function readWandbCsv(text: string, where: string): ParsedLog {
  const skipped: SkippedRecord[] = [];
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: { message: string; lines?: number } | undefined, raw?: string) => {
        skipped.push({ where: `line ${err?.lines ?? '?'}`, reason: err?.message ?? 'bad CSV record', text: excerpt(raw ?? '') });
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new UsageError(`${where}: not valid CSV (${(e as Error).message.split('\n')[0]}); expected a wandb CSV export`);
  }
  if (rows.length === 0) throw new UsageError(`${where}: empty CSV; expected a wandb CSV export with a header row`);
  const header = rows[0].record.map((h) => h.trim());
  const stepCol = STEP_COLUMNS.map((c) => header.indexOf(c)).find((i) => i >= 0);
  if (stepCol === undefined) {
    throw new UsageError(`${where}: no step column (header: ${excerpt(header.join(','))}); expected one of ${STEP_COLUMNS.join(', ')}`);
  }
  const runs = new Set<string>();
  const columns = header.map((h, i) => {
    if (i === stepCol || BOOKKEEPING.has(h) || /__(MIN|MAX)$/.test(h)) return null;
    const cut = h.indexOf(' - ');
    if (cut < 0) return h;
    runs.add(h.slice(0, cut));
    return h.slice(cut + 3);
  });
  if (runs.size > 1) {
    throw new UsageError(`${where}: ${runs.size} runs in one export (${[...runs].slice(0, 3).join(', ')}…); expected one run per file`);
  }
  const records: RawRecord[] = [];
  for (const { record, info } of rows.slice(1)) {
    const at = `line ${info.lines}`;
    const step = parseNumberToken(record[stepCol] ?? '');
    if (step === null || Number.isNaN(step)) {
      skipped.push({ where: at, reason: 'no step value', text: excerpt(record.join(',')) });
      continue;
    }
    const values: Record<string, unknown> = {};
    columns.forEach((name, i) => {
      const cell = record[i]?.trim() ?? '';
      if (name === null || cell === '') return;
      const v = parseNumberToken(cell);
      if (v !== null) values[name] = v;
    });
    records.push({ where: at, step, values, text: record.join(',') });
  }
  return assembleRows('wandb-csv', records, skipped, []);
}
