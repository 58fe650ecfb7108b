import JSON5 from 'json5';
import type { ParsedLog, SkippedRecord } from '../../analysis/types.js';
import { assembleRows, excerpt, type RawRecord } from './rows.js';

/**
 * verl's file logger: one JSON object per line, `{"step": N, "data": {...}}`, written by
 * Python's json (bare NaN possible; strings and nulls among the values). A line that is not such
 * an object is skipped and counted.
 */
export function readVerlJsonl(text: string): ParsedLog {
  const skipped: SkippedRecord[] = [];
  const records: RawRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `line ${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON5.parse(line);
    } catch {
      skipped.push({ where, reason: 'not valid JSON', text: excerpt(line) });
      return;
    }
    const o = obj as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || typeof o.step !== 'number' || !o.data || typeof o.data !== 'object') {
      skipped.push({ where, reason: 'not an object {"step": N, "data": {...}}', text: excerpt(line) });
      return;
    }
    records.push({ where, step: o.step, values: o.data as Record<string, unknown>, text: line });
  });
  return assembleRows('verl-jsonl', records, skipped, []);
}
